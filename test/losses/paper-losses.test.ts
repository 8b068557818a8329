/** The ArcFace paper's §2.3 losses and sub-center ArcFace: values written out directly, and gradients checked. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cpu } from '../../src/backend/cpu.js';
import { angularTripletLoss, arcface, gradcheck, interLoss, intraLoss, normface, subCenterArcFaceLoss, tensor, type Tensor } from '../../src/index.js';
import { UNIT_ROUNDOFF, acosCondition, relativeError, tolerance } from '../../src/check/tolerance.js';
import { headProblem, wellConditioned, type HeadProblem } from '../support/head-samples.js';
import { uniformIn } from '../support/arbitraries.js';
import { runs } from '../support/runs.js';

const unit = (v: number[]) => { const r = Math.hypot(...v); return v.map((a) => a / r); };
const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i], 0);
const rows = (m: number[], d: number) => Array.from({ length: m.length / d }, (_, i) => m.slice(i * d, (i + 1) * d));

/** Intra-Loss and Inter-Loss written out directly (float64, acos of clamped cosines). */
function directLosses(p: HeadProblem) {
  const x = cpu.fromArray(p.X, [p.n, p.d], 'float64');
  const w = cpu.fromArray(p.W, [p.c, p.d], 'float64');
  const base = normface().loss(x, w, p.labels).item();
  const xs = rows(p.X, p.d).map(unit);
  const ws = rows(p.W, p.d).map(unit);
  const kept = p.labels.map((l, i) => [l, i]).filter(([l]) => l >= 0);
  const targetCosines = kept.map(([l, i]) => dot(xs[i], ws[l]));
  const centerCosines = kept.flatMap(([l]) => ws.flatMap((wj, j) => (j === l ? [] : [dot(ws[l], wj)])));
  const angle = (c: number) => Math.acos(Math.min(1, Math.max(-1, c)));
  const intra = base + targetCosines.reduce((sum, c) => sum + angle(c), 0) / (Math.PI * kept.length);
  const inter = base - centerCosines.reduce((sum, c) => sum + angle(c), 0) / (Math.PI * kept.length * (p.c - 1));
  return { x, w, intra, inter, targetCosines, centerCosines };
}

/**
 * The tolerance rule (docs/numerics.md §8) for these losses: rel = 1e-12 (two float64 formulas),
 * floor from the NormFace part (logits of scale s = 64 through a log-sum-exp of C terms) plus the
 * angles: a cosine of unit rows carries ~2d + 4 roundings, which arccos amplifies by its condition
 * number 1/sin θ at the worst cosine (up to 1/√(2u) for θ = 0 or π: features on their center,
 * duplicate centers). Inter-Loss is a difference that can cancel to about 0, so its floor is
 * absolute in the terms' scale, not relative to the small result.
 */
function lossTolerance(p: HeadProblem, cosines: number[]) {
  const u = UNIT_ROUNDOFF.float64;
  const kappa = Math.max(1, ...cosines.map((c) => acosCondition(c)));
  return tolerance(1e-12, { u, scale: 64, roundings: p.c + 4 }, { u, scale: 1, condition: kappa, roundings: 2 * p.d + 4 });
}

/** A problem from its rows (n, d, c read off the arrays). */
const problemOf = (X: number[][], W: number[][], labels: number[]): HeadProblem => ({ n: X.length, d: X[0].length, c: W.length, X: X.flat(), W: W.flat(), labels });

