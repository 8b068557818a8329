/**
 * The gpu.js runtime under the gpu.js backend: loads gpu.js lazily (so that importing arcgrad,
 * or running on the CPU reference, never loads it; platform.ts says how in Node and in a browser),
 * creates one `GPU` per backend in an explicit mode, and compiles, caches and runs kernels. Every kernel run is checked against the kernel
 * class the mode promised: gpu.js falls back to its CPU kernel with only a console warning when a
 * kernel is not supported by a mode, and a backend named `gpu.js:webasm` must never be a CPU run
 * in disguise. After every run, and after every read back (GpujsBackend.read), the device is
 * checked: a lost GL context reads back zeros without an error, so a lost device is a
 * DeviceLostError, never numbers.
 *
 * Test seam: `injectGpu({ create, unavailable?, renderer? })` makes every runtime created
 * afterwards use `create(mode)` instead of gpu.js's `new GPU({ mode })`, and makes the selector
 * (select.ts) ask `unavailable(mode)` and `renderer()` instead of probing this machine. It is how
 * the tests give the backend a GPU without an adapter, one that loses its device in the middle
 * of a step, or one whose kernels do not compile (test/backend/faults.test.ts,
 * docs/reliability.md). Nothing in arcgrad calls it.
 */
import type { GPU as GpuClass, IKernelRunShortcut, KernelOutput } from 'gpu.js';
import { BackendUnavailableError, MissingExtraError } from '../../tensor/errors.js';
import { DeviceLostError, KernelError } from './errors.js';
import { createWebGpuBridge, loadGpujs } from './platform.js';
import type { GpujsModule, SyncWebGpu } from './platform-types.js';
import { PORTABLE_MATH, portableKernelSource } from './portable-math.js';

/** The gpu.js modes this backend can be asked for (gpu.js's own names). */
export type GpujsMode = 'webgpu' | 'headlessgl' | 'webgl2' | 'webasm' | 'cpu';

/** What a kernel returns: a host array in cpu/webasm modes, a device texture in GL modes. */
export type DeviceArray = Float32Array | { toArray(): unknown; delete?(): void };

/** What a kernel argument may be: device arrays and plain numbers. */
export type KernelArg = DeviceArray | number;

/** A kernel's output dimensions in gpu.js order: [x] or [x, y], x varying fastest. */
export type KernelDims = readonly [number] | readonly [number, number];

/** Per-kernel choices on top of the shared settings, fixed when the kernel is first compiled. */
export interface LaunchOptions {
  /** Helper functions the kernel calls (gpu.js compiles them with it). */
  functions?: readonly Function[];
  /**
   * false: gpu.js reuses one output per kernel between calls (in webgpu mode, one device buffer)
   * instead of allocating a fresh one; only for kernels whose previous result is dead by the
   * next call. Default: the shared setting, true.
   */
  immutable?: boolean;
}

let loaded: GpujsModule | undefined;

/** gpu.js, loaded on first use (see platform.ts). */
export function gpujs(): GpujsModule {
  if (loaded === undefined) {
    try {
      loaded = loadGpujs();
    } catch (e) {
      if (e instanceof MissingExtraError) throw e; // already one line naming the install command
      throw new BackendUnavailableError(`gpu.js could not be loaded: ${(e as Error).message}`);
    }
  }
  return loaded;
}

/** Kernel settings shared by every kernel: flat 1-D output resized per call, results kept. */
const KERNEL_SETTINGS = {
  // pipeline: results stay where the mode keeps them (a texture on GL) until read().
  pipeline: true,
  // immutable: tensors are immutable, so every call needs a fresh output. Without it gpu.js
  // reuses one output array per kernel (and in cpu mode with dynamicOutput keeps its old size).
  immutable: true,
  // one compiled kernel serves every shape: sizes arrive as arguments and setOutput.
  dynamicOutput: true,
  dynamicArguments: true,
  precision: 'single' as const,
  // loop bounds are arguments (row lengths, inner dimensions), not constants.
  loopMaxIterations: 1 << 24,
  tactic: 'precision' as const,
};

