/**
 * `arcgrad/gpu`: the gpu.js backend (float32; modes cpu, webasm, headlessgl/webgl2 and webgpu),
 * the fused margin head on the GPU, the WebGPU probe and the backend option of the CLI. Needs the
 * optional packages gpu.js and webgpu (`npm install gpu.js webgpu@0.3.10`); without them the
 * backends throw a MissingExtraError naming that command and `selectBackend('auto')` picks the CPU.
 * (Not in the root, so that a browser bundle of the root needs no gpu.js.)
 * @module arcgrad/gpu
 */
export { GpujsBackend } from './gpujs-backend.js';
export { DeviceLostError, KernelError } from './errors.js';
export { BACKEND_NAMES, createBackend, selectBackend, type BackendName, type Selection } from './select.js';
export { BACKEND_OPTION_HELP, backendFromOption, type BackendChoice } from './cli-option.js';
export type { GpujsMode } from './runtime.js';
export type { AsyncMarginHead, FusedMarginHead, HeadResult, HeadSpec, HeadTarget } from '../head.js';
export { GpujsMarginHead, type HeadArrays, type HeadStepOptions } from './head.js';
export type { HeadDims } from './head-plan.js';
export { probeWebGpu, type WebGpuProbe } from './webgpu-probe.js';
