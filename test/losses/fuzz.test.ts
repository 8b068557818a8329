/**
 * Fuzzing the public loss API: arbitrary shapes (empty, mismatched, C = 1), values (NaN, ±Inf,
 * ±0, huge, tiny, rows exactly along or against a class center), labels (−1 everywhere, out of
 * range, not integers, the wrong count, not an array), options (s from 0 to 1e300, NaN, margins
 * far outside the papers') and arguments that are not tensors at all. Every call must end in one
 * of two ways:
 *
 * - a value: a finite loss and finite gradients of the inputs' shapes, or
 * - a typed error (an ArcgradError) whose message starts with the function or op that refused.
 *
 * Never a TypeError or RangeError from deep inside, never NaN or ±Inf handed back. Where the
 * answer is known whatever the values (C = 1, every row ignored), it is checked too.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { cpu } from '../../src/backend/cpu.js';
import {
  angularTripletLoss, arcface, combined, combinedMargin, cosface, interLoss, intraLoss, normface, sampledMarginLoss,
  softmaxLoss, sphereface, subCenterArcFaceLoss, type MarginOptions,
} from '../../src/losses/index.js';
import { exampleMargins } from '../../src/margins/index.js';
import type { DType } from '../../src/tensor/dtype.js';
import { ArcgradError } from '../../src/tensor/errors.js';
import { Random } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { valueAndGrad } from '../../src/tape/grad.js';
import { uniformIn } from '../support/arbitraries.js';
import { RUN_WEIGHTS, runs } from '../support/runs.js';

const RUNS = runs(RUN_WEIGHTS.lossFuzz);

/** Numbers that break naive code. */
const NASTY = [0, -0, 1, -1, Number.NaN, Infinity, -Infinity, 1e300, -1e300, 1e-300, 5e-324, 3.4e38, 1e30, -1e30, 1e-30];
const nasty = fc.constantFrom(...NASTY);
/** Mostly ordinary values, sometimes nasty ones. */
const value = fc.oneof({ weight: 6, arbitrary: uniformIn(-2, 2) }, { weight: 1, arbitrary: nasty });

/** A tensor argument: usually an [r, c] matrix (possibly empty), sometimes of another rank, or not a tensor. */
type Arg = { kind: 'tensor'; shape: number[]; data: number[] } | { kind: 'junk'; value: unknown };
const dim = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 1, max: 4 }) }, { weight: 1, arbitrary: fc.constant(0) });
const tensorArg = (rows: fc.Arbitrary<number>, cols: fc.Arbitrary<number>, finite: boolean): fc.Arbitrary<Arg> =>
  fc.tuple(rows, cols).chain(([r, c]) =>
    fc
      .array(finite ? uniformIn(-2, 2) : value, { minLength: r * c, maxLength: r * c })
      .map((data): Arg => ({ kind: 'tensor', shape: [r, c], data })),
  );
const junk: fc.Arbitrary<Arg> = fc
  .constantFrom<unknown>(null, undefined, 3, 'x', [[1, 2]], {}, { shape: [1, 2] })
  .map((v): Arg => ({ kind: 'junk', value: v }));

/** Labels for `n` rows of `c` classes: valid, all −1, or broken in one of the ways users break them. */
const labelsFor = (n: number, c: number): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.array(fc.integer({ min: -1, max: Math.max(0, c - 1) }), { minLength: n, maxLength: n }) },
    { weight: 1, arbitrary: fc.constant(Array(n).fill(-1)) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.array(fc.integer({ min: 0, max: Math.max(0, c - 1) }), { minLength: n, maxLength: n }), fc.constantFrom<unknown>(c, -2, 0.5, Number.NaN, 2 ** 40, '0', null, Infinity))
        .map(([l, bad]) => (n === 0 ? [bad] : [bad, ...l.slice(1)])),
    },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 'abc', 5, [], Array(n + 1).fill(0), new Float64Array(n)) },
  );

