/**
 * The open-set evaluation of face recognition, as insightface runs it (arcface_torch
 * `eval/verification.py`, after facenet), on plain Float64Array embeddings: no tape, no tensors.
 *
 * Score. insightface compares L2-normalized embeddings by the squared distance
 * d = ‖a − b‖² = 2 − 2·cos(a, b) ∈ [0, 4] and predicts "same" iff d < t. Here the score is the
 * cosine itself (higher = more alike) and "same" iff cos > c, which is the same decision for
 * c = 1 − t/2. The default threshold grid is insightface's `np.arange(0, 4, 0.01)` mapped that
 * way, in insightface's order (t ascending, so c descending from 1 to −0.995), because the
 * "first argmax" tie-break depends on the order. (The two decisions agree exactly in real
 * arithmetic; in floating point they can differ only for a score within an ulp of a threshold.)
 *
 * 10-fold accuracy. KFold(n_splits = 10, shuffle = False): contiguous folds, the first n mod k
 * of them one pair longer. For each test fold, the threshold with the highest accuracy on the
 * other nine folds (the first one in grid order on ties, as np.argmax) is applied to the test
 * fold. Reported: each fold's test accuracy, their mean and their population standard deviation
 * (np.std, ddof = 0), and the thresholds chosen.
 *
 * ROC and TAR@FAR. `roc` thresholds at every distinct score: "same" iff score ≥ threshold (as
 * sklearn's roc_curve), from +∞ (FAR = TAR = 0) down to the lowest score (FAR = TAR = 1), with no
 * point dropped. `tarAtFar(roc, x)` is the largest TAR among ROC points with FAR ≤ x: the best
 * rate a single threshold actually achieves without exceeding the false-accept budget; no
 * interpolation. insightface's eval_ijbc.py instead takes the point whose FPR is nearest to x
 * (which may exceed x), and its verification.py's VAL@FAR interpolates a threshold on training
 * folds; on small pair sets these can differ by one ROC step.
 */
import { DomainError, LabelError, OptionError, ShapeError } from '../tensor/errors.js';
import { Random } from '../tensor/random.js';

/** A contiguous fold of pairs: indices start ≤ i < end. */
export interface FoldRange {
  /** First pair of the fold. */
  start: number;
  /** One past the last pair of the fold. */
  end: number;
}

/** A mean and a population standard deviation (numpy's np.std, ddof = 0). */
export interface MeanStd {
  /** The mean. */
  mean: number;
  /** The population standard deviation. */
  std: number;
}

/** Pairs of sample indices with whether the two share a label. */
export interface Pairs {
  /** First sample of each pair. */
  a: Int32Array;
  /** Second sample of each pair. */
  b: Int32Array;
  /** True for a genuine pair (same label), false for an impostor pair. */
  issame: boolean[];
}

/** Options of `makePairs`. */
export interface MakePairsOptions {
  /** Number of pairs, even: half genuine, half impostor. */
  count: number;
  /** Seed of the draw; equal seeds and labels give equal pairs. */
  seed: number;
}

/**
 * Balanced genuine/impostor pairs among samples with the given labels (pass the labels of the
 * unseen identities only). `count/2` genuine pairs are drawn uniformly among all unordered pairs
 * of distinct samples with equal labels, `count/2` impostor pairs uniformly among those with
 * different labels, each pair at most once, and a pair is stored with a < b. Genuine and impostor
 * pairs alternate (pair 2k genuine, 2k + 1 impostor), so every contiguous fold of even size is
 * balanced — LFW's pairs.txt is laid out per fold for the same reason.
 */
