/**
 * A fake GPU for fault injection (test/backend/faults.test.ts and `arcgrad reliability`), given
 * to the runtime through its test seam (`injectGpu`): gpu.js's CPU kernels (correct numbers)
 * dressed up as a GL mode,
 * whose results live in "textures" (objects read back with toArray(), as in GL modes), and which
 * fails on demand the way real devices do:
 *
 * - `loseAfterRuns: k`: the GL context is lost after the k-th kernel run; from then on kernels
 *   return zero textures and reads return zeros, without an error — what WebGL does — and
 *   `context.isContextLost()` says true;
 * - `loseOnRead: k`: the context is lost during the k-th read back (that read returns zeros);
 * - `failCompile(source)`: createKernel throws as a GL shader compiler does.
 *
 * Nothing in arcgrad's computations uses it.
 */
import type { GPU as GpuClass, IKernelRunShortcut } from 'gpu.js';
import { gpujs, type GpuLike, type GpujsMode, type GpuSeam } from './runtime.js';

/** What can go wrong, and when. */
export interface Faults {
  /** Lose the device after this many kernel runs (counted over the fake's life). */
  loseAfterRuns?: number;
  /** Lose the device during this read back (1 = the first). */
  loseOnRead?: number;
  /** Refuse to compile kernels whose source this returns true for. */
  failCompile?: (source: string) => boolean;
}

/** A texture: data on the "device", read back with toArray() (zeros once the device is lost). */
class FakeTexture {
  /** gpu.js textures carry their output shape (the runtime's GL kernel cache keys on it). */
  readonly output: number[];

  constructor(
    readonly data: Float32Array,
    private readonly gpu: FakeGpu,
  ) {
    this.output = [data.length];
  }

  toArray(): Float32Array {
    this.gpu.reads++;
    if (this.gpu.faults.loseOnRead !== undefined && this.gpu.reads >= this.gpu.faults.loseOnRead) this.gpu.lost = true;
    return this.gpu.lost ? new Float32Array(this.data.length) : this.data.slice();
  }
  delete(): void {}
}

/** The fake GPU (see the file header). */
export class FakeGpu implements GpuLike {
  /** The real gpu.js GPU (cpu mode) that computes. */
  readonly real: GpuClass = new (gpujs().GPU)({ mode: 'cpu' });
  /** The device is lost (for good). */
  lost = false;
  /** Kernel runs so far. */
  runs = 0;
  /** Read backs so far. */
  reads = 0;
  /** What gpu.js exposes of the GL context. */
  readonly context = { isContextLost: (): boolean => this.lost };

  constructor(
    /** The mode the fake claims. */
    readonly mode: GpujsMode,
    /** The faults to inject. */
    readonly faults: Faults = {},
  ) {}

  /** The kernel class of the mode: the real one's, so the runtime's check passes. */
  get Kernel(): unknown {
    return (this.real as unknown as { Kernel: unknown }).Kernel;
  }

  /** Compiles with the real GPU (or refuses, per `failCompile`); runs return textures. */
  createKernel(source: string, settings: object): IKernelRunShortcut {
    if (this.faults.failCompile?.(source)) {
      throw new Error("ERROR: 0:12: 'angularMarginValue' : no matching overloaded function found (injected)");
    }
    const kernel = this.real.createKernel(source, settings as never);
    const run = (...args: unknown[]) => {
      const host = args.map((a) => (a instanceof FakeTexture ? a.data : a));
      const out = kernel(...(host as never[])) as Float32Array;
      this.runs++;
      if (this.faults.loseAfterRuns !== undefined && this.runs >= this.faults.loseAfterRuns) this.lost = true;
      return new FakeTexture(this.lost ? new Float32Array(out.length) : out, this);
    };
    return Object.assign(run, {
      kernel: (kernel as unknown as { kernel: unknown }).kernel,
      setOutput: (o: number[]) => kernel.setOutput(o),
    }) as unknown as IKernelRunShortcut;
  }

  /** Releases the real GPU. */
  destroy(): void {
    this.real.destroy();
  }
}

/** A seam whose GPUs are FakeGpus with `faults` (the last one made is `last()`). */
export function fakeSeam(faults: Faults = {}, options: { unavailable?: string; createFails?: string } = {}): GpuSeam & { last(): FakeGpu } {
  let last: FakeGpu | undefined;
  return {
    create(mode) {
      if (options.createFails !== undefined) throw new Error(options.createFails);
      last = new FakeGpu(mode, faults);
      return last;
    },
    unavailable: () => options.unavailable ?? null,
    renderer: () => 'Fake GPU (injected)',
    last: () => {
      if (last === undefined) throw new Error('no fake GPU was created');
      return last;
    },
  };
}
