/**
 * The CPU backend: the reference every other backend is checked against. Storage is an `ndarray`
 * over a Float64Array (or a Float32Array for float32 tensors, so every stored result is rounded
 * as a GPU would round it). Elementwise work goes through `ndarray-ops`, whose stride-0 views
 * give row and column broadcasting for free; the rest are plain loops written for clarity first.
 */
import ndarray, { type NdArray } from 'ndarray';
import ops from 'ndarray-ops';
import type { Backend, BinaryFn, ScalarKernel, UnaryFn } from './backend.js';
import { broadcastShapes, checkAxpbyOperands } from './backend.js';
import { allocate, unitRoundoff, type DType, type TypedArray } from '../tensor/dtype.js';
import { ShapeError, formatShape } from '../tensor/errors.js';
import { Tensor, sizeOf } from '../tensor/tensor.js';

type Nd = NdArray<TypedArray>;

/** The reference backend: float64 (or float32-rounded) arrays in this process. */
export class CpuBackend implements Backend {
  readonly name: string = 'cpu';

  private wrap(data: TypedArray, shape: readonly number[], dtype: DType): Tensor {
    return new Tensor(this, ndarray(data, shape.length === 0 ? [1] : [...shape]), [...shape], dtype);
  }

  private nd(a: Tensor): Nd {
    return a.handle as Nd;
  }

  /** The contiguous storage of `a` (tensors made here are always contiguous). Do not mutate. */
  data(a: Tensor): TypedArray {
    return this.nd(a).data;
  }

  private empty(shape: readonly number[], dtype: DType): { out: TypedArray; t: Tensor } {
    const out = allocate(dtype, sizeOf(shape));
    return { out, t: this.wrap(out, shape, dtype) };
  }

  fromArray(data: ArrayLike<number>, shape: readonly number[], dtype: DType): Tensor {
    const out = allocate(dtype, sizeOf(shape));
    out.set(data as ArrayLike<number>);
    return this.wrap(out, shape, dtype);
  }

  read(a: Tensor): TypedArray {
    return this.data(a).slice();
  }

  fill(shape: readonly number[], value: number, dtype: DType): Tensor {
    const { out, t } = this.empty(shape, dtype);
    out.fill(value);
    return t;
  }

  reshape(a: Tensor, shape: readonly number[]): Tensor {
    if (sizeOf(shape) !== a.size) {
      throw new ShapeError(`reshape: cannot view ${formatShape(a.shape)} as ${formatShape(shape)}`);
    }
    return this.wrap(this.data(a), shape, a.dtype); // storage is immutable, so sharing it is safe
  }

  cast(a: Tensor, dtype: DType): Tensor {
    return this.fromArray(this.data(a), a.shape, dtype);
  }

  allFinite(a: Tensor): boolean {
    return isFiniteArray(this.data(a));
  }

  unary(fn: UnaryFn, a: Tensor): Tensor {
    const { out, t } = this.empty(a.shape, a.dtype);
    const o = ndarray(out);
    const x = ndarray(this.data(a));
    switch (fn) {
      case 'neg': ops.neg(o, x); break;
      case 'exp': ops.exp(o, x); break;
      case 'log': ops.log(o, x); break;
      case 'sqrt': ops.sqrt(o, x); break;
      case 'square': ops.mul(o, x, x); break;
      case 'reciprocal': ops.recip(o, x); break;
      case 'abs': ops.abs(o, x); break;
      case 'floor': ops.floor(o, x); break;
      case 'cos': ops.cos(o, x); break;
      case 'sin': ops.sin(o, x); break;
      case 'acos': ops.acos(o, x); break;
      case 'sign': mapInto(out, x.data, Math.sign); break;
      case 'step': mapInto(out, x.data, (v) => (v > 0 ? 1 : 0)); break;
      case 'relu': mapInto(out, x.data, (v) => (v > 0 ? v : 0)); break;
      default: throw new Error(`cpu: unknown unary function ${fn satisfies never}`);
    }
    return t;
  }

  binary(fn: BinaryFn, a: Tensor, b: Tensor): Tensor {
    const shape = broadcastShapes(a.shape, b.shape);
    if (shape === null) {
      throw new ShapeError(`${fn}: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} do not broadcast`);
    }
    const { out, t } = this.empty(shape, a.dtype);
    const o = ndarray(out, shape.length === 0 ? [1] : shape);
    const x = this.broadcastView(a, shape);
    const y = this.broadcastView(b, shape);
    switch (fn) {
      case 'add': ops.add(o, x, y); break;
      case 'sub': ops.sub(o, x, y); break;
      case 'mul': ops.mul(o, x, y); break;
      case 'div': ops.div(o, x, y); break;
      case 'max': ops.max(o, x, y); break;
      case 'min': ops.min(o, x, y); break;
      case 'greater': ops.gt(o, x, y); break;
      default: throw new Error(`cpu: unknown binary function ${fn satisfies never}`);
    }
    return t;
  }