export function makePairs(labels: ArrayLike<number>, options: MakePairsOptions): Pairs {
  const { count, seed } = options;
  if (!Number.isInteger(count) || count < 2 || count % 2 !== 0) {
    throw new OptionError(`makePairs: count must be a positive even integer, got ${count}`);
  }
  if (!Number.isInteger(seed)) throw new OptionError(`makePairs: seed must be an integer, got ${seed}`);
  const n = labels.length;
  const byLabel = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    if (!Number.isInteger(y)) throw new LabelError(`makePairs: label ${i} is ${y}, not an integer`);
    let members = byLabel.get(y);
    if (!members) byLabel.set(y, (members = []));
    members.push(i);
  }
  const classes = [...byLabel.keys()].sort((p, q) => p - q).map((y) => byLabel.get(y)!);
  const need = count / 2;
  const rng = new Random(seed);
  const genuine = drawPairs(
    'genuine',
    need,
    classes.reduce((s, m) => s + (m.length * (m.length - 1)) / 2, 0),
    rng,
    () => classes.flatMap((m) => m.flatMap((i, k) => m.slice(k + 1).map((j) => [i, j] as const))),
    () => {
      // A class weighted by its number of pairs, then two distinct members: uniform over pairs.
      let r = rng.uniform() * classes.reduce((s, m) => s + m.length * (m.length - 1), 0);
      const m = classes.find((c) => (r -= c.length * (c.length - 1)) < 0) ?? classes[classes.length - 1];
      const i = rng.int(m.length);
      const j = (i + 1 + rng.int(m.length - 1)) % m.length;
      return [m[i], m[j]];
    },
    n,
  );
  const impostor = drawPairs(
    'impostor',
    need,
    (n * n - classes.reduce((s, m) => s + m.length * m.length, 0)) / 2,
    rng,
    () => {
      const all: (readonly [number, number])[] = [];
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (labels[i] !== labels[j]) all.push([i, j]);
      return all;
    },
    () => {
      const i = rng.int(n);
      const j = rng.int(n);
      return labels[i] === labels[j] ? undefined : [i, j];
    },
    n,
  );
  const a = new Int32Array(count);
  const b = new Int32Array(count);
  const issame: boolean[] = [];
  for (let k = 0; k < need; k++) {
    [a[2 * k], b[2 * k]] = genuine[k];
    [a[2 * k + 1], b[2 * k + 1]] = impostor[k];
    issame.push(true, false);
  }
  return { a, b, issame };
}

/**
 * `need` distinct unordered pairs of one kind. When they are more than half of all `possible`
 * ones, rejection sampling would crawl: enumerate and shuffle instead.
 */
function drawPairs(
  kind: string,
  need: number,
  possible: number,
  rng: Random,
  enumerate: () => (readonly [number, number])[],
  draw: () => readonly [number, number] | undefined,
  n: number,
): (readonly [number, number])[] {
  if (need > possible) {
    throw new OptionError(`makePairs: ${need} ${kind} pairs asked for, but these labels allow only ${possible}`);
  }
  if (2 * need > possible) return rng.shuffle(enumerate()).slice(0, need);
  const seen = new Set<number>();
  const out: (readonly [number, number])[] = [];
  while (out.length < need) {
    const pair = draw();
    if (!pair) continue;
    const i = Math.min(pair[0], pair[1]);
    const j = Math.max(pair[0], pair[1]);
    if (seen.has(i * n + j)) continue;
    seen.add(i * n + j);
    out.push([i, j]);
  }
  return out;
}

/** Below this, Σx² may have lost digits to underflow (the smallest normal double over u). */
const SAFE_NORM2 = 2 ** -1022 / 2 ** -53;

/**
 * Rows of a flat row-major N × `dim` array scaled to unit length. Throws a DomainError for a
 * non-finite entry or a zero row (its direction, hence any cosine with it, is undefined). Rows
 * whose Σx² overflows (‖x‖ > 1.3e154) or underflows are first divided by their largest |x_k|, so
 * they keep their direction.
 */
export function normalizeRows(x: ArrayLike<number>, dim: number, where = 'normalizeRows'): Float64Array {
  if (!Number.isInteger(dim) || dim < 1) throw new ShapeError(`${where}: dim must be a positive integer, got ${dim}`);
  if (x.length % dim !== 0) {
    throw new ShapeError(`${where}: ${x.length} numbers are not rows of ${dim}`);
  }
  const out = new Float64Array(x.length);
  for (let r = 0; r < x.length / dim; r++) {
    let norm2 = 0;
    for (let k = 0; k < dim; k++) {
      const v = x[r * dim + k];
      if (!Number.isFinite(v)) throw new DomainError(`${where}: row ${r} holds ${v}, not a finite number`);
      norm2 += v * v;
    }
    if (norm2 >= SAFE_NORM2 && norm2 < Infinity) {
      const inv = 1 / Math.sqrt(norm2);
      for (let k = 0; k < dim; k++) out[r * dim + k] = x[r * dim + k] * inv;
      continue;
    }
    let m = 0;
    for (let k = 0; k < dim; k++) m = Math.max(m, Math.abs(x[r * dim + k]));
    if (m === 0) throw new DomainError(`${where}: row ${r} is zero and has no direction`);
    let u2 = 0;
    for (let k = 0; k < dim; k++) u2 += (x[r * dim + k] / m) ** 2;
    const norm = Math.sqrt(u2);
    for (let k = 0; k < dim; k++) out[r * dim + k] = x[r * dim + k] / m / norm;
  }
  return out;
}

