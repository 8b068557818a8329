/**
 * What the gpu.js backend does differently in Node: gpu.js is loaded with `require` (it is
 * CommonJS), on first use, so that importing arcgrad or running on the CPU reference never loads
 * it; the GL mode `'auto'` tries is headless-gl; and WebGPU kernels can be made synchronous by a
 * worker thread that owns the device (webgpu-bridge.ts).
 *
 * The playground's browser bundle replaces this file by its sibling platform.browser.ts (the
 * bundler picks a `.browser.ts` sibling over the `.ts` file: see playground/vite.config.ts), which
 * imports gpu.js's browser build and tries WebGL2. Both files export the same names.
 */
import { createRequire } from 'node:module';
import { requireExtra } from '../../tensor/extras.js';
import type { GpujsModule, SyncWebGpu } from './platform-types.js';
import type { GpujsMode } from './runtime.js';
import { WebGpuBridge } from './webgpu-bridge.js';

/** Where this file runs: 'node' here, 'browser' in platform.browser.ts. */
export const PLATFORM: 'node' | 'browser' = 'node';

/** The GL mode `selectBackend('auto')` tries after WebGPU on this platform. */
export const GL_MODE: GpujsMode = 'headlessgl';

/** gpu.js, loaded now (callers cache it). A MissingExtraError when it is not installed, else what `require` throws. */
export function loadGpujs(): GpujsModule {
  return requireExtra('gpu', () => createRequire(import.meta.url)('gpu.js') as GpujsModule);
}

/**
 * A synchronous bridge to WebGPU (a worker thread that owns the device: webgpu-bridge.ts), or
 * why there cannot be one on this platform.
 */
export function createWebGpuBridge(): SyncWebGpu {
  return new WebGpuBridge();
}
