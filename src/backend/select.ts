/**
 * THE place a backend is chosen: by name (`selectBackend`, the CLI's `--backend`), and by default
 * (`defaultBackend`, what `arcgrad train`, the demo and the benchmark train on: the wasm backend,
 * float32 on WebAssembly SIMD and min(2, cores) threads, with the float64 CPU reference one flag
 * away). Names: the CPU float64 reference, the wasm backend, or the gpu.js backend in one of its
 * modes. `'auto'` takes a real GPU when there is one — WebGPU, then the platform's GL mode
 * (headless-gl in Node, WebGL2 in a browser; see platform.ts) on a hardware renderer — and the
 * CPU reference otherwise, and says which and why in one line; an explicit name that cannot be met throws a
 * BackendUnavailableError naming what is missing. Nothing here claims a GPU it has not seen.
 */
import type { Backend } from './backend.js';
import { cpu } from './cpu.js';
import { BackendUnavailableError, MissingExtraError, OptionError } from '../tensor/errors.js';
import type { GpujsModule } from './gpujs/platform-types.js';
import { GpujsBackend } from './gpujs/gpujs-backend.js';
import { GL_MODE, PLATFORM } from './gpujs/platform.js';
import { gpujs, injectedGpu, type GpujsMode } from './gpujs/runtime.js';
import { probeWebGpu } from './gpujs/webgpu-probe.js';
import { SOFTWARE_RENDERER } from './gpujs/adapter-info.js';
import { loadWasmBackend } from './wasm/load.js';

/** Every name `selectBackend` accepts. */
export const BACKEND_NAMES = [
  'auto', 'cpu', 'wasm', 'gpu.js:webgpu', 'gpu.js:headlessgl', 'gpu.js:webgl2', 'gpu.js:webasm', 'gpu.js:cpu',
] as const;

/** A name `selectBackend` accepts. */
export type BackendName = (typeof BACKEND_NAMES)[number];

/** What was selected, and one line saying what and why (for logs and `--backend auto`). */
export interface Selection {
  /** The backend; its `name` is what runs. */
  readonly backend: Backend;
  /** E.g. `auto: cpu (float64 reference) — no WebGPU adapter found; headless-gl not installed`. */
  readonly reason: string;
}

/** Throws an OptionError unless `name` is one of BACKEND_NAMES. */
export function assertBackendName(name: string): asserts name is BackendName {
  if (!(BACKEND_NAMES as readonly string[]).includes(name)) {
    throw new OptionError(`backend must be one of ${BACKEND_NAMES.map((n) => `'${n}'`).join(', ')}, got '${name}'`);
  }
}

/** The backend called `name`, with the reason line (see Selection). */
export async function selectBackend(name: string): Promise<Selection> {
  assertBackendName(name);
  if (name === 'cpu') return { backend: cpu, reason: 'cpu (float64 reference): asked for' };
  if (name === 'wasm') {
    const backend = await loadWasmBackend();
    return { backend, reason: `wasm (float32, WebAssembly SIMD${threadsOf(backend)}): asked for` };
  }
  if (name === 'auto') return selectAuto();
  const mode = name.slice('gpu.js:'.length) as GpujsMode;
  const why = await unavailable(mode);
  if (why !== null) throw new BackendUnavailableError(`${name} is not available: ${why}`);
  const backend = new GpujsBackend(mode);
  const where = isGl(mode) ? `; renderer ${glRenderer(mode)}` : mode === 'webgpu' ? `; WebGPU adapter ${backend.device}` : '';
  return { backend, reason: `${backend.name} (float32): asked for${where}` };
}

/** The backend called `name` (see selectBackend). */
export async function createBackend(name: string): Promise<Backend> {
  return (await selectBackend(name)).backend;
}

async function selectAuto(): Promise<Selection> {
  const missing: string[] = [];
  for (const mode of ['webgpu', GL_MODE] as const) {
    const why = await unavailable(mode);
    if (why !== null) {
      missing.push(why);
      continue;
    }
    if (isGl(mode) && isSoftwareRenderer(glRenderer(mode))) {
      missing.push(`${mode === 'webgl2' ? 'WebGL2' : 'headless-gl'} renders in software (${glRenderer(mode)})`);
      continue;
    }
    const probe = mode === 'webgpu' && injectedGpu() === undefined ? await probeWebGpu() : undefined;
    if (probe?.ok === true && probe.software) {
      missing.push(`the WebGPU adapter is software (${probe.adapter})`);
      continue;
    }
    let backend: GpujsBackend;
    try {
      backend = new GpujsBackend(mode);
    } catch (e) {
      // Available on paper, but the GPU could not be created: fall back, and say why.
      if (!(e instanceof BackendUnavailableError)) throw e;
      missing.push(e.message);
      continue;
    }
    return { backend, reason: `auto: ${backend.name} (float32) — ${isGl(mode) ? glRenderer(mode) : `WebGPU adapter ${backend.device}`}` };
  }
  // Each reason once: without gpu.js, every mode gives the same one.
  return { backend: cpu, reason: `auto: cpu (float64 reference) — ${[...new Set(missing)].join('; ')}` };
}