function dot(x: Float64Array, i: number, y: Float64Array, j: number, dim: number): number {
  let s = 0;
  for (let k = 0; k < dim; k++) s += x[i * dim + k] * y[j * dim + k];
  return s;
}

/**
 * The score of each pair: the cosine of the angle between the two L2-normalized embeddings
 * (row-major N × `dim`), in [−1, 1]. insightface's squared distance of the same pair is 2 − 2·score.
 */
export function cosineScores(embeddings: ArrayLike<number>, dim: number, pairs: Pairs): Float64Array {
  const e = normalizeRows(embeddings, dim, 'cosineScores');
  const n = e.length / dim;
  if (pairs.a.length !== pairs.b.length || pairs.a.length !== pairs.issame.length) {
    throw new ShapeError(`cosineScores: pairs have ${pairs.a.length} a, ${pairs.b.length} b, ${pairs.issame.length} issame`);
  }
  const scores = new Float64Array(pairs.a.length);
  for (let p = 0; p < scores.length; p++) {
    const i = pairs.a[p];
    const j = pairs.b[p];
    if (!(i >= 0 && i < n && j >= 0 && j < n)) {
      throw new ShapeError(`cosineScores: pair ${p} is (${i}, ${j}) but there are ${n} embeddings`);
    }
    scores[p] = Math.max(-1, Math.min(1, dot(e, i, e, j, dim)));
  }
  return scores;
}

/**
 * insightface's threshold grid `np.arange(0, 4, 0.01)` on the squared distance, as cosine
 * thresholds c = 1 − t/2, in insightface's order (1, 0.995, …, −0.995; 400 values).
 */
export const INSIGHTFACE_COSINE_THRESHOLDS: readonly number[] = Array.from({ length: 400 }, (_, k) => 1 - (k * 0.01) / 2);

/** Options of `tenFoldAccuracy`. */
export interface TenFoldOptions {
  /** Number of contiguous folds; 10 unless given. At least 2 and at most the number of pairs. */
  folds?: number;
  /** Cosine thresholds, scanned in this order (ties go to the first); INSIGHTFACE_COSINE_THRESHOLDS unless given. */
  thresholds?: readonly number[];
}

/** The result of `tenFoldAccuracy`. */
export interface TenFoldResult {
  /** Test accuracy of each fold. */
  foldAccuracies: number[];
  /** Mean of the fold accuracies. */
  mean: number;
  /** Population standard deviation of the fold accuracies (np.std, ddof = 0). */
  std: number;
  /** The threshold chosen on each fold's training folds ("same" iff score > threshold). */
  thresholds: number[];
  /** Each test fold as the half-open pair range [start, end). */
  folds: FoldRange[];
}

/** sklearn's KFold(n_splits = k, shuffle = False): k contiguous [start, end) ranges, the first n mod k one longer. */
export function kFoldRanges(n: number, k: number): FoldRange[] {
  if (!Number.isInteger(k) || k < 2) throw new OptionError(`kFoldRanges: folds must be an integer ≥ 2, got ${k}`);
  if (!Number.isInteger(n) || n < k) {
    throw new OptionError(`kFoldRanges: ${k} folds need at least ${k} pairs, got ${n}`);
  }
  const ranges: FoldRange[] = [];
  let start = 0;
  for (let f = 0; f < k; f++) {
    const size = Math.floor(n / k) + (f < n % k ? 1 : 0);
    ranges.push({ start, end: start + size });
    start += size;
  }
  return ranges;
}

function checkScores(scores: ArrayLike<number>, issame: ArrayLike<boolean>, where: string): void {
  if (scores.length !== issame.length) {
    throw new ShapeError(`${where}: ${scores.length} scores but ${issame.length} issame flags`);
  }
  if (scores.length === 0) throw new ShapeError(`${where}: no pairs`);
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i])) throw new DomainError(`${where}: score ${i} is ${scores[i]}, not a finite number`);
  }
}

/** Mean and population standard deviation (ddof = 0, as np.std). */
export function meanStd(values: readonly number[]): MeanStd {
  if (values.length === 0) throw new ShapeError('meanStd: no values');
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.reduce((s, v) => s + (v - mean) * (v - mean), 0) / values.length;
  return { mean, std: Math.sqrt(variance) };
}

/**
 * insightface's 10-fold verification accuracy (see the file header): for each contiguous test
 * fold, the first threshold maximizing accuracy on the other folds, applied to the test fold.
 * "Same" iff score > threshold.
 */
