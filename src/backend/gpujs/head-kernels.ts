/**
 * The kernels of the fused margin head (src/backend/gpujs/head-plan.ts runs them in order), in
 * the subset of JavaScript that gpu.js compiles to WGSL, WebAssembly and JavaScript alike.
 *
 * Layout. Every matrix is a 2-D kernel output read as `a[row][col]`, and every matrix kernel has
 * a 2-D output (thread.x = column, thread.y = row). That is what keeps WebGPU honest at the
 * sizes of a real head: gpu.js computes a 1-D kernel's thread index and any flat index written in
 * the kernel in float32, which is exact only below 2^24 (N·C = 51.2M is not) and goes through a
 * float division that WGSL allows to be 2.5 ulp off, while a 2-D access `a[r][c]` becomes an
 * integer index. Vectors (one number per row or per class, below 2^24) are 1-D.
 *
 * The cosine matrix and its gradient are stored transposed, as zT[j][i] (class j, sample i), so
 * that the per-sample reductions over classes read consecutive samples in neighbouring threads.
 * Normalized class centers are never materialized: 1/max(‖w_j‖, ε) is applied to the products.
 *
 * Loops count with integers from 0 (`for (let k = 0; k < count; k++)`): gpu.js gives a loop
 * variable started from a float expression the type f32, and WGSL has no `++` for f32. Loop
 * counts that need a division (⌊d/4⌋) come from the host.
 *
 * Finiteness: every comparison a NaN fails is written so that the NaN flows on into the results
 * (never `if (!(x > t)) return 0`), and the last kernel packs a flag word that says whether the
 * loss, dX, dW and the row norms are finite (see `packResult`).
 */

import { blendedSlope, blendedTarget } from '../head.js';

/** The part of gpu.js's kernel `this` these kernels use. */
interface KernelThis {
  thread: { x: number; y: number };
}

/** A matrix as kernels index it: a[row][col]. */
type Grid = ArrayLike<ArrayLike<number>>;
/** A vector. */
type Vec = ArrayLike<number>;

// Placeholders for the target-logit scalar kernels, replaced by their names in the source text.
declare function MARGIN_VALUE(c: number, p0: number, p1: number, p2: number, p3: number): number;
declare function MARGIN_SLOPE(c: number, q0: number, q1: number, q2: number, q3: number): number;
// Placeholders for λ's blend (src/backend/head.ts), compiled in as the functions themselves.
declare function BLEND_TARGET(c: number, f: number, lambda: number): number;
declare function BLEND_SLOPE(slope: number, lambda: number): number;

/** out[r][c] = a[r][c]: brings host data (a gpu.js Input of size [cols, rows]) onto the device. */
export function copyGrid(this: KernelThis, a: Grid): number {
  return a[this.thread.y][this.thread.x];
}

/** ‖a_r‖ for each row r of a [rows, cols] matrix (1-D output [rows]). */
export function rowNorms(this: KernelThis, a: Grid, cols: number): number {
  let s = 0;
  for (let p = 0; p < cols; p++) {
    const v = a[this.thread.x][p];
    s += v * v;
  }
  return Math.sqrt(s);
}

/** X̂[i][p] = X[i][p] / max(‖x_i‖, ε) (output [d, N]). */
export function normalizeRows(this: KernelThis, a: Grid, norms: Vec, eps: number): number {
  return a[this.thread.y][this.thread.x] / Math.max(norms[this.thread.y], eps);
}

/** X̂ᵀ[p][i] = X[i][p] / max(‖x_i‖, ε) (output [N, d]). */
export function normalizeRowsT(this: KernelThis, a: Grid, norms: Vec, eps: number): number {
  return a[this.thread.x][this.thread.y] / Math.max(norms[this.thread.x], eps);
}

/**
 * zT[j][i] = Σ_p X̂ᵀ[p][i]·W[j][p] / max(‖w_j‖, ε): the cosine of sample i and class j before the
 * clamp (output [N, C]). Four partial sums break the dependency chain of one accumulator; the
 * host passes quads = ⌊d/4⌋ (a float division or `%` in WGSL may be off by an ulp).
 */
