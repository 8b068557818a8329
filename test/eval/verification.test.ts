import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError, LabelError, OptionError, ShapeError } from '../../src/tensor/errors.js';
import { Random } from '../../src/tensor/random.js';
import {
  INSIGHTFACE_COSINE_THRESHOLDS,
  classCenters,
  closedSetAccuracy,
  cosineScores,
  kFoldRanges,
  makePairs,
  meanStd,
  operatingPoint,
  roc,
  rocAuc,
  tarAtFar,
  tenFoldAccuracy,
} from '../../src/eval/verification.js';
import { RUN_WEIGHTS, runs } from '../support/runs.js';

describe('tenFoldAccuracy, by hand', () => {
  // Two folds of four pairs, "same" iff score > t.
  //   fold 0: 0.9 T, 0.2 F, 0.8 T, 0.6 F    fold 1: 0.7 T, 0.4 F, 0.3 T, 0.5 F
  // Pairs right per threshold:
  //   t      0.75  0.55  0.35  0.1
  //   fold 0   4     3     3    2     (0.6 F is accepted below 0.6, 0.2 F below 0.2)
  //   fold 1   2     3     1    2     (0.7 T rejected at 0.75, 0.3 T always below but at 0.1, …)
  // Test fold 0 trains on fold 1 → 0.55 (3/4) → fold 0 at 0.55: 3/4.
  // Test fold 1 trains on fold 0 → 0.75 (4/4) → fold 1 at 0.75: 2/4.
  // mean 0.625; population std √(((0.75−0.625)² + (0.5−0.625)²)/2) = 0.125 (the sample std, ddof 1,
  // would be 0.1768).
  const scores = [0.9, 0.2, 0.8, 0.6, 0.7, 0.4, 0.3, 0.5];
  const issame = [true, false, true, false, true, false, true, false];

  it('picks each fold its threshold on the other fold', () => {
    const r = tenFoldAccuracy(scores, issame, { folds: 2, thresholds: [0.75, 0.55, 0.35, 0.1] });
    expect(r.folds).toEqual([
      { start: 0, end: 4 },
      { start: 4, end: 8 },
    ]);
    expect(r.thresholds).toEqual([0.55, 0.75]);
    expect(r.foldAccuracies).toEqual([0.75, 0.5]);
    expect(r.mean).toBe(0.625);
    expect(r.std).toBe(0.125);
  });

  it('breaks ties by the first threshold in the given order (np.argmax)', () => {
    // Fold 0 gets 3 right at both 0.55 and 0.35, so testing fold 1 depends on the order:
    // 0.55 first → fold 1 gets 3/4; 0.35 first → 1/4.
    expect(tenFoldAccuracy(scores, issame, { folds: 2, thresholds: [0.55, 0.35] }).foldAccuracies[1]).toBe(0.75);
    expect(tenFoldAccuracy(scores, issame, { folds: 2, thresholds: [0.35, 0.55] }).foldAccuracies[1]).toBe(0.25);
  });

  it('can miss a perfectly separable test fold: the first argmax is the strictest threshold', () => {
    // Folds: [0.95 T, −0.5 F, 0.92 T, −0.5 F] and [0.7 T, −0.5 F, 0.96 T, −0.5 F]; the default grid
    // runs 1, 0.995, … down. Testing fold 1, the training fold's genuine pairs score ≥ 0.92, so
    // the first perfect threshold is 0.915 (0.92 > 0.92 fails), which rejects fold 1's genuine
    // 0.7 although −0.5 < t < 0.7 would separate everything: 3/4. Testing fold 0, the first
    // perfect threshold below 0.7 is 0.695, and fold 0 is all right.
    const r = tenFoldAccuracy([0.95, -0.5, 0.92, -0.5, 0.7, -0.5, 0.96, -0.5], issame, { folds: 2 });
    expect(r.thresholds[0]).toBeCloseTo(0.695, 12);
    expect(r.thresholds[1]).toBeCloseTo(0.915, 12);
    expect(r.foldAccuracies).toEqual([1, 0.75]);
  });
});