export function tenFoldAccuracy(
  scores: ArrayLike<number>,
  issame: ArrayLike<boolean>,
  options: TenFoldOptions = {},
): TenFoldResult {
  checkScores(scores, issame, 'tenFoldAccuracy');
  const thresholds = options.thresholds ?? INSIGHTFACE_COSINE_THRESHOLDS;
  if (thresholds.length === 0 || thresholds.some((t) => Number.isNaN(t))) {
    throw new OptionError('tenFoldAccuracy: thresholds must be a non-empty list of numbers');
  }
  const n = scores.length;
  const folds = kFoldRanges(n, options.folds ?? 10);
  // correct[f][t]: pairs of fold f decided right at threshold t. A training fold's count is the
  // total minus the test fold's; equal denominators make argmax on counts argmax on accuracy.
  const correct = folds.map(({ start, end }) =>
    thresholds.map((t) => {
      let c = 0;
      for (let i = start; i < end; i++) if (scores[i] > t === Boolean(issame[i])) c++;
      return c;
    }),
  );
  const total = thresholds.map((_, t) => correct.reduce((s, fold) => s + fold[t], 0));
  const chosen: number[] = [];
  const foldAccuracies = folds.map(({ start, end }, f) => {
    let best = 0;
    for (let t = 1; t < thresholds.length; t++) {
      if (total[t] - correct[f][t] > total[best] - correct[f][best]) best = t;
    }
    chosen.push(thresholds[best]);
    return correct[f][best] / (end - start);
  });
  return { foldAccuracies, ...meanStd(foldAccuracies), thresholds: chosen, folds };
}

/** A ROC curve: FAR and TAR at every distinct score used as a threshold. */
export interface Roc {
  /** False accept rate FP/N at each threshold, non-decreasing, from 0 to 1. */
  far: Float64Array;
  /** True accept rate TP/P at each threshold, non-decreasing, from 0 to 1. */
  tar: Float64Array;
  /** "Same" iff score ≥ threshold; +∞ first, then the distinct scores in decreasing order. */
  thresholds: Float64Array;
  /** Number of genuine pairs P. */
  positives: number;
  /** Number of impostor pairs N. */
  negatives: number;
}

/**
 * The ROC of `scores` (higher = more alike) over all distinct thresholds (see the file header);
 * needs at least one genuine and one impostor pair.
 */
export function roc(scores: ArrayLike<number>, issame: ArrayLike<boolean>): Roc {
  checkScores(scores, issame, 'roc');
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((i, j) => scores[j] - scores[i]);
  let positives = 0;
  for (let i = 0; i < issame.length; i++) if (issame[i]) positives++;
  const negatives = scores.length - positives;
  if (positives === 0 || negatives === 0) {
    throw new ShapeError(`roc: needs genuine and impostor pairs, got ${positives} and ${negatives}`);
  }
  const far = [0];
  const tar = [0];
  const thresholds = [Infinity];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    if (issame[order[k]]) tp++;
    else fp++;
    // One point per distinct score: only after the last pair with this score.
    if (k + 1 < order.length && scores[order[k + 1]] === scores[order[k]]) continue;
    far.push(fp / negatives);
    tar.push(tp / positives);
    thresholds.push(scores[order[k]]);
  }
  return { far: Float64Array.from(far), tar: Float64Array.from(tar), thresholds: Float64Array.from(thresholds), positives, negatives };
}

/** A point of a ROC curve. */
export interface OperatingPoint {
  /** The TAR at this point. */
  tar: number;
  /** The FAR actually achieved (≤ the target). */
  far: number;
  /** "Same" iff score ≥ threshold. */
  threshold: number;
}

/**
 * The ROC point with the largest TAR among those with FAR ≤ `far` (the last such point, since
 * the ROC is monotone); the point at threshold +∞ (FAR = TAR = 0) always qualifies.
 */
export function operatingPoint(curve: Roc, far: number): OperatingPoint {
  if (!(far >= 0 && far <= 1)) throw new OptionError(`tarAtFar: the FAR must lie in [0, 1], got ${far}`);
  let k = 0;
  while (k + 1 < curve.far.length && curve.far[k + 1] <= far) k++;
  return { tar: curve.tar[k], far: curve.far[k], threshold: curve.thresholds[k] };
}

/** TAR@FAR: the largest TAR among ROC points with FAR ≤ `far` (no interpolation). */
export function tarAtFar(curve: Roc, far: number): number {
  return operatingPoint(curve, far).tar;
}

/** The area under the ROC curve (trapezoids between consecutive points). */
export function rocAuc(curve: Roc): number {
  let area = 0;
  for (let k = 1; k < curve.far.length; k++) {
    area += ((curve.far[k] - curve.far[k - 1]) * (curve.tar[k] + curve.tar[k - 1])) / 2;
  }
  return area;
}

