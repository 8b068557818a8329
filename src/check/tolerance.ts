/**
 * The one rule every comparison of a computed quantity with a reference follows — the tests,
 * `arcgrad check` and `arcgrad reliability` alike (docs/numerics.md, "The tolerance rule"):
 *
 *   error = ‖a − b‖∞ / max(‖b‖∞, floor),   pass when error ≤ rel.
 *
 * The floor is the magnitude below which the reference's own size says nothing about the error:
 * an absolute error of `abs` is what the computation cannot avoid, so `floor = abs / rel`, and
 *
 *   abs = k · u · scale · κ
 *
 * with u the unit roundoff of the dtype compared, scale the magnitude of the operands the
 * quantity is computed from (not of the result: a sum of large terms that cancels to 0 keeps the
 * terms' rounding), κ its condition number at that point (e.g. 1/sin θ for θ = arccos c, near
 * c = ±1) and k the roundings it passes through. Above the floor the comparison is relative;
 * below it, absolute. NaN anywhere, or arrays of different lengths, are infinitely wrong.
 */
import type { DType } from '../tensor/dtype.js';

/** The unit roundoff u of each dtype: half the distance from 1 to the next float (2⁻⁵³, 2⁻²⁴). */
export const UNIT_ROUNDOFF: Readonly<Record<DType, number>> = { float64: 2 ** -53, float32: 2 ** -24 };

/**
 * The smallest normal float32, 2⁻¹²⁶: below it float32 has no relative precision at all (a
 * float32 result that underflows to 0 is right), the floor of a measured float32 error.
 */
export const FLOAT32_MIN_NORMAL = 2 ** -126;

/** A tolerance: the relative error allowed and the floor of the reference's magnitude. */
export interface Tolerance {
  /** Largest relative error that passes. */
  rel: number;
  /** The reference magnitude below which the error is measured against the floor instead (0: purely relative). */
  floor: number;
}

/**
 * ‖a − b‖∞ / max(‖b‖∞, floor): 0 when a and b agree exactly (both 0 included), Infinity when
 * their lengths differ or either holds a NaN (or they disagree by an infinity).
 */
export function relativeError(a: ArrayLike<number> | number, b: ArrayLike<number> | number, floor = 0): number {
  const as = typeof a === 'number' ? [a] : a;
  const bs = typeof b === 'number' ? [b] : b;
  if (as.length !== bs.length) return Infinity;
  let num = 0;
  let den = 0;
  for (let i = 0; i < bs.length; i++) {
    if (as[i] === bs[i]) {
      den = Math.max(den, Math.abs(bs[i]));
      continue;
    }
    const d = Math.abs(as[i] - bs[i]);
    if (!Number.isFinite(d)) return Infinity;
    num = Math.max(num, d);
    den = Math.max(den, Math.abs(bs[i]));
  }
  return num === 0 ? 0 : num / Math.max(den, floor);
}

/** The inputs of the floor's derivation: abs = roundings · u · scale · condition. */
export interface FloorInputs {
  /** The unit roundoff of the computation (UNIT_ROUNDOFF[dtype]). */
  u: number;
  /** Magnitude of the operands the quantity is computed from (e.g. s for logits, Σ|terms| for a sum). */
  scale: number;
  /** Condition number of the quantity at this point (1 unless derived, e.g. acosCondition). */
  condition?: number;
  /** Roundings the error accumulates over (e.g. the length of a dot product); default 1. */
  roundings?: number;
}

/** The absolute error a computation cannot avoid: roundings · u · scale · condition. */
export function roundingError({ u, scale, condition = 1, roundings = 1 }: FloorInputs): number {
  return roundings * u * scale * condition;
}

/**
 * The tolerance `rel` with the floor that lets the rounding errors of `sources` (added: the parts
 * of a quantity, each with its own scale and conditioning) pass: floor = Σ roundingError / rel.
 * With no source the comparison is purely relative.
 */
export function tolerance(rel: number, ...sources: FloorInputs[]): Tolerance {
  return { rel, floor: sources.reduce((sum, inputs) => sum + roundingError(inputs), 0) / rel };
}

/** Whether a matches b under the rule: relativeError(a, b, t.floor) ≤ t.rel. */
export function withinTolerance(a: ArrayLike<number> | number, b: ArrayLike<number> | number, t: Tolerance): boolean {
  return relativeError(a, b, t.floor) <= t.rel;
}

/**
 * The condition number of θ = arccos c as an absolute error: |dθ/dc| = 1/√(1 − c²), capped where
 * c is within one rounding u of ±1 (1/√(2u), the slope at the float next to ±1): an error δ in c
 * moves θ by about δ·acosCondition(c).
 */
export function acosCondition(c: number, u: number = UNIT_ROUNDOFF.float64): number {
  return 1 / Math.sqrt(Math.max(1 - c * c, 2 * u));
}
