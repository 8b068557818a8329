/**
 * The gpu.js runtime under the gpu.js backend: loads gpu.js lazily (so that importing arcgrad,
 * or running on the CPU reference, never loads it; platform.ts says how in Node and in a browser),
 * creates one `GPU` per backend in an explicit mode, and compiles, caches and runs kernels. Every kernel run is checked against the kernel
 * class the mode promised: gpu.js falls back to its CPU kernel with only a console warning when a
 * kernel is not supported by a mode, and a backend named `gpu.js:webasm` must never be a CPU run
 * in disguise.
 */
import type { GPU as GpuClass, IKernelRunShortcut, KernelOutput } from 'gpu.js';
import { BackendUnavailableError } from '../../tensor/errors.js';
import { KernelError } from './errors.js';
import { loadGpujs } from './platform.js';
import type { GpujsModule } from './platform-types.js';

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

/** One gpu.js `GPU` in one mode, with its kernels compiled once per name. */
export class GpujsRuntime {
  /** The `GPU` instance (its `mode` is what was asked for: checked at creation). */
  readonly gpu: GpuClass;
  private readonly kernels = new Map<string, IKernelRunShortcut>();

  constructor(readonly mode: GpujsMode) {
    const { GPU } = gpujs();
    let gpu: GpuClass;
    try {
      gpu = new GPU({ mode });
    } catch (e) {
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
    if (this.mode === 'webgpu') {
      throw new KernelError(`gpu.js (webgpu) kernel '${name}': webgpu kernels are asynchronous; call launchAsync`);
    }
    const kernel = this.prepare(name, source, output, args, options);
    let out: KernelOutput;
    try {
      out = kernel(...(args as never[]));
    } catch (e) {
      throw new KernelError(`gpu.js (${this.mode}) kernel '${name}' failed: ${(e as Error).message}`);
    }
    this.assertRanInMode(name, kernel);
    return out;
  }

  /**
   * `launch` for every mode, webgpu included: awaits the kernel (its first call compiles the
   * shader and acquires the device; later calls resolve at submit, with the result still on the
   * device — a `WebGPUBufferResult` in webgpu mode).
   */
  async launchAsync(name: string, source: () => string, output: KernelDims, args: readonly unknown[], options: LaunchOptions = {}): Promise<unknown> {
    const kernel = this.prepare(name, source, output, args, options);
    let out: unknown;
    try {
      out = await kernel(...(args as never[]));
    } catch (e) {
      throw new KernelError(`gpu.js (${this.mode}) kernel '${name}' failed: ${(e as Error).message}`);
    }
    this.assertRanInMode(name, kernel);
    return out;
  }

  /** The kernel called `name` (per shape in GL modes: see cacheKey), compiled on first use, sized to `output`. */
  private prepare(name: string, source: () => string, output: KernelDims, args: readonly unknown[], options: LaunchOptions): IKernelRunShortcut {
    const key = this.cacheKey(name, output, args);
    let kernel = this.kernels.get(key);
    if (kernel === undefined) {
      const settings = {
        ...KERNEL_SETTINGS,
        ...(options.immutable === undefined ? {} : { immutable: options.immutable }),
        output: [...output],
        functions: [...(options.functions ?? [])],
      };
      try {
        kernel = this.gpu.createKernel(source(), settings as never);
      } catch (e) {
        throw new KernelError(`gpu.js (${this.mode}) could not compile kernel '${name}': ${(e as Error).message}`);
      }
      this.kernels.set(key, kernel);
    }
    kernel.setOutput([...output] as never);
    return kernel;
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

  /** Releases the compiled kernels and the GPU context. */
  destroy(): void {
    this.kernels.clear();
    this.gpu.destroy();
  }
}
