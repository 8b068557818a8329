/**
 * The fused fast path against the tape on the CPU reference (float64): loss, ∂L/∂X and ∂L/∂W at
 * float32 accuracy, over random shapes that are no multiple of any block size (rows pad to 4,
 * features to 8, classes to the chunk), several chunks with a ragged last one, one and two
 * threads, every fallback policy, both gradient modes, λ, interclass filtering and ignored rows.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { cpu } from '../../src/backend/cpu.js';
import { fastMarginHead, fastMarginHeadArrays } from '../../src/losses/fast-margin-head.js';
import { shutdownFastPool } from '../../src/backend/wasm/pool.js';
import { DomainError, LabelError, OptionError, ShapeError, marginLoss, valueAndGrad, type MarginOptions } from '../../src/index.js';
import { uniformIn } from '../support/arbitraries.js';
import { relativeError } from '../../src/check/tolerance.js';
import { headTolerance, headCosines, marginOptions } from '../support/head-samples.js';
import { RUN_WEIGHTS, runs } from '../support/runs.js';

afterAll(() => shutdownFastPool());

interface Problem { n: number; d: number; c: number; X: number[]; W: number[]; labels: number[] }

const problem: fc.Arbitrary<Problem> = fc
  .record({ n: fc.integer({ min: 1, max: 11 }), d: fc.integer({ min: 1, max: 21 }), c: fc.integer({ min: 1, max: 45 }) })
  .chain(({ n, d, c }) =>
    fc.record({
      n: fc.constant(n), d: fc.constant(d), c: fc.constant(c),
      X: fc.array(uniformIn(-2, 2), { minLength: n * d, maxLength: n * d }),
      W: fc.array(uniformIn(-2, 2), { minLength: c * d, maxLength: c * d }),
      labels: fc.array(fc.integer({ min: -1, max: c - 1 }), { minLength: n, maxLength: n }),
    }),
  );

/**
 * Float32 and float64 agree to ~1e-6 in cos θ, so the comparison needs every cosine away from the
 * places where f or its slope jumps or blows up: ±1 (f′ ∝ 1/sin θ), the 'thmm' and 'easy'
 * thresholds, the filtering threshold, and rows of norm ~0.
 */
