/**
 * The wasm backend: float32 tensors in this process, with the work that dominates training on
 * WebAssembly SIMD kernels that the project emits itself (kernels.ts) and, where the machine has
 * them, both cores (pool.ts): every matmul (all four transpose variants) is the packed 4×8-tile
 * gemm, and the margin head is the fused head of head.ts. The O(size) primitives of a training
 * step — binary maps with their broadcasts, the exact unary maps, affine, axpby, clamp, between, where,
 * column sums and the finite check — run on the SIMD kernels of elementwise.ts, bit-identical to
 * the CPU reference's float32 results; the rest (transcendental maps, row reductions, gathers and
 * scatters, small tensors) run the reference's loops on Float32Array storage (inherited from
 * CpuBackend), so every stored result is rounded to float32 exactly as the reference rounds it.
 * The conformance suite (test/backend/conformance.test.ts) checks every primitive and every op
 * against the float64 CPU reference, as it does the gpu.js backend.
 */
import { CpuBackend } from '../cpu.js';
import type { BinaryFn, UnaryFn } from '../backend.js';
import { broadcastShapes, checkAxpbyOperands } from '../backend.js';
import type { HeadResult, HeadSpec } from '../head.js';
import type { DType, TypedArray } from '../../tensor/dtype.js';
import { DTypeError, OptionError, ShapeError, formatShape } from '../../tensor/errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { elementwiseEngine, isSimdUnary, type ElementwiseEngine } from './elementwise.js';
import { wasmMarginHeadArrays } from './head.js';
import { PARAM } from './phases.js';
import { defaultThreads, fastPool } from './pool.js';

const roundUp = (v: number, m: number) => Math.ceil(v / m) * m;

/** Products below this many multiply-adds run on one thread: waking a worker costs more. */
const THREADED_MIN_WORK = 1 << 18;

/** Below this many elements the elementwise primitives stay on the reference's loops (copying in costs more). */
const SIMD_MIN_SIZE = 64;

/** The float32 bounds that decide `lo ≤ a ≤ hi` for every float32 a as the float64 bounds do. */
function float32Bounds(lo: number, hi: number): [number, number] {
  let l = Math.fround(lo), h = Math.fround(hi);
  if (l < lo) l = nextFloat32(l, 1);
  if (h > hi) h = nextFloat32(h, -1);
  return [l, h];
}

