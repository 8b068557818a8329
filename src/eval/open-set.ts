/**
 * The open-set protocol of face recognition at scale, on plain Float64Array embeddings (as
 * src/eval/verification.ts, which it builds on):
 *
 * - LFW-style verification: `makePairs` draws the pairs (6,000: half genuine, half impostor) and
 *   `evaluateVerification` gives insightface's 10-fold accuracy (threshold chosen on 9 folds,
 *   mean ± std over the 10).
 * - TAR@FAR from ALL pairs (`allPairsTarAtFar`): every genuine and every impostor pair of the set.
 *   With 17,000 images that is 1.4·10⁸ pairs, too many to keep, so the impostor scores stream
 *   through a top-K buffer (K = ⌊FAR_max·impostors⌋ + 1) and a histogram: the result is exactly
 *   `operatingPoint(roc(all pairs), far)` of verification.ts — the largest TAR whose threshold
 *   accepts at most ⌊FAR·impostors⌋ impostors — without materializing the pairs
 *   (test/eval/open-set.test.ts checks the two against each other). The ROC for figures is
 *   read off the histograms, at `ROC_BINS` evenly spaced thresholds.
 * - 1:N identification rank-1 (`rankOneIdentification`): a gallery of one image per identity,
 *   every other image a probe, the nearest gallery image by cosine (ties to the first) the answer;
 *   every identity of the gallery is a distractor for the others' probes.
 */
import type { Backend } from '../backend/backend.js';
import type { DType } from '../tensor/dtype.js';
import { LabelError, OptionError, ShapeError } from '../tensor/errors.js';
import { evaluateVerification, makePairs, normalizeRows, type VerificationReport } from './verification.js';

/** Thresholds of the histogram ROC (evenly spaced cosines in [−1, 1]). */
export const ROC_BINS = 2000;

/** One operating point from all pairs. */
export interface AllPairsPoint {
  /** The FAR asked for. */
  target: number;
  /** The largest TAR whose threshold accepts at most ⌊target·impostors⌋ impostor pairs. */
  tar: number;
  /** The FAR that threshold achieves (≤ target). */
  far: number;
  /** "Same" iff score > threshold (the (k+1)-th highest impostor score; −∞ when every impostor may be accepted). */
  threshold: number;
}

/** Rows of the band of the Gram matrix E·Eᵀ of the unit rows E (N × dim) given to it: rows i0 ≤ i < i1, each N long, row-major. */
export type GramRows = (unitRows: Float64Array, dim: number) => (i0: number, i1: number) => ArrayLike<number>;

/** Rows of the Gram matrix per band in the all-pairs pass. */
const GRAM_ROWS = 128;

/** The Gram rows in float64 by plain loops (the reference; dot products in the order of `cosineScores`). */
export const float64Gram: GramRows = (e, dim) => {
  const n = e.length / dim;
  return (i0, i1) => {
    const out = new Float64Array((i1 - i0) * n);
    for (let i = i0; i < i1; i++) {
      for (let j = i + 1; j < n; j++) {
        let s = 0;
        for (let k = 0; k < dim; k++) s += e[i * dim + k] * e[j * dim + k];
        out[(i - i0) * n + j] = s;
      }
    }
    return out;
  };
};

/**
 * The Gram rows as one matmul per band on `backend` (the wasm backend's SIMD gemm: ~100× the
 * float64 loop), in the backend's dtype: float32 scores are within ~1e-7·√dim of the float64 ones,
 * which moves a threshold by far less than the spacing of the FARs reported.
 */
export function backendGram(backend: Backend, dtype: DType = 'float32'): GramRows {
  return (e, dim) => {
    const n = e.length / dim;
    const all = backend.fromArray(e, [n, dim], dtype);
    return (i0, i1) => backend.read(backend.matmul(backend.fromArray(e.subarray(i0 * dim, i1 * dim), [i1 - i0, dim], dtype), all, false, true));
  };
}

/** What `allPairsTarAtFar` measures. */
export interface AllPairsResult {
  /** Genuine pairs (same identity). */
  genuine: number;
  /** Impostor pairs. */
  impostor: number;
  /** One per requested FAR. */
  points: AllPairsPoint[];
  /** The ROC at `ROC_BINS` + 1 thresholds (−1 … 1): FAR and TAR of "same" iff score ≥ threshold, FAR ascending. */
  roc: {
    /** FAR at each threshold, from 0 (threshold above 1) up. */
    far: Float64Array;
    /** TAR at the same thresholds. */
    tar: Float64Array;
  };
  /** Area under that ROC (trapezoids). */
  auc: number;
}

