/**
 * float32 against float64 beyond the fixed problems of docs/reliability.md: random problems,
 * heads and scales s ∈ [1, 1024], targets anywhere, near or exactly at θ_y = 0 and π. The loss and
 * gradients stay finite everywhere; at ordinary angles they stay within the page's bounds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cpu } from '../../src/backend/cpu.js';
import { GpujsBackend } from '../../src/backend/gpujs/gpujs-backend.js';
import { PRECISION_HEADS, PRECISION_STRATA, measureCell } from '../../src/reliability/precision.js';
import { FLOAT32_MIN_NORMAL, UNIT_ROUNDOFF, relativeError } from '../../src/check/tolerance.js';
import { RUN_WEIGHTS, runs } from '../support/runs.js';

const webasm = new GpujsBackend('webasm'); // float32 inside every kernel

const RUNS = runs(RUN_WEIGHTS.precision);

describe('float32 against float64', () => {
  it('finite for every head, stratum and s ∈ [1, 1024], on the CPU reference and gpu.js; within 1e-6 (loss) and 1e-5 (gradients), or 10·u32·s for large s, at ordinary angles', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PRECISION_HEADS), fc.constantFrom(...PRECISION_STRATA), fc.integer({ min: 1, max: 1024 }), fc.integer({ min: 3, max: 1e6 }), fc.constantFrom(cpu, webasm), ([head, options], stratum, s, seed, backend) => {
        // The page's tables use seeds 1 and 2; every run here draws new problems.
        const c = measureCell(head, options, stratum, s, 1, seed, backend);
        expect(c.finite, `${head} ${stratum} s=${s} on ${backend.name}`).toBe(true);
        if (stratum === 'random') {
          // Besides a few roundings, a logit s·cos θ carries its cosine's rounding (a dot product of
          // d = 8 terms and the normalization: d + 2 roundings) times s, and softmax turns that
          // absolute error of the logits into the same relative error of the probabilities — of a
          // saturated loss, and of the gradient (found by the soak: NormFace, s = 641, 1.07e-5).
          const logits = (8 + 2) * UNIT_ROUNDOFF.float32 * s;
          expect(c.loss).toBeLessThan(Math.max(1e-6, logits));
          expect(c.grad).toBeLessThan(Math.max(1e-5, logits));
        }
      }),
      { numRuns: RUNS, examples: [[PRECISION_HEADS[0], 'random', 641, 573554, cpu]] },
    );
  });

  it('the error measure floors tiny references at FLT_MIN and reads NaN as infinitely wrong', () => {
    expect(relativeError([0], [1e-110], FLOAT32_MIN_NORMAL)).toBeLessThan(1e-70);
    expect(relativeError([1.1], [1], FLOAT32_MIN_NORMAL)).toBeCloseTo(0.1, 12);
    expect(relativeError([Number.NaN], [1], FLOAT32_MIN_NORMAL)).toBe(Infinity);
  });
});