/** The float32 next to the finite float32 `v` in direction `dir`. */
function nextFloat32(v: number, dir: 1 | -1): number {
  const b = new Float32Array([v]);
  const u = new Int32Array(b.buffer);
  if (v === 0) u[0] = dir > 0 ? 1 : -2147483647; // the smallest subnormals of either sign
  else u[0] += (v > 0) === (dir > 0) ? 1 : -1;
  return b[0];
}

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

  /**
   * Storage known to hold finite values only: every kernel result checks itself while it is in
   * the kernel's memory, and every positive `allFinite` is remembered (storage is never mutated),
   * so the ops' checks of inputs and results pass without another pass over the data.
   */
  private readonly knownFinite = new WeakSet<TypedArray>();

  override allFinite(a: Tensor): boolean {
    const x = this.data(a);
    if (this.knownFinite.has(x)) return true;
    let ok: boolean;
    if (x.length < SIMD_MIN_SIZE) ok = super.allFinite(a);
    else {
      const e = elementwiseEngine();
      const [P] = e.regions(x.length);
      e.put(x, P);
      ok = e.kernels.finite(P, x.length) === 1;
    }
    if (ok) this.knownFinite.add(x);
    return ok;
  }

  /** The `size` results at byte offset OUT as a tensor of `shape`, remembered as finite when they are. */
  private takeOutput(e: ElementwiseEngine, OUT: number, shape: readonly number[], size: number): Tensor {
    const finite = e.kernels.finite(OUT, size) === 1;
    const t = super.fromArray(e.view(OUT, size), shape, 'float32');
    if (finite) this.knownFinite.add(this.data(t));
    return t;
  }

  /** A one-input flat kernel: `a` copied in, `run(A, OUT, q)` over ⌈size/4⌉ vectors, the result copied out. */
  private flat(a: Tensor, run: (e: ElementwiseEngine, A: number, OUT: number, q: number) => void): Tensor {
    const e = elementwiseEngine();
    const size = a.size;
    const [A, OUT] = e.regions(size, size);
    e.put(this.data(a), A);
    run(e, A, OUT, (size + 3) >> 2);
    return this.takeOutput(e, OUT, a.shape, size);
  }

  override unary(fn: UnaryFn, a: Tensor): Tensor {
    if (a.size < SIMD_MIN_SIZE || !isSimdUnary(fn)) return super.unary(fn, a);
    return this.flat(a, (e, A, OUT, q) => e.kernels.unary[fn](A, OUT, q));
  }

  override affine(a: Tensor, scale: number, shift: number): Tensor {
    if (a.size < SIMD_MIN_SIZE) return super.affine(a, scale, shift);
    return this.flat(a, (e, A, OUT, q) => (shift !== 0 ? e.kernels.affine : e.kernels.scale)(A, OUT, 2 * q, scale, shift));
  }

  /** α·x + β·y in one pass (f64x2 lanes, rounded where the reference stores): the optimizers' update. */
  override axpby(x: Tensor, alpha: number, y: Tensor, beta: number): Tensor {
    checkAxpbyOperands(x, y);
    const size = x.size;
    if (size < SIMD_MIN_SIZE) return super.axpby(x, alpha, y, beta);
    const e = elementwiseEngine();
    const [X, Y, OUT] = e.regions(size, size, size);
    e.put(this.data(x), X);
    e.put(this.data(y), Y);
    e.kernels.axpby(X, Y, OUT, 2 * ((size + 3) >> 2), alpha, beta);
    return this.takeOutput(e, OUT, x.shape, size);
  }

  override clamp(a: Tensor, lo: number, hi: number): Tensor {
    if (a.size < SIMD_MIN_SIZE) return super.clamp(a, lo, hi);
    return this.flat(a, (e, A, OUT, q) => e.kernels.clamp(A, OUT, q, Math.fround(lo), Math.fround(hi)));
  }

  override between(a: Tensor, lo: number, hi: number): Tensor {
    if (a.size < SIMD_MIN_SIZE || Number.isNaN(lo) || Number.isNaN(hi) || lo > hi) return super.between(a, lo, hi);
    const [l, h] = float32Bounds(lo, hi);
    return this.flat(a, (e, A, OUT, q) => e.kernels.between(A, OUT, q, l, h));
  }

  override where(mask: Tensor, a: Tensor, b: Tensor): Tensor {
    const size = a.size;
    if (size < SIMD_MIN_SIZE || mask.size !== size || b.size !== size) return super.where(mask, a, b);
    const e = elementwiseEngine();
    const [M, A, B, OUT] = e.regions(size, size, size, size);
    e.put(this.data(mask), M);
    e.put(this.data(a), A);
    e.put(this.data(b), B);
    e.kernels.where(M, A, B, OUT, (size + 3) >> 2);
    return this.takeOutput(e, OUT, a.shape, size);
  }

  /** Column sums (axis 0) of a matrix with an even number of columns on the f64x2 kernel, bit-identical to the reference; the rest on the reference. */
  override sum(a: Tensor, axis?: 0 | 1): Tensor {
    if (axis !== 0 || a.rank < 2 || a.size < SIMD_MIN_SIZE || a.shape[1] % 2 !== 0) return super.sum(a, axis);
    const [n, c] = a.shape;
    const e = elementwiseEngine();
    const [X, ACC] = e.regions(n * c, 2 * c);
    e.put(this.data(a), X);
    const acc = e.view64(ACC, c);
    acc.fill(0);
    e.kernels.sum0(X, n, c >> 1, ACC);
    return super.fromArray(acc, [c], 'float32');
  }

  /**
   * Broadcasting over rank ≤ 2 as strides: an operand of the result's size is read in order, one
   * element is repeated, and for a [n, c] result with c a multiple of 4 a [c] or [1, c] operand is
   * re-read every row and a [n, 1] operand repeated along its row. Other broadcasts (an outer
   * product of [n, 1] and [1, c] with c not a multiple of 4, …) stay on the reference.
   */
  override binary(fn: BinaryFn, a: Tensor, b: Tensor): Tensor {
    const shape = broadcastShapes(a.shape, b.shape);
    if (shape === null) return super.binary(fn, a, b); // the reference's ShapeError
    const size = shape.reduce((p, v) => p * v, 1);
    if (size < SIMD_MIN_SIZE) return super.binary(fn, a, b);
    const flatLayout = (t: Tensor) => (t.size === size ? 'full' : t.size === 1 ? 'scalar' : null);
    let la: string | null = flatLayout(a), lb: string | null = flatLayout(b);
    const [n, c] = shape.length === 2 ? shape : [1, size];
    const rowLayout = (t: Tensor) => {
      const l = flatLayout(t);
      if (l !== null) return l;
      if (t.size === c && (t.rank === 1 || t.shape[0] === 1)) return 'row';
      if (t.rank === 2 && t.shape[0] === n && t.shape[1] === 1) return 'column';
      return null;
    };
    const rows = la === null || lb === null;
    if (rows) {
      if (c % 4 !== 0) return super.binary(fn, a, b);
      la = rowLayout(a); lb = rowLayout(b);
      if (la === null || lb === null) return super.binary(fn, a, b);
    }
    const e = elementwiseEngine();
    const floats = (t: Tensor, l: string) => (l === 'scalar' || l === 'column' ? 4 * t.size : t.size);
    const [A, B, OUT] = e.regions(floats(a, la!), floats(b, lb!), size);
    // (row stride, column step) in bytes of each layout
    const strides = (l: string): [number, number] => (l === 'full' ? [rows ? 4 * c : 0, 16] : l === 'row' ? [0, 16] : l === 'column' ? [16, 0] : [0, 0]);
    const load = (t: Tensor, l: string, at: number) => (l === 'scalar' || l === 'column' ? e.putSplat(this.data(t), at) : e.put(this.data(t), at));
    load(a, la!, A);
    load(b, lb!, B);
    const [ars, acs] = strides(la!), [brs, bcs] = strides(lb!);
    if (rows) e.kernels.bin[fn](A, ars, acs, B, brs, bcs, OUT, n, c >> 2);
    else e.kernels.bin[fn](A, ars, acs, B, brs, bcs, OUT, 1, (size + 3) >> 2);
    return this.takeOutput(e, OUT, shape, size);
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
    checkIndex('takeRows', index, a.shape[0], index.length, true);
    return super.takeRows(a, index);
  }

  override scatterAddRows(src: Tensor, index: Int32Array, rows: number): Tensor {
    checkIndex('scatterAddRows', index, rows, src.shape[0], true);
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
    if (mp === m) return super.fromArray(f32.subarray(C >> 2, (C >> 2) + n * m), [n, m], 'float32'); // copied once (no fill before the copy)
    const { out, t } = this.output([n, m]);
    for (let i = 0; i < n; i++) out.set(f32.subarray((C >> 2) + i * mp, (C >> 2) + i * mp + m), i * m);
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
  const lowest = allowSkip ? -1 : 0;
  for (let k = 0; k < index.length; k++) {
    const i = index[k];
    if (i >= bound || i < lowest) throw new ShapeError(`${op}: index ${i} is outside [${lowest}, ${bound})`);
  }
}

let shared: WasmBackend | undefined;

/** The process-wide wasm backend with the default threads (created on first use). */
export function wasmBackend(): WasmBackend {
  return (shared ??= new WasmBackend());
}
