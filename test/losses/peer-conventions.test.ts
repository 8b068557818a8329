/**
 * The peers' conventions of the margin head (MarginOptions: scaleByFeatureNorm, scaleByWeightNorm,
 * subCenters, cosineEpsilon, angleCap): each one's value against its formula written out on plain
 * numbers, and the gradient of every combination against central finite differences.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cpu } from '../../src/backend/cpu.js';
import { marginLogits } from '../../src/losses/index.js';
import { angularMargin, defineMargin, gradcheck, marginLoss, mul, replaceColumns, reshape, subCenterArcFaceLoss, type MarginOptions } from '../../src/index.js';
import { OptionError } from '../../src/tensor/errors.js';
import { uniformIn } from '../support/arbitraries.js';
import { PROPERTY_RUNS } from '../support/runs.js';
import { headCosines, headProblem, marginOptions, wellConditioned, type HeadProblem } from '../support/head-samples.js';
import { UNIT_ROUNDOFF, relativeError, tolerance } from '../../src/check/tolerance.js'; // absolute where the expected values are all 0 (orthogonal rows give cos θ = 0 exactly)

const runs = PROPERTY_RUNS;

/** The conventions, each off or on (weight-norm scaling only with one sub-center: it is refused otherwise). */
const conventions = fc
  .record({
    scaleByFeatureNorm: fc.boolean(),
    scaleByWeightNorm: fc.boolean(),
    subCenters: fc.constantFrom(1, 2, 3),
    cosineEpsilon: fc.oneof(fc.constant(0), fc.constant(1e-5), uniformIn(0.01, 0.3)),
    angleCap: fc.oneof(fc.constant(0), fc.constant(3.14159), uniformIn(1.5, Math.PI)),
  })
  .map((c) => ({ ...c, scaleByWeightNorm: c.scaleByWeightNorm && c.subCenters === 1 }));

/** The problem with its W read as C/K classes of K sub-centers (labels folded into [0, C/K)). */
function withSubCenters(p: HeadProblem, k: number): HeadProblem & { classes: number } {
  const classes = p.c / k;
  return { ...p, classes, labels: p.labels.map((l) => (l < 0 ? l : l % classes)) };
}

/** cos θ_ij per class: the max over its sub-centers (plain numbers), with the clamp to [−1 + ε, 1 − ε]. */
function classCosines(p: HeadProblem & { classes: number }, k: number, epsilon: number): number[] {
  const all = headCosines(p);
  const out: number[] = [];
  for (let i = 0; i < p.n; i++) {
    for (let j = 0; j < p.classes; j++) {
      const subs = all.slice(i * p.c + j * k, i * p.c + j * k + k);
      out.push(Math.min(Math.max(Math.max(...subs), -1 + epsilon), 1 - epsilon));
    }
  }
  return out;
}

/**
 * True when no cosine is within 1e-3 of a kink the conventions add or the options have: two
 * sub-centers tied, a cosine at the clamp's bounds, a target angle at the cap, the 'easy' and
 * 'thmm' switches and the interclass filter's threshold. A finite difference across a kink
 * measures the kink.
 */
function awayFromKinks(p: HeadProblem & { classes: number }, o: { subCenters: number; cosineEpsilon: number; angleCap: number }, m: MarginOptions): boolean {
  const all = headCosines(p);
  const k = o.subCenters;
  for (let i = 0; i < p.n; i++) {
    for (let j = 0; j < p.classes; j++) {
      const subs = all.slice(i * p.c + j * k, i * p.c + j * k + k).sort((a, b) => b - a);
      if (subs.length > 1 && subs[0] - subs[1] < 1e-3) return false;
      const cos = subs[0];
      if (Math.abs(Math.abs(cos) - (1 - o.cosineEpsilon)) < 1e-3) return false;
      const c = Math.min(Math.max(cos, -1 + o.cosineEpsilon), 1 - o.cosineEpsilon);
      const near = (at: number) => Math.abs(c - at) < 1e-3;
      if (j === p.labels[i]) {
        if (o.angleCap > 0 && Math.abs((m.m1 ?? 1) * Math.acos(c) + (m.m2 ?? 0) - o.angleCap) < 1e-3) return false;
        if (m.fallback === 'easy' && near(0)) return false;
        if (m.fallback === 'thmm' && near(Math.cos(Math.PI - (m.m2 ?? 0)))) return false;
      } else if ((m.interclassFilteringThreshold ?? 0) > 0 && near(m.interclassFilteringThreshold ?? 0)) return false;
    }
  }
  return true;
}

