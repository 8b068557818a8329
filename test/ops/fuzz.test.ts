/**
 * Every registered op, fuzzed beyond its domain: each sample of the op's domain is pushed to the
 * edges of floating point — entries replaced by ±0, ±1, huge, tiny or subnormal values, or the
 * whole input scaled by up to 1e300 — in float64 and float32. Forward and backward must each end
 * in a finite result of the right shape or a typed error naming the op; nothing else (no NaN or
 * ±Inf handed back, no TypeError or RangeError). Generated from the registry, so a new op is
 * fuzzed without writing anything here.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cpu } from '../../src/backend/cpu.js';
import { allOps } from '../../src/ops/index.js';
import type { DType } from '../../src/tensor/dtype.js';
import { ArcgradError } from '../../src/tensor/errors.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { vjp } from '../../src/tape/grad.js';
import { applyOp, sampleArbitrary } from '../support/arbitraries.js';
import { RUN_WEIGHTS, runs } from '../support/runs.js';

const RUNS = runs(RUN_WEIGHTS.opsFuzz);

const EDGE = [0, -0, 1, -1, 1e300, -1e300, 1e-300, 5e-324, 3.4e38, -3.4e38, 1e30, 1e-30, 1 - 2 ** -53, -1 + 2 ** -53];

/** How a sample is pushed to the edge: some entries replaced, or everything scaled. */
const mutation = fc.record({
  replace: fc.array(fc.tuple(fc.nat(), fc.constantFrom(...EDGE)), { maxLength: 3 }),
  scale: fc.constantFrom(1, 1, 1e-300, 1e-30, 1e20, 1e40, 1e150, 1e300),
  dtype: fc.constantFrom<DType>('float64', 'float32'),
});

const cases = allOps.flatMap((op) => op.domain.map((c) => [`${op.name} / ${c.name}`, op, c] as const));

describe.each(cases)('%s at the edges of floating point', (_label, op, domainCase) => {
  it('forward and backward: a finite result of the right shape, or a typed error naming the op', () => {
    fc.assert(
      fc.property(sampleArbitrary(domainCase), mutation, (s, m) => {
        const inputs: Record<string, Tensor> = {};
        for (const [name, v] of Object.entries(s.values)) {
          const data = v.data.map((x) => x * m.scale);
          for (const [k, edge] of m.replace) if (data.length > 0) data[k % data.length] = edge;
          inputs[name] = cpu.fromArray(data, v.shape, m.dtype);
        }
        const xs = op.inputs.map((n) => inputs[n]);
        const f = (...args: Tensor[]) => applyOp(op, Object.fromEntries(op.inputs.map((n, i) => [n, args[i]])), s.attrs);
        let y: Tensor;
        try {
          y = f(...xs);
          expect(cpu.allFinite(y)).toBe(true);
          const { grads } = vjp(f, xs, cpu.fill(y.shape, 1, m.dtype));
          grads.forEach((g, i) => {
            expect(g.shape).toEqual(xs[i].shape);
            expect(cpu.allFinite(g)).toBe(true);
          });
        } catch (e) {
          if (!(e instanceof ArcgradError)) throw e;
          expect(e.message).toMatch(/^\w+: /);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