describe('INSIGHTFACE_COSINE_THRESHOLDS', () => {
  it("is np.arange(0, 4, 0.01) on ‖a−b‖² mapped by c = 1 − t/2, in insightface's order", () => {
    expect(INSIGHTFACE_COSINE_THRESHOLDS.length).toBe(400);
    expect(INSIGHTFACE_COSINE_THRESHOLDS[0]).toBe(1);
    expect(INSIGHTFACE_COSINE_THRESHOLDS[1]).toBeCloseTo(0.995, 15);
    expect(INSIGHTFACE_COSINE_THRESHOLDS[399]).toBeCloseTo(-0.995, 15);
  });

  it("gives insightface's own answer, computed literally on squared distances", () => {
    // A transcription of verification.py's calculate_roc (no PCA): dist = Σ(e1 − e2)²,
    // thresholds np.arange(0, 4, 0.01), KFold(10, shuffle=False), argmax of training accuracy
    // with np.less(dist, t), accuracy of the test fold.
    const insightface = (e: Float64Array, dim: number, a: Int32Array, b: Int32Array, same: boolean[]) => {
      const dist = Array.from(a, (i, p) => {
        let s = 0;
        for (let k = 0; k < dim; k++) s += (e[i * dim + k] - e[b[p] * dim + k]) ** 2;
        return s;
      });
      const ts = Array.from({ length: 400 }, (_, k) => k * 0.01);
      const acc = (t: number, idx: number[]) => idx.filter((i) => dist[i] < t === same[i]).length / idx.length;
      const n = dist.length;
      const accs: number[] = [];
      const best: number[] = [];
      for (let f = 0; f < 10; f++) {
        const size = Math.floor(n / 10) + (f < n % 10 ? 1 : 0);
        const start = Array.from({ length: f }, (_, g) => Math.floor(n / 10) + (g < n % 10 ? 1 : 0)).reduce((s, v) => s + v, 0);
        const test = Array.from({ length: size }, (_, i) => start + i);
        const train = Array.from({ length: n }, (_, i) => i).filter((i) => i < start || i >= start + size);
        const trainAcc = ts.map((t) => acc(t, train));
        const bi = trainAcc.indexOf(Math.max(...trainAcc));
        best.push(ts[bi]);
        accs.push(acc(ts[bi], test));
      }
      return { accs, best };
    };
    for (const seed of [1, 2, 3]) {
      const rng = new Random(seed);
      const dim = 3;
      const labels = Array.from({ length: 60 }, (_, i) => i % 4);
      // Noisy class directions, so that accuracies fall strictly between 0.5 and 1.
      const centers = Array.from({ length: 4 * dim }, () => rng.normal());
      const raw = Float64Array.from({ length: 60 * dim }, (_, j) => centers[labels[Math.floor(j / dim)] * dim + (j % dim)] + 0.8 * rng.normal());
      const pairs = makePairs(labels, { count: 206, seed }); // 206: folds of 21 and 20
      const scores = cosineScores(raw, dim, pairs);
      const unit = Float64Array.from(raw);
      for (let r = 0; r < 60; r++) {
        const norm = Math.hypot(...unit.subarray(r * dim, (r + 1) * dim));
        for (let k = 0; k < dim; k++) unit[r * dim + k] /= norm;
      }
      const ref = insightface(unit, dim, pairs.a, pairs.b, pairs.issame);
      const ours = tenFoldAccuracy(scores, pairs.issame);
      expect(ours.foldAccuracies).toEqual(ref.accs);
      ours.thresholds.forEach((c, f) => expect(c).toBeCloseTo(1 - ref.best[f] / 2, 12));
      expect(ours.mean).toBeGreaterThan(0.5);
      expect(ours.mean).toBeLessThan(1);
    }
  });
});