/** Margin options: published ranges and the extremes of s; sometimes one field broken. */
const BROKEN: Record<string, unknown[]> = {
  s: [0, -1, Number.NaN, Infinity, '64'],
  m1: [Number.NaN, -Infinity],
  m2: [Infinity, null],
  m3: [Number.NaN],
  fallback: ['nope', 3],
  gradient: ['approximate'],
  lambda: [-1, Number.NaN],
  interclassFilteringThreshold: [Infinity],
  eps: [0, -1e-12, Number.NaN],
};
const options: fc.Arbitrary<MarginOptions> = fc
  .record(
    {
      s: fc.constantFrom(1, 16, 30, 64, 128, 256, 1024, 1e300),
      m1: fc.constantFrom(1, 1.35, 4, 0, -2, 1e6),
      m2: fc.constantFrom(0, 0.3, 0.5, -1, 10, 1e10),
      m3: fc.constantFrom(0, 0.2, 0.35, -1, 5, 1e308),
      fallback: fc.constantFrom('none' as const, 'thmm' as const, 'easy' as const, 'clamp' as const, 'psi' as const),
      gradient: fc.constantFrom('exact' as const, 'straight-through' as const),
      lambda: fc.constantFrom(0, 5, 1e308),
      interclassFilteringThreshold: fc.constantFrom(0, 0.4, -1, 2),
      eps: fc.constantFrom(1e-12, 1e-300, 1e300),
    },
    { requiredKeys: ['s'] },
  )
  .chain((o) =>
    fc.oneof(
      { weight: 5, arbitrary: fc.constant(o) },
      { weight: 1, arbitrary: fc.constantFrom(...Object.keys(BROKEN)).chain((k) => fc.constantFrom(...BROKEN[k]).map((v) => ({ ...o, [k]: v }) as MarginOptions)) },
    ),
  );

/** A whole problem: X [n,d] and W [c,d] (sometimes mismatched or not tensors), labels, options, dtype. */
const problem = fc
  .record({ n: dim, c: dim, d: dim, dtype: fc.constantFrom<DType>('float64', 'float32'), finite: fc.boolean() })
  .chain(({ n, c, d, dtype, finite }) =>
    fc.record({
      n: fc.constant(n),
      c: fc.constant(c),
      dtype: fc.constant(dtype),
      x: fc.oneof({ weight: 12, arbitrary: tensorArg(fc.constant(n), fc.constant(d), finite) }, { weight: 1, arbitrary: tensorArg(dim, dim, finite) }, { weight: 1, arbitrary: junk }),
      w: fc.oneof({ weight: 12, arbitrary: tensorArg(fc.constant(c), fc.constant(d), finite) }, { weight: 1, arbitrary: junk }),
      labels: labelsFor(n, c),
      options,
      /** Plant rows of X exactly along (+1) or against (−1) their class center: cos θ_y = ±1. */
      align: fc.constantFrom(0, 1, -1),
    }),
  );

type Problem = typeof problem extends fc.Arbitrary<infer P> ? P : never;

function materialize(a: Arg, dtype: DType): unknown {
  return a.kind === 'junk' ? a.value : cpu.fromArray(a.data, a.shape, dtype);
}

function plantAligned(x: Arg, w: Arg, labels: unknown, sign: number): void {
  if (sign === 0 || x.kind !== 'tensor' || w.kind !== 'tensor' || !Array.isArray(labels)) return;
  const [n, d] = x.shape;
  if (w.shape[1] !== d) return;
  labels.forEach((y, i) => {
    if (i < n && Number.isInteger(y) && y >= 0 && y < w.shape[0]) {
      for (let k = 0; k < d; k++) x.data[i * d + k] = sign * 2 * w.data[y * d + k];
    }
  });
}

type Outcome = { kind: 'value'; loss: number } | { kind: 'error'; error: ArcgradError };

/** Runs a loss under valueAndGrad; a value must be finite with finite, well-shaped gradients. */
function outcome(f: (...t: Tensor[]) => Tensor, args: unknown[]): Outcome {
  try {
    // Not-tensors go straight to the function: valueAndGrad would refuse them itself.
    if (args.some((a) => !(a instanceof Tensor))) {
      f(...(args as Tensor[]));
      throw new Error(`accepted an argument that is not a tensor: ${args.map((a) => String(a)).join(', ')}`);
    }
    const { value: v, grads } = valueAndGrad(f)(...(args as Tensor[]));
    const loss = v.item();
    expect(Number.isFinite(loss), `loss ${loss}`).toBe(true);
    grads.forEach((g, i) => {
      expect(g.shape).toEqual((args[i] as Tensor).shape);
      expect(g.toArray().every(Number.isFinite), `gradient ${i} not finite`).toBe(true);
    });
    return { kind: 'value', loss };
  } catch (e) {
    if (!(e instanceof ArcgradError)) throw e; // a TypeError, RangeError… is a bug: fail with it
    expect(e.message, 'names the function or op').toMatch(/^[A-Za-z][\w.-]*( \([\w ]+\))?: /);
    return { kind: 'error', error: e };
  }
}

const heads = { normface, sphereface, cosface, arcface, combined };

