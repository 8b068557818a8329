/**
 * Loads the wasm backend on demand, so that choosing a backend (../select.ts) does not pull
 * worker threads into a bundle that never uses them. The playground's bundler substitutes
 * load.browser.ts, which says why there is no wasm backend in a browser.
 */
import type { Backend } from '../backend.js';
import { BackendUnavailableError } from '../../tensor/errors.js';

/**
 * The process-wide wasm backend (float32, min(2, cores) threads), its kernels compiled and its
 * threads started; a BackendUnavailableError naming what failed where this runtime cannot
 * (no WebAssembly SIMD, no shared memory, no worker threads).
 */
export async function loadWasmBackend(): Promise<Backend> {
  const { wasmBackend } = await import('./backend.js');
  const { fastPool } = await import('./pool.js');
  try {
    const backend = wasmBackend();
    fastPool(backend.threads);
    return backend;
  } catch (e) {
    throw new BackendUnavailableError(`wasm is not available here: ${(e as Error).message.split('\n')[0]}`);
  }
}
