/**
 * Generated from the op registry: for every op and every case of its declared domain, the VJP
 * agrees with central finite differences in float64 along random directions (JAX's check_vjp),
 * and every gradient has its input's shape. A failing property prints its seed and the shrunk
 * counterexample.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allOps } from '../../src/ops/index.js';
import { gradcheck } from '../../src/tape/gradcheck.js';
import { vjp } from '../../src/tape/grad.js';
import { cpu } from '../../src/backend/cpu.js';
import { sampleArbitrary, sampleTensors } from '../support/arbitraries.js';
import { PROPERTY_RUNS, RUN_WEIGHTS, runs } from '../support/runs.js';

const NUM_RUNS = PROPERTY_RUNS;

describe.each(allOps.map((op) => [op.name, op] as const))('%s', (_name, op) => {
  it('declares at least one domain case', () => {
    expect(op.domain.length).toBeGreaterThan(0);
  });

  describe.each(op.domain.map((c) => [c.name, c] as const))('case %s', (_case, domainCase) => {
    it('VJP agrees with central differences (float64)', () => {
      fc.assert(
        fc.property(sampleArbitrary(domainCase), (sample) => {
          const inputs = sampleTensors(sample);
          const names = op.inputs;
          const f = (...xs: ReturnType<typeof cpu.fill>[]) =>
            op.apply(Object.fromEntries(names.map((n, i) => [n, xs[i]])), sample.attrs);
          const result = gradcheck(f, names.map((n) => inputs[n]), { directions: 3, seed: 7 });
          for (const r of result.inputs) {
            if (!r.ok) throw new Error(`${op.name} input '${names[r.index]}': ${JSON.stringify(r)}`);
          }
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('every gradient has its input shape', () => {
      fc.assert(
        fc.property(sampleArbitrary(domainCase), (sample) => {
          const inputs = sampleTensors(sample);
          const xs = op.inputs.map((n) => inputs[n]);
          const f = (...args: typeof xs) => op.apply(Object.fromEntries(op.inputs.map((n, i) => [n, args[i]])), sample.attrs);
          const y = f(...xs);
          const { grads } = vjp(f, xs, cpu.fill(y.shape, 1, 'float64'));
          grads.forEach((g, i) => expect(g.shape).toEqual(xs[i].shape));
        }),
        { numRuns: runs(RUN_WEIGHTS.gradientShapes) },
      );
    });
  });
});
