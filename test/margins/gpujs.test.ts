/**
 * Defined margins on the gpu.js backend: every example margin (and a user's margin), built from
 * registered ops only, runs through `createBackend('gpu.js:webasm')` in float32 and gives the
 * loss, dX and dW of the CPU float64 reference on the same (float32-rounded) inputs, within
 * float32 tolerance, with the running state updated the same way.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cpu } from '../../src/backend/cpu.js';
import { exampleMargins, valueAndGrad, type Backend, type DefinedMargin, type MarginParams, type Tensor } from '../../src/index.js';
import { createBackend } from '../../src/backend/index.js';
import { headProblem, wellConditioned } from '../support/head-samples.js';
import { softArc } from './fixtures/user-margin.js';
import { plainCosines } from './plain.js';
import { CONFORMANCE_RUNS } from '../support/runs.js';

const RUNS = CONFORMANCE_RUNS;

let gpu: Backend | undefined;
const backend = async () => (gpu ??= await createBackend('gpu.js:webasm'));

/** ‖a − b‖∞ / max(‖b‖∞, 1). */
const normwise = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let num = 0, den = 1;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / den;
};

const margins: [string, DefinedMargin<MarginParams, object>][] = [...Object.entries(exampleMargins), ['soft-arc (a user margin)', softArc as never]];

describe('defined margins on gpu.js:webasm (float32) against the CPU float64 reference', () => {
  it.each(margins)('%s: loss, dX, dW and the state within float32 tolerance', async (_name, margin) => {
    const b = await backend();
    expect(b.name).toBe('gpu.js:webasm');
    // s = 16 keeps the float32 rounding of s·cos θ (~s·6e-8) well inside the tolerance; MagFace's
    // bounds are set so that the random norms fall inside them (the gradient through ‖x‖ is used).
    const overrides = { s: 16, ...(margin.name === 'magface' ? { la: 0.2, ua: 5 } : {}) };
    await fc.assert(
      fc.asyncProperty(headProblem(), async (p) => {
        fc.pre(wellConditioned(p) && p.labels.some((l) => l >= 0));
        // CurricularFace's hard-negative mask jumps at cos θ_j = cos(θ_y + m): float32 and float64
        // cosines must not fall on opposite sides of it.
        if (margin.name === 'curricularface') {
          fc.pre(plainCosines(p).cos.every((row, i) => p.labels[i] < 0 || row.every((c) => Math.abs(c - Math.cos(Math.acos(row[p.labels[i]]) + 0.5)) > 1e-4)));
        }
        const X = p.X.map(Math.fround);
        const W = p.W.map(Math.fround);
        const run = (be: Backend, dtype: 'float32' | 'float64') => {
          const head = margin.head(overrides);
          const { value, grads } = valueAndGrad((x: Tensor, w: Tensor) => head.loss(x, w, p.labels))(be.fromArray(X, [p.n, p.d], dtype), be.fromArray(W, [p.c, p.d], dtype));
          return { loss: value.item(), dX: grads[0].toTypedArray(), dW: grads[1].toTypedArray(), state: head.saveState() };
        };
        const want = run(cpu, 'float64');
        const got = run(b, 'float32');
        expect(normwise([got.loss], [want.loss])).toBeLessThan(1e-4);
        expect(normwise(got.dX, want.dX)).toBeLessThan(1e-3);
        expect(normwise(got.dW, want.dW)).toBeLessThan(1e-3);
        const values = (s: unknown) => Object.values(s as Record<string, number>);
        expect(normwise(values(got.state), values(want.state))).toBeLessThan(1e-5);
      }),
      { numRuns: RUNS },
    );
  }, 120_000);
});