/** The settings a kernel is compiled with: the shared ones, the launch's own choices, its output size. */
function kernelSettings(output: KernelDims, options: LaunchOptions): object {
  return { ...KERNEL_SETTINGS, ...(options.immutable === undefined ? {} : { immutable: options.immutable }), output: [...output] };
}

/** Whether kernels in `mode` run on a GPU (webgpu, webgl2, headless-gl), not in this process's CPU. */
export function isGpuMode(mode: GpujsMode): boolean {
  return mode !== 'cpu' && mode !== 'webasm';
}

/** What the runtime uses of a gpu.js `GPU`; a fake from `injectGpu` provides the same. */
export interface GpuLike {
  /** The mode the GPU runs in (checked against the one asked for). */
  readonly mode: string;
  /** The kernel class of that mode (checked against the kernel that ran). */
  readonly Kernel?: unknown;
  /** The GL context once a kernel made one (gpu.js sets it); a lost one reads back zeros. */
  readonly context?: { isContextLost?(): boolean } | null;
  /** Compiles a kernel (gpu.js's `createKernel`). */
  createKernel(source: string, settings: object): IKernelRunShortcut;
  /** Releases the GPU. */
  destroy(): void;
}

/** The test seam (see the file header): how runtimes get a GPU, and what the selector is told. */
export interface GpuSeam {
  /** Makes the GPU of a runtime in `mode` (may throw, as `new GPU` does without an adapter). */
  create(mode: GpujsMode): GpuLike;
  /** Why `mode` cannot run here, or null (default: null, every mode available). */
  unavailable?(mode: GpujsMode): string | null;
  /** The GL renderer string reported for headless-gl (default: 'injected GPU'). */
  renderer?(): string;
}

let seam: GpuSeam | undefined;

/** Installs a test seam (undefined removes it); returns a function restoring the previous one. */
export function injectGpu(s: GpuSeam | undefined): () => void {
  const previous = seam;
  seam = s;
  return () => {
    seam = previous;
  };
}

/** The installed test seam, if any (for select.ts). */
export function injectedGpu(): GpuSeam | undefined {
  return seam;
}

/** How a runtime is made. */
export interface RuntimeOptions {
  /**
   * In webgpu mode: run the kernels in a worker thread that owns the device and wait for each
   * (webgpu-bridge.ts), so that `launch` is synchronous, as the Backend interface needs. Node only.
   * Without it, webgpu kernels are asynchronous (`launchAsync`). Ignored in the other modes.
   */
  readonly synchronous?: boolean;
}

/** One gpu.js `GPU` in one mode, with its kernels compiled once per name. */
export class GpujsRuntime {
  /** The `GPU` instance (its `mode` is what was asked for: checked at creation); a stand-in for the worker's when bridged. */
  readonly gpu: GpuClass;
  private readonly kernels = new Map<string, IKernelRunShortcut>();
  /** The worker that owns the WebGPU device, when `synchronous` webgpu. */
  private readonly bridge: SyncWebGpu | undefined;

  constructor(
    readonly mode: GpujsMode,
    options: RuntimeOptions = {},
  ) {
    if (mode === 'webgpu' && options.synchronous === true && seam === undefined) {
      const bridge = createWebGpuBridge(); // throws a BackendUnavailableError saying why
      this.bridge = bridge;
      this.gpu = {
        mode: 'webgpu',
        destroy: () => bridge.close(),
        createKernel: () => {
          throw new KernelError('gpu.js (webgpu): kernels of a synchronous webgpu runtime are compiled in its worker');
        },
      } as unknown as GpuClass;
      return;
    }
    let gpu: GpuClass;
    try {
      gpu = seam === undefined ? new (gpujs().GPU)({ mode }) : (seam.create(mode) as unknown as GpuClass);
    } catch (e) {
      if (e instanceof BackendUnavailableError) throw e;
      throw new BackendUnavailableError(`gpu.js mode '${mode}' is not supported here: ${(e as Error).message}`);
    }
    if ((gpu.mode as string) !== mode) {
      throw new BackendUnavailableError(`gpu.js was asked for mode '${mode}' but chose '${gpu.mode}'`);
    }
    this.gpu = gpu;
  }

