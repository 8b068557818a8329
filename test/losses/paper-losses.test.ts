/** The ArcFace paper's §2.3 losses and sub-center ArcFace: values written out directly, and gradients checked. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cpu } from '../../src/backend/cpu.js';
import { angularTripletLoss, arcface, gradcheck, interLoss, intraLoss, normface, subCenterArcFaceLoss, tensor, type Tensor } from '../../src/index.js';
import { headProblem, wellConditioned } from '../support/head-samples.js';
import { relativeError } from '../support/reference-head.js';
import { uniformIn } from '../support/arbitraries.js';
import { runs } from '../support/runs.js';

const unit = (v: number[]) => { const r = Math.hypot(...v); return v.map((a) => a / r); };
const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i], 0);
const rows = (m: number[], d: number) => Array.from({ length: m.length / d }, (_, i) => m.slice(i * d, (i + 1) * d));

describe('ArcFace §2.3 losses', () => {
  it('Intra-Loss = NormFace + mean θ_y/π over labelled rows; Inter-Loss = NormFace − mean center angle/π', () => {
    fc.assert(
      fc.property(headProblem(), (p) => {
        fc.pre(p.labels.some((l) => l >= 0));
        const x = cpu.fromArray(p.X, [p.n, p.d], 'float64');
        const w = cpu.fromArray(p.W, [p.c, p.d], 'float64');
        const base = normface().loss(x, w, p.labels).item();
        const xs = rows(p.X, p.d).map(unit);
        const ws = rows(p.W, p.d).map(unit);
        const kept = p.labels.map((l, i) => [l, i]).filter(([l]) => l >= 0);
        const intra = base + kept.reduce((s, [l, i]) => s + Math.acos(Math.min(1, Math.max(-1, dot(xs[i], ws[l])))), 0) / (Math.PI * kept.length);
        let angles = 0;
        for (const [l] of kept) for (let j = 0; j < p.c; j++) if (j !== l) angles += Math.acos(Math.min(1, Math.max(-1, dot(ws[l], ws[j]))));
        const inter = base - angles / (Math.PI * kept.length * (p.c - 1));
        // acos near ±1 (a feature on its center, duplicate centers) turns a 1-ulp difference in the
        // cosine into up to √(2u) ≈ 2e-8 in the angle (measured up to 7.7e-8 relative in the loss).
        expect(relativeError([intraLoss(x, w, p.labels).item()], [intra])).toBeLessThan(1e-6);
        expect(relativeError([interLoss(x, w, p.labels).item()], [inter])).toBeLessThan(1e-6);
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
