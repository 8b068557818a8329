/**
 * maxPool2d beyond the registry's generated checks (which draw windows without ties): against the
 * 2×2 maximum written as a loop, with the gradient at exact ties following the first-tap rule of
 * docs/ops.md#maxpool2d. Both are copies of input values, so the comparison is exact.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cpu } from '../../src/backend/cpu.js';
import { maxPool2d } from '../../src/ops/max-pool2d.js';
import { vjp } from '../../src/tape/grad.js';
import { uniformIn } from '../support/arbitraries.js';
import { PROPERTY_RUNS } from '../support/runs.js';

describe('maxPool2d', () => {
  /** The 2×2 max and the first-tap winner of each window, as loops. */
  function poolLoops(x: number[], n: number, h: number, w: number, c: number) {
    const y: number[] = [];
    const winner: number[] = [];
    for (let b = 0; b < n; b++) for (let i = 0; i < h / 2; i++) for (let j = 0; j < w / 2; j++) for (let ch = 0; ch < c; ch++) {
      let best = -Infinity, at = -1;
      for (const [u, v] of [[0, 0], [0, 1], [1, 0], [1, 1]]) {
        const e = ((b * h + 2 * i + u) * w + 2 * j + v) * c + ch;
        if (x[e] > best) { best = x[e]; at = e; } // strictly greater: the first maximum wins
      }
      y.push(best);
      winner.push(at);
    }
    return { y, winner };
  }

  const pooled = fc
    .record({ n: fc.integer({ min: 1, max: 3 }), h2: fc.integer({ min: 1, max: 3 }), w2: fc.integer({ min: 1, max: 3 }), c: fc.integer({ min: 1, max: 3 }), ties: fc.boolean() })
    .chain((g) => {
      const size = g.n * 4 * g.h2 * g.w2 * g.c;
      // with ties: values from a set of three, so most windows hold repeated maxima
      const value = g.ties ? fc.constantFrom(-1, 0, 1) : uniformIn(-2, 2);
      return fc.record({ g: fc.constant(g), x: fc.array(value, { minLength: size, maxLength: size }), dy: fc.array(uniformIn(-2, 2), { minLength: size / 4, maxLength: size / 4 }) });
    });

  it('is the 2×2 window maximum, and sends each cotangent to the first maximal tap (ties included)', () => {
    fc.assert(
      fc.property(pooled, ({ g, x, dy }) => {
        const h = 2 * g.h2, w = 2 * g.w2;
        const X = cpu.fromArray(x, [g.n, h * w * g.c], 'float64');
        const { value, grads } = vjp((a) => maxPool2d(a, { height: h, width: w }), [X], cpu.fromArray(dy, [g.n, g.h2 * g.w2 * g.c], 'float64'));
        const want = poolLoops(x, g.n, h, w, g.c);
        expect(value.toArray()).toEqual(want.y);
        const dx = new Array<number>(x.length).fill(0);
        want.winner.forEach((e, m) => (dx[e] = dy[m]));
        expect(grads[0].toArray()).toEqual(dx); // copies, no arithmetic: exact
      }),
      { numRuns: PROPERTY_RUNS },
    );
  });

  it('rejects odd image sizes with a ShapeError', () => {
    expect(() => maxPool2d(cpu.fill([1, 9], 0, 'float64'), { height: 3, width: 3 })).toThrow(/^maxPool2d: 3×3 images do not tile/);
  });
});
