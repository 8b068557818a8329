/**
 * conv2d beyond the registry's generated checks (gradients by finite differences, bad input,
 * float32, backends): against its definition written as plain loops — the quadruple sum and its
 * transpose for the VJP — and a 1×1 convolution against matmul.
 *
 * Tolerance (the one rule, src/check/tolerance.ts): the op and the loop add the same K products
 * in different orders (the gemm's tiles against the loop's order), so each result may differ by
 * K·u·Σ|products| (recursive summation's bound); the comparison's floor is that rounding error with
 * K the longest sum and Σ|products| bounded by K·max|a|·max|b| of the two factors.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cpu } from '../../src/backend/cpu.js';
import { UNIT_ROUNDOFF, relativeError, tolerance } from '../../src/check/tolerance.js';
import { conv2d } from '../../src/ops/conv2d.js';
import { matmul } from '../../src/ops/matmul.js';
import { reshape } from '../../src/ops/reshape.js';
import { vjp } from '../../src/tape/grad.js';
import { ShapeError, OptionError } from '../../src/tensor/errors.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { uniformIn } from '../support/arbitraries.js';
import { PROPERTY_RUNS } from '../support/runs.js';

const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** The rule's floor for sums of `terms` products of factors bounded by `a` and `b`. */
function sumTolerance(terms: number, a: number, b: number) {
  return tolerance(1e-12, { u: UNIT_ROUNDOFF.float64, scale: terms * a * b, roundings: terms });
}

function expectWithin(actual: Tensor, reference: ArrayLike<number>, t: { rel: number; floor: number }, what: string): void {
  const error = relativeError(actual.toArray(), reference, t.floor);
  expect(error, `${what}: relative error ${error} (floor ${t.floor})`).toBeLessThanOrEqual(t.rel);
}

/** conv2d, its dx and its dw as the loops of the definition (docs/ops.md#conv2d). */
function convLoops(x: number[], w: number[], dy: number[], n: number, h: number, wd: number, c: number, f: number, k: number) {
  const p = (k - 1) / 2;
  const y = new Float64Array(n * h * wd * f);
  const dx = new Float64Array(x.length);
  const dw = new Float64Array(w.length);
  for (let b = 0; b < n; b++) for (let i = 0; i < h; i++) for (let j = 0; j < wd; j++) for (let o = 0; o < f; o++) {
    const out = ((b * h + i) * wd + j) * f + o;
    for (let u = 0; u < k; u++) for (let v = 0; v < k; v++) for (let ch = 0; ch < c; ch++) {
      const yi = i + u - p, xj = j + v - p;
      if (yi < 0 || yi >= h || xj < 0 || xj >= wd) continue;
      const xi = ((b * h + yi) * wd + xj) * c + ch;
      const wi = o * k * k * c + (u * k + v) * c + ch;
      y[out] += x[xi] * w[wi];
      dx[xi] += dy[out] * w[wi];
      dw[wi] += dy[out] * x[xi];
    }
  }
  return { y, dx, dw };
}

const geometry = fc.record({
  n: fc.integer({ min: 1, max: 3 }),
  h: fc.integer({ min: 1, max: 6 }),
  w: fc.integer({ min: 1, max: 6 }),
  c: fc.integer({ min: 1, max: 3 }),
  f: fc.integer({ min: 1, max: 4 }),
  k: fc.constantFrom(1, 3, 5),
});

const withValues = (g: { n: number; h: number; w: number; c: number; f: number; k: number }) =>
  fc.record({
    g: fc.constant(g),
    x: fc.array(uniformIn(-2, 2), { minLength: g.n * g.h * g.w * g.c, maxLength: g.n * g.h * g.w * g.c }),
    w: fc.array(uniformIn(-2, 2), { minLength: g.f * g.k * g.k * g.c, maxLength: g.f * g.k * g.k * g.c }),
    dy: fc.array(uniformIn(-2, 2), { minLength: g.n * g.h * g.w * g.f, maxLength: g.n * g.h * g.w * g.f }),
  });

describe('conv2d', () => {
  it('equals the quadruple loop of its definition, forward and VJP (any size, kernel 1, 3 or 5, padding included)', () => {
    fc.assert(
      fc.property(geometry.chain(withValues), ({ g, x, w, dy }) => {
        const X = cpu.fromArray(x, [g.n, g.h * g.w * g.c], 'float64');
        const W = cpu.fromArray(w, [g.f, g.k * g.k * g.c], 'float64');
        const { value, grads } = vjp((a, b) => conv2d(a, b, { height: g.h, width: g.w, kernel: g.k }), [X, W], cpu.fromArray(dy, [g.n, g.h * g.w * g.f], 'float64'));
        const want = convLoops(x, w, dy, g.n, g.h, g.w, g.c, g.f, g.k);
        expect(value.shape).toEqual([g.n, g.h * g.w * g.f]);
        const taps = g.k * g.k * g.c;
        expectWithin(value, want.y, sumTolerance(taps, maxAbs(x), maxAbs(w)), 'y');
        expectWithin(grads[0], want.dx, sumTolerance(g.k * g.k * g.f, maxAbs(dy), maxAbs(w)), 'dx');
        expectWithin(grads[1], want.dw, sumTolerance(g.n * g.h * g.w, maxAbs(dy), maxAbs(x)), 'dw');
      }),
      { numRuns: PROPERTY_RUNS },
    );
  });

  it('with a 1×1 kernel is the matmul of the pixel rows [N·H·W, C] with wᵀ', () => {
    fc.assert(
      fc.property(geometry.map((g) => ({ ...g, k: 1 })).chain(withValues), ({ g, x, w }) => {
        const X = cpu.fromArray(x, [g.n, g.h * g.w * g.c], 'float64');
        const W = cpu.fromArray(w, [g.f, g.c], 'float64');
        const y = conv2d(X, W, { height: g.h, width: g.w, kernel: 1 });
        const pixels = matmul(reshape(X, [g.n * g.h * g.w, g.c]), W, { transB: true });
        expect(y.toArray()).toEqual(pixels.toArray()); // the same gemm on the same rows: bit for bit
      }),
      { numRuns: PROPERTY_RUNS },
    );
  });

  it('rejects a kernel that does not fit the channels, an even kernel and a width that is not H·W·C', () => {
    const x = cpu.fill([2, 2 * 3 * 2], 1, 'float64');
    expect(() => conv2d(x, cpu.fill([4, 9], 1, 'float64'), { height: 2, width: 3, kernel: 3 })).toThrow(ShapeError);
    expect(() => conv2d(x, cpu.fill([4, 8], 1, 'float64'), { height: 2, width: 3, kernel: 2 })).toThrow(OptionError);
    expect(() => conv2d(x, cpu.fill([4, 18], 1, 'float64'), { height: 5, width: 3, kernel: 3 })).toThrow(/^conv2d: x is \[2,12\], not \[N, H·W·C\]/);
    expect(() => conv2d(x, cpu.fill([4, 18], 1, 'float64'), { height: 0, width: 3, kernel: 3 })).toThrow(OptionError);
  });
});