const rowNorms = (v: number[], rows: number, d: number) =>
  Array.from({ length: rows }, (_, i) => Math.hypot(...v.slice(i * d, (i + 1) * d)));

function logitsOf(p: HeadProblem, o: MarginOptions): number[] {
  return marginLogits(cpu.fromArray(p.X, [p.n, p.d], 'float64'), cpu.fromArray(p.W, [p.c, p.d], 'float64'), p.labels, o).toArray();
}

describe('peer conventions of the margin head', () => {
  it('every combination: exact gradients agree with central finite differences', () => {
    fc.assert(
      fc.property(headProblem(6), marginOptions, conventions, (p0, m, conv) => {
        fc.pre(p0.c % conv.subCenters === 0 && wellConditioned(p0));
        const p = withSubCenters(p0, conv.subCenters);
        const o = { ...m, ...conv, gradient: 'exact' as const };
        fc.pre(awayFromKinks(p, conv, o));
        const f = (x: ReturnType<typeof cpu.fromArray>, w: ReturnType<typeof cpu.fromArray>) => marginLoss(x, w, p.labels, o);
        const x = cpu.fromArray(p.X, [p.n, p.d], 'float64');
        const w = cpu.fromArray(p.W, [p.c, p.d], 'float64');
        const result = gradcheck(f, [x, w], { directions: 3, seed: 3, rtol: 1e-5, atol: 1e-6 });
        if (!result.ok) throw new Error(JSON.stringify(result.inputs));
      }),
      { numRuns: runs * 2 },
    );
  });

  it('scaleByFeatureNorm and scaleByWeightNorm multiply logit ij by ‖x_i‖ and ‖w_j‖ of the raw inputs', () => {
    fc.assert(
      fc.property(headProblem(), marginOptions, fc.boolean(), fc.boolean(), (p, m, byX, byW) => {
        const plain = logitsOf(p, m);
        const scaled = logitsOf(p, { ...m, scaleByFeatureNorm: byX, scaleByWeightNorm: byW });
        const nx = rowNorms(p.X, p.n, p.d);
        const nw = rowNorms(p.W, p.c, p.d);
        const want = plain.map((v, idx) => v * (byX ? nx[Math.floor(idx / p.c)] : 1) * (byW ? nw[idx % p.c] : 1));
        expect(relativeError(scaled, want)).toBeLessThan(1e-14);
      }),
      { numRuns: runs },
    );
  });

  it('subCenters K: a class logit is s times the largest cosine of its K sub-centers (NormFace), and subCenterArcFaceLoss is that head', () => {
    fc.assert(
      fc.property(headProblem(6), fc.constantFrom(1, 2, 3), uniformIn(1, 64), (p0, k, s) => {
        fc.pre(p0.c % k === 0);
        const p = withSubCenters(p0, k);
        const got = logitsOf(p, { s, subCenters: k });
        // The one rule: a logit is s·cos of unit vectors, so its rounding is absolute, about
        // (d + 4)·u·s (a dot product of d terms ≤ 1, two normalizations, the scaling), however
        // small the cosine: a nearly orthogonal sub-center (cos ≈ 6e-6, the soak's
        // counterexample) differs by 3e-15 = 1.5e-11 relative while being right.
        const t = tolerance(1e-14, { u: UNIT_ROUNDOFF.float64, scale: s, roundings: p.d + 4 });
        expect(relativeError(got, classCosines(p, k, 0).map((v) => s * v), t.floor)).toBeLessThan(t.rel);
        const x = cpu.fromArray(p.X, [p.n, p.d], 'float64');
        const w = cpu.fromArray(p.W, [p.c, p.d], 'float64');
        if (p.labels.some((l) => l >= 0)) {
          expect(subCenterArcFaceLoss(x, w, p.labels, { k }).item()).toBe(marginLoss(x, w, p.labels, { s: 64, m2: 0.5, subCenters: k }).item());
        }
      }),
      {
        numRuns: runs,
        examples: [[{ n: 1, d: 4, c: 2, X: [0, 0, 0, -0.3000011444091797], W: [1.15, 1.15, 1.15, 1.15, 0.29692840576171875, 0, 0.042819976806640625, -0.0000019073486328125], labels: [0] }, 2, 32.5]],
      },
    );
  });

  it('cosineEpsilon clamps every cosine to [−1 + ε, 1 − ε]; angleCap makes the target cos(cap) − m3 where m1·θ + m2 > cap', () => {
    fc.assert(
      fc.property(headProblem(), uniformIn(0, 0.3), uniformIn(1.5, Math.PI), uniformIn(0, 1.5), uniformIn(0, 0.3), (p0, eps, cap, m2, m3) => {
        const p = withSubCenters(p0, 1);
        const got = logitsOf(p, { s: 1, m2, m3, cosineEpsilon: eps, angleCap: cap });
        const cos = classCosines(p, 1, eps);
        const want = cos.map((c, idx) => {
          const i = Math.floor(idx / p.c);
          return idx % p.c === p.labels[i] ? Math.cos(Math.min(Math.acos(c) + m2, cap)) - m3 : c;
        });
        expect(relativeError(got, want)).toBeLessThan(1e-12);
      }),
      { numRuns: runs },
    );
  });

  it("defineMargin's context gives ‖x_i‖ and ‖w_j‖ on the tape: a ‖x‖·‖w‖-scaled margin made with it is the head with both scalings", () => {
    const lSoftmax = defineMargin({
      name: 'test-norm-scaled-arcface',
      citation: 'test: ArcFace with the L-Softmax norm scaling',
      defaults: { s: 2, m2: 0.5 },
      targetLogit: (c, ctx) => angularMargin(c, { m1: 1, m2: ctx.params.m2, m3: 0 }),
      logits: (f, ctx) => mul(mul(replaceColumns(ctx.cosines, f, ctx.labels), reshape(ctx.featureNorms, [ctx.labels.length, 1])), ctx.weightNorms),
    });
    fc.assert(
      fc.property(headProblem(), (p) => {
        fc.pre(wellConditioned(p));
        const x = cpu.fromArray(p.X, [p.n, p.d], 'float64');
        const w = cpu.fromArray(p.W, [p.c, p.d], 'float64');
        const head = lSoftmax.head();
        const o = { s: 2, m2: 0.5, scaleByFeatureNorm: true, scaleByWeightNorm: true };
        expect(relativeError(head.logits(x, w, p.labels).toArray(), logitsOf(p, o))).toBeLessThan(1e-14);
        const result = gradcheck((a, b) => head.loss(a, b, p.labels), [x, w], { directions: 3, seed: 3, rtol: 1e-5, atol: 1e-6 });
        if (!result.ok) throw new Error(JSON.stringify(result.inputs));
      }),
      { numRuns: runs },
    );
  });

  it('refuses what has no meaning: K not a positive integer, W rows not C·K, ‖w_j‖ with sub-centers, ε ∉ [0, 1), cap ∉ [0, π]', () => {
    const x = cpu.fromArray([1, 0, 0, 1], [2, 2], 'float64');
    const w = cpu.fromArray([1, 0, 0, 1, 1, 1], [3, 2], 'float64');
    expect(() => marginLoss(x, w, [0, 0], { s: 1, subCenters: 1.5 })).toThrow(OptionError);
    expect(() => marginLoss(x, w, [0, 0], { s: 1, subCenters: 2 })).toThrow(/C·K rows/);
    expect(() => marginLoss(x, w, [0, 0], { s: 1, subCenters: 3, scaleByWeightNorm: true })).toThrow(/no single ‖w_j‖/);
    expect(() => marginLoss(x, w, [0, 0], { s: 1, cosineEpsilon: 1 })).toThrow(/cosineEpsilon/);
    expect(() => marginLoss(x, w, [0, 0], { s: 1, angleCap: 4 })).toThrow(/angleCap/);
    expect(() => marginLoss(x, w, [0, 0], { s: 1, scaleByFeatureNorm: 1 as unknown as boolean })).toThrow(/true or false/);
  });
});
