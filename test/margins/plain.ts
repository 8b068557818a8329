/** The margin formulas written out directly in plain float64 loops: the values the tape's heads must match. */
import type { HeadProblem } from '../support/head-samples.js';
import { UNIT_ROUNDOFF, acosCondition, relativeError, tolerance, type Tolerance } from '../../src/check/tolerance.js';

/** cos θ_ij and ‖x_i‖ of a problem. */
export function plainCosines(p: HeadProblem): { cos: number[][]; norms: number[] } {
  const row = (v: number[], i: number) => v.slice(i * p.d, i * p.d + p.d);
  const norm = (v: number[]) => Math.sqrt(v.reduce((a, b) => a + b * b, 0));
  const xs = Array.from({ length: p.n }, (_, i) => row(p.X, i));
  const ws = Array.from({ length: p.c }, (_, j) => row(p.W, j));
  const cos = xs.map((x) => ws.map((w) => Math.min(1, Math.max(-1, x.reduce((a, xk, k) => a + xk * w[k], 0) / (norm(x) * norm(w))))));
  return { cos, norms: xs.map(norm) };
}

/**
 * mean over labelled rows of −log softmax(s·logits_i)[y_i], where `logits(i)` gives row i's
 * logits before the scale.
 */
export function plainCrossEntropy(p: HeadProblem, s: number, logits: (i: number) => number[]): number {
  let total = 0;
  let count = 0;
  for (let i = 0; i < p.n; i++) {
    if (p.labels[i] < 0) continue;
    const z = logits(i).map((v) => s * v);
    const max = Math.max(...z);
    const lse = max + Math.log(z.reduce((a, v) => a + Math.exp(v - max), 0));
    total += lse - z[p.labels[i]];
    count++;
  }
  return count === 0 ? 0 : total / count;
}

/**
 * The tolerance rule (docs/numerics.md §8) for a loss against its plain float64 formula at
 * 1e-10: relative, except for losses near 0 (a confidently right row gives e^(−s·margin) ≈ 1e-12),
 * where the rounding of log-sum-exp − z_y over logits of scale s ≤ 64 (a dozen-odd roundings)
 * dominates any relative figure — times arccos' condition number at the worst target cosine:
 * near θ_y = 0 or π two ways of computing cos θ differ in the last ulp, which acos turns into
 * u/sin θ of angle (found: cos θ_y = 1 − 5e-12 gave 1.9e-10, θ_y = 1.6e-6 gave 2e-10).
 */
export function plainLossTolerance(p: HeadProblem): Tolerance {
  const { cos } = plainCosines(p);
  const kappa = Math.max(1, ...p.labels.flatMap((l, i) => (l >= 0 ? [acosCondition(cos[i][l])] : [])));
  return tolerance(1e-10, { u: UNIT_ROUNDOFF.float64, scale: 64, roundings: 16, condition: kappa });
}

/** relativeError(a, b) with plainLossTolerance(p)'s floor (compare with its rel, 1e-10). */
export const rel = (a: number, b: number, p: HeadProblem) => relativeError(a, b, plainLossTolerance(p).floor);