  /** A view of `a` with `shape`'s rank whose broadcast axes have stride 0. */
  private broadcastView(a: Tensor, shape: number[]): Nd {
    if (shape.length === 0) return ndarray(this.data(a), [1]);
    const padded = [...Array(shape.length - a.rank).fill(1), ...a.shape];
    const stride: number[] = [];
    let s = 1;
    for (let i = padded.length - 1; i >= 0; i--) {
      stride[i] = padded[i] === 1 && shape[i] !== 1 ? 0 : s;
      s *= padded[i];
    }
    return ndarray(this.data(a), shape, stride, 0);
  }

  affine(a: Tensor, scale: number, shift: number): Tensor {
    const { out, t } = this.empty(a.shape, a.dtype);
    const o = ndarray(out);
    ops.muls(o, ndarray(this.data(a)), scale);
    if (shift !== 0) ops.addseq(o, shift);
    return t;
  }

  axpby(x: Tensor, alpha: number, y: Tensor, beta: number): Tensor {
    checkAxpbyOperands(x, y);
    const { out, t } = this.empty(x.shape, x.dtype);
    const xd = this.data(x), yd = this.data(y);
    // each product stored (rounded) before the sum, as affine then add store them
    const store = x.dtype === 'float32' ? Math.fround : (v: number) => v;
    for (let i = 0; i < out.length; i++) out[i] = store(alpha * xd[i]) + store(beta * yd[i]);
    return t;
  }

  clamp(a: Tensor, lo: number, hi: number): Tensor {
    const { out, t } = this.empty(a.shape, a.dtype);
    const o = ndarray(out);
    ops.maxs(o, ndarray(this.data(a)), lo);
    ops.minseq(o, hi);
    return t;
  }

  between(a: Tensor, lo: number, hi: number): Tensor {
    const { out, t } = this.empty(a.shape, a.dtype);
    mapInto(out, this.data(a), (v) => (v >= lo && v <= hi ? 1 : 0));
    return t;
  }

  where(mask: Tensor, a: Tensor, b: Tensor): Tensor {
    const { out, t } = this.empty(a.shape, a.dtype);
    const m = this.data(mask);
    const x = this.data(a);
    const y = this.data(b);
    for (let i = 0; i < out.length; i++) out[i] = m[i] !== 0 ? x[i] : y[i];
    return t;
  }

  acosDerivative(a: Tensor): Tensor {
    const { out, t } = this.empty(a.shape, a.dtype);
    const inside = 1 - unitRoundoff(a.dtype); // the float nearest ±1 inside the open interval
    mapInto(out, this.data(a), (v) => {
      const c = Math.min(Math.max(v, -inside), inside);
      return -1 / Math.sqrt((1 - c) * (1 + c)); // (1−c)(1+c) keeps its digits near |c| = 1
    });
    return t;
  }

  mapScalar(a: Tensor, kernel: ScalarKernel, p: readonly [number, number, number, number]): Tensor {
    const { out, t } = this.empty(a.shape, a.dtype);
    const fn = kernel.fn;
    mapInto(out, this.data(a), (v) => fn(v, p[0], p[1], p[2], p[3]));
    return t;
  }

