/**
 * The per-thread work of the fused margin head: one thread's share of the class chunks, for the
 * forward phase or the backward phase. The main thread runs share 0 by calling `runPhase`
 * directly; worker threads run the other shares from `runPhase.toString()` (see pool.ts), so this
 * function must be self-contained: no imports, no closures, only its arguments and globals.
 *
 * Layout: every address below is a byte offset into the one shared WebAssembly memory; `P` holds
 * the dimensions, the scalars and those addresses at the indices named in PARAM (pool.ts keeps the
 * two in step). Rows are padded to Np (a multiple of 4), features to dp and class chunks to Cb
 * (multiples of 8), with zeros, so the SIMD kernel never needs an edge case.
 *
 * Forward, per chunk of Cb classes (classes j0 … j0+cr−1):
 *   Ŵᵀ (dp×Cb) ← the chunk's rows of W normalized, transposed; norms kept for the backward
 *   R (Np×Cb) ← X̂·Ŵᵀ, the raw cosines, written into the chunk's slot of the stored matrix E
 *   per row: z = s·clamp(R, −1, 1) (interclass filtering applied), a running max m of the
 *   non-target z (online softmax: others rescaled when m grows), e = exp(z − m) stored over R,
 *   negated where the gradient is cut (outside the clamp, or filtered), the shift m kept per chunk.
 * Backward, per chunk: G = e·exp(shift − M)·(s/V)/total (0 where e ≤ 0), the target column set to
 * the row's precomputed ∂L/∂cos θ_y, each column scaled by 1/‖w_j‖ (G′); dX̂_t += G′·W;
 * D = G′ᵀ·X̂ → dW through the normalization, in place.
 */

import type { Kernels } from './kernels.js'; // a type only: runPhase must stay import-free at run time

/** Indices into the Float64Array of parameters shared with the workers. */
export const PARAM = {
  phase: 0, N: 1, Np: 2, d: 3, dp: 4, C: 5, Cb: 6, nChunks: 7, threads: 8, s: 9, threshold: 10, eps: 11,
  x: 12, w: 13, labels: 14, wnorm: 15, E: 16, shift: 17, rowMax: 18, rowOthers: 19, rowM: 20, rowScale: 21,
  gTarget: 22, scratch: 23, scratchBytes: 24, dW: 25, dXn: 26, xPacked: 27, winv: 28,
  /** Phase 3 (one gemm split over the threads by column panels): gemm's 12 arguments from here on. */
  gemm: 32,
  size: 48,
} as const;

/**
 * Runs thread `t`'s share of phase P[0] (1 forward, 2 backward of the head; 3 one gemm). Per-thread scratch at
 * scratch + t·scratchBytes: Wᵀ (dp×Cb, in panels), W (Cb×dp, in panels), G′ (Np×Cb); dX̂_t at
 * dXn + t·Np·dp·4.
 */