function binOf(s: number): number {
  const b = Math.floor(((s + 1) / 2) * ROC_BINS);
  return b < 0 ? 0 : b >= ROC_BINS ? ROC_BINS - 1 : b;
}

function checkLabels(labels: ArrayLike<number>, n: number, where: string): void {
  if (labels.length !== n) throw new ShapeError(`${where}: ${labels.length} labels for ${n} embeddings`);
  for (let i = 0; i < n; i++) if (!Number.isInteger(labels[i])) throw new LabelError(`${where}: label ${i} is ${labels[i]}, not an integer`);
}

/**
 * TAR at each FAR of `fars` over every pair of the N embeddings (row-major N × `dim`), genuine
 * when the two labels are equal; see the file header. Needs a genuine and an impostor pair.
 */
export function allPairsTarAtFar(
  embeddings: ArrayLike<number>,
  dim: number,
  labels: ArrayLike<number>,
  fars: readonly number[],
  onProgress?: (pairsDone: number, pairs: number) => void,
  gram?: GramRows,
): AllPairsResult {
  const e = normalizeRows(embeddings, dim, 'allPairsTarAtFar');
  const n = e.length / dim;
  checkLabels(labels, n, 'allPairsTarAtFar');
  for (const f of fars) if (!(f >= 0 && f <= 1)) throw new OptionError(`allPairsTarAtFar: a FAR must lie in [0, 1], got ${f}`);
  const sizes = new Map<number, number>();
  for (let i = 0; i < n; i++) sizes.set(labels[i], (sizes.get(labels[i]) ?? 0) + 1);
  let genuine = 0;
  for (const c of sizes.values()) genuine += (c * (c - 1)) / 2;
  const impostor = (n * (n - 1)) / 2 - genuine;
  if (genuine === 0 || impostor === 0) throw new ShapeError(`allPairsTarAtFar: needs genuine and impostor pairs, got ${genuine} and ${impostor}`);
  const maxFar = Math.max(0, ...fars);
  const keep = Math.min(impostor, Math.floor(maxFar * impostor) + 1);
  const genuineScores = new Float64Array(genuine);
  const genuineHist = new Float64Array(ROC_BINS);
  const impostorHist = new Float64Array(ROC_BINS);
  // The top `keep` impostor scores: a buffer of every score above tau, cut back to `keep` when full.
  const top = new Float64Array(Math.max(2 * keep, 1024));
  let held = 0;
  let tau = -Infinity;
  const cut = () => {
    top.subarray(0, held).sort().reverse(); // descending, in place
    held = Math.min(held, keep);
    tau = held === keep ? top[keep - 1] : -Infinity;
  };
  let g = 0;
  const pairs = (n * (n - 1)) / 2;
  // The Gram matrix of the unit rows, a band of rows at a time (`gram`: a float32 SIMD matmul
  // where speed matters; the float64 loop by default). The results do not depend on the order.
  const rowsOf = (gram ?? float64Gram)(e, dim);
  for (let i0 = 0; i0 < n; i0 += GRAM_ROWS) {
    const i1 = Math.min(n, i0 + GRAM_ROWS);
    onProgress?.(i0 * n - (i0 * (i0 + 1)) / 2, pairs);
    const band = rowsOf(i0, i1);
    for (let i = i0; i < i1; i++) {
      const li = labels[i];
      const row = (i - i0) * n;
      for (let j = i + 1; j < n; j++) {
        let s = band[row + j];
        s = s > 1 ? 1 : s < -1 ? -1 : s;
        if (labels[j] === li) {
          genuineScores[g++] = s;
          genuineHist[binOf(s)]++;
          continue;
        }
        impostorHist[binOf(s)]++;
        if (s > tau) {
          if (held === top.length) cut();
          if (s > tau) top[held++] = s;
        }
      }
    }
  }
  cut();
  onProgress?.(pairs, pairs);
  genuineScores.sort();
  const genuineAbove = (t: number) => {
    // genuine scores > t, by binary search in the ascending array
    let lo = 0;
    let hi = genuine;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (genuineScores[mid] > t) hi = mid;
      else lo = mid + 1;
    }
    return genuine - lo;
  };
  const points = fars.map((target): AllPairsPoint => {
    const accepted = Math.floor(target * impostor);
    if (accepted >= impostor) return { target, tar: 1, far: 1, threshold: -Infinity };
    const threshold = top[accepted]; // the (accepted + 1)-th highest impostor score
    let above = 0;
    while (above < accepted && top[above] > threshold) above++;
    return { target, tar: genuineAbove(threshold) / genuine, far: above / impostor, threshold };
  });
  const far = new Float64Array(ROC_BINS + 1);
  const tar = new Float64Array(ROC_BINS + 1);
  let fp = 0;
  let tp = 0;
  for (let b = ROC_BINS - 1; b >= 0; b--) {
    fp += impostorHist[b];
    tp += genuineHist[b];
    far[ROC_BINS - b] = fp / impostor;
    tar[ROC_BINS - b] = tp / genuine;
  }
  let auc = 0;
  for (let k = 1; k <= ROC_BINS; k++) auc += ((far[k] - far[k - 1]) * (tar[k] + tar[k - 1])) / 2;
  return { genuine, impostor, points, roc: { far, tar }, auc };
}

