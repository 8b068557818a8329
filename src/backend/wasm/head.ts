/**
 * The wasm margin head: the whole head — loss, ∂L/∂X and ∂L/∂W — in one fused float32 pass over
 * class chunks, on the WebAssembly SIMD kernels of this folder and (optionally) both cores. It
 * computes what the tape computes through `marginLoss` (src/losses/margin-head.ts) for one
 * `HeadSpec` (margins and fallback policies through the spec's scalar kernels, λ, interclass
 * filtering, ε, exact and straight-through gradients, rows labelled −1), at float32 accuracy.
 *
 * Memory: the N×C matrix is stored once, as float32 (the exponentials the backward needs); every
 * other N×C-sized quantity (logits, probabilities, the gradient G) exists one chunk of Cb classes
 * per thread at a time. See phases.ts for the two phases, pool.ts for the threads.
 */
import { targetAndSlope, type HeadSpec } from '../head.js';
import { DomainError, OptionError, ShapeError } from '../../tensor/errors.js';
import { defaultThreads, fastPool } from './pool.js';
import { PARAM } from './phases.js';

/** How the wasm head runs (not what it computes). */
export interface WasmHeadOptions {
  /** Threads: 1 (this thread only) … ; 'auto' (default) is min(2, cores). */
  threads?: number | 'auto';
  /** Classes per chunk (rounded up to a multiple of 8), default 256. */
  chunk?: number;
}

/** Loss and gradients of the margin head, float32. */
export interface WasmHeadArrays {
  /** The loss: the mean over the rows whose label is not −1. */
  loss: number;
  /** ∂L/∂X, N×d row-major. */
  dX: Float32Array;
  /** ∂L/∂W, C×d row-major. */
  dW: Float32Array;
}

const roundUp = (n: number, m: number) => Math.ceil(n / m) * m;

/**
 * Throws a DomainError for the first row of `what` whose norm is not finite: a NaN or ±∞ in the
 * row, or a norm beyond the precision it is computed in (float64 for X; float32 for W, whose rows
 * are normalized in float32) — the row could not be normalized, so no loss would be meaningful.
 */
function assertFiniteNorms(norms: ArrayLike<number>, what: string): void {
  for (let i = 0; i < norms.length; i++) {
    if (!Number.isFinite(norms[i])) throw new DomainError(`wasmMarginHead: ${what} row ${i} has a non-finite element (or its norm overflows)`);
  }
}

/**
 * The margin head on flat arrays: X (N×d), W (C×d), labels (−1 = ignored row, checked against N
 * and C by the caller) and the head's spec. Throws a ShapeError for inconsistent sizes, an
 * OptionError for a bad thread count or chunk, and a DomainError for a row of X or W whose norm
 * is not finite; the arrays are read, never written.
 */
