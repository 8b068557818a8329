import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allPairsTarAtFar, evaluateOpenSet, rankOneIdentification } from '../../src/eval/open-set.js';
import { cosineScores, operatingPoint, roc } from '../../src/eval/verification.js';
import { LabelError } from '../../src/tensor/errors.js';
import { relativeError } from '../../src/check/tolerance.js';
import { PROPERTY_RUNS } from '../support/runs.js';


// Three identities in two fonts on the unit circle (degrees):
//   identity 0: font 0 at 0°,   font 1 at 10°   genuine cos 10° = 0.985
//   identity 1: font 0 at 90°,  font 1 at 130°  genuine cos 40° = 0.766
//   identity 2: font 0 at 180°, font 1 at 235°  genuine cos 55° = 0.574
// The 12 impostor pairs, by score: 130/180 cos 50° = 0.643, 10/90 cos 80° = 0.174, 0/90 and 90/180
// 0, 130/235 −0.259, 10/130 −0.5, 0/235 −0.574, 0/130 −0.643, 10/235 −0.707, 90/235 −0.819,
// 10/180 and 10/235… (the rest below −0.8).
//   FAR 0: no impostor may be accepted → threshold 0.643 (the highest impostor), "same" iff
//          score > 0.643 → genuine 0.985 and 0.766 accepted: TAR 2/3, FAR 0.
//   FAR 0.1: ⌊0.1·12⌋ = 1 impostor may be accepted → threshold 0.174 (the 2nd highest) → all
//          three genuine: TAR 1, FAR 1/12.
// Rank-1 with font 1 as gallery (10°, 130°, 235°): probe 0° → 10° right; 90° → 130° (40°) right;
// 180° → 130° (50°, closer than 235° at 55°) wrong: 2/3. With font 0 as gallery every probe is right.
const degrees = [0, 10, 90, 130, 180, 235];
const handEmbeddings = degrees.flatMap((a) => [Math.cos((a * Math.PI) / 180), Math.sin((a * Math.PI) / 180)]);
const handLabels = [0, 0, 1, 1, 2, 2];
const handFonts = [0, 1, 0, 1, 0, 1];
const cosDeg = (a: number) => Math.cos((a * Math.PI) / 180);

describe('the open-set protocol, by hand', () => {
  it('TAR@FAR from all pairs', () => {
    const r = allPairsTarAtFar(handEmbeddings, 2, handLabels, [0, 0.1]);
    expect([r.genuine, r.impostor]).toEqual([3, 12]);
    expect(r.points.map((p) => [p.target, p.tar, p.far])).toEqual([[0, 2 / 3, 0], [0.1, 1, 1 / 12]]);
    // A dot product of two unit 2-vectors is off by a few units of roundoff (rule of docs/numerics.md: scale 1, well conditioned).
    expect(relativeError(r.points.map((p) => p.threshold), [cosDeg(50), cosDeg(80)])).toBeLessThan(8 * 2 ** -53);
  });

  it('rank-1 identification with one font as gallery and every other identity a distractor', () => {
    const isGallery = (font: number) => handFonts.map((f) => f === font);
    expect(rankOneIdentification(handEmbeddings, 2, handLabels, isGallery(1))).toEqual({ rank1: 2 / 3, gallery: 3, probes: 3 });
    expect(rankOneIdentification(handEmbeddings, 2, handLabels, isGallery(0)).rank1).toBe(1);
  });

  it('evaluateOpenSet puts the three together', () => {
    // 12 identities 30° apart, 3 fonts 1° apart: every genuine cosine (≥ cos 2° > 0.995, the first
    // threshold of insightface's grid) beats every impostor (≤ cos 28°), so every measure is perfect.
    const angles = Array.from({ length: 36 }, (_, i) => 30 * Math.floor(i / 3) + (i % 3));
    const embeddings = angles.flatMap((a) => [cosDeg(a), Math.sin((a * Math.PI) / 180)]);
    const labels = angles.map((_, i) => Math.floor(i / 3));
    const gallery = angles.map((_, i) => i % 3 === 1);
    const r = evaluateOpenSet({ embeddings, dim: 2, labels, gallery }, { pairs: 20, seed: 0, fars: [0] });
    expect(r.identification).toEqual({ rank1: 1, gallery: 12, probes: 24 });
    expect(r.allPairs.points[0].tar).toBe(1);
    expect(r.verification.accuracy.foldAccuracies).toEqual(Array(10).fill(1));
  });

  it('refuses a probe without a gallery mate and a second gallery image of one identity', () => {
    expect(() => rankOneIdentification(handEmbeddings, 2, handLabels, [true, false, true, false, false, false])).toThrow(LabelError);
    expect(() => rankOneIdentification(handEmbeddings, 2, handLabels, [true, true, true, false, true, false])).toThrow(/two gallery images/);
  });
});

