/** docs/numerics.md: the numbers it quotes are what docs/examples/numerics.ts computes. */
import { describe, expect, it } from 'vitest';
import * as ex from './numerics.js';
import { exp, fixed, page, shows as showsOn, tsBlocksNotFromExamples } from './pages.js';

const doc = page('numerics.md');
const shows = showsOn(doc);

describe('docs/numerics.md', () => {
  it('shows only code that is in docs/examples', () => {
    expect(tsBlocksNotFromExamples(doc)).toEqual([]);
  });

  it('§1: acos at 1, the margin op at ±1, aligned features', () => {
    expect(ex.acosSlopeAtOne('float64')).toBe(-(2 ** 26));
    shows(`**${fixed(ex.acosSlopeAtOne('float64'), 0)}**`, '**−67108864**');
    shows(fixed(ex.acosSlopeAtOne('float32'), 2), '−2896.31');
    expect(ex.marginSlope(1, { m1: 4, m2: 0, m3: 0 })).toBe(16);
    shows(fixed(ex.marginSlope(1, { m1: 1, m2: 0.5, m3: 0 }), 2), '32173704.15');
    for (const r of ex.alignedFeature()) expect(r, r.head).toEqual({ head: r.head, finite: true, gradcheck: true });
  });

  it("§1: the 'psi' slope at c = −1 is the one-sided derivative from inside", () => {
    expect(ex.marginSlope(-1, { m1: 4, m2: 0, m3: 0, fallback: 'psi' })).toBe(16);
    expect(ex.marginSlope(-1, { m1: 1, m2: 0, m3: 0, fallback: 'psi' })).toBe(1);
    shows(fixed(ex.marginSlope(-1 + 1e-9, { m1: 4, m2: 0, m3: 0, fallback: 'psi' }), 8), '15.99999992');
  });

  it('§2: clamp passes the gradient at its boundary', () => {
    expect(ex.clampSlopes()).toEqual({ atOne: 1, outside: 0 });
  });

  it('§3: float32 self-cosines above 1', () => {
    const r = ex.cosineOvershoot();
    expect(r.largest).toBe(1 + 2 ** -22);
    shows(`**${r.aboveOne}**`, '**33**');
    shows(fixed(r.largest, 10), '1.0000002384');
  });

  it('§4: saturation — the naive formulas lose everything, arcgrad keeps it', () => {
    const r = ex.saturation();
    expect(Object.is(r.naiveLoss, -0)).toBe(true);
    expect(r.naiveTargetGrad).toBe(0);
    expect(r.arcgradTargetGrad).toBe(-r.arcgradLoss);
    shows(exp(r.arcgradLoss, 4), '2.3983e-30');
    expect(doc).toContain('| naive −log p_y, p_y − 1 | **−0** | **0** |');
    expect(doc).toContain('| arcgrad | **2.3983e-30** | **−2.3983e-30** |');
  });

  it('§5: overflow thresholds, plateaus, s = 64 in float32', () => {
    const r = ex.overflowAndPlateaus();
    shows(fixed(r.float32, 4), '88.7228');
    shows(fixed(r.float16, 4), '11.0899');
    shows(fixed(r.insightface, 4), '69.0776');
    shows(fixed(r.caffe, 4), '87.3365');
    expect(ex.float32AtScale64()).toEqual({ loss: 128, finite: true });
    expect(doc).toContain('finite loss of **128**');
  });

  it('§6: smallest angles', () => {
    const r = ex.smallestAngles();
    shows(`| fp16 | ${fixed(r.float16, 5)} (${fixed(r.float16Degrees, 2)}°) |`, '| fp16 | 0.03125 (1.79°) |');
    shows(`| fp32 | ${exp(r.float32, 4)} |`, '| fp32 | 3.4527e-4 |');
    shows(`| fp64 | ${exp(r.float64, 4)} |`, '| fp64 | 1.4901e-8 |');
  });

  it('§7: one ulp in cos θ moves the exact slope by ulp·|cos θ|/sin²θ', () => {
    for (const [theta, label] of [[1e-2, '10⁻²'], [1e-4, '10⁻⁴']] as const) {
      const r = ex.oneUlpApart(theta);
      expect(r.relativeChange / r.predicted).toBeGreaterThan(0.95);
      expect(r.relativeChange / r.predicted).toBeLessThan(1.05);
      expect(doc).toContain(`| ${label} | ${exp(r.relativeChange, 3)} | ${exp(r.predicted, 3)} |`);
    }
  });
});