  /**
   * Runs the kernel called `name` (compiled from `source()` on first use, with `functions` as
   * helpers) over a flat output of `size` elements.
   */
  run(name: string, source: () => string, size: number, args: readonly KernelArg[], functions: readonly Function[] = []): DeviceArray {
    return this.launch(name, source, [size], args, { functions }) as DeviceArray;
  }

  /**
   * Runs the kernel called `name` over an output of gpu.js dimensions `output` ([x] or [x, y],
   * x fastest) and returns what gpu.js returned: a Float32Array (1-D) or an array of Float32Array
   * rows (2-D) in cpu and webasm modes, a texture in GL modes. Synchronous modes only: webgpu
   * kernels return Promises (use `launchAsync`).
   */
  launch(name: string, source: () => string, output: KernelDims, args: readonly unknown[], options: LaunchOptions = {}): unknown {
    if (this.bridge !== undefined) {
      const code = () => {
        const { text, functions } = this.kernelSources(source(), options.functions ?? []);
        return { text, functions: functions.map((f) => f.toString()), settings: kernelSettings(output, options) };
      };
      return this.bridge.launch(name, code, output, args);
    }
    if (this.isAsync) {
      throw new KernelError(`gpu.js (webgpu) kernel '${name}': webgpu kernels are asynchronous; call launchAsync (or make the runtime synchronous)`);
    }
    const kernel = this.prepare(name, source, output, args, options);
    let out: KernelOutput;
    try {
      out = kernel(...(args as never[]));
    } catch (e) {
      this.assertAlive(`kernel '${name}'`); // a run that failed because the device was lost says so
      throw new KernelError(`gpu.js (${this.mode}) kernel '${name}' failed: ${(e as Error).message}`);
    }
    this.assertAlive(`kernel '${name}'`);
    this.assertRanInMode(name, kernel);
    this.assertShape(name, output, out);
    return out;
  }

  /**
   * `launch` for every mode, webgpu included: awaits the kernel (its first call compiles the
   * shader and acquires the device; later calls resolve at submit, with the result still on the
   * device — a `WebGPUBufferResult` in webgpu mode).
   */
  async launchAsync(name: string, source: () => string, output: KernelDims, args: readonly unknown[], options: LaunchOptions = {}): Promise<unknown> {
    if (this.bridge !== undefined) return this.launch(name, source, output, args, options);
    const kernel = this.prepare(name, source, output, args, options);
    let out: unknown;
    try {
      out = await kernel(...(args as never[]));
    } catch (e) {
      this.assertAlive(`kernel '${name}'`);
      throw new KernelError(`gpu.js (${this.mode}) kernel '${name}' failed: ${(e as Error).message}`);
    }
    this.assertAlive(`kernel '${name}'`);
    this.assertRanInMode(name, kernel);
    this.assertShape(name, output, out);
    return out;
  }

  /** The kernel called `name` (per shape in GL modes: see cacheKey), compiled on first use, sized to `output`. */
  private prepare(name: string, source: () => string, output: KernelDims, args: readonly unknown[], options: LaunchOptions): IKernelRunShortcut {
    const key = this.cacheKey(name, output, args);
    let kernel = this.kernels.get(key);
    if (kernel === undefined) {
      const { text, functions } = this.kernelSources(source(), options.functions ?? []);
      const settings = { ...kernelSettings(output, options), functions };
      try {
        kernel = this.gpu.createKernel(text, settings as never);
      } catch (e) {
        throw new KernelError(`gpu.js (${this.mode}) could not compile kernel '${name}': ${(e as Error).message}`);
      }
      this.kernels.set(key, kernel);
    }
    kernel.setOutput([...output] as never);
    return kernel;
  }

