/**
 * The browser side of platform.ts (same exports; read that file first): gpu.js's browser build
 * (the package's `browser` entry, a UMD bundle whose default export is the `GPU` class with the
 * kernel classes attached to it), and WebGL2 as the GL mode `'auto'` tries. Node never loads this
 * file; the playground's bundler substitutes it for platform.ts.
 */
import gpujsBrowser from 'gpu.js';
import { BackendUnavailableError } from '../../tensor/errors.js';
import type { GpujsModule } from './platform-types.js';
import type { WebGpuBridge } from './webgpu-bridge.js';
import type { GpujsMode } from './runtime.js';

/** Where this file runs. */
export const PLATFORM: 'node' | 'browser' = 'browser';

/** The GL mode `selectBackend('auto')` tries after WebGPU in a browser. */
export const GL_MODE: GpujsMode = 'webgl2';

/** gpu.js's browser build, typed as the Node module: both have `GPU` and the kernel classes. */
export function loadGpujs(): GpujsModule {
  return gpujsBrowser as unknown as GpujsModule;
}

/** No synchronous WebGPU in a browser: its main thread may not block on Atomics.wait. */
export function createWebGpuBridge(): WebGpuBridge {
  throw new BackendUnavailableError(
    'gpu.js:webgpu as a synchronous backend needs Node (a worker thread owns the device and the caller waits on it; ' +
      "a browser's main thread may not wait): use the asynchronous margin head, GpujsMarginHead.create('webgpu')",
  );
}
