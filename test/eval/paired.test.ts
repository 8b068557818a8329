import { describe, expect, it } from 'vitest';
import { pairedDifference, studentT975 } from '../../src/eval/paired.js';
import { ShapeError } from '../../src/tensor/errors.js';

describe('pairedDifference', () => {
  it('by hand: differences 1, 2, 3 → mean 2, s_d 1, half-width 4.303/√3', () => {
    const r = pairedDifference([11, 12, 13], [10, 10, 10]);
    const half = 4.303 / Math.sqrt(3);
    expect(r.n).toBe(3);
    expect(r.mean).toBe(2);
    // s_d = √((1 + 0 + 1)/2) = 1 exactly, so the interval is computed by the same operations as here
    expect([r.low, r.high]).toEqual([2 - half, 2 + half]);
  });

  it('pairing: a shared seed effect cancels (equal differences give a zero-width interval)', () => {
    expect(pairedDifference([70, 80, 90], [69, 79, 89])).toEqual({ mean: 1, low: 1, high: 1, n: 3 });
  });

  it('one pair has no interval; mismatched lengths are a ShapeError', () => {
    expect(pairedDifference([2], [1])).toEqual({ mean: 1, low: -Infinity, high: Infinity, n: 1 });
    expect(() => pairedDifference([1, 2], [1])).toThrow(ShapeError);
    expect(studentT975(2)).toBe(4.303);
    expect(studentT975(100)).toBe(1.96);
  });
});