describe('roc and tarAtFar, by hand', () => {
  // P = 3, N = 3. By decreasing score: 0.9 T | 0.8 F, 0.8 T (tied: one point) | 0.5 F | 0.3 T | 0.1 F
  //   threshold  +∞    0.9   0.8   0.5   0.3   0.1
  //   TP, FP     0,0   1,0   2,1   2,2   3,2   3,3
  //   FAR        0     0     1/3   2/3   2/3   1
  //   TAR        0     1/3   2/3   2/3   1     1
  const curve = roc([0.8, 0.9, 0.5, 0.8, 0.1, 0.3], [false, true, false, true, false, true]);

  it('has one point per distinct score plus (0, 0) at +∞', () => {
    expect(Array.from(curve.thresholds)).toEqual([Infinity, 0.9, 0.8, 0.5, 0.3, 0.1]);
    expect(Array.from(curve.far)).toEqual([0, 0, 1 / 3, 2 / 3, 2 / 3, 1]);
    expect(Array.from(curve.tar)).toEqual([0, 1 / 3, 2 / 3, 2 / 3, 1, 1]);
    expect([curve.positives, curve.negatives]).toEqual([3, 3]);
  });

  it('TAR@FAR is the largest TAR with FAR ≤ target', () => {
    expect(tarAtFar(curve, 0)).toBe(1 / 3);
    // 0.3 < 1/3: the point (1/3, 2/3) is not allowed (insightface's nearest-FPR rule would take it)
    expect(tarAtFar(curve, 0.3)).toBe(1 / 3);
    expect(tarAtFar(curve, 0.5)).toBe(2 / 3);
    expect(operatingPoint(curve, 2 / 3)).toEqual({ tar: 1, far: 2 / 3, threshold: 0.3 });
    expect(tarAtFar(curve, 1)).toBe(1);
  });

  it('AUC by trapezoids = 13/18 (Mann–Whitney: (3 + 2.5 + 1)/9)', () => {
    expect(rocAuc(curve)).toBeCloseTo(13 / 18, 15);
  });
});

describe('closedSetAccuracy, by hand', () => {
  it('assigns the nearest center by cosine, ties to the lower class', () => {
    // Centers (3,0), (0,5), (−1,0): by cosine, lengths do not count.
    // (2, 0.1) → 0 ✓; (0.1, 3) → 1 ✓; (−1, −0.5) → 2 ✗ (label 0); (1, 1) → cos 0.707 to both 0
    // and 1: class 0 ✗ (label 1). Accuracy 2/4. (A dot product would pick class 1 for (1, 1).)
    const r = closedSetAccuracy([2, 0.1, 0.1, 3, -1, -0.5, 1, 1], [0, 1, 0, 1], [3, 0, 0, 5, -1, 0]);
    expect(Array.from(r.predictions)).toEqual([0, 1, 2, 0]);
    expect(r.accuracy).toBe(0.5);
  });

  it('class centers are normalized means of normalized embeddings', () => {
    // class 0: (2,0) and (0,3) → (1,0)+(0,1) → (1/√2, 1/√2); class 1: (0,−1) → (0,−1)
    const w = classCenters([2, 0, 0, -1, 0, 3], [0, 1, 0], 2);
    expect(Array.from(w).map((v) => Number(v.toFixed(12)))).toEqual([0.707106781187, 0.707106781187, 0, -1]);
    expect(() => classCenters([1, 0], [0], 2)).toThrow(ShapeError);
  });
});

describe('makePairs', () => {
  const labels = [7, 8, 9, 7, 8, 9, 7, 8, 9, 7, 8, 9, 7, 8];

  it('alternates genuine and impostor pairs of distinct samples, each once, a < b', () => {
    const p = makePairs(labels, { count: 40, seed: 3 });
    const keys = new Set<string>();
    p.issame.forEach((same, k) => {
      expect(same).toBe(k % 2 === 0);
      expect(labels[p.a[k]] === labels[p.b[k]]).toBe(same);
      expect(p.a[k]).toBeLessThan(p.b[k]);
      keys.add(`${p.a[k]},${p.b[k]}`);
    });
    expect(keys.size).toBe(40);
  });

  it('is deterministic in the seed', () => {
    expect(makePairs(labels, { count: 20, seed: 5 })).toEqual(makePairs(labels, { count: 20, seed: 5 }));
    expect(makePairs(labels, { count: 20, seed: 5 }).a).not.toEqual(makePairs(labels, { count: 20, seed: 6 }).a);
  });

  it('takes every genuine pair when asked for all of them, and refuses more', () => {
    // labels 0,0,1,1: genuine pairs (0,1), (2,3) only; impostor pairs 4
    const p = makePairs([0, 0, 1, 1], { count: 4, seed: 1 });
    expect(new Set([0, 2].map((k) => `${p.a[k]},${p.b[k]}`))).toEqual(new Set(['0,1', '2,3']));
    expect(() => makePairs([0, 0, 1, 1], { count: 6, seed: 1 })).toThrow(OptionError);
    expect(() => makePairs([0, 0, 0], { count: 2, seed: 1 })).toThrow(OptionError); // no impostors
  });

  it('rejects bad input', () => {
    expect(() => makePairs(labels, { count: 3, seed: 1 })).toThrow(OptionError);
    expect(() => makePairs([0, 1.5], { count: 2, seed: 1 })).toThrow(LabelError);
  });
});

