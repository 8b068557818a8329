/** docs/losses.md: the numbers it quotes are what docs/examples/losses.ts computes. */
import { describe, expect, it } from 'vitest';
import * as ex from './losses.js';
import { exp, fixed, page, shows as showsOn, tsBlocksNotFromExamples } from './pages.js';
import { UNIT_ROUNDOFF, acosCondition, relativeError, roundingError } from '../../src/index.js';

// Tolerances follow the one rule of docs/numerics.md §8: roundings · u · scale · condition.
const u = UNIT_ROUNDOFF.float64;

const doc = page('losses.md');
const shows = showsOn(doc);

describe('docs/losses.md', () => {
  it('shows only code that is in docs/examples', () => {
    expect(tsBlocksNotFromExamples(doc)).toEqual([]);
  });

  it('§1–2: softmax depends on ‖x‖, NormFace does not', () => {
    const r = ex.normalizationMatters();
    shows(fixed(r.softmax[0], 4), '2.0492');
    shows(fixed(r.softmax[1], 4), '15.0507');
    shows(fixed(r.normface[0], 4), '13.2489');
    expect(r.normface[1]).toBe(r.normface[0]);
  });

  it('§3: the target logit of each preset at θ = 1', () => {
    const f = ex.targetLogits(1);
    shows(fixed(Math.cos(1), 4), '0.5403');
    shows(`| \`normface()\` | (64, 1, 0, 0) | ${fixed(f.normface, 4)} |`, '| `normface()` | (64, 1, 0, 0) | 0.5403 |');
    shows(fixed(f.sphereface, 4), '−1.3464');
    shows(fixed(f.cosface, 4), '0.1903');
    shows(fixed(f.arcface, 4), '0.0707');
    shows(fixed(f.combined, 4), '0.0675');
  });

  it('§3: a margin lowers the target logit, except ArcFace (\'none\') past θ = π − m2/2', () => {
    const r = ex.marginBelowCosine();
    // f and cos θ are O(1) values, each a few roundings from exact: the gap is 0 up to 4u, u = 2⁻⁵³
    // (SphereFace meets cos θ at θ = 0; NormFace is cos(arccos c) itself)
    const roundoff = roundingError({ u, scale: 1, roundings: 4 });
    for (const name of ['normface', 'sphereface', 'sphereface λ=5', 'cosface', 'combined']) {
      expect(r.largestGap[name], name).toBeLessThanOrEqual(roundoff);
    }
    expect(r.largestGap.arcface).toBeGreaterThan(0);
    // the first grid angle with f > cos θ is the first one past π − m2/2 (grid step π/3600)
    expect(r.arcfacePositiveFrom).toBeGreaterThan(r.arcfaceCrossing);
    expect(r.arcfacePositiveFrom - r.arcfaceCrossing).toBeLessThanOrEqual(Math.PI / 3600);
    shows(fixed(r.arcfaceCrossing, 4), '2.8916');
    shows(`${fixed((r.arcfaceCrossing * 180) / Math.PI, 1)}°`, '165.7°');
    shows(fixed(r.arcfaceAtPi, 4), '−0.8776');
    shows(`(${fixed(((Math.PI - 0.5) * 180) / Math.PI, 1)}°)`, '(151.4°)'); // where 'thmm' jumps, in the figure's text
    expect(doc).not.toContain('f(θ) ≤ cos θ');
  });

  it('§4: where the boundary lines end (f = −1)', () => {
    const e = ex.boundaryEnds();
    shows(fixed(e.cosface, 4), '2.2784');
    expect(e.cosface).toBeCloseTo(Math.acos(-0.65), 12);
    shows(fixed(e.combined, 4), '2.1981');
    shows(fixed(e.spherefaceAsTrained, 4), '1.9736');
    shows(`${fixed((e.spherefaceAsTrained * 180) / Math.PI, 1)}°`, '113.1°');
    expect(doc).toContain('π/4, where\n4·θ1 = π');
    // ψ meets −1 with slope 0 (a joint of its bands): f(θ) + 1 ≈ f″·δ²/2 there, so rounding f by
    // u moves the root by about √u = 1.5e-8; CosFace's root, on a slope, is good to u.
    expect(Math.abs(e.sphereface - Math.PI / 4)).toBeLessThan(Math.sqrt(roundingError({ u, scale: 1, roundings: 16 })));
  });

  it('§3: the pipeline as ops is the head, bit for bit', () => {
    const r = ex.pipelineAsOps();
    expect(r.ops).toBe(r.head);
    shows(fixed(r.ops, 4), '38.7018');
  });

  it('§4: original SphereFace scales by ‖x‖: s = ‖x‖ on one row is the hand-written original', () => {
    const r = ex.sphereFaceFeatureNorm();
    shows(fixed(r.norm, 4), '2.5446');
    shows(fixed(r.byHand, 4), '3.7349');
    // the same operations in another order: within a few roundings of a loss of size 4
    expect(Math.abs(r.withNormAsS - r.byHand)).toBeLessThan(roundingError({ u, scale: 4, roundings: 8 }));
    shows(fixed(r.withS64, 4), '66.7504');
  });

  it('§4: CM1 and CM2', () => {
    const { cm1, cm2 } = ex.combinedSettings();
    shows(fixed(cm2.at0, 4), '0.7711');
    shows(fixed(cm1.at0, 4), '0.7553');
    shows(fixed(cm2.at1, 4), '0.1175');
    shows(fixed(cm1.at1, 4), '0.0675');
    expect(cm2.at1 - cm1.at1).toBeCloseTo(0.05, 14); // m1·θ + m2 = 1.3 for both at θ = 1
    shows(fixed(cm2.phiReachesPi, 4), '3.0462');
    shows(fixed(cm1.phiReachesPi, 4), '2.8416');
  });

  it('§4: the binary boundaries: the logits tie on them, and the figure draws them', () => {
    const r = ex.binaryBoundaries();
    for (const [name, { tie, figure }] of Object.entries(r)) {
      // logits up to s = 64 in size, each a few roundings off: the tie is ln 2 to about 64·8u = 6e-14
      expect(tie, name).toBeLessThan(roundingError({ u, scale: 64, roundings: 8 }));
      // arccos magnifies f's few roundings by 1/sin θ2, at most 1/sin(π/720) on this grid's angles
      // off θ2 = 0 (where both sides are exactly 0)
      expect(figure, name).toBeLessThan(roundingError({ u, scale: 1, condition: 1 / Math.sin(Math.PI / 720), roundings: 8 }));
    }
    expect(doc).toContain('within **2e-14**');
    expect(Math.max(...Object.values(r).map((v) => v.tie))).toBeLessThan(2e-14);
  });

  it('§4: SphereFace λ schedule', () => {
    const l = ex.lambdaSchedule();
    shows(fixed(l.first, 3), '892.857');
    shows(fixed(l.at1658, 4), '5.0010');
    expect(l.at1659).toBe(5);
    expect(l.firstAtMin).toBe(1659);
    expect(doc).toContain('λ = **5** from iteration\n**1659**');
  });

  it('§5: each fallback policy has its documented defect', () => {
    const f = ex.fallbackDefects();
    // 'none': not monotone, −1 at π − m2 rising to −cos m2 at π.
    expect(f.none.aroundPiMinusM[0]).toBeCloseTo(-1, 12);
    shows(fixed(f.none.atPi, 4), '−0.8776');
    // 'thmm': jumps by 1 − cos m2 − m2·sin m2.
    const jump = f.thmm.aroundPiMinusM[1] - f.thmm.aroundPiMinusM[0];
    expect(jump).toBeCloseTo(1 - Math.cos(0.5) - 0.5 * Math.sin(0.5), 8);
    shows(fixed(jump, 4), '−0.1173');
    shows(fixed(f.thmm.aroundPiMinusM[1], 4), '−1.1173');
    // 'easy': jumps up by sin m2 at π/2.
    const up = f.easy.aroundHalfPi[1] - f.easy.aroundHalfPi[0];
    expect(up).toBeCloseTo(Math.sin(0.5), 8);
    shows(fixed(up, 4), '0.4794');
    // 'clamp' and 'psi' are continuous at π − m2.
    for (const p of ['clamp', 'psi'] as const) expect(Math.abs(f[p].aroundPiMinusM[1] - f[p].aroundPiMinusM[0])).toBeLessThan(1e-8);
    const atPi = (['none', 'thmm', 'easy', 'clamp', 'psi'] as const).map((p) => `**${fixed(f[p].atPi, 4).replace(/\.?0+$/, '')}**`);
    expect(doc).toContain(`At θ = π the five give ${atPi.join(', ')}.`);
  });

  it('§6: exact and straight-through slopes; the straight-through identity', () => {
    const s = ex.marginSlopes(1);
    shows(fixed(s.exact, 4), '1.1854');
    expect(s.exact).toBeCloseTo(Math.sin(1.5) / Math.sin(1), 14);
    expect(s.straightThrough).toBe(1);
    const st = ex.straightThroughIdentity();
    expect(st.maxDifference).toBeLessThan(1e-14);
    shows(exp(st.maxDifference, 1), '3.6e-15');
    shows(`${Math.round(st.dXRelativeDifference * 100)} %`, '23 %');
  });

  it('§7: interclass filtering', () => {
    const r = ex.interclassFiltering();
    shows(fixed(r.cosine, 4), '0.9952');
    shows(fixed(r.without, 4), '5.4306');
    shows(exp(r.withFilter, 1), '6.1e-20');
  });

  it('§8: PartialFC sampling is biased low', () => {
    const r = ex.partialFcBias();
    shows(fixed(r.full, 2), '69.34');
    shows(fixed(r.sampledMean, 2), '54.44');
    shows(fixed(r.sampledMin, 2), '49.74');
    shows(fixed(r.sampledMax, 2), '59.21');
    expect(r.sampledMax).toBeLessThan(r.full);
  });

  it('§9: the Intra-Loss pulls with the same strength 1/(π·V·‖x‖) at any θ_y > 0: a cone at 0', () => {
    const near = ex.intraLossCone(1e-3);
    const far = ex.intraLossCone(1);
    const want = 1 / (Math.PI * 4);
    // acos′ at cos θ near 1 is conditioned like acos itself (acosCondition), squared by the
    // tangent projection's cancellation: κ = acosCondition² ≈ 1e6 at 1e-3 rad, over d = 8 terms
    const kappa = (t: number) => acosCondition(Math.cos(t)) ** 2;
    expect(relativeError(near, want)).toBeLessThan(roundingError({ u, scale: 1, condition: kappa(1e-3), roundings: 8 }));
    expect(relativeError(far, want)).toBeLessThan(roundingError({ u, scale: 1, condition: kappa(1), roundings: 8 }));
    shows(fixed(near, 6), '0.079577');
  });

  it("§9: L6's and L7's gradients, as written, are the tape's", () => {
    const r = ex.paperLossGradients();
    // sums of O(1) terms over d = 8, each divided by a sin of an angle between random vectors: the
    // condition is acos's at the least favourable of those cosines (1/sin), squared as in the cone;
    // the L6 term is read off as L6's tape gradient minus NormFace's, which are interScale times larger
    const bound = (scale: number) => roundingError({ u, scale, condition: r.condition ** 2, roundings: 8 });
    expect(r.triplet).toBeLessThan(bound(1));
    expect(r.inter).toBeLessThan(bound(r.interScale));
  });

  it('§9: the §2.3 losses and sub-center ArcFace', () => {
    const r = ex.paperLosses();
    shows(`| NormFace L2 | ${fixed(r.normface, 4)} |`, '| NormFace L2 | 13.2489 |');
    shows(`| Intra-Loss L5 | ${fixed(r.intra, 4)} |`, '| Intra-Loss L5 | 13.6622 |');
    shows(`| Inter-Loss L6 | ${fixed(r.inter, 4)} |`, '| Inter-Loss L6 | 12.7608 |');
    shows(`| ArcFace | ${fixed(r.arcface, 4)} |`, '| ArcFace | 38.7018 |');
    expect(r.subCenterK1).toBe(r.arcface);
    shows(fixed(r.subCenterK3, 4), '48.0769');
    shows(fixed(r.triplet, 4), '0.7219');
  });
});
