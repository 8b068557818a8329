/**
 * float32 against float64 beyond the fixed problems of docs/reliability.md: random problems,
 * heads and scales s ∈ [1, 1024], targets anywhere, near or exactly at θ_y = 0 and π. The loss and
 * gradients stay finite everywhere; at ordinary angles they stay within the page's bounds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cpu } from '../../src/backend/cpu.js';
import { GpujsBackend } from '../../src/backend/gpujs/gpujs-backend.js';
import { PRECISION_HEADS, PRECISION_STRATA, measureCell, relativeToFloat64 } from '../../src/reliability/precision.js';
import { RUN_WEIGHTS, runs } from '../support/runs.js';

const webasm = new GpujsBackend('webasm'); // float32 inside every kernel

const RUNS = runs(RUN_WEIGHTS.precision);

describe('float32 against float64', () => {
  it('finite for every head, stratum and s ∈ [1, 1024], on the CPU reference and gpu.js; within 1e-6 (loss) and 1e-5 (gradients) at ordinary angles', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PRECISION_HEADS), fc.constantFrom(...PRECISION_STRATA), fc.integer({ min: 1, max: 1024 }), fc.integer({ min: 3, max: 1e6 }), fc.constantFrom(cpu, webasm), ([head, options], stratum, s, seed, backend) => {
        // The page's tables use seeds 1 and 2; every run here draws new problems.
        const c = measureCell(head, options, stratum, s, 1, seed, backend);
        expect(c.finite, `${head} ${stratum} s=${s} on ${backend.name}`).toBe(true);
        if (stratum === 'random') {
          expect(c.loss).toBeLessThan(1e-6);
          expect(c.grad).toBeLessThan(1e-5);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('the error measure floors tiny references at FLT_MIN and reads NaN as infinitely wrong', () => {
    expect(relativeToFloat64([0], [1e-110])).toBeLessThan(1e-70);
    expect(relativeToFloat64([1.1], [1])).toBeCloseTo(0.1, 12);
    expect(relativeToFloat64([Number.NaN], [1])).toBe(Infinity);
  });
});
