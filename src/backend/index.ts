/**
 * `arcgrad/backends`: choosing a backend (`selectBackend('auto' | 'cpu' | 'wasm' |
 * 'gpu.js:webgpu' | …)`, `defaultBackend`, the CLI's `--backend` option), the wasm head's options
 * and results, the gpu.js backend (float32; modes cpu, webasm, headlessgl/webgl2 and webgpu), the
 * fused margin head on the GPU and the WebGPU probe.
 * The gpu.js modes need the optional packages gpu.js and webgpu (`npm install gpu.js
 * webgpu@0.3.10`; a browser bundle of this entry needs gpu.js installed); without them they
 * throw a MissingExtraError naming that command, and `selectBackend('auto')` picks another
 * backend and says why. (Not in the root, so that a browser bundle of the root needs no gpu.js.)
 * @module arcgrad/backends
 */
export {
  BACKEND_NAMES, BACKEND_OPTION_HELP, backendFromOption, createBackend, defaultBackend, selectBackend,
  type BackendChoice, type BackendName, type Selection,
} from './select.js';
export { GpujsBackend } from './gpujs/gpujs-backend.js';
export { DeviceLostError, KernelError } from './gpujs/errors.js';
export type { GpujsMode } from './gpujs/runtime.js';
export type { AsyncMarginHead, FusedMarginHead, HeadResult, HeadSpec, HeadTarget } from './head.js';
export { GpujsMarginHead, type HeadArrays, type HeadStepOptions } from './gpujs/head.js';
export type { HeadDims } from './gpujs/head-plan.js';
export { probeWebGpu, type WebGpuProbe } from './gpujs/webgpu-probe.js';
export type { WasmHeadArrays, WasmHeadOptions } from './wasm/head.js';