describe('typed errors', () => {
  it('for mismatched lengths, non-finite scores, empty sets and too many folds', () => {
    expect(() => tenFoldAccuracy([0.1, 0.2], [true])).toThrow(ShapeError);
    expect(() => tenFoldAccuracy([], [])).toThrow(ShapeError);
    expect(() => tenFoldAccuracy([0.1, NaN], [true, false], { folds: 2 })).toThrow(DomainError);
    expect(() => tenFoldAccuracy([0.1, 0.2, 0.3], [true, false, true])).toThrow(OptionError);
    expect(() => tenFoldAccuracy([0.1, 0.2], [true, false], { folds: 2, thresholds: [] })).toThrow(OptionError);
    expect(() => roc([0.1, 0.2], [true, true])).toThrow(ShapeError);
    expect(() => roc([Infinity, 0.2], [true, false])).toThrow(DomainError);
    expect(() => tarAtFar(roc([0.1, 0.2], [true, false]), 1.5)).toThrow(OptionError);
    expect(() => closedSetAccuracy([0, 0], [0], [1, 0])).toThrow(DomainError); // zero embedding
    expect(() => closedSetAccuracy([1, 0, 1], [0], [1, 0])).toThrow(ShapeError);
    expect(() => closedSetAccuracy([1, 0], [2], [1, 0, 0, 1])).toThrow(LabelError);
    expect(() => meanStd([])).toThrow(ShapeError);
    const pairs = { a: Int32Array.of(0), b: Int32Array.of(5), issame: [true] };
    expect(() => cosineScores([1, 0, 0, 1], 2, pairs)).toThrow(ShapeError);
  });
});

// Scores on a coarse grid (k/1000) and thresholds halfway between grid points, so that any
// strictly increasing map keeps every comparison exactly, rounding included.
const gridScores = fc
  .array(fc.tuple(fc.integer({ min: -1000, max: 1000 }), fc.boolean()), { minLength: 10, maxLength: 60 })
  .filter((xs) => xs.some(([, s]) => s) && xs.some(([, s]) => !s));
const gridThresholds = fc.uniqueArray(fc.integer({ min: -1000, max: 999 }), { minLength: 1, maxLength: 30 }).map((js) => js.map((j) => (2 * j + 1) / 2000));

