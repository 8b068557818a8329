/**
 * The backend interface: the primitives every backend implements. Ops (src/ops) are written
 * against this interface only, so a new backend is one folder that implements it and passes the
 * conformance suite (test/backend/conformance.test.ts).
 *
 * Conventions: tensors are row-major; rank is at most 2 ([] scalar, [n] vector, [n, c] matrix);
 * every method returns a new tensor and never mutates its arguments; both operands of a binary
 * method share one dtype (ops check this before they call); labels and indices are Int32Array,
 * with −1 meaning "skip this row" where a method says so.
 */
import type { DType, TypedArray } from '../tensor/dtype.js';
import { DTypeError, ShapeError, formatShape } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { FusedMarginHead } from './head.js';

/** Elementwise functions of one argument. `step` is 1 where x > 0, else 0; `sign` is −1, 0 or 1. */
export type UnaryFn =
  | 'neg' | 'exp' | 'log' | 'sqrt' | 'square' | 'reciprocal' | 'abs' | 'sign' | 'step' | 'floor'
  | 'cos' | 'sin' | 'acos' | 'relu';

/** Elementwise functions of two arguments, with broadcasting (see `broadcastShapes`). */
export type BinaryFn = 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min' | 'greater';

/** A named scalar function of one element and four numeric parameters (see `mapScalar`). */
export interface ScalarKernel {
  /** Unique name, used by GPU backends to cache the compiled kernel. */
  readonly name: string;
  /** The scalar function, in the gpu.js-compilable subset of JavaScript. */
  readonly fn: (x: number, p0: number, p1: number, p2: number, p3: number) => number;
}

/** The primitives. Each is one small, separately testable kernel. */
export interface Backend {
  /** What actually runs, e.g. `'cpu'` or `'gpu.js:webasm'`: never a guess. */
  readonly name: string;

  // ─── memory ───────────────────────────────────────────────────────────────────────────────
  /** A tensor holding a copy of `data` (row-major) with the given shape and dtype. */
  fromArray(data: ArrayLike<number>, shape: readonly number[], dtype: DType): Tensor;
  /** The elements of `a`, row-major, in a fresh typed array of its dtype (a read-back). */
  read(a: Tensor): TypedArray;
  /** A tensor of the given shape filled with `value`. */
  fill(shape: readonly number[], value: number, dtype: DType): Tensor;
  /** The same elements under another shape of equal size. */
  reshape(a: Tensor, shape: readonly number[]): Tensor;
  /** The same values in another dtype (rounded to float32 when narrowing). */
  cast(a: Tensor, dtype: DType): Tensor;
  /** True when every element is finite (no NaN, no ±Inf). */
  allFinite(a: Tensor): boolean;

  // ─── elementwise ──────────────────────────────────────────────────────────────────────────
  /** `fn` applied to every element. */
  unary(fn: UnaryFn, a: Tensor): Tensor;
  /** `fn(a, b)` with numpy broadcasting over rank ≤ 2 (e.g. [n,c]∘[c], [n,c]∘[n,1], [n,c]∘[]). */
  binary(fn: BinaryFn, a: Tensor, b: Tensor): Tensor;
  /** `scale·a + shift`, elementwise. */
  affine(a: Tensor, scale: number, shift: number): Tensor;
  /**
   * `alpha·x + beta·y`, elementwise, for x and y of one shape and dtype: each product rounded to
   * the dtype, then their sum — exactly `binary('add', affine(x, alpha, 0), affine(y, beta, 0))`,
   * in one pass and one allocation (the optimizers' update, e.g. p − lr·g as axpby(p, 1, g, −lr)).
   */
  axpby(x: Tensor, alpha: number, y: Tensor, beta: number): Tensor;
  /** `min(max(a, lo), hi)`, elementwise. */
  clamp(a: Tensor, lo: number, hi: number): Tensor;
  /** 1 where `lo ≤ a ≤ hi` (inclusive), else 0: the mask that clamp's gradient passes through. */
  between(a: Tensor, lo: number, hi: number): Tensor;
  /** `mask ≠ 0 ? a : b`, elementwise; all three have one shape. */
  where(mask: Tensor, a: Tensor, b: Tensor): Tensor;
  /**
   * `−1/√(1 − x²)`, the derivative of acos, with |x| = 1 evaluated at the nearest float inside
   * (−1, 1) so that it is finite (see src/ops/acos.ts).
   */
  acosDerivative(a: Tensor): Tensor;
  /**
   * `kernel.fn(x, p0, p1, p2, p3)` applied to every element: how fused elementwise ops (the angular
   * margin) keep their scalar math in their own file. `fn` is written in the subset of JavaScript
   * that gpu.js compiles (numbers, Math.*, if/else, no closures), so GPU backends can compile it.
   */
  mapScalar(a: Tensor, kernel: ScalarKernel, params: readonly [number, number, number, number]): Tensor;