  sum(a: Tensor, axis?: 0 | 1): Tensor {
    const x = this.data(a);
    if (axis === undefined || a.rank < 2) {
      let s = 0;
      for (let i = 0; i < x.length; i++) s += x[i];
      return this.fromArray([s], [], a.dtype);
    }
    const [n, c] = a.shape;
    const { out, t } = this.empty(axis === 0 ? [c] : [n], a.dtype);
    const acc = new Float64Array(out.length); // accumulate in float64 whatever the dtype
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < c; j++) acc[axis === 0 ? j : i] += x[i * c + j];
    }
    out.set(acc);
    return t;
  }

  sumToShape(a: Tensor, shape: readonly number[]): Tensor {
    let r = a;
    while (r.rank > shape.length) r = r.rank === 2 ? this.sum(r, 0) : this.sum(r); // axes broadcasting added
    if (r.rank === 2 && shape[0] === 1 && r.shape[0] !== 1) r = this.reshape(this.sum(r, 0), [1, r.shape[1]]);
    if (r.rank === 2 && shape[1] === 1 && r.shape[1] !== 1) r = this.reshape(this.sum(r, 1), [r.shape[0], 1]);
    if (r.rank === 1 && shape[0] === 1 && r.shape[0] !== 1) r = this.reshape(this.sum(r), [1]);
    return r;
  }

  maxRows(a: Tensor): Tensor {
    const [n, c] = a.shape;
    const x = this.data(a);
    const { out, t } = this.empty([n], a.dtype);
    for (let i = 0; i < n; i++) {
      let m = -Infinity;
      for (let j = 0; j < c; j++) if (x[i * c + j] > m) m = x[i * c + j];
      out[i] = m;
    }
    return t;
  }

  argmaxRows(a: Tensor): Int32Array {
    const [n, c] = a.shape;
    const x = this.data(a);
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let j = 1; j < c; j++) if (x[i * c + j] > x[i * c + best]) best = j;
      out[i] = best;
    }
    return out;
  }

  logSumExpRows(a: Tensor): Tensor {
    const [n, c] = a.shape;
    const x = this.data(a);
    const { out, t } = this.empty([n], a.dtype);
    for (let i = 0; i < n; i++) {
      let m = -Infinity;
      for (let j = 0; j < c; j++) if (x[i * c + j] > m) m = x[i * c + j];
      let s = 0;
      for (let j = 0; j < c; j++) s += Math.exp(x[i * c + j] - m);
      out[i] = m + Math.log(s);
    }
    return t;
  }

  crossEntropyRows(z: Tensor, labels: Int32Array): Tensor {
    const [n, c] = z.shape;
    const x = this.data(z);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const y = labels[i];
      if (y < 0) continue;
      const zy = x[i * c + y];
      let m = -Infinity;
      for (let j = 0; j < c; j++) if (x[i * c + j] > m) m = x[i * c + j];
      let others = 0; // Σ_{j≠y} exp(z_ij − m)
      for (let j = 0; j < c; j++) if (j !== y) others += Math.exp(x[i * c + j] - m);
      // If the target is the max, m − z_y = 0 and log(1 + others) must be log1p(others).
      out[i] = m === zy ? Math.log1p(others) : m - zy + Math.log(others + Math.exp(zy - m));
    }
    return this.fromArray(out, [n], z.dtype);
  }

  crossEntropyBackward(z: Tensor, labels: Int32Array, scale: number): Tensor {
    const [n, c] = z.shape;
    const x = this.data(z);
    const out = new Float64Array(n * c);
    for (let i = 0; i < n; i++) {
      const y = labels[i];
      if (y < 0) continue;
      let m = -Infinity;
      for (let j = 0; j < c; j++) if (x[i * c + j] > m) m = x[i * c + j];
      let total = 0;
      for (let j = 0; j < c; j++) total += Math.exp(x[i * c + j] - m);
      let others = 0;
      for (let j = 0; j < c; j++) {
        if (j === y) continue;
        const p = Math.exp(x[i * c + j] - m) / total;
        out[i * c + j] = scale * p;
        others += p;
      }
      out[i * c + y] = -scale * others; // p_y − 1 = −Σ_{j≠y} p_j, without cancellation
    }
    return this.fromArray(out, [n, c], z.dtype);
  }

  matmul(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
    const A = transA ? this.data(this.transpose(a)) : this.data(a); // [n,k]
    const n = transA ? a.shape[1] : a.shape[0];
    const k = transA ? a.shape[0] : a.shape[1];
    const m = transB ? b.shape[0] : b.shape[1];
    // Each output a dot product of two contiguous rows: B laid out as Bᵀ [m,k] (as given when transB).
    const Bt = transB ? this.data(b) : this.data(this.transpose(b));
    const acc = new Float64Array(n * m);
    if (isFiniteArray(Bt)) dotRows(A, Bt, n, m, k, acc);
    else saxpyRows(A, this.data(transB ? this.transpose(b) : b), n, m, k, acc);
    return this.fromArray(acc, [n, m], a.dtype);
  }

  transpose(a: Tensor): Tensor {
    const [n, c] = a.shape;
    const { out, t } = this.empty([c, n], a.dtype);
    ops.assign(ndarray(out, [c, n]), ndarray(this.data(a), [n, c]).transpose(1, 0));
    return t;
  }

  gatherColumns(a: Tensor, index: Int32Array): Tensor {
    const c = a.shape[1];
    const x = this.data(a);
    const { out, t } = this.empty([index.length], a.dtype);
    for (let i = 0; i < index.length; i++) out[i] = index[i] < 0 ? 0 : x[i * c + index[i]];
    return t;
  }

  scatterColumns(a: Tensor, index: Int32Array, values: Tensor): Tensor {
    const c = a.shape[1];
    const out = this.read(a);
    const v = this.data(values);
    for (let i = 0; i < index.length; i++) if (index[i] >= 0) out[i * c + index[i]] = v[i];
    return this.wrap(out, a.shape, a.dtype);
  }

  takeRows(a: Tensor, index: Int32Array): Tensor {
    const d = a.shape[1];
    const x = this.data(a);
    const { out, t } = this.empty([index.length, d], a.dtype); // zero-filled: index −1 leaves its row 0
    if (d >= 32) {
      for (let i = 0; i < index.length; i++) if (index[i] >= 0) out.set(x.subarray(index[i] * d, index[i] * d + d), i * d);
      return t;
    }
    // short rows (conv2d's im2col gathers a pixel's few channels): a plain loop, no subarray per row
    for (let i = 0, o = 0; i < index.length; i++, o += d) {
      const r = index[i];
      if (r < 0) continue;
      for (let j = 0, at = r * d; j < d; j++) out[o + j] = x[at + j];
    }
    return t;
  }

  scatterAddRows(src: Tensor, index: Int32Array, rows: number): Tensor {
    const d = src.shape[1];
    const x = this.data(src);
    const acc = new Float64Array(rows * d);
    for (let i = 0, from = 0; i < index.length; i++, from += d) {
      const r = index[i];
      if (r < 0) continue; // −1: dropped
      for (let j = 0, to = r * d; j < d; j++) acc[to + j] += x[from + j];
    }
    return this.fromArray(acc, [rows, d], src.dtype);
  }
}