describe('properties', () => {
  it('folds partition the pairs into contiguous ranges whose sizes differ by at most one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 30 }), fc.integer({ min: 0, max: 200 }), (k, extra) => {
        const n = k + extra;
        const folds = kFoldRanges(n, k);
        expect(folds[0].start).toBe(0);
        expect(folds[k - 1].end).toBe(n);
        folds.forEach((f, i) => {
          if (i > 0) expect(f.start).toBe(folds[i - 1].end);
          expect(f.end - f.start).toBe(i < n % k ? Math.ceil(n / k) : Math.floor(n / k));
        });
      }),
    );
  });

  it('accuracy and ROC are invariant to strictly increasing maps of scores and thresholds', () => {
    const g = (x: number) => Math.exp(3 * x) + x ** 3;
    fc.assert(
      fc.property(gridScores, gridThresholds, (xs, ts) => {
        const scores = xs.map(([k]) => k / 1000);
        const same = xs.map(([, s]) => s);
        const a = tenFoldAccuracy(scores, same, { folds: 5, thresholds: ts });
        const b = tenFoldAccuracy(scores.map(g), same, { folds: 5, thresholds: ts.map(g) });
        expect(b.foldAccuracies).toEqual(a.foldAccuracies);
        expect(b.thresholds).toEqual(a.thresholds.map(g));
        const ra = roc(scores, same);
        const rb = roc(scores.map(g), same);
        expect(rb.far).toEqual(ra.far);
        expect(rb.tar).toEqual(ra.tar);
      }),
    );
  });

  it('the chosen threshold maximizes training-fold accuracy', () => {
    fc.assert(
      fc.property(gridScores, gridThresholds, (xs, ts) => {
        const scores = xs.map(([k]) => k / 1000);
        const same = xs.map(([, s]) => s);
        const r = tenFoldAccuracy(scores, same, { folds: 4, thresholds: ts });
        r.folds.forEach(({ start, end }, f) => {
          const trainAcc = (t: number) => scores.filter((s, i) => (i < start || i >= end) && s > t === same[i]).length;
          const best = Math.max(...ts.map(trainAcc));
          expect(trainAcc(r.thresholds[f])).toBe(best);
          expect(r.thresholds[f]).toBe(ts.find((t) => trainAcc(t) === best)); // the first such
        });
      }),
    );
  });

  it('perfect separation: TAR = 1 at every FAR, AUC = 1', () => {
    fc.assert(
      fc.property(gridScores, fc.double({ min: 0, max: 1, noNaN: true }), (xs, far) => {
        // genuine pairs above 1.5, impostors below 1
        const scores = xs.map(([k, s]) => (s ? 2.5 + k / 1000 : k / 1000)); // [1.5, 3.5] against [−1, 1]: no ties
        const curve = roc(scores, xs.map(([, s]) => s));
        expect(tarAtFar(curve, far)).toBe(1);
        expect(rocAuc(curve)).toBeCloseTo(1, 14); // a sum of trapezoids: exact up to rounding
      }),
    );
  });

  it('the ROC runs from (0, 0) to (1, 1), monotone, and TAR@FAR grows with FAR', () => {
    fc.assert(
      fc.property(gridScores, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (xs, f1, f2) => {
        const curve = roc(
          xs.map(([k]) => k / 1000),
          xs.map(([, s]) => s),
        );
        const last = curve.far.length - 1;
        expect([curve.far[0], curve.tar[0], curve.far[last], curve.tar[last]]).toEqual([0, 0, 1, 1]);
        for (let k = 1; k <= last; k++) {
          expect(curve.far[k]).toBeGreaterThanOrEqual(curve.far[k - 1]);
          expect(curve.tar[k]).toBeGreaterThanOrEqual(curve.tar[k - 1]);
        }
        expect(tarAtFar(curve, Math.max(f1, f2))).toBeGreaterThanOrEqual(tarAtFar(curve, Math.min(f1, f2)));
        expect(operatingPoint(curve, f1).far).toBeLessThanOrEqual(f1);
      }),
    );
  });
});

describe('cosine scores over the whole float range', () => {
  it('do not depend on the length of the embeddings, from 1e-300 to 1e300 (Σx² overflows or underflows there)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 6, maxLength: 6 }),
        fc.integer({ min: -300, max: 300 }),
        fc.integer({ min: -300, max: 300 }),
        (e, p, q) => {
          fc.pre(Math.hypot(...e.slice(0, 3)) > 0.1 && Math.hypot(...e.slice(3)) > 0.1);
          const pairs = { a: Int32Array.of(0), b: Int32Array.of(1), issame: [true] };
          const plain = cosineScores(e, 3, pairs)[0];
          const scaled = cosineScores([...e.slice(0, 3).map((v) => v * 10 ** p), ...e.slice(3).map((v) => v * 10 ** q)], 3, pairs)[0];
          // 10^p·x rounds each entry (relative 2⁻⁵³), or flushes one that is tiny next to its row.
          expect(Math.abs(scaled - plain)).toBeLessThan(1e-12);
        },
      ),
      { numRuns: runs(RUN_WEIGHTS.verification) },
    );
  });

  it('class centers of huge embeddings keep their direction; a zero row is still refused', () => {
    expect(Array.from(classCenters([3e200, 4e200], [0], 1))).toEqual([0.6, 0.8]);
    expect(() => classCenters([0, 0], [0], 1)).toThrow(/row 0 is zero/);
  });
});