  /**
   * The kernel's text and helper functions as this mode compiles them. On a GPU (webgpu, webgl2,
   * headlessgl) Math.acos/cos/sin become arcgrad's portable float32 versions (portable-math.ts:
   * the drivers' own may be off by 1e-4 and more); the cpu and webasm modes call JavaScript's Math
   * and keep the text as it is.
   */
  private kernelSources(text: string, functions: readonly Function[]): { text: string; functions: (Function | string)[] } {
    if (!isGpuMode(this.mode)) return { text, functions: [...functions] };
    const helpers = functions.map((f) => portableKernelSource(f.toString()));
    const rewritten = portableKernelSource(text);
    const needed = [rewritten, ...helpers].some((t) => /\barcgrad(Acos|Cos|Sin)\(/.test(t));
    return { text: rewritten, functions: needed ? [...helpers, ...PORTABLE_MATH.map((f) => f.toString())] : helpers };
  }

  /** Throws a KernelError when a host result (cpu, webasm) does not have the output's shape. */
  private assertShape(name: string, output: KernelDims, out: unknown): void {
    const [x, y] = output;
    const bad = (got: string) => new KernelError(`gpu.js (${this.mode}) kernel '${name}' returned ${got} for an output of ${output.join('×')}`);
    if (y === undefined && out instanceof Float32Array && out.length !== x) throw bad(`${out.length} values`);
    if (y !== undefined && Array.isArray(out)) {
      if (out.length !== y) throw bad(`${out.length} rows`);
      const row = out.find((r: { length?: number }) => r?.length !== x);
      if (row !== undefined) throw bad(`a row of ${(row as { length?: number })?.length} values`);
    }
  }

  /** Throws a DeviceLostError when the device (the GL context) was lost: what it returns is not data. */
  assertAlive(where: string): void {
    const context = (this.gpu as unknown as GpuLike).context;
    if (context?.isContextLost?.() === true) {
      throw new DeviceLostError(
        `gpu.js (${this.mode}): the GPU device was lost (${where}); its results and every tensor on it are gone — ` +
          'create the backend again and continue from the last checkpoint',
      );
    }
  }

  /**
   * The cache key of a kernel run. In the cpu and webasm modes one compiled kernel serves every
   * shape (`dynamicOutput`, `dynamicArguments`). In the GL modes it does not: a WebGL2 kernel
   * compiled for one output size and argument sizes returns wrong numbers (no error) when called
   * with others — found in Chromium's WebGL2, where `sum` of a 16-vector after a sum of a 4-vector
   * was off by 57 % — so there a kernel is compiled per output size and argument shape. Training
   * uses a handful of shapes, so this costs a few shader compilations, once.
   */
  private cacheKey(name: string, output: KernelDims, args: readonly unknown[]): string {
    if (this.mode !== 'webgl2' && this.mode !== 'headlessgl') return name;
    const shapes = args.map((a) =>
      typeof a === 'number'
        ? 'n'
        : a instanceof Float32Array
          ? `a${a.length}`
          : `t${JSON.stringify((a as { output?: unknown; size?: unknown }).output ?? (a as { size?: unknown }).size)}`,
    );
    return `${name}|${output.join('x')}|${shapes.join(',')}`;
  }

  /** Throws unless the kernel that ran is the kernel class of this mode (no silent CPU fallback). */
  private assertRanInMode(name: string, kernel: IKernelRunShortcut): void {
    const ran = (kernel as unknown as { kernel: { constructor: unknown; fallbackReason?: string } }).kernel;
    const expected = (this.gpu as unknown as { Kernel: unknown }).Kernel;
    if (ran.constructor !== expected) {
      throw new BackendUnavailableError(
        `gpu.js (${this.mode}) fell back to another kernel type for '${name}'` +
          (ran.fallbackReason ? `: ${ran.fallbackReason}` : ''),
      );
    }
  }

  /** How many kernel results live on the device, where the runtime can count them (synchronous webgpu). @hidden */
  deviceResults(): number | undefined {
    return this.bridge?.liveResults();
  }

  /** Whether kernels return Promises (webgpu without a bridge): then only `launchAsync` runs them. */
  get isAsync(): boolean {
    return this.mode === 'webgpu' && this.bridge === undefined;
  }

  /** The WebGPU adapter the bridge's device came from, and whether it is software (synchronous webgpu only). */
  get adapter(): { adapter: string; software: boolean } | undefined {
    return this.bridge === undefined ? undefined : { adapter: this.bridge.adapter, software: this.bridge.software };
  }

  /** Releases the compiled kernels and the GPU context. */
  destroy(): void {
    this.kernels.clear();
    this.gpu.destroy();
  }
}