function mapInto(out: TypedArray, x: TypedArray, f: (v: number) => number): void {
  for (let i = 0; i < x.length; i++) out[i] = f(x[i]);
}

/** The process-wide CPU backend. */
export const cpu = new CpuBackend();

/**
 * Whether every element is finite: x·0 is ±0 for a finite x and NaN for NaN or ±∞, so the sum of
 * the products is 0 exactly when all are finite. Branch-free, four sums at a time: every op checks
 * its inputs and result with it, so it runs over every tensor of a training step.
 */
function isFiniteArray(x: TypedArray): boolean {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const n4 = x.length & ~3;
  for (let i = 0; i < n4; i += 4) {
    s0 += x[i] * 0;
    s1 += x[i + 1] * 0;
    s2 += x[i + 2] * 0;
    s3 += x[i + 3] * 0;
  }
  for (let i = n4; i < x.length; i++) s0 += x[i] * 0;
  return s0 + s1 + s2 + s3 === 0;
}

/**
 * acc[n×m] = A[n×k]·B[k×m], B row-major: the row-by-row (saxpy) order, skipping A's zeros so that
 * a 0 never meets a non-finite element of B (0·∞ would be NaN where the product has no such term).
 */
function saxpyRows(A: TypedArray, B: TypedArray, n: number, m: number, k: number, acc: Float64Array): void {
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < k; p++) {
      const aip = A[i * k + p];
      if (aip === 0) continue;
      const row = p * m;
      const o = i * m;
      for (let j = 0; j < m; j++) acc[o + j] += aip * B[row + j];
    }
  }
}

/**
 * acc[n×m] = A[n×k]·Btᵀ with Bt [m×k] row-major (B finite): each output the dot product of two
 * contiguous rows, summed over p in order from 0, so the result is the saxpy order's bit for bit
 * (its skipped zero terms add ±0 to a sum that is never −0). Two rows × four columns at a time, so
 * each loaded element feeds several products.
 */
function dotRows(A: TypedArray, Bt: TypedArray, n: number, m: number, k: number, acc: Float64Array): void {
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const a0 = i * k, a1 = a0 + k;
    let j = 0;
    for (; j + 4 <= m; j += 4) {
      const b0 = j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let p = 0; p < k; p++) {
        const x0 = A[a0 + p], x1 = A[a1 + p];
        const y0 = Bt[b0 + p], y1 = Bt[b1 + p], y2 = Bt[b2 + p], y3 = Bt[b3 + p];
        s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
        s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
      }
      const o0 = i * m + j, o1 = o0 + m;
      acc[o0] = s00; acc[o0 + 1] = s01; acc[o0 + 2] = s02; acc[o0 + 3] = s03;
      acc[o1] = s10; acc[o1 + 1] = s11; acc[o1 + 2] = s12; acc[o1 + 3] = s13;
    }
    for (; j < m; j++) {
      acc[i * m + j] = dot(A, a0, Bt, j * k, k);
      acc[(i + 1) * m + j] = dot(A, a1, Bt, j * k, k);
    }
  }
  for (; i < n; i++) for (let j = 0; j < m; j++) acc[i * m + j] = dot(A, i * k, Bt, j * k, k);
}

/** Σ_p x[xo + p]·y[yo + p] for p = 0 … k−1, in order. */
function dot(x: TypedArray, xo: number, y: TypedArray, yo: number, k: number): number {
  let s = 0;
  for (let p = 0; p < k; p++) s += x[xo + p] * y[yo + p];
  return s;
}
