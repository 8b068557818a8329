/** The curves the figures and the playground draw: λ in the target logit, decision boundaries, target probability. */
import { describe, expect, it } from 'vitest';
import { LOSS_CURVES, decisionBoundary, targetLogitCurves, targetProbabilityCurve, type MarginCurveSpec } from '../../src/report/curves.js';
import { OptionError } from '../../src/tensor/errors.js';

const arcface: MarginCurveSpec = { name: 'ArcFace', m1: 1, m2: 0.5, m3: 0, fallback: 'none' };

describe('targetLogitCurves with λ', () => {
  it("applies SphereFace's blend (λ·cos θ + f)/(1 + λ) on top of the margin", () => {
    const sphere: MarginCurveSpec = { name: 'SphereFace', m1: 4, m2: 0, m3: 0, fallback: 'psi' };
    const [plain, blended] = targetLogitCurves([sphere, { ...sphere, lambda: 5 }], 37);
    plain.theta.forEach((t, i) => expect(blended.value[i]).toBeCloseTo((5 * Math.cos(t) + plain.value[i]) / 6, 12));
    expect(() => targetLogitCurves([{ ...sphere, lambda: -1 }])).toThrow(OptionError);
    expect(() => targetLogitCurves([{ ...sphere, lambda: -1 }])).toThrow(/SphereFace.*lambda must be ≥ 0/);
  });
});

describe('decisionBoundary', () => {
  it('is the diagonal without a margin', () => {
    const { class1, class2 } = decisionBoundary(targetLogitCurves([LOSS_CURVES[0]], 19)[0]);
    class1.x.forEach((x, i) => expect(class1.y[i]).toBeCloseTo(x, 7));
    class2.x.forEach((x, i) => expect(class2.y[i]).toBeCloseTo(x, 7));
  });

  it("shifts ArcFace's boundary by m2 in angle (until θ + m2 = π, where 'none' folds back), and mirrors it for class 2", () => {
    const curve = targetLogitCurves([arcface], 37)[0];
    const { class1, class2 } = decisionBoundary(curve);
    curve.theta.forEach((t, i) => {
      const want = t + 0.5 <= Math.PI ? t + 0.5 : 2 * Math.PI - t - 0.5;
      expect(class1.y[i]).toBeCloseTo(want, 7);
      expect(class2.x[i]).toBe(class1.y[i]);
      expect(class2.y[i]).toBe(class1.x[i]);
    });
  });

  it('ends where f < −1 (no θ2 solves f(θ1) = cos θ2; class 1 never wins there) instead of running along θ2 = π', () => {
    const cosface = targetLogitCurves([{ name: 'CosFace', m1: 1, m2: 0, m3: 0.35, fallback: 'none' }], 37)[0];
    const { class1, class2, folds } = decisionBoundary(cosface);
    cosface.value.forEach((f, i) => {
      const solvable = f >= -1;
      expect(Number.isNaN(class1.y[i]), `θ1 = ${cosface.theta[i]}`).toBe(!solvable);
      expect(Number.isNaN(class1.x[i])).toBe(!solvable);
      expect(Number.isNaN(class2.x[i])).toBe(!solvable);
      if (solvable) expect(Math.cos(class1.y[i])).toBeCloseTo(f, 12);
    });
    expect(cosface.value.at(-1)).toBeLessThan(-1);
    expect(folds.some(Boolean)).toBe(false); // cos θ − m3 never rises
  });

  it("marks ArcFace's fold-back: f rises again exactly past θ = π − m2 with 'none'", () => {
    const curve = targetLogitCurves([arcface], 361)[0];
    const { folds, class1 } = decisionBoundary(curve);
    curve.theta.forEach((t, i) => {
      if (i > 0 && Math.abs(t - (Math.PI - 0.5)) > Math.PI / 360) expect(folds[i], `θ = ${t}`).toBe(t > Math.PI - 0.5);
    });
    expect(class1.y.every((y) => !Number.isNaN(y))).toBe(true); // f ∈ [−1, 1]: a solution everywhere
  });
});

describe('targetProbabilityCurve', () => {
  it('is e^{s·f} / (e^{s·f} + C − 1), through logSoftmax', () => {
    const curve = targetLogitCurves([arcface], 25)[0];
    for (const [s, classes] of [[1, 2], [16, 5], [64, 1000]] as const) {
      const p = targetProbabilityCurve(curve, s, classes);
      curve.value.forEach((f, i) => expect(p.value[i]).toBeCloseTo(1 / (1 + (classes - 1) * Math.exp(-s * f)), 12));
    }
  });

  it('caps p below 1 at θ = 0 when s is small (NormFace)', () => {
    const plain = targetLogitCurves([LOSS_CURVES[0]], 5)[0];
    expect(targetProbabilityCurve(plain, 1, 10).value[0]).toBeCloseTo(Math.E / (Math.E + 9), 12);
    expect(targetProbabilityCurve(plain, 30, 10).value[0]).toBeGreaterThan(1 - 1e-11);
  });

  it('rejects a bad s or class count with an OptionError', () => {
    const curve = targetLogitCurves([arcface], 5)[0];
    expect(() => targetProbabilityCurve(curve, 0, 5)).toThrow(OptionError);
    expect(() => targetProbabilityCurve(curve, 16, 1)).toThrow(/classes must be an integer ≥ 2/);
  });
});
