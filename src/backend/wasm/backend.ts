/**
 * The wasm backend: float32 tensors in this process, with the work that dominates training on
 * WebAssembly SIMD kernels that the project emits itself (kernels.ts) and, where the machine has
 * them, both cores (pool.ts): every matmul (all four transpose variants) is the packed 4×8-tile
 * gemm, and the margin head is the fused head of head.ts. The remaining primitives — elementwise
 * maps, reductions, gathers and scatters, O(size) work next to the gemm's O(n·k·m) — run the CPU
 * reference's loops on Float32Array storage (inherited from CpuBackend), so every stored result
 * is rounded to float32 exactly as the CPU reference rounds a float32 tensor.
 * The conformance suite (test/backend/conformance.test.ts) checks every primitive and every op
 * against the float64 CPU reference, as it does the gpu.js backend.
 */
import { CpuBackend } from '../cpu.js';
import type { HeadResult, HeadSpec } from '../head.js';
import type { DType } from '../../tensor/dtype.js';
import { DTypeError, OptionError, ShapeError, formatShape } from '../../tensor/errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { wasmMarginHeadArrays } from './head.js';
import { PARAM } from './phases.js';
import { defaultThreads, fastPool } from './pool.js';

const roundUp = (v: number, m: number) => Math.ceil(v / m) * m;

/** Products below this many multiply-adds run on one thread: waking a worker costs more. */
const THREADED_MIN_WORK = 1 << 18;

/** Options of the wasm backend. */
export interface WasmBackendOptions {
  /** Threads for the gemm and the fused head: a positive integer, or 'auto' (default: min(2, cores)). */
  threads?: number | 'auto';
}

/** Float32 tensors with the gemm and the fused margin head on WebAssembly SIMD (see the file header). */
export class WasmBackend extends CpuBackend {
  override readonly name: string;
  /** The threads the gemm and the head use. */
  readonly threads: number;
  /** The margin losses take the fused head here (it keeps the composition's precision: log1p where the target dominates). */
  readonly fusedHeadInLosses = true;

  constructor(options: WasmBackendOptions = {}) {
    super();
    const threads = options.threads === undefined || options.threads === 'auto' ? defaultThreads() : options.threads;
    if (!Number.isInteger(threads) || threads < 1) throw new OptionError(`wasm backend: threads must be a positive integer or 'auto', got ${String(options.threads)}`);
    this.threads = threads;
    this.name = 'wasm';
  }

  private assertFloat32(dtype: DType, where: string): void {
    if (dtype !== 'float32') {
      throw new DTypeError(`wasm ${where}: the wasm backend holds float32 only, not ${dtype}; use the CPU backend ('cpu') for float64, or cast to float32 first`);
    }
  }

  override fromArray(data: ArrayLike<number>, shape: readonly number[], dtype: DType): Tensor {
    this.assertFloat32(dtype, 'fromArray');
    return super.fromArray(data, shape, dtype);
  }

  override fill(shape: readonly number[], value: number, dtype: DType): Tensor {
    this.assertFloat32(dtype, 'fill');
    return super.fill(shape, value, dtype);
  }

  override cast(a: Tensor, dtype: DType): Tensor {
    this.assertFloat32(dtype, 'cast');
    return super.cast(a, dtype);
  }

  override gatherColumns(a: Tensor, index: Int32Array): Tensor {
    checkIndex('gatherColumns', index, a.shape[1], a.shape[0], true);
    return super.gatherColumns(a, index);
  }

  override scatterColumns(a: Tensor, index: Int32Array, values: Tensor): Tensor {
    checkIndex('scatterColumns', index, a.shape[1], a.shape[0], true);
    return super.scatterColumns(a, index, values);
  }

  override takeRows(a: Tensor, index: Int32Array): Tensor {
    checkIndex('takeRows', index, a.shape[0], index.length, false);
    return super.takeRows(a, index);
  }

  override scatterAddRows(src: Tensor, index: Int32Array, rows: number): Tensor {
    checkIndex('scatterAddRows', index, rows, src.shape[0], false);
    return super.scatterAddRows(src, index, rows);
  }

