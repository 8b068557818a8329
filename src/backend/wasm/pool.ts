/**
 * The fast path's engine: one shared WebAssembly memory holding every buffer of the fused head,
 * the SIMD kernels instantiated on it in this thread, and optionally worker threads that run
 * their share of each phase on the same memory. Dispatch is synchronous: the main thread wakes the
 * workers through Atomics, runs share 0 itself, then waits on Atomics for theirs, so the head is
 * an ordinary function call. Workers are unref'd (they never keep the process alive), are started
 * from source text (`eval: true`), so they work the same under vitest and from the compiled
 * dist/, and are terminated by `shutdownFastPool()`.
 */
// threads.ts in Node, threads.browser.ts (one thread) in a browser bundle.
import { availableThreads, startWorker } from './threads.js';
import { MAX_PAGES, instantiateKernels, kernelModule, type Kernels } from './kernels.js';
import { PARAM, runPhase } from './phases.js';
import { WebAssemblyApi, type WasmMemory } from './wasm-types.js';

const PAGE = 65536;
const READY = 3, CMD = 0, DONE = 1, STATUS = 2;

function workerSource(): string {
  return `var __name = (f) => f;
const { module, memory, params, control, t } = workerData;
const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports;
const runPhase = (${runPhase.toString()});
const P = new Float64Array(params);
const ctl = new Int32Array(control);
Atomics.store(ctl, ${READY}, 1);
Atomics.notify(ctl, ${READY});
let seen = 0;
for (;;) {
  Atomics.wait(ctl, ${CMD}, seen);
  seen = Atomics.load(ctl, ${CMD});
  if (seen < 0) break;
  let status = 0;
  try { runPhase(kernels, memory.buffer, P, t); } catch (e) { status = 1; console.error(e); }
  Atomics.store(ctl, ${STATUS}, status);
  Atomics.store(ctl, ${DONE}, seen);
  Atomics.notify(ctl, ${DONE});
}
`;
}

/** A started worker, as the pool uses it (declared here, not in threads.ts: see platform-types.ts on variants). */
export interface PoolWorker {
  /** Lets the process exit while the worker waits. */
  unref(): void;
  /** Errors are reported through the pool's status word; this only keeps them from being uncaught. */
  on(event: 'error', listener: () => void): unknown;
  /** Stops it. */
  terminate(): unknown;
}

interface WorkerHandle {
  worker: PoolWorker;
  ctl: Int32Array;
}

/** A memory, its kernels and `threads − 1` workers. */
export class FastPool {
  readonly memory: WasmMemory;
  readonly kernels: Kernels;
  /** Parameters of the current call (see PARAM), shared with the workers. */
  readonly params = new Float64Array(new SharedArrayBuffer(PARAM.size * 8));
  private readonly workers: WorkerHandle[] = [];
  private seq = 0;

  constructor(readonly threads: number) {
    this.memory = new WebAssemblyApi.Memory({ initial: 16, maximum: MAX_PAGES, shared: true });
    this.kernels = instantiateKernels(this.memory);
    const source = workerSource();
    for (let t = 1; t < threads; t++) {
      const control = new SharedArrayBuffer(16);
      const worker = startWorker(source, { module: kernelModule(), memory: this.memory, params: this.params.buffer, control, t });
      worker.unref();
      worker.on('error', () => {}); // reported through the status word instead
      this.workers.push({ worker, ctl: new Int32Array(control) });
    }
    for (const w of this.workers) {
      // a worker that does not start within 30 s is a broken environment: fall back loudly
      if (Atomics.wait(w.ctl, READY, 0, 30_000) === 'timed-out' && Atomics.load(w.ctl, READY) !== 1) {
        this.close();
        throw new Error('fast path: a worker thread did not start');
      }
    }
  }

  /** At least `bytes` of memory, growing it when needed (it never shrinks). */
  reserve(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes > MAX_PAGES * PAGE) throw new RangeError(`fast path: needs ${bytes} bytes, more than wasm32's 4 GiB`);
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / PAGE));
  }

  /** Runs phase `phase` (see phases.ts: 1, 2 the head's, 3 one gemm) on every thread and returns when all are done. */
  run(phase: 1 | 2 | 3): void {
    this.params[PARAM.phase] = phase;
    this.params[PARAM.threads] = this.workers.length + 1;
    const seq = ++this.seq;
    for (const w of this.workers) {
      Atomics.store(w.ctl, CMD, seq);
      Atomics.notify(w.ctl, CMD);
    }
    runPhase(this.kernels, this.memory.buffer, this.params, 0);
    for (const w of this.workers) {
      while (Atomics.load(w.ctl, DONE) !== seq) Atomics.wait(w.ctl, DONE, Atomics.load(w.ctl, DONE), 1000);
      if (Atomics.load(w.ctl, STATUS) !== 0) throw new Error('fast path: a worker thread failed (see stderr)');
    }
  }

  /** Stops the workers. */
  close(): void {
    for (const w of this.workers) {
      Atomics.store(w.ctl, CMD, -1);
      Atomics.notify(w.ctl, CMD);
      void w.worker.terminate();
    }
    this.workers.length = 0;
  }
}

const pools = new Map<number, FastPool>();

/** The number of threads 'auto' means here: the cores Node reports, at most 2 (see docs/benchmarks.md). */
export function defaultThreads(): number {
  return Math.max(1, Math.min(2, availableThreads()));
}

/** The process-wide pool with `threads` threads (created on first use). */
export function fastPool(threads: number): FastPool {
  let pool = pools.get(threads);
  if (pool === undefined) {
    pool = new FastPool(threads);
    pools.set(threads, pool);
  }
  return pool;
}

/** Terminates every pool's workers and forgets the pools (their memory is freed with them). */
export function shutdownFastPool(): void {
  for (const p of pools.values()) p.close();
  pools.clear();
}