describe('ArcFace §2.3 losses', () => {
  it('Intra-Loss = NormFace + mean θ_y/π over labelled rows; Inter-Loss = NormFace − mean center angle/π', () => {
    // Found by CI (issue 14): a feature 1e-5 rad from its center, duplicate centers [0.8, 0].
    const found = problemOf([[-0.3000011444091797, 0]], [[0.8, 0], [0.8, 0], [-1.9804458618164062, -0.0000209808349609375]], [2]);
    fc.assert(
      fc.property(headProblem(), (p) => {
        fc.pre(p.labels.some((l) => l >= 0));
        const d = directLosses(p);
        const ti = lossTolerance(p, d.targetCosines);
        expect(relativeError(intraLoss(d.x, d.w, p.labels).item(), d.intra, ti.floor)).toBeLessThanOrEqual(ti.rel);
        const te = lossTolerance(p, d.centerCosines);
        expect(relativeError(interLoss(d.x, d.w, p.labels).item(), d.inter, te.floor)).toBeLessThanOrEqual(te.rel);
      }),
      { numRuns: runs(), examples: [[found]] },
    );
  });

  it('Intra-Loss at θ_y = 0 and π, and Inter-Loss with duplicate and opposite centers, within their derived floors', () => {
    const u = UNIT_ROUNDOFF.float64;
    fc.assert(
      fc.property(headProblem(), fc.double({ min: 0, max: 1e-6, noNaN: true }), fc.boolean(), (p, offset, opposite) => {
        // Every labelled row on (or against) its center, moved by `offset`; the last center a copy (or the opposite) of the first.
        const X = p.X.slice();
        const W = p.W.slice();
        for (let k = 0; k < p.d; k++) W[(p.c - 1) * p.d + k] = (opposite ? -1 : 1) * W[k];
        p.labels.forEach((l, i) => {
          if (l >= 0) for (let k = 0; k < p.d; k++) X[i * p.d + k] = (opposite ? -2 : 2) * W[l * p.d + k] + (k === 0 ? offset : 0);
        });
        const q = { ...p, X, W, labels: p.labels.map((l) => (l < 0 ? 0 : l)) };
        const d = directLosses(q);
        const ti = lossTolerance(q, d.targetCosines);
        const te = lossTolerance(q, d.centerCosines);
        // The floors are what the rule derives at κ = 1/√(2u): about 1e-7 absolute, not a blanket 1e-6.
        expect(ti.rel * ti.floor).toBeLessThan(4 * (2 * q.d + 4) * u / Math.sqrt(2 * u) + 1e-12);
        expect(relativeError(intraLoss(d.x, d.w, q.labels).item(), d.intra, ti.floor)).toBeLessThanOrEqual(ti.rel);
        expect(relativeError(interLoss(d.x, d.w, q.labels).item(), d.inter, te.floor)).toBeLessThanOrEqual(te.rel);
      }),
      { numRuns: runs() },
    );
  });

  it('Intra-, Inter- and sub-center losses: exact gradients agree with finite differences', () => {
    fc.assert(
      fc.property(headProblem(), (p) => {
        fc.pre(wellConditioned(p));
        // Inter-Loss takes arccos of center–center cosines too: duplicate (or opposite) centers sit
        // on arccos' infinite slope (found: six centers, five of them equal).
        const ws = rows(p.W, p.d).map(unit);
        fc.pre(p.labels.every((l) => l < 0 || ws.every((wj, j) => j === l || Math.abs(dot(ws[l], wj)) < 1 - 1e-3)));
        const x = cpu.fromArray(p.X, [p.n, p.d], 'float64');
        const w = cpu.fromArray(p.W, [p.c, p.d], 'float64');
        for (const f of [
          (a: Tensor, b: Tensor) => intraLoss(a, b, p.labels),
          (a: Tensor, b: Tensor) => interLoss(a, b, p.labels),
        ]) expect(gradcheck(f, [x, w], { directions: 2, atol: 1e-5 }).ok).toBe(true);
      }),
      { numRuns: runs() },
    );
  });

  it('angular triplet = mean [arccos(x̂·x̂⁺) + m − arccos(x̂·x̂⁻)]₊, with exact gradients', () => {
    const gen = fc.integer({ min: 1, max: 4 }).chain((n) =>
      fc.tuple(...[0, 1, 2].map(() => fc.array(uniformIn(-2, 2), { minLength: n * 3, maxLength: n * 3 }))).map((ms) => ({ n, ms })),
    );
    fc.assert(
      fc.property(gen, ({ n, ms }) => {
        const [a, pos, neg] = ms.map((m) => rows(m, 3).map((r) => (Math.hypot(...r) < 0.3 ? [1, ...r.slice(1)] : r)));
        // Kinks: arccos at ±1, and the hinge at 0.
        fc.pre(a.every((ai, i) => Math.abs(dot(unit(ai), unit(pos[i]))) < 0.9999 && Math.abs(dot(unit(ai), unit(neg[i]))) < 0.9999));
        const hinge = a.map((ai, i) => Math.max(0, Math.acos(dot(unit(ai), unit(pos[i]))) + 0.35 - Math.acos(dot(unit(ai), unit(neg[i])))));
        fc.pre(hinge.every((h) => h === 0 || h > 1e-3));
        const [ta, tp, tn] = [a, pos, neg].map((r) => tensor(r.flat(), [n, 3]));
        expect(angularTripletLoss(ta, tp, tn).item()).toBeCloseTo(hinge.reduce((s, h) => s + h, 0) / n, 12);
        expect(gradcheck((x, y, z) => angularTripletLoss(x, y, z), [ta, tp, tn], { directions: 2, atol: 1e-5 }).ok).toBe(true);
      }),
      { numRuns: runs() },
    );
  });
});

describe('sub-center ArcFace', () => {
  it('K = 1 is ArcFace; each class scores its best sub-center; only dominant sub-centers get gradient', () => {
    fc.assert(
      fc.property(headProblem(), (p) => {
        fc.pre(wellConditioned(p));
        const x = cpu.fromArray(p.X, [p.n, p.d], 'float64');
        const w = cpu.fromArray(p.W, [p.c, p.d], 'float64');
        expect(subCenterArcFaceLoss(x, w, p.labels, { k: 1 }).item()).toBe(arcface().loss(x, w, p.labels).item());
        // Three sub-centers per class: the class's original center plus two rotated copies.
        const w3data = rows(p.W, p.d).flatMap((r) => [...r, ...r.map((v, k) => v + (k === 0 ? 0.7 : 0)), ...r.map((v) => -v)]);
        // The max over sub-centers has a kink where two of them tie (e.g. r ∥ r + 0.7·e₀).
        fc.pre(wellConditioned({ ...p, c: p.c * 3, W: w3data }));
        const xs = rows(p.X, p.d).map(unit);
        const subs = rows(w3data, p.d).map(unit);
        fc.pre(xs.every((x) => Array.from({ length: p.c }, (_, j) => [0, 1, 2].map((k) => dot(x, subs[3 * j + k])).sort((a, b) => b - a)).every(([a, b]) => a - b > 1e-3)));
        const w3 = cpu.fromArray(w3data, [p.c * 3, p.d], 'float64');
        const f = (a: Tensor, b: Tensor) => subCenterArcFaceLoss(a, b, p.labels, { k: 3 });
        expect(Number.isFinite(f(x, w3).item())).toBe(true);
        expect(gradcheck(f, [x, w3], { directions: 2, atol: 1e-5 }).ok).toBe(true);
      }),
      { numRuns: runs() },
    );
  });
});