export function wasmMarginHeadArrays(
  x: ArrayLike<number>, w: ArrayLike<number>, lab: Int32Array, n: number, d: number, c: number,
  spec: HeadSpec, fast: WasmHeadOptions = {},
): WasmHeadArrays {
  if (![n, d, c].every((v) => Number.isInteger(v) && v >= 1)) {
    throw new ShapeError(`wasmMarginHead: N, d and C must be positive integers, got ${n}, ${d}, ${c}`);
  }
  if (x.length !== n * d || w.length !== c * d || lab.length !== n) {
    throw new ShapeError(`wasmMarginHead: X needs ${n}×${d} = ${n * d} elements (has ${x.length}), W ${c}×${d} = ${c * d} (has ${w.length}), labels ${n} (has ${lab.length})`);
  }
  const threads = fast.threads === undefined || fast.threads === 'auto' ? defaultThreads() : fast.threads;
  if (!Number.isInteger(threads) || threads < 1) throw new OptionError(`wasmMarginHead: threads must be a positive integer or 'auto'`);
  if (fast.chunk !== undefined && !(Number.isInteger(fast.chunk) && fast.chunk >= 1)) {
    throw new OptionError(`wasmMarginHead: chunk must be a positive integer, got ${String(fast.chunk)}`);
  }
  const Cb = roundUp(Math.max(8, fast.chunk ?? 256), 8);
  const Np = roundUp(n, 4), dp = roundUp(d, 8);
  const nChunks = Math.ceil(c / Cb);
  const pool = fastPool(threads);
  const T = threads;

  // ── layout (bytes, 64-aligned) ──
  let top = 64;
  const take = (bytes: number) => { const at = top; top = roundUp(top + bytes, 64); return at; };
  const X = take(Np * dp * 4), W = take(c * dp * 4), L = take(n * 4), WN = take(roundUp(c, 8) * 4), WI = take(roundUp(c, 8) * 4);
  const E = take(nChunks * Np * Cb * 4), SH = take(nChunks * Np * 4);
  const RMAX = take(T * Np * 8), ROTH = take(T * Np * 8), RM = take(Np * 8), RS = take(Np * 8), GT = take(Np * 4);
  const scratchBytes = roundUp((2 * dp * Cb + Np * Cb) * 4, 64);
  const SCR = take(T * scratchBytes), DW = take(roundUp(c, 4) * dp * 4), DXN = take(T * Np * dp * 4), XP = take(Np * dp * 4);
  pool.reserve(top);
  const buf = pool.memory.buffer;
  const f32 = new Float32Array(buf), f64 = new Float64Array(buf), i32 = new Int32Array(buf);

  // ── inputs: X normalized (norms kept), W copied, labels ──
  const xnorm = new Float64Array(n);
  f32.fill(0, X >> 2, (X >> 2) + Np * dp);
  for (let i = 0; i < n; i++) {
    let ss = 0;
    for (let k = 0; k < d; k++) ss += x[i * d + k] * x[i * d + k];
    xnorm[i] = Math.sqrt(ss);
    const inv = 1 / Math.max(xnorm[i], spec.eps);
    for (let k = 0; k < d; k++) f32[(X >> 2) + i * dp + k] = x[i * d + k] * inv;
  }
  assertFiniteNorms(xnorm, 'X');
  // X̂ again, packed in panels of 8 features (row i, feature k at ⌊k/8⌋·8·Np + 8i + k mod 8)
  for (let i = 0; i < Np; i++) {
    for (let k = 0; k < dp; k++) f32[(XP >> 2) + (k >> 3) * 8 * Np + i * 8 + (k & 7)] = f32[(X >> 2) + i * dp + k];
  }
  if (dp === d) f32.set(w, W >> 2);
  else {
    f32.fill(0, W >> 2, (W >> 2) + c * dp);
    for (let j = 0; j < c; j++) for (let k = 0; k < d; k++) f32[(W >> 2) + j * dp + k] = w[j * d + k];
  }
  i32.set(lab, L >> 2);

  const P = pool.params;
  P[PARAM.N] = n; P[PARAM.Np] = Np; P[PARAM.d] = d; P[PARAM.dp] = dp; P[PARAM.C] = c; P[PARAM.Cb] = Cb;
  P[PARAM.nChunks] = nChunks; P[PARAM.s] = spec.s; P[PARAM.threshold] = spec.filterThreshold; P[PARAM.eps] = spec.eps;
  P[PARAM.x] = X; P[PARAM.w] = W; P[PARAM.labels] = L; P[PARAM.wnorm] = WN; P[PARAM.E] = E; P[PARAM.shift] = SH;
  P[PARAM.rowMax] = RMAX; P[PARAM.rowOthers] = ROTH; P[PARAM.rowM] = RM; P[PARAM.rowScale] = RS; P[PARAM.gTarget] = GT;
  P[PARAM.scratch] = SCR; P[PARAM.scratchBytes] = scratchBytes; P[PARAM.dW] = DW; P[PARAM.dXn] = DXN; P[PARAM.xPacked] = XP; P[PARAM.winv] = WI;

  pool.run(1);
  assertFiniteNorms(f32.subarray(WN >> 2, (WN >> 2) + c), 'W'); // the forward computed W's norms

  // ── per row: the target logit and its slope (the spec's kernels, λ's blend), the loss ──
  let kept = 0;
  for (let i = 0; i < n; i++) if (lab[i] !== -1) kept++;
  const perRow = kept === 0 ? 0 : spec.s / kept;
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const y = lab[i];
    f64[(RS >> 3) + i] = 0;
    f32[(GT >> 2) + i] = 0;
    if (y < 0) continue;
    let ss = 0, dot = 0;
    for (let k = 0; k < d; k++) ss += f32[(W >> 2) + y * dp + k] ** 2;
    const winv = 1 / Math.max(Math.sqrt(ss), spec.eps);
    for (let k = 0; k < d; k++) dot += f32[(X >> 2) + i * dp + k] * Math.fround(f32[(W >> 2) + y * dp + k] * winv);
    const raw = Math.fround(dot);
    const inside = raw >= -1 && raw <= 1;
    const cy = Math.min(Math.max(raw, -1), 1);
    const { value: f, slope } = targetAndSlope(spec, cy);
    const zy = spec.s * f;
    let m = -Infinity;
    for (let t = 0; t < T; t++) m = Math.max(m, f64[(RMAX >> 3) + t * Np + i]);
    let others = 0;
    for (let t = 0; t < T; t++) {
      const ot = f64[(ROTH >> 3) + t * Np + i];
      if (ot > 0) others += ot * Math.exp(f64[(RMAX >> 3) + t * Np + i] - m);
    }
    const M = Math.max(m, zy);
    if (others > 0) others *= Math.exp(m - M);
    const target = Math.exp(zy - M);
    const total = others + target;
    loss += M === zy ? Math.log1p(others) : M - zy + Math.log(total);
    f64[(RM >> 3) + i] = M;
    f64[(RS >> 3) + i] = perRow / total;
    f32[(GT >> 2) + i] = inside ? (-perRow * (others / total)) * slope : 0;
  }
  loss = kept === 0 ? 0 : loss / kept;

  pool.run(2);

  // ── dX through the normalization of X; dW is already through W's ──
  const dX = new Float32Array(n * d);
  const dxn = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    dxn.fill(0);
    for (let t = 0; t < T; t++) {
      const base = (DXN >> 2) + t * Np * dp + i * dp;
      for (let k = 0; k < d; k++) dxn[k] += f32[base + k];
    }
    const xr = (X >> 2) + i * dp;
    if (xnorm[i] > spec.eps) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += f32[xr + k] * dxn[k];
      for (let k = 0; k < d; k++) dX[i * d + k] = (dxn[k] - f32[xr + k] * dot) / xnorm[i];
    } else {
      for (let k = 0; k < d; k++) dX[i * d + k] = dxn[k] / spec.eps;
    }
  }
  let dW: Float32Array;
  if (dp === d) dW = f32.slice(DW >> 2, (DW >> 2) + c * d);
  else {
    dW = new Float32Array(c * d);
    for (let j = 0; j < c; j++) dW.set(f32.subarray((DW >> 2) + j * dp, (DW >> 2) + j * dp + d), j * d);
  }
  return { loss, dX, dW };
}