  // ─── reductions (rank 2 unless stated) ────────────────────────────────────────────────────
  /** Sum of all elements (shape []) when `axis` is undefined or `a` has rank < 2; else over `axis` of a matrix. */
  sum(a: Tensor, axis?: 0 | 1): Tensor;
  /** Sum that reduces `a` to `shape` by summing the broadcast axes away (the VJP of broadcasting). */
  sumToShape(a: Tensor, shape: readonly number[]): Tensor;
  /** Per-row maximum, shape [n]. */
  maxRows(a: Tensor): Tensor;
  /** Per-row index of the first maximum. */
  argmaxRows(a: Tensor): Int32Array;
  /** Per-row log Σ_j exp(a_ij), computed stably (max subtracted), shape [n]. */
  logSumExpRows(a: Tensor): Tensor;
  /**
   * Per-row softmax cross-entropy log Σ_j exp z_ij − z_{i,y_i}, shape [n] (0 where y_i = −1),
   * accurate when the target dominates: then it is log1p(Σ_{j≠y} exp(z_ij − z_iy)), which keeps
   * the digits that log(1 + tiny) would lose.
   */
  crossEntropyRows(z: Tensor, labels: Int32Array): Tensor;
  /**
   * `scale·(softmax(z) − onehot(y))` per row (rows with y_i = −1 are 0), with the target entry
   * formed as −Σ_{j≠y} p_ij rather than p_iy − 1, which cancels catastrophically when p_iy ≈ 1.
   */
  crossEntropyBackward(z: Tensor, labels: Int32Array, scale: number): Tensor;

  // ─── linear algebra and indexing ──────────────────────────────────────────────────────────
  /** `op(a)·op(b)` where op transposes when asked: [n,k]·[k,m] → [n,m]. */
  matmul(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor;
  /** The transpose of a rank-2 tensor. */
  transpose(a: Tensor): Tensor;
  /** `out_i = a[i, index_i]`, shape [n]; rows with index −1 give 0. */
  gatherColumns(a: Tensor, index: Int32Array): Tensor;
  /** A copy of `a` with `a[i, index_i] = values_i`; rows with index −1 are left as they are. */
  scatterColumns(a: Tensor, index: Int32Array, values: Tensor): Tensor;
  /**
   * Rows of `a` picked by `index` (any order, repeats allowed): [k, d]; index −1 gives a row of
   * zeros (the zero padding of conv2d's im2col gather, src/ops/conv2d.ts).
   */
  takeRows(a: Tensor, index: Int32Array): Tensor;
  /**
   * A zero tensor of `rows` rows with `src` row i added into row index_i (the VJP of takeRows);
   * rows with index −1 are dropped (the padding's cotangent, which belongs to no input).
   */
  scatterAddRows(src: Tensor, index: Int32Array, rows: number): Tensor;

  // ─── optional fused paths ─────────────────────────────────────────────────────────────────
  /**
   * The whole margin head — loss, ∂L/∂X, ∂L/∂W — in one call, where a backend has a fused
   * implementation (src/backend/head.ts); absent elsewhere, and then `marginHeadStep`
   * (src/losses/fused-head.ts) composes it from the ops on the tape.
   */
  readonly fusedMarginHead?: FusedMarginHead;
  /**
   * true: the margin losses (`marginLoss`) run the head as the fused `marginHead` op on this
   * backend for float32 tensors, so that training takes the fused path. Set where the fused head
   * keeps the composition's precision everywhere (the wasm backend); the gpu.js head leaves it
   * unset — its loss loses digits where the target logit dominates (docs/reliability.md) — and is
   * reached through `marginHeadStep` or the `marginHead` op directly.
   */
  readonly fusedHeadInLosses?: boolean;

  // ─── optional device memory ───────────────────────────────────────────────────────────────
  /**
   * Starts tracking the device buffers this backend makes and returns the position of the next
   * one, for `releaseSince`. Absent where storage is ordinary host memory (the CPU backend),
   * which the garbage collector frees.
   */
  markDevice?(): number;
  /**
   * Frees the device storage of every tensor made since `mark` except those in `keep` (which
   * stay tracked, so a later call frees them once they are no longer kept). For loops that run
   * synchronously (`train`): there the garbage collector may run, but the finalizers that would
   * free device buffers wait for the loop to return, so device memory grows with every step.
   * A released tensor that is used again throws a KernelError, never computes on freed storage.
   * `done`: the last call for this mark; tracking stops (the kept tensors are the caller's again).
   */
  releaseSince?(mark: number, keep: Iterable<Tensor>, done?: boolean): void;
}

/** The broadcast shape of two shapes of rank ≤ 2, or null when they do not broadcast. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] | null {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Throws unless `x` and `y` (the operands of `axpby`) share one shape and one dtype. */
export function checkAxpbyOperands(x: Tensor, y: Tensor): void {
  if (x.shape.length !== y.shape.length || x.shape.some((d, i) => d !== y.shape[i])) {
    throw new ShapeError(`axpby: shapes ${formatShape(x.shape)} and ${formatShape(y.shape)} differ`);
  }
  if (x.dtype !== y.dtype) throw new DTypeError(`axpby: dtypes ${x.dtype} and ${y.dtype} differ`);
}