export function cosinesT(this: KernelThis, xhT: Grid, w: Grid, wNorms: Vec, d: number, quads: number, eps: number): number {
  const i = this.thread.x;
  const j = this.thread.y;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let b = 0; b < quads; b++) {
    const p = 4 * b;
    s0 += xhT[p][i] * w[j][p];
    s1 += xhT[p + 1][i] * w[j][p + 1];
    s2 += xhT[p + 2][i] * w[j][p + 2];
    s3 += xhT[p + 3][i] * w[j][p + 3];
  }
  for (let r = 0; r < d - 4 * quads; r++) {
    const q = 4 * quads + r;
    s0 += xhT[q][i] * w[j][q];
  }
  return (s0 + s1 + (s2 + s3)) / Math.max(wNorms[j], eps);
}

/** The target logit s·f_λ(c) of each labelled row, c = clamp(cos θ_{i,y_i}); 0 for rows labelled −1 (1-D [N]). */
export function targetLogits(
  this: KernelThis,
  zT: Grid,
  labels: Vec,
  s: number,
  lambda: number,
  p0: number,
  p1: number,
  p2: number,
  p3: number,
): number {
  const y = labels[this.thread.x];
  if (y < 0) {
    return 0;
  }
  const c = Math.min(Math.max(zT[y][this.thread.x], -1), 1);
  return s * BLEND_TARGET(c, MARGIN_VALUE(c, p0, p1, p2, p3), lambda);
}

/** df_λ/dc of each labelled row: (λ + f′(c))/(1 + λ), f′ = df/dc, or 1 when straight-through (1-D [N]). */
export function targetSlopes(
  this: KernelThis,
  zT: Grid,
  labels: Vec,
  straightThrough: number,
  lambda: number,
  q0: number,
  q1: number,
  q2: number,
  q3: number,
): number {
  const y = labels[this.thread.x];
  if (y < 0) {
    return 0;
  }
  if (straightThrough > 0) {
    return 1;
  }
  const c = Math.min(Math.max(zT[y][this.thread.x], -1), 1);
  return BLEND_SLOPE(MARGIN_SLOPE(c, q0, q1, q2, q3), lambda);
}

/**
 * The logit of one entry: the row's target logit at the target column, else s·cos θ with
 * cos θ clamped to [−1, 1] and set to 0 above the filter threshold t (when t > 0).
 */
export function headLogit(z: number, isTarget: number, target: number, s: number, t: number): number {
  if (isTarget > 0) {
    return target;
  }
  let c = Math.min(Math.max(z, -1), 1);
  if (t > 0 && c > t) {
    c = 0;
  }
  return s * c;
}

/** Largest logit of sample i over the classes of chunk k (output [N, K]). */
export function partialRowMax(
  this: KernelThis,
  zT: Grid,
  labels: Vec,
  targets: Vec,
  s: number,
  t: number,
  chunk: number,
  classes: number,
): number {
  const i = this.thread.x;
  const y = labels[i];
  const tl = targets[i];
  const lo = this.thread.y * chunk;
  const count = Math.min(chunk, classes - lo);
  let m = -3.4028234663852886e38;
  for (let k = 0; k < count; k++) {
    const j = lo + k;
    let isTarget = 0;
    if (j === y) {
      isTarget = 1;
    }
    m = Math.max(m, headLogit(zT[j][i], isTarget, tl, s, t));
  }
  return m;
}

/** Largest of the chunk maxima of each sample (1-D [N]). */
export function rowMax(this: KernelThis, partial: Grid, chunks: number): number {
  let m = -3.4028234663852886e38;
  for (let k = 0; k < chunks; k++) {
    m = Math.max(m, partial[k][this.thread.x]);
  }
  return m;
}

/** Σ exp(logit − M_i) of sample i over the non-target classes of chunk k (output [N, K]). */
export function partialOtherSumExp(
  this: KernelThis,
  zT: Grid,
  labels: Vec,
  maxima: Vec,
  s: number,
  t: number,
  chunk: number,
  classes: number,
): number {
  const i = this.thread.x;
  const y = labels[i];
  const m = maxima[i];
  const lo = this.thread.y * chunk;
  const count = Math.min(chunk, classes - lo);
  let sum = 0;
  for (let k = 0; k < count; k++) {
    const j = lo + k;
    if (j !== y) {
      sum += Math.exp(headLogit(zT[j][i], 0, 0, s, t) - m);
    }
  }
  return sum;
}

