/**
 * l2Normalize over the whole float range: the direction of a row does not depend on its length,
 * so normalize(α·x) = normalize(x) and its VJP is the VJP at x divided by α — for α from 1e-9 to
 * the largest factor the dtype holds. The plain Σx² overflows beyond ‖x‖ ≈ 1.3e154 (float64) or
 * 1.8e19 (float32) and used to return 0 for such rows (x/∞): a silent wrong direction.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cpu } from '../../src/backend/cpu.js';
import { l2Normalize } from '../../src/ops/index.js';
import type { DType } from '../../src/tensor/dtype.js';
import { vjp } from '../../src/tape/grad.js';
import { relativeError } from '../../src/check/tolerance.js';
import { uniformIn } from '../support/arbitraries.js';
import { rowsAwayFromZero } from '../support/head-samples.js';
import { PROPERTY_RUNS } from '../support/runs.js';

const RUNS = PROPERTY_RUNS;

/** Rows with norm ≥ 0.3 and entries in [−2, 2] (so α·x stays finite for the α drawn below). */
const rowsArb = fc.record({ n: fc.integer({ min: 1, max: 4 }), d: fc.integer({ min: 1, max: 6 }) }).chain(({ n, d }) =>
  fc.record({
    n: fc.constant(n),
    d: fc.constant(d),
    x: rowsAwayFromZero(n, d),
    dy: fc.array(uniformIn(-1, 1), { minLength: n * d, maxLength: n * d }),
  }),
);

/** log10 of α: tiny (but rows stay above ε = 1e-12), ordinary, and beyond √MAX of each dtype. */
const SCALES: Record<DType, fc.Arbitrary<number>> = {
  float64: fc.oneof(uniformIn(-9, 3), uniformIn(150, 307)),
  float32: fc.oneof(uniformIn(-9, 3), uniformIn(19, 37)),
};
/** Relative agreement expected: a few roundings of the dtype (float32 also rounds α·x). */
const TOL: Record<DType, number> = { float64: 1e-14, float32: 2e-6 };

describe.each(['float64', 'float32'] as const)('l2Normalize in %s', (dtype) => {
  it('normalize(α·x) = normalize(x) and its VJP is the VJP at x over α, for α up to the top of the range', () => {
    fc.assert(
      fc.property(rowsArb, SCALES[dtype], ({ n, d, x, dy }, logAlpha) => {
        const alpha = 10 ** logAlpha;
        const xs = cpu.fromArray(x.map((v) => v * alpha), [n, d], dtype);
        const x1 = cpu.fromArray(xs.toArray().map((v) => v / alpha), [n, d], 'float64'); // the same direction, unscaled
        const dyT = cpu.fromArray(dy, [n, d], dtype);
        const scaled = vjp((t) => l2Normalize(t), [xs], dyT);
        const plain = vjp((t) => l2Normalize(t), [x1], cpu.fromArray(dy, [n, d], 'float64'));
        expect(relativeError(scaled.value.toArray(), plain.value.toArray())).toBeLessThan(TOL[dtype]);
        const g = scaled.grads[0].toArray().map((v) => v * alpha);
        // The VJP is a difference (dy minus its radial part) that can cancel: the floor is the size of
        // the terms, ‖dy‖∞ (dy = 0 gives exactly 0 on both sides, and any other value is wrong).
        const err = relativeError(g, plain.grads[0].toArray(), Math.max(...dy.map(Math.abs)));
        if (alpha * 2 * Math.sqrt(d) < (dtype === 'float32' ? 3e38 : 1.7e308) / 1e6) expect(err).toBeLessThan(dtype === 'float32' ? 1e-5 : 1e-13);
        else expect(scaled.grads[0].toArray().every(Number.isFinite)).toBe(true); // 1/α near the bottom of the range
      }),
      // dy = 0, which uniformIn(−1, 1) draws: once a 0/0 in this comparison.
      { numRuns: RUNS, examples: [[{ n: 1, d: 2, x: [0.8, -1.5], dy: [0, 0] }, 0], [{ n: 1, d: 1, x: [0.8], dy: [0] }, 2]] },
    );
  });

  it('rows whose squared norm overflows keep their direction ([1e200, 1e200] or [1e30, 1e30] → [√½, √½])', () => {
    const big = dtype === 'float64' ? 1e200 : 1e30;
    const y = l2Normalize(cpu.fromArray([big, big, 3 * big, -4 * big], [2, 2], dtype)).toArray();
    const expected = [Math.SQRT1_2, Math.SQRT1_2, 0.6, -0.8];
    y.forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThan(dtype === 'float64' ? 1e-15 : 1e-7));
  });

  it('a tiny ε keeps rows just above it exact (their squares would underflow)', () => {
    const eps = dtype === 'float64' ? 1e-300 : 1e-35;
    const v = dtype === 'float64' ? 3e-200 : 3e-25;
    const y = l2Normalize(cpu.fromArray([v, 4 * v / 3], [1, 2], dtype), eps).toArray();
    expect(Math.abs(y[0] - 0.6)).toBeLessThan(1e-6);
    expect(Math.abs(y[1] - 0.8)).toBeLessThan(1e-6);
  });
});