/** Outcomes seen, so that a generator that only ever produces errors fails the test. */
const seen = { value: 0, error: 0 };
function tally(r: Outcome): Outcome {
  seen[r.kind]++;
  return r;
}
afterAll(() => {
  expect(seen.value, 'fuzzing that never reaches a value tests nothing').toBeGreaterThan((seen.value + seen.error) / 5);
  expect(seen.error).toBeGreaterThan((seen.value + seen.error) / 10);
});

describe('fuzzing the losses: a finite value or a typed error, never a crash or NaN', () => {
  it.each(Object.keys(heads))('preset %s with overrides', (name) => {
    fc.assert(
      fc.property(problem, (p) => {
        plantAligned(p.x, p.w, p.labels, p.align);
        let head;
        try {
          head = heads[name as keyof typeof heads](p.options);
        } catch (e) {
          expect(e).toBeInstanceOf(ArcgradError);
          return;
        }
        const r = tally(outcome((x, w) => head.loss(x, w, p.labels as number[]), [materialize(p.x, p.dtype), materialize(p.w, p.dtype)]));
        // Known answers: with one class, or with every row ignored, the loss and gradients are 0.
        if (r.kind === 'value' && (p.c === 1 || (p.labels as number[]).every((l) => l === -1))) expect(r.loss).toBe(0);
      }),
      { numRuns: RUNS },
    );
  });

  it.each(Object.keys(exampleMargins))('defined margin %s (defineMargin): a value or a typed error, and a failed call leaves its state as it was', (name) => {
    const margin = exampleMargins[name as keyof typeof exampleMargins];
    fc.assert(
      fc.property(problem, fc.constantFrom(1, 16, 64, 128, 1024, 1.5e308), fc.boolean(), (p, s, reference) => {
        plantAligned(p.x, p.w, p.labels, p.align);
        const overrides = { ...(reference ? margin.reference?.overrides : {}), s } as never;
        const args = [materialize(p.x, p.dtype), materialize(p.w, p.dtype)] as Tensor[];
        // The forward pass alone: when it throws, the running statistics are as they were.
        const head = margin.head(overrides);
        const before = JSON.stringify(head.saveState());
        try {
          head.loss(args[0], args[1], p.labels as number[]);
        } catch (e) {
          if (!(e instanceof ArcgradError)) throw e;
          expect(JSON.stringify(head.saveState())).toBe(before);
        }
        // Forward and backward (a fresh head): a value or a typed error.
        const fresh = margin.head(overrides);
        const r = tally(outcome((x, w) => fresh.loss(x, w, p.labels as number[]), args));
        if (r.kind === 'value' && (p.c === 1 || (p.labels as number[]).every((l) => l === -1)) && name !== 'magface') expect(r.loss).toBe(0);
      }),
      { numRuns: RUNS },
    );
  });

  it('combinedMargin, softmaxLoss, sampled, sub-center, intra/inter and triplet losses', () => {
    const rng = new Random(7);
    const losses: [string, (p: Problem) => [(...t: Tensor[]) => Tensor, unknown[]]][] = [
      ['combinedMargin', (p) => [(x, w) => combinedMargin(p.options).loss(x, w, p.labels as number[]), [p.x, p.w]]],
      ['softmaxLoss', (p) => [(x, w, b) => softmaxLoss(x, w, b, p.labels as number[]), [p.x, p.w, { kind: 'tensor', shape: [p.c], data: Array(p.c).fill(0.1) }]]],
      ['sampledMarginLoss', (p) => [(x, w) => sampledMarginLoss(x, w, p.labels as number[], p.options, { sampleRate: 0.5, rng }), [p.x, p.w]]],
      ['subCenterArcFaceLoss', (p) => [(x, w) => subCenterArcFaceLoss(x, w, p.labels as number[], { ...p.options, k: 1 }), [p.x, p.w]]],
      ['intraLoss', (p) => [(x, w) => intraLoss(x, w, p.labels as number[], { s: p.options.s }), [p.x, p.w]]],
      ['interLoss', (p) => [(x, w) => interLoss(x, w, p.labels as number[], { s: p.options.s }), [p.x, p.w]]],
      ['angularTripletLoss', (p) => [(a, b, c) => angularTripletLoss(a, b, c), [p.x, p.x, p.w]]],
    ];
    fc.assert(
      fc.property(problem, fc.constantFrom(...losses), (p, [, make]) => {
        plantAligned(p.x, p.w, p.labels, p.align);
        const [f, args] = make(p);
        tally(outcome(f, (args as Arg[]).map((a) => materialize(a, p.dtype))));
      }),
      { numRuns: RUNS * 3 },
    );
  });
});
