/**
 * Paired differences over seeds: the same seeds (same initialization and data order) trained with
 * two losses give paired measurements a_i, b_i; the mean of d_i = a_i − b_i with a 95 % Student-t
 * interval, mean ± t(0.975, n − 1) · s_d / √n, s_d the sample standard deviation (ddof = 1).
 * Pairing removes the seed-to-seed variation the two runs share.
 */
import { ShapeError } from '../tensor/errors.js';

/** t(0.975, df) for df = 1…30 (two-sided 95 %); beyond 30 the normal quantile is within 2 %. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074,
  2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** The two-sided 95 % quantile of Student's t with `df` degrees of freedom (table to 30, then 1.96). */
export function studentT975(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new ShapeError(`studentT975: df must be an integer ≥ 1, got ${df}`);
  return df <= T975.length ? T975[df - 1] : 1.96;
}

/** A mean difference with its 95 % interval. */
export interface PairedDifference {
  /** Mean of a_i − b_i. */
  mean: number;
  /** Lower end of the 95 % interval (−∞ with one pair: no spread to estimate). */
  low: number;
  /** Upper end (+∞ with one pair). */
  high: number;
  /** Number of pairs. */
  n: number;
}

/** The mean of a − b over paired measurements, with its 95 % Student-t interval. */
export function pairedDifference(a: readonly number[], b: readonly number[]): PairedDifference {
  if (a.length !== b.length || a.length === 0) throw new ShapeError(`pairedDifference: needs equally many paired values, got ${a.length} and ${b.length}`);
  const d = a.map((v, i) => v - b[i]);
  const n = d.length;
  const mean = d.reduce((s, v) => s + v, 0) / n;
  if (n === 1) return { mean, low: -Infinity, high: Infinity, n };
  const sd = Math.sqrt(d.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  const half = (studentT975(n - 1) * sd) / Math.sqrt(n);
  return { mean, low: mean - half, high: mean + half, n };
}
