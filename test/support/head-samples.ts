/** fast-check generators of margin-head problems (X, W, labels) and options, shared by the loss tests. */
import fc from 'fast-check';
import { UNIT_ROUNDOFF, tolerance, type Tolerance } from '../../src/check/tolerance.js';
import type { DType } from '../../src/tensor/dtype.js';
import { uniformIn } from './arbitraries.js';

/** One head problem. */
export interface HeadProblem {
  n: number;
  d: number;
  c: number;
  X: number[];
  W: number[];
  labels: number[];
}

/** Random problems with N ∈ [1,5], d ∈ [2,5], C ∈ [2,6], labels with some −1. */
export const headProblem = (maxC = 6): fc.Arbitrary<HeadProblem> =>
  fc.record({ n: fc.integer({ min: 1, max: 5 }), d: fc.integer({ min: 2, max: 5 }), c: fc.integer({ min: 2, max: maxC }) }).chain(({ n, d, c }) =>
    fc.record({
      n: fc.constant(n),
      d: fc.constant(d),
      c: fc.constant(c),
      X: rowsAwayFromZero(n, d),
      W: rowsAwayFromZero(c, d),
      labels: fc.array(fc.integer({ min: -1, max: c - 1 }), { minLength: n, maxLength: n }),
    }),
  );

/**
 * `rows`×d entries in [−2, 2] with every row's norm ≥ 0.3 (normalization is not smooth at 0). A
 * shorter row is replaced by its own fallback row, drawn without fast-check's bias towards small
 * values (entries ±[0.3, 2]): a constant repair ([0.8, 0, …]) would make duplicate rows — and
 * features exactly on their class center — common, which are the ill-conditioned cases the
 * properties do not mean to draw (they have their own tests).
 */
export function rowsAwayFromZero(rows: number, d: number): fc.Arbitrary<number[]> {
  const entries = fc.array(uniformIn(-2, 2), { minLength: rows * d, maxLength: rows * d });
  const fallbackEntry = fc.tuple(fc.boolean(), uniformIn(0.3, 2)).map(([negative, a]) => (negative ? -a : a));
  const fallback = fc.noBias(fc.array(fallbackEntry, { minLength: rows * d, maxLength: rows * d }));
  return fc.tuple(entries, fallback).map(([v, f]) => {
    const out = v.slice();
    for (let i = 0; i < rows; i++) {
      let r = 0;
      for (let k = 0; k < d; k++) r += out[i * d + k] ** 2;
      if (Math.sqrt(r) < 0.3) for (let k = 0; k < d; k++) out[i * d + k] = f[i * d + k];
    }
    return out;
  });
}

/** Random margin options covering every policy and both gradient modes. */
export const marginOptions = fc.record({
  s: uniformIn(1, 64),
  m1: fc.oneof(fc.constant(1), uniformIn(0.5, 4)),
  m2: fc.oneof(fc.constant(0), uniformIn(0, 0.8)),
  m3: fc.oneof(fc.constant(0), uniformIn(0, 0.5)),
  gradient: fc.constantFrom('exact' as const, 'straight-through' as const),
  fallback: fc.constantFrom('none' as const, 'thmm' as const, 'easy' as const, 'clamp' as const, 'psi' as const),
  lambda: fc.oneof(fc.constant(0), uniformIn(0, 10)),
  interclassFilteringThreshold: fc.oneof(fc.constant(0), uniformIn(0.1, 0.9)),
});

/** cos θ_ij of every row i of X and class j of W, row-major (N·C entries), computed in float64 from the plain arrays. */
export function headCosines(p: { n: number; d: number; c: number; X: number[]; W: number[] }): number[] {
  const out: number[] = [];
  for (let i = 0; i < p.n; i++) {
    for (let j = 0; j < p.c; j++) {
      let dot = 0, nx = 0, nw = 0;
      for (let k = 0; k < p.d; k++) {
        dot += p.X[i * p.d + k] * p.W[j * p.d + k];
        nx += p.X[i * p.d + k] ** 2;
        nw += p.W[j * p.d + k] ** 2;
      }
      out.push(dot / Math.sqrt(nx * nw));
    }
  }
  return out;
}

/**
 * True when every |cos θ_ij| ≤ 1 − 1e-4 (θ ≥ 0.014 from 0 and π). Closer to ±1 the problem is
 * ill-conditioned (f′ ∝ 1/sin θ) and, with m2 ≠ 0, the loss has a kink at θ = 0, so neither a
 * 1e-10 comparison nor a finite difference says anything there (the FD truncation error grows
 * like ε²/θ²); those strata are tested apart.
 */
export function wellConditioned(p: { n: number; d: number; c: number; X: number[]; W: number[] }): boolean {
  return !headCosines(p).some((cos) => Math.abs(cos) > 1 - 1e-4);
}

/**
 * True when no cosine sits within 1e-3 of a jump of the loss: the 'easy' switch at cos θ_y = 0,
 * the 'thmm' switch at cos θ_y = cos(π − m2), and the interclass filter's threshold t for the
 * non-target cosines. A finite difference across a jump measures the jump, not a derivative, and
 * two correct implementations may round a cosine to opposite sides of it.
 */
export function awayFromJumps(
  p: { n: number; d: number; c: number; X: number[]; W: number[]; labels: number[] },
  o: { fallback: string; m2: number; interclassFilteringThreshold: number },
): boolean {
  const cosines = headCosines(p);
  for (let i = 0; i < p.n; i++) {
    for (let j = 0; j < p.c; j++) {
      const cos = cosines[i * p.c + j];
      const near = (at: number) => Math.abs(cos - at) < 1e-3;
      if (j === p.labels[i]) {
        if (o.fallback === 'easy' && near(0)) return false;
        if (o.fallback === 'thmm' && near(Math.cos(Math.PI - o.m2))) return false;
      } else if (o.interclassFilteringThreshold > 0 && near(o.interclassFilteringThreshold)) return false;
    }
  }
  return true;
}

/**
 * The tolerance rule (docs/numerics.md §8) for a head's loss or gradients computed in `dtype`
 * against a float64 reference. The loss is a log-sum-exp of logits of scale s; a gradient entry
 * is a sum of terms of scale s/V (V the labelled rows). Either sums over the classes and the
 * feature dimensions, each term carrying a rounding, so a value that is small because it
 * saturates or its terms nearly cancel keeps their absolute error: abs = (C + d) · u · scale,
 * relative above.
 */
export function headTolerance(rel: number, p: { d: number; c: number; labels: readonly number[] }, s: number, of: 'loss' | 'gradient', dtype: DType): Tolerance {
  const labelled = Math.max(1, p.labels.filter((l) => l >= 0).length);
  return tolerance(rel, { u: UNIT_ROUNDOFF[dtype], scale: of === 'loss' ? s : s / labelled, roundings: p.c + p.d });
}
