/**
 * The browser side of load.ts (same exports): the wasm backend's threads are Node worker threads
 * on one shared memory, which a page can have only when cross-origin isolated; the playground
 * does not ask for that, so here there is no wasm backend.
 */
import type { Backend } from '../backend.js';
import { BackendUnavailableError } from '../../tensor/errors.js';

/** Always a BackendUnavailableError here (see the file header). */
export async function loadWasmBackend(): Promise<Backend> {
  throw new BackendUnavailableError("wasm is not available in the browser build (it runs on Node's worker threads); use 'gpu.js:webgl2' or 'cpu'");
}