describe('allPairsTarAtFar streams what roc() computes on the explicit pairs', () => {
  it('equals operatingPoint(roc(all pairs)) for every FAR', () => {
    const sample = fc
      .record({ n: fc.integer({ min: 3, max: 40 }), ids: fc.integer({ min: 2, max: 6 }), dim: fc.integer({ min: 1, max: 4 }) })
      .chain(({ n, ids, dim }) =>
        fc.record({
          dim: fc.constant(dim),
          // few distinct values, so that tied scores are common
          x: fc.array(fc.integer({ min: -3, max: 3 }).filter((v) => v !== 0), { minLength: n * dim, maxLength: n * dim }),
          labels: fc.array(fc.integer({ min: 0, max: ids - 1 }), { minLength: n, maxLength: n }),
          fars: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 4 }),
        }),
      )
      .filter(({ labels }) => new Set(labels).size > 1 && labels.some((l, i) => labels.indexOf(l) !== i));
    fc.assert(
      fc.property(sample, ({ dim, x, labels, fars }) => {
        const streamed = allPairsTarAtFar(x, dim, labels, fars);
        // The same scores, computed by verification.ts on the explicit list of every pair.
        const a: number[] = [];
        const b: number[] = [];
        const issame: boolean[] = [];
        for (let i = 0; i < labels.length; i++) {
          for (let j = i + 1; j < labels.length; j++) {
            a.push(i);
            b.push(j);
            issame.push(labels[i] === labels[j]);
          }
        }
        const scores = cosineScores(x, dim, { a: Int32Array.from(a), b: Int32Array.from(b), issame });
        const curve = roc(scores, issame);
        for (const p of streamed.points) {
          const q = operatingPoint(curve, p.target);
          expect([p.tar, p.far]).toEqual([q.tar, q.far]);
        }
      }),
      { numRuns: PROPERTY_RUNS },
    );
  });
});

describe('allPairsTarAtFar with the Gram rows from a backend matmul', () => {
  it('gives the loops\' operating points on continuous data (no ties near a threshold)', async () => {
    const { cpu } = await import('../../src/backend/cpu.js');
    const { backendGram } = await import('../../src/eval/open-set.js');
    const { Random } = await import('../../src/tensor/random.js');
    const rng = new Random(5);
    const n = 300;
    const dim = 8;
    const labels = Array.from({ length: n }, (_, i) => Math.floor(i / 6));
    const x = Array.from({ length: n * dim }, (_, k) => labels[Math.floor(k / dim)] % 7 + rng.normal());
    const fars = [1e-3, 1e-2, 0.1];
    const loops = allPairsTarAtFar(x, dim, labels, fars);
    const matmul = allPairsTarAtFar(x, dim, labels, fars, undefined, backendGram(cpu, 'float64'));
    expect(matmul.points.map((p) => [p.tar, p.far])).toEqual(loops.points.map((p) => [p.tar, p.far]));
    expect(Array.from(matmul.roc.tar)).toEqual(Array.from(loops.roc.tar));
  });
});
