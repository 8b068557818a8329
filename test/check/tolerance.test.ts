/** The one tolerance rule (src/check/tolerance.ts, docs/numerics.md §8). */
import { describe, expect, it } from 'vitest';
import { UNIT_ROUNDOFF, acosCondition, relativeError, roundingError, tolerance, withinTolerance } from '../../src/check/tolerance.js';

describe('relativeError', () => {
  it('is ‖a − b‖∞ / ‖b‖∞ above the floor and absolute/floor below it', () => {
    expect(relativeError([1, 2.5], [1, 2])).toBe(0.25);
    expect(relativeError([1e-12], [0], 1e-6)).toBeCloseTo(1e-6, 18);
    expect(relativeError([3, 4.5], [3, 4], 100)).toBe(0.005);
  });
  it('is 0 for equal arrays, zeros included, and Infinity for NaN or different lengths', () => {
    expect(relativeError([0, 0], [0, 0])).toBe(0);
    expect(relativeError(5, 5)).toBe(0);
    expect(relativeError([1e-300], [0])).toBe(Infinity);
    expect(relativeError([NaN], [1])).toBe(Infinity);
    expect(relativeError([1], [NaN])).toBe(Infinity);
    expect(relativeError([Infinity], [Infinity])).toBe(0);
    expect(relativeError([Infinity], [1])).toBe(Infinity);
    expect(relativeError([1, 2], [1])).toBe(Infinity);
  });
});

describe('the floor', () => {
  it('lets exactly the derived rounding error pass: rel·floor = k·u·scale·κ', () => {
    const inputs = { u: UNIT_ROUNDOFF.float64, scale: 64, condition: 1e5, roundings: 8 };
    const abs = roundingError(inputs);
    expect(abs).toBe(8 * 2 ** -53 * 64 * 1e5);
    const t = tolerance(1e-6, inputs);
    expect(withinTolerance([abs], [0], t)).toBe(true);
    expect(withinTolerance([abs * 1.01], [0], t)).toBe(false);
    expect(withinTolerance([1 + 1e-7], [1], t)).toBe(true);
    expect(withinTolerance([1 + 2e-6], [1], t)).toBe(false);
  });
  it('acosCondition is 1/sin θ, capped at 1/√(2u) next to ±1', () => {
    expect(acosCondition(0)).toBe(1);
    expect(acosCondition(Math.cos(1e-3))).toBeCloseTo(1 / Math.sin(1e-3), 3);
    expect(acosCondition(1)).toBe(1 / Math.sqrt(2 * 2 ** -53));
    expect(acosCondition(-1, UNIT_ROUNDOFF.float32)).toBe(1 / Math.sqrt(2 * 2 ** -24));
  });
});