export function runPhase(k: Kernels, buffer: ArrayBufferLike, P: Float64Array, t: number): void {
  if (P[0] === 3) {
    // one product C = op(A)·B, thread t taking every T-th share of B's panels of 8 columns
    const M = P[32], Nc = P[33], K = P[34], A = P[35], ars = P[36], aks = P[37], B = P[38], ldb = P[39], bps = P[40];
    const Cm = P[41], ldc = P[42], acc = P[43], T3 = P[8];
    const panels = Nc / 8, per = Math.ceil(panels / T3), first = t * per, last = Math.min(panels, first + per);
    if (last > first) k.gemm(M, (last - first) * 8, K, A, ars, aks, B + first * bps * 4, ldb, bps, Cm + first * 32, ldc, acc);
    return;
  }
  const f32 = new Float32Array(buffer);
  const f64 = new Float64Array(buffer);
  const i32 = new Int32Array(buffer);
  const phase = P[0], N = P[1], Np = P[2], dp = P[4], C = P[5], Cb = P[6], nChunks = P[7], T = P[8];
  const s = P[9], threshold = P[10], eps = P[11];
  const thr = threshold > 0 ? threshold : Infinity; // interclass filtering's threshold (none: +∞)
  const X = P[12], W = P[13], labels = P[14] >> 2, E = P[16], shiftAt = P[17] >> 2;
  const rowMax = (P[18] >> 3) + t * Np, rowOthers = (P[19] >> 3) + t * Np, rowM = P[20] >> 3, rowScale = P[21] >> 3;
  const gTarget = P[22] >> 2, winv = P[28] >> 2;
  const roundUp4 = (v: number) => (v + 3) & ~3, roundUp8 = (v: number) => (v + 7) & ~7;
  const scratch = P[23] + t * P[24];
  const wnT = scratch, wn = wnT + dp * Cb * 4, G = wn + Cb * dp * 4;
  const dW = P[25], dXn = P[26] + t * Np * dp * 4, XP = P[27];

  if (phase === 1) {
    for (let i = 0; i < Np; i++) {
      f64[rowMax + i] = -Infinity;
      f64[rowOthers + i] = 0;
    }
  } else {
    f32.fill(0, dXn >> 2, (dXn >> 2) + Np * dp);
  }

  for (let c = t; c < nChunks; c += T) {
    const j0 = c * Cb;
    const cr = Math.min(Cb, C - j0);
    const Ec = E + c * Np * Cb * 4;
    const Wc = W + j0 * dp * 4; // the chunk's rows of W
    const WIc = P[28] + j0 * 4; // and their 1/max(‖w_j‖, ε)
    const n4 = roundUp4(cr);
    if (phase === 1) {
      // norms of the chunk's rows; Wᵀ (not normalized: 1/‖w_j‖ is applied to the products)
      // packed in panels of 8 columns
      k.norms(Wc, cr, dp, eps, P[15] + j0 * 4, WIc);
      k.packT(Wc, cr, dp, wnT);
      k.gemm(Np, roundUp8(cr), dp, X, dp, 1, wnT, 8, 8 * dp, Ec, Cb, 0);
      for (let i = 0; i < N; i++) {
        const y = i32[labels + i];
        if (y < 0) continue;
        const yy = y - j0;
        const row = Ec + i * Cb * 4;
        // the row's kept cosines (target and padding masked) in SIMD lanes: their max, then
        // exp(s·cos − m) stored over the products (negated where the gradient is cut), and their sum
        const zmax = Math.fround(s * k.rowMax(row, WIc, n4, cr, yy, thr));
        let m = f64[rowMax + i];
        let others = f64[rowOthers + i];
        if (zmax > m) {
          if (others > 0) others *= Math.exp(m - zmax);
          m = zmax;
        }
        others += k.rowExp(row, WIc, n4, cr, yy, thr, s, m);
        f64[rowMax + i] = m;
        f64[rowOthers + i] = others;
        f32[shiftAt + c * Np + i] = m;
      }
    } else {
      // G′ of the chunk: G with column jj scaled by 1/max(‖w_j‖, ε), so that the products below
      // take W as it is (no normalized copy): G·Ŵ = G′·W and Gᵀ·X̂ = diag(max(‖w‖, ε))·G′ᵀ·X̂
      const g0 = G >> 2;
      f32.fill(0, g0, g0 + Np * Cb);
      for (let i = 0; i < N; i++) {
        const y = i32[labels + i];
        if (y < 0) continue;
        const yy = y - j0;
        const out = g0 + i * Cb;
        const fac = Math.exp(f32[shiftAt + c * Np + i] - f64[rowM + i]) * f64[rowScale + i];
        k.gRow(Ec + i * Cb * 4, G + i * Cb * 4, WIc, n4, fac);
        if (yy >= 0 && yy < cr) f32[out + yy] = f32[gTarget + i] * f32[winv + y];
      }
      // W's rows packed in panels of 8 features (gemm's B); dX̂_t += G′·W (K = cr: no row beyond
      // C is read); D = G′ᵀ·X̂ written straight into dW's rows j0 … (dW has room for the rows of
      // a last, partial chunk rounded up to 4); then dW_j = (dŵ − ŵ⟨ŵ, dŵ⟩)/‖w_j‖ with
      // dŵ = ‖w_j‖·D_j, i.e. D_j − w_j·⟨w_j, D_j⟩/‖w_j‖² (D_j itself where ‖w_j‖ ≤ ε: ŵ = w/ε)
      k.packN(Wc, cr, Cb, dp, wn);
      k.gemm(Np, dp, cr, G, Cb, 1, wn, 8, 8 * Cb, dXn, dp, 1);
      k.gemm(roundUp4(cr), dp, Np, G, 1, Cb, XP, 8, 8 * Np, dW + j0 * dp * 4, dp, 0);
      k.fixDW(dW + j0 * dp * 4, Wc, P[15] + j0 * 4, cr, dp, eps);
    }
  }
}