/** Σ over chunks: each sample's Σ_{j≠y} exp(logit − M) (1-D [N]). */
export function rowSum(this: KernelThis, partial: Grid, chunks: number): number {
  let sum = 0;
  for (let k = 0; k < chunks; k++) {
    sum += partial[k][this.thread.x];
  }
  return sum;
}

/**
 * The cross-entropy of each labelled row, log(e^{T−M} + Σ_{j≠y} e^{z_j−M}) − (T − M) with T the
 * target logit and M the row maximum; 0 for rows labelled −1 (1-D [N]).
 */
export function rowLoss(this: KernelThis, labels: Vec, targets: Vec, maxima: Vec, others: Vec): number {
  const i = this.thread.x;
  if (labels[i] < 0) {
    return 0;
  }
  const shifted = targets[i] - maxima[i];
  return Math.log(Math.exp(shifted) + others[i]) - shifted;
}

/**
 * gT[j][i] = ∂L/∂zT[j][i] / max(‖w_j‖, ε), the gradient of the loss with respect to the unclamped
 * cosine, in one pass (output [N, C]). With p = softmax of the row, V labelled rows:
 *   non-target, unfiltered:  s·p_ij / V
 *   target:                  −s·(Σ_{j≠y} p_ij)·f′′ / V  (not s·(p_iy − 1)·f′′: no cancellation)
 *   filtered, outside [−1, 1] (the clamp), or a row labelled −1:  0.
 * The 1/max(‖w_j‖, ε) folds the normalization of W into the two products that follow.
 */
export function logitGradT(
  this: KernelThis,
  zT: Grid,
  labels: Vec,
  targets: Vec,
  slopes: Vec,
  maxima: Vec,
  others: Vec,
  wNorms: Vec,
  s: number,
  t: number,
  invV: number,
  eps: number,
): number {
  const i = this.thread.x;
  const j = this.thread.y;
  const y = labels[i];
  if (y < 0) {
    return 0;
  }
  const z = zT[j][i];
  if (z < -1 || z > 1) {
    return 0;
  }
  const m = maxima[i];
  const total = Math.exp(targets[i] - m) + others[i];
  let g = 0;
  if (j === y) {
    g = (-others[i] / total) * slopes[i];
  } else {
    if (t > 0 && z > t) {
      return 0;
    }
    g = Math.exp(s * z - m) / total;
  }
  return (g * s * invV) / Math.max(wNorms[j], eps);
}

/**
 * The radial part of each class center's gradient, (Σ_i gT[j][i]·zT[j][i]) / ‖w_j‖ (1-D [C]):
 * ŵ·dŵ = Σ_i G_ij·(x̂_i·ŵ_j), so the projection of l2-normalize's backward needs no dŴ. Rows
 * with ‖w_j‖ ≤ ε are divided by ε without the projection: 0 here.
 */
export function centerRadial(this: KernelThis, gT: Grid, zT: Grid, wNorms: Vec, samples: number, eps: number): number {
  const j = this.thread.x;
  const r = wNorms[j];
  if (r <= eps) {
    return 0;
  }
  let sum = 0;
  for (let i = 0; i < samples; i++) {
    sum += gT[j][i] * zT[j][i];
  }
  return sum / r;
}

/** ∂L/∂W[j][p] = Σ_i gT[j][i]·X̂[i][p] − W[j][p]·radial_j (output [d, C]; quads = ⌊N/4⌋). */
export function centerGrad(this: KernelThis, gT: Grid, xh: Grid, w: Grid, radial: Vec, samples: number, quads: number): number {
  const p = this.thread.x;
  const j = this.thread.y;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let b = 0; b < quads; b++) {
    const i = 4 * b;
    s0 += gT[j][i] * xh[i][p];
    s1 += gT[j][i + 1] * xh[i + 1][p];
    s2 += gT[j][i + 2] * xh[i + 2][p];
    s3 += gT[j][i + 3] * xh[i + 3][p];
  }
  for (let r = 0; r < samples - 4 * quads; r++) {
    const q = 4 * quads + r;
    s0 += gT[j][q] * xh[q][p];
  }
  return s0 + s1 + (s2 + s3) - w[j][p] * radial[j];
}