  /**
   * op(A)·op(B) on the SIMD gemm: A is copied in as it is (its transpose is a stride), B is
   * packed in panels of 8 columns by the pack kernels, rows are padded to 4 and columns to 8 with
   * zeros, and the panels are shared out over the threads.
   */
  override matmul(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
    const n = transA ? a.shape[1] : a.shape[0];
    const k = transA ? a.shape[0] : a.shape[1];
    const m = transB ? b.shape[0] : b.shape[1];
    if ((transB ? b.shape[1] : b.shape[0]) !== k) {
      throw new ShapeError(`matmul: inner dimensions differ (${formatShape(a.shape)}, ${formatShape(b.shape)})`);
    }
    if (n === 0 || m === 0 || k === 0) return super.fill([n, m], 0, 'float32');
    const Np = roundUp(n, 4), mp = roundUp(m, 8), kp = roundUp(k, 8);
    const threads = n * m * k >= THREADED_MIN_WORK ? this.threads : 1;
    const pool = fastPool(threads);
    // layout (bytes, 64-aligned): A (+ slack for the padding rows' reads), B as given with rows
    // padded, B packed, C
    let top = 64;
    const take = (floats: number) => { const at = top; top = roundUp(top + floats * 4, 64); return at; };
    const A = take(Np * k + 4), Bc = take(transB ? m * kp : k * mp), Bp = take(mp * (transB ? kp : k)), C = take(Np * mp);
    pool.reserve(top);
    const f32 = new Float32Array(pool.memory.buffer);
    const ad = this.data(a), bd = this.data(b);
    f32.set(ad, A >> 2);
    f32.fill(0, (A >> 2) + ad.length, (A >> 2) + Np * k + 4);
    let bps: number;
    if (transB) {
      // B is [m, k]: rows padded to kp, then packT puts Bᵀ in panels (element (kk, j) at ⌊j/8⌋·8kp + 8kk + j mod 8)
      if (kp === k) f32.set(bd, Bc >> 2);
      else for (let j = 0; j < m; j++) { f32.set(bd.subarray(j * k, j * k + k), (Bc >> 2) + j * kp); f32.fill(0, (Bc >> 2) + j * kp + k, (Bc >> 2) + (j + 1) * kp); }
      f32.fill(0, Bp >> 2, (Bp >> 2) + mp * kp); // the padding columns' panel entries
      pool.kernels.packT(Bc, m, kp, Bp);
      bps = 8 * kp;
    } else {
      // B is [k, m]: rows padded to mp, then packN puts it in panels (element (kk, j) at ⌊j/8⌋·8k + 8kk + j mod 8)
      if (mp === m) f32.set(bd, Bc >> 2);
      else for (let r = 0; r < k; r++) { f32.set(bd.subarray(r * m, r * m + m), (Bc >> 2) + r * mp); f32.fill(0, (Bc >> 2) + r * mp + m, (Bc >> 2) + (r + 1) * mp); }
      pool.kernels.packN(Bc, k, k, mp, Bp);
      bps = 8 * k;
    }
    const P = pool.params;
    const g = PARAM.gemm;
    P[g] = Np; P[g + 1] = mp; P[g + 2] = k; P[g + 3] = A;
    P[g + 4] = transA ? 1 : k; P[g + 5] = transA ? n : 1; // A's (row, k) strides: Aᵀ is a stride
    P[g + 6] = Bp; P[g + 7] = 8; P[g + 8] = bps; P[g + 9] = C; P[g + 10] = mp; P[g + 11] = 0;
    pool.run(3);
    const { out, t } = this.output([n, m]);
    if (mp === m) out.set(f32.subarray(C >> 2, (C >> 2) + n * m));
    else for (let i = 0; i < n; i++) out.set(f32.subarray((C >> 2) + i * mp, (C >> 2) + i * mp + m), i * m);
    return t;
  }

  /** The margin head's loss and both gradients, fused (head.ts), as tensors on this backend. */
  fusedMarginHead(x: Tensor, w: Tensor, labels: Int32Array, spec: HeadSpec): HeadResult {
    const [n, d] = x.shape;
    const c = w.shape[0];
    const r = wasmMarginHeadArrays(this.data(x), this.data(w), labels, n, d, c, spec, { threads: this.threads });
    return { loss: r.loss, dX: super.fromArray(r.dX, [n, d], 'float32'), dW: super.fromArray(r.dW, [c, d], 'float32') };
  }

  private output(shape: number[]): { out: Float32Array; t: Tensor } {
    const t = super.fill(shape, 0, 'float32');
    return { out: this.data(t) as Float32Array, t };
  }
}

/** Indices are checked before the loops read with them (an out-of-range index would read garbage). */
function checkIndex(op: string, index: Int32Array, bound: number, length: number, allowSkip: boolean): void {
  if (index.length !== length) throw new ShapeError(`${op}: ${index.length} indices for ${length} rows`);
  for (const i of index) {
    if (!(i < bound && (i >= 0 || (allowSkip && i === -1)))) {
      throw new ShapeError(`${op}: index ${i} is outside [${allowSkip ? -1 : 0}, ${bound})`);
    }
  }
}

let shared: WasmBackend | undefined;

/** The process-wide wasm backend with the default threads (created on first use). */
export function wasmBackend(): WasmBackend {
  return (shared ??= new WasmBackend());
}