function wellConditioned32(p: Problem, o: MarginOptions): boolean {
  for (let r = 0; r < p.n; r++) if (Math.hypot(...p.X.slice(r * p.d, r * p.d + p.d)) < 0.3) return false;
  for (let r = 0; r < p.c; r++) if (Math.hypot(...p.W.slice(r * p.d, r * p.d + p.d)) < 0.3) return false;
  const kinks = [1, -1, 0, Math.cos(Math.PI - (o.m2 ?? 0)), o.interclassFilteringThreshold ?? 0];
  for (let k = 0; k <= 4; k++) kinks.push(Math.cos((k * Math.PI - (o.m2 ?? 0)) / (o.m1 ?? 1)));
  return headCosines(p).every((v) => kinks.every((k) => Math.abs(v - k) > 2e-3));
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

function tape(p: Problem, o: MarginOptions) {
  const x = cpu.fromArray(p.X, [p.n, p.d], 'float64');
  const w = cpu.fromArray(p.W, [p.c, p.d], 'float64');
  const { value, grads } = valueAndGrad((a, b) => marginLoss(a, b, p.labels, o))(x, w);
  return { loss: value.item(), dX: grads[0].toTypedArray(), dW: grads[1].toTypedArray() };
}

describe('fastMarginHead', () => {
  it('agrees with the tape on the CPU reference at float32 accuracy (random shapes, chunks, threads, every option)', () => {
    fc.assert(
      fc.property(problem, marginOptions, fc.constantFrom(8, 16, 24, 256), fc.constantFrom(1, 2), (p, o, chunk, threads) => {
        fc.pre(wellConditioned32(p, o));
        const ref = tape(p, o);
        const got = fastMarginHeadArrays(p.X, p.W, Int32Array.from(p.labels), p.n, p.d, p.c, o, { chunk, threads });
        // s·cos θ carries float32's 6e-8 relative error times s ≤ 64 into every logit (measured
        // worst over 300 draws: 2e-8·s in the loss, 2e-7·s in the gradients). The target's logit
        // s·cos(m1·θ + m2) turns an error δθ of the angle into s·m1·|sin(m1·θ + m2)|·δθ: its
        // condition in θ is m1, so the bound scales with max(1, m1) (soak counterexample below:
        // s = 20.86, m1 = 3.37, 2.21e-5 against the m1-blind 2.19e-5).
        const tol = (1e-6 * (o.s ?? 1) + 1e-6) * Math.max(1, o.m1 ?? 1);
        const l = headTolerance(tol, p, o.s, 'loss', 'float32');
        expect(relativeError(got.loss, ref.loss, l.floor)).toBeLessThanOrEqual(l.rel);
        // A gradient that is small because its terms (each up to ~s/V) nearly cancel carries their
        // float32 error, which is absolute, not relative to the small result (found: s = 32.5, one
        // row, dX = 3.6e-4 off by 1.9e-6): the rule's floor for terms of scale s/V.
        const g = headTolerance(tol, p, o.s, 'gradient', 'float32');
        expect(relativeError(got.dX, ref.dX, g.floor)).toBeLessThanOrEqual(g.rel);
        expect(relativeError(got.dW, ref.dW, g.floor)).toBeLessThanOrEqual(g.rel);
      }),
      {
        numRuns: runs(RUN_WEIGHTS.fastHeadCpu),
        examples: [[
          {
            n: 3, d: 3, c: 8,
            X: [-0.19501876831054688, -0.33791351318359375, 0.5172939300537109, 0, 0, -0.3000011444091797, 1.9999713897705078, -0.6201610565185547, -1.9913654327392578],
            W: [0, -0.10415840148925781, -1.0767173767089844, -0.07035255432128906, -0.26816749572753906, 0.11461639404296875, 0, -0.024820327758789062, 0.29897308349609375, 0, 0.11029815673828125, 0.2789897918701172, 0, -0.025293350219726562, 0.2989330291748047, 0, 0.27759552001953125, -0.11375808715820312, 0, 0.1279296875, -0.27135658264160156, -1.8507251739501953, 0.39538002014160156, 1.7223129272460938],
            labels: [7, -1, 7],
          },
          { s: 20.856178760528564, m1: 3.368864059448242, m2: 0, m3: 0.25, gradient: 'exact', fallback: 'none', lambda: 0, interclassFilteringThreshold: 0 },
          8, 1,
        ]],
      },
    );
  });

  it('gives loss 0 and zero gradients when every row is ignored', () => {
    const r = fastMarginHeadArrays([1, 2, 3, 4], [1, 0, 0, 1, 1, 1], Int32Array.from([-1, -1]), 2, 2, 3, { s: 64, m2: 0.5 });
    expect(r.loss).toBe(0);
    expect(maxAbs(r.dX)).toBe(0);
    expect(maxAbs(r.dW)).toBe(0);
  });

  it('rejects out-of-range labels, non-finite inputs, wrong sizes and bad options with typed errors', () => {
    const X = [1, 2, 3, 4], W = [1, 0, 0, 1, 1, 1];
    const run = (x: number[], w: number[], labels: number[], fast = {}) => () => fastMarginHeadArrays(x, w, labels, 2, 2, 3, { s: 64, m2: 0.5 }, fast);
    expect(run(X, W, [0, 3])).toThrow(LabelError);
    expect(run(X, W, [0, -2])).toThrow(/label 1 is -2/);
    expect(run(X, W, [0, 0.5])).toThrow(LabelError);
    expect(run([1, Number.NaN, 3, 4], W, [0, 1])).toThrow(DomainError);
    expect(run(X, [1, 0, 0, Infinity, 1, 1], [0, 1])).toThrow(/W row 1 has a non-finite element/);
    expect(run(X, W.slice(1), [0, 1])).toThrow(ShapeError);
    expect(run(X, W, [0, 1], { chunk: 0 })).toThrow(OptionError);
    expect(run(X, W, [0, 1], { threads: 1.5 })).toThrow(OptionError);
    expect(() => fastMarginHeadArrays([], [], [], 0, 2, 3, { s: 64 })).toThrow(ShapeError);
  });

  it('takes tensors and returns float32 tensors', () => {
    const x = cpu.fromArray([1, 2, 3, 4, 0, 1], [2, 3], 'float64');
    const w = cpu.fromArray([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1], [4, 3], 'float64');
    const r = fastMarginHead(x, w, [0, 3], { s: 16, m2: 0.3 });
    const ref = tape({ n: 2, d: 3, c: 4, X: x.toArray(), W: w.toArray(), labels: [0, 3] }, { s: 16, m2: 0.3 });
    expect(r.dX.dtype).toBe('float32');
    expect(r.dW.shape).toEqual([4, 3]);
    const p = { d: 3, c: 4, labels: [0, 3] };
    const l = headTolerance(1e-5, p, 16, 'loss', 'float32');
    expect(relativeError(r.loss, ref.loss, l.floor)).toBeLessThanOrEqual(l.rel);
    const g = headTolerance(1e-4, p, 16, 'gradient', 'float32');
    expect(relativeError(r.dW.toTypedArray(), ref.dW, g.floor)).toBeLessThanOrEqual(g.rel);
  });
});