/** ∂L/∂X̂[i][p] = Σ_j gT[j][i]·W[j][p] (output [d, N]; gT carries 1/max(‖w_j‖, ε); quads = ⌊C/4⌋). */
export function featureGradHat(this: KernelThis, gT: Grid, w: Grid, classes: number, quads: number): number {
  const p = this.thread.x;
  const i = this.thread.y;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let b = 0; b < quads; b++) {
    const j = 4 * b;
    s0 += gT[j][i] * w[j][p];
    s1 += gT[j + 1][i] * w[j + 1][p];
    s2 += gT[j + 2][i] * w[j + 2][p];
    s3 += gT[j + 3][i] * w[j + 3][p];
  }
  for (let r = 0; r < classes - 4 * quads; r++) {
    const q = 4 * quads + r;
    s0 += gT[q][i] * w[q][p];
  }
  return s0 + s1 + (s2 + s3);
}

/** x̂_i·dx̂_i for each sample (1-D [N]). */
export function rowDot(this: KernelThis, a: Grid, b: Grid, cols: number): number {
  let sum = 0;
  for (let p = 0; p < cols; p++) {
    sum += a[this.thread.x][p] * b[this.thread.x][p];
  }
  return sum;
}

/** ∂L/∂X = (dX̂ − X̂·(x̂·dx̂))/‖x‖, or dX̂/ε where ‖x‖ ≤ ε (output [d, N]). */
export function featureGrad(this: KernelThis, dxh: Grid, xh: Grid, dots: Vec, norms: Vec, eps: number): number {
  const p = this.thread.x;
  const i = this.thread.y;
  const r = norms[i];
  if (r <= eps) {
    return dxh[i][p] / eps;
  }
  return (dxh[i][p] - xh[i][p] * dots[i]) / r;
}

/** 1 where every element of row r is finite, else 0 (1-D [rows]); NaN fails the comparison. */
export function finiteRows(this: KernelThis, a: Grid, cols: number): number {
  let ok = 1;
  for (let p = 0; p < cols; p++) {
    if (!(Math.abs(a[this.thread.x][p]) <= 3.4028234663852886e38)) {
      ok = 0;
    }
  }
  return ok;
}

/**
 * What the host reads back, in one array (output [d + 1, N + 1]): rows 0..N−1 are dX with the
 * row's loss in column d; row N, column 0 is the flag word 1·(loss finite) + 2·(dX finite) +
 * 4·(dW finite) + 8·(row norms of X and W finite), from the per-row flags of dX (`dxOk`) and the
 * chunk flags of dW and of W's norms (`dwOk`, `wNormOk`, `kw` chunks each).
 */
export function packResult(
  this: KernelThis,
  dx: Grid,
  loss: Vec,
  xNorms: Vec,
  dxOk: Vec,
  dwOk: Vec,
  wNormOk: Vec,
  n: number,
  d: number,
  kw: number,
): number {
  const col = this.thread.x;
  const row = this.thread.y;
  if (row < n) {
    if (col < d) {
      return dx[row][col];
    }
    return loss[row];
  }
  if (col > 0) {
    return 0;
  }
  let lossOk = 1;
  let gradXOk = 1;
  let normsOk = 1;
  for (let i = 0; i < n; i++) {
    if (!(Math.abs(loss[i]) <= 3.4028234663852886e38)) {
      lossOk = 0;
    }
    if (!(dxOk[i] > 0)) {
      gradXOk = 0;
    }
    if (!(Math.abs(xNorms[i]) <= 3.4028234663852886e38)) {
      normsOk = 0;
    }
  }
  let gradWOk = 1;
  for (let k = 0; k < kw; k++) {
    if (!(dwOk[k] > 0)) {
      gradWOk = 0;
    }
    if (!(wNormOk[k] > 0)) {
      normsOk = 0;
    }
  }
  return lossOk + 2 * gradXOk + 4 * gradWOk + 8 * normsOk;
}

/** The flag word of `packResult` when everything is finite. */
export const ALL_FINITE = 15;

/** Kernel source of `targetLogits` calling the scalar kernel named `valueFn`. */
export function targetLogitsSource(valueFn: string): string {
  return targetLogits.toString().replace(/MARGIN_VALUE/g, valueFn).replace(/BLEND_TARGET/g, blendedTarget.name);
}

/** Kernel source of `targetSlopes` calling the scalar kernel named `slopeFn`. */
export function targetSlopesSource(slopeFn: string): string {
  return targetSlopes.toString().replace(/MARGIN_SLOPE/g, slopeFn).replace(/BLEND_SLOPE/g, blendedSlope.name);
}