/** What `rankOneIdentification` measures. */
export interface IdentificationResult {
  /** Fraction of probes whose nearest gallery image is of their identity. */
  rank1: number;
  /** Gallery images (one per identity). */
  gallery: number;
  /** Probe images. */
  probes: number;
}

/**
 * 1:N identification: images with `isGallery[i]` form the gallery (at most one per identity),
 * the others are probes; a probe is identified correctly when the gallery image of highest cosine
 * (the first on ties) has its label. A probe whose identity has no gallery image is a LabelError.
 */
export function rankOneIdentification(embeddings: ArrayLike<number>, dim: number, labels: ArrayLike<number>, isGallery: ArrayLike<boolean>): IdentificationResult {
  const e = normalizeRows(embeddings, dim, 'rankOneIdentification');
  const n = e.length / dim;
  checkLabels(labels, n, 'rankOneIdentification');
  if (isGallery.length !== n) throw new ShapeError(`rankOneIdentification: ${isGallery.length} gallery flags for ${n} embeddings`);
  const gallery: number[] = [];
  const seen = new Set<number>();
  for (let i = 0; i < n; i++) {
    if (!isGallery[i]) continue;
    if (seen.has(labels[i])) throw new LabelError(`rankOneIdentification: identity ${labels[i]} has two gallery images`);
    seen.add(labels[i]);
    gallery.push(i);
  }
  let probes = 0;
  let hits = 0;
  for (let i = 0; i < n; i++) {
    if (isGallery[i]) continue;
    if (!seen.has(labels[i])) throw new LabelError(`rankOneIdentification: probe ${i}'s identity ${labels[i]} has no gallery image`);
    probes++;
    let best = -1;
    let bestScore = -Infinity;
    for (const j of gallery) {
      let s = 0;
      for (let k = 0; k < dim; k++) s += e[i * dim + k] * e[j * dim + k];
      if (s > bestScore) [best, bestScore] = [j, s];
    }
    if (labels[best] === labels[i]) hits++;
  }
  if (probes === 0) throw new ShapeError('rankOneIdentification: no probe (every image is in the gallery)');
  return { rank1: hits / probes, gallery: gallery.length, probes };
}

/** An evaluation set: embeddings with the identity of each row and which rows form the gallery. */
export interface OpenSetSample {
  /** Row-major N × `dim`. */
  embeddings: ArrayLike<number>;
  /** Embedding width. */
  dim: number;
  /** Identity of each row. */
  labels: ArrayLike<number>;
  /** True for the gallery images (one per identity, e.g. one font's); the others are probes. */
  gallery: ArrayLike<boolean>;
}

/** Options of `evaluateOpenSet`. */
export interface OpenSetOptions {
  /** Verification pairs (LFW: 6,000). */
  pairs: number;
  /** Seed of the pairs. */
  seed: number;
  /** FARs of the all-pairs TAR (e.g. [1e-3, 1e-4]). */
  fars: readonly number[];
  /** Progress of the all-pairs pass, the long part (pairs done, of all). */
  onProgress?: (pairsDone: number, pairs: number) => void;
  /** How the all-pairs pass computes its scores (default `float64Gram`). */
  gram?: GramRows;
}

/** Everything the protocol measures on one set. */
export interface OpenSetReport {
  /** LFW-style 10-fold verification on `pairs` pairs (its `tarAtFar` uses only those pairs). */
  verification: VerificationReport;
  /** TAR@FAR and the ROC from all pairs. */
  allPairs: AllPairsResult;
  /** 1:N rank-1 identification. */
  identification: IdentificationResult;
}

/** The protocol on one set (see the file header): verification, all-pairs TAR@FAR, rank-1. */
export function evaluateOpenSet(sample: OpenSetSample, o: OpenSetOptions): OpenSetReport {
  const { embeddings, dim, labels, gallery } = sample;
  return {
    verification: evaluateVerification(embeddings, dim, makePairs(labels, { count: o.pairs, seed: o.seed })),
    allPairs: allPairsTarAtFar(embeddings, dim, labels, o.fars, o.onProgress, o.gram),
    identification: rankOneIdentification(embeddings, dim, labels, gallery),
  };
}