/** Why gpu.js cannot run in `mode` here, or null when it can. */
async function unavailable(mode: GpujsMode): Promise<string | null> {
  const injected = injectedGpu();
  if (injected !== undefined) return injected.unavailable?.(mode) ?? null;
  let GPU: GpujsModule['GPU'];
  try {
    ({ GPU } = gpujs());
  } catch (e) {
    if (e instanceof MissingExtraError) return e.message; // 'auto' falls back to the CPU and says why
    throw e;
  }
  switch (mode) {
    case 'cpu':
      return null;
    case 'webasm':
      return GPU.isWebAssemblySupported ? null : 'this runtime has no WebAssembly';
    case 'webgl2':
      if (GPU.isWebGL2Supported) return null;
      return PLATFORM === 'node' ? 'WebGL2 needs a browser (none in Node)' : 'this browser gives no WebGL2 context';
    case 'headlessgl':
      return GPU.isHeadlessGLSupported
        ? null
        : "headless-gl not installed (npm package 'gl'; npm 11 holds back its native build until approved) or it found no GL context";
    case 'webgpu': {
      const probe = await probeWebGpu();
      if (!probe.ok) return probe.reason;
      // gpu.js webgpu kernels return Promises while the Backend interface is synchronous: in Node a
      // worker thread owns the device and the backend waits on it (webgpu-bridge.ts); a browser's
      // main thread may not wait, so there the margin head runs asynchronously instead.
      if (PLATFORM === 'browser') {
        return (
          `a WebGPU adapter was found (${probe.adapter}), but gpu.js webgpu kernels are asynchronous and a browser's ` +
          "main thread cannot wait for them, so there is no synchronous webgpu backend here; use GpujsMarginHead.create('webgpu')"
        );
      }
      return null;
    }
  }
}

function isGl(mode: GpujsMode): mode is 'headlessgl' | 'webgl2' {
  return mode === 'headlessgl' || mode === 'webgl2';
}

/** The renderer string of the GL mode's test context, for the reason line ('unknown' when it will not say). */
function glRenderer(mode: 'headlessgl' | 'webgl2'): string {
  const injected = injectedGpu();
  if (injected !== undefined) return injected.renderer?.() ?? 'injected GPU';
  try {
    const { HeadlessGLKernel, WebGL2Kernel } = gpujs();
    const gl = ((mode === 'webgl2' ? WebGL2Kernel : HeadlessGLKernel) as unknown as { testContext?: WebGLLike }).testContext;
    const ext = gl?.getExtension('WEBGL_debug_renderer_info') as { UNMASKED_RENDERER_WEBGL: number } | null;
    const renderer = gl && (ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(0x1f01 /* RENDERER */));
    return typeof renderer === 'string' && renderer !== '' ? renderer : 'unknown renderer';
  } catch {
    return 'unknown renderer';
  }
}

/** Mesa's llvmpipe/softpipe and SwiftShader are CPUs, not GPUs (nor is a renderer that will not say). */
function isSoftwareRenderer(renderer: string): boolean {
  return SOFTWARE_RENDERER.test(renderer) || /unknown/i.test(renderer);
}

interface WebGLLike {
  getExtension(name: string): unknown;
  getParameter(p: number): unknown;
}

/** ", N threads" for a reason line, when `backend` has a thread count. */
function threadsOf(backend: Backend): string {
  const threads = (backend as { threads?: number }).threads;
  return threads === undefined ? '' : `, ${threads} thread${threads === 1 ? '' : 's'}`;
}

/**
 * The backend training runs on unless told otherwise: the wasm backend (float32; threads where
 * the machine has cores), or the CPU float64 reference where WebAssembly SIMD with shared memory
 * cannot run, with the reason in one line. `arcgrad train`, the demo and `arcgrad bench` call
 * this; `--backend cpu` is the reference.
 */
export async function defaultBackend(): Promise<Selection> {
  try {
    const backend = await loadWasmBackend();
    return { backend, reason: `default: wasm (float32, WebAssembly SIMD${threadsOf(backend)})` };
  } catch (e) {
    if (!(e instanceof BackendUnavailableError)) throw e;
    return { backend: cpu, reason: `default: cpu (float64 reference) — ${e.message}` };
  }
}

/** The `--backend` option's help line (the names, and what `auto` does). */
export const BACKEND_OPTION_HELP =
  `backend: ${BACKEND_NAMES.join(' | ')} (auto: a real GPU if there is one, else the cpu float64 reference; wasm: float32 on WebAssembly SIMD)`;

/** What `backendFromOption` returns. */
export interface BackendChoice {
  /** The backend that will run. */
  backend: Backend;
  /** One line saying what runs and why. */
  message: string;
}

/**
 * The backend for a `--backend` value (undefined means 'cpu'), and the line to print saying what
 * runs and why. Throws an OptionError for an unknown name and a BackendUnavailableError for a
 * backend that cannot run here.
 */
export async function backendFromOption(option: string | undefined): Promise<BackendChoice> {
  const { backend, reason } = await selectBackend(option ?? 'cpu');
  return { backend, message: `backend: ${reason}` };
}