/** The result of `closedSetAccuracy`. */
export interface ClosedSetResult {
  /** Fraction of samples whose nearest class center (by cosine) is their own class. */
  accuracy: number;
  /** The predicted class of each sample (ties go to the lower class index). */
  predictions: Int32Array;
}

/**
 * Closed-set identification: each embedding (row-major N × d, N = labels.length) is assigned the
 * class whose center (row-major C × d, e.g. the classifier's weight rows) has the highest cosine.
 */
export function closedSetAccuracy(
  embeddings: ArrayLike<number>,
  labels: ArrayLike<number>,
  classCenters: ArrayLike<number>,
): ClosedSetResult {
  const n = labels.length;
  if (n === 0) throw new ShapeError('closedSetAccuracy: no samples');
  const dim = embeddings.length / n;
  if (!Number.isInteger(dim) || dim < 1) {
    throw new ShapeError(`closedSetAccuracy: ${embeddings.length} numbers are not ${n} embeddings`);
  }
  const e = normalizeRows(embeddings, dim, 'closedSetAccuracy (embeddings)');
  const w = normalizeRows(classCenters, dim, 'closedSetAccuracy (class centers)');
  const numClasses = w.length / dim;
  const predictions = new Int32Array(n);
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0 || y >= numClasses) {
      throw new LabelError(`closedSetAccuracy: label ${i} is ${y}, not a class in [0, ${numClasses})`);
    }
    let best = 0;
    let bestScore = -Infinity;
    for (let c = 0; c < numClasses; c++) {
      const s = dot(e, i, w, c, dim);
      if (s > bestScore) [best, bestScore] = [c, s];
    }
    predictions[i] = best;
    if (best === y) hits++;
  }
  return { accuracy: hits / n, predictions };
}

/**
 * Class centers from labelled embeddings: the L2-normalized mean of each class's L2-normalized
 * embeddings (row-major `numClasses` × d), for models whose classifier weights are not wanted.
 */
export function classCenters(embeddings: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): Float64Array {
  const n = labels.length;
  if (n === 0) throw new ShapeError('classCenters: no samples');
  const dim = embeddings.length / n;
  if (!Number.isInteger(dim) || dim < 1) throw new ShapeError(`classCenters: ${embeddings.length} numbers are not ${n} embeddings`);
  const e = normalizeRows(embeddings, dim, 'classCenters');
  const sums = new Float64Array(numClasses * dim);
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0 || y >= numClasses) {
      throw new LabelError(`classCenters: label ${i} is ${y}, not a class in [0, ${numClasses})`);
    }
    counts[y]++;
    for (let k = 0; k < dim; k++) sums[y * dim + k] += e[i * dim + k];
  }
  const empty = counts.findIndex((c) => c === 0);
  if (empty >= 0) throw new ShapeError(`classCenters: class ${empty} has no embeddings`);
  return normalizeRows(sums, dim, 'classCenters (means)');
}

/** Options of `evaluateVerification`. */
export interface EvaluateVerificationOptions extends TenFoldOptions {
  /** The FARs to report TAR at; [1e-3, 1e-2, 1e-1] unless given. */
  fars?: readonly number[];
}

/** Everything `evaluateVerification` measures on one set of pairs. */
export interface VerificationReport {
  /** Cosine score of each pair. */
  scores: Float64Array;
  /** insightface's 10-fold accuracy. */
  accuracy: TenFoldResult;
  /** The ROC over all distinct scores. */
  roc: Roc;
  /** Area under the ROC. */
  auc: number;
  /** TAR at each requested FAR (largest TAR with FAR ≤ target), with the FAR and threshold achieved. */
  tarAtFar: (OperatingPoint & {
    /** The FAR asked for. */
    target: number;
  })[];
}

/**
 * The whole verification protocol on embeddings (row-major N × `dim`) and pairs: cosine scores,
 * 10-fold accuracy, ROC, AUC and TAR@FAR.
 */
export function evaluateVerification(
  embeddings: ArrayLike<number>,
  dim: number,
  pairs: Pairs,
  options: EvaluateVerificationOptions = {},
): VerificationReport {
  const scores = cosineScores(embeddings, dim, pairs);
  const curve = roc(scores, pairs.issame);
  return {
    scores,
    accuracy: tenFoldAccuracy(scores, pairs.issame, options),
    roc: curve,
    auc: rocAuc(curve),
    tarAtFar: (options.fars ?? [1e-3, 1e-2, 1e-1]).map((target) => ({ target, ...operatingPoint(curve, target) })),
  };
}
