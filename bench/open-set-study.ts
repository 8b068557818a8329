/**
 * The open-set study (docs/open-set-study.md): why the demo's margin losses do not beat Softmax on
 * the unseen digits 7–9. Not a test: a reproducible measurement, run with
 *
 *   nice npm run study:open-set                          # every experiment, ~60–90 min on 2 shared cores
 *   nice npm run study:open-set -- --only baseline,scale # some of them
 *
 * It trains the demo's backbone (MLP 196 → 128 → 32, PReLU, BatchNorm1d on the embedding; SGD
 * momentum 0.9, lr 0.1 with one warm-up epoch then cosine, weight decay 5e-4, batch 128, 10
 * epochs) under variations of one factor at a time, over several seeds, and measures, besides the
 * demo's verification numbers, the geometry of the embeddings of the unseen digits: how close
 * genuine and impostor pairs are, how many directions they use (participation ratio), how much of
 * them lies in the span of the 7 class weights, and onto which training class each unseen digit
 * falls. A seed fixes the data split, the verification pairs, the initialization and the
 * shuffling, exactly as `arcgrad demo --seed` does: the default variant of seed s is the demo's
 * model of seed s, bit for bit (the study checks this for one run before it starts).
 *
 * Every finished run is appended to <out>/runs.jsonl and skipped when the study is run again; the
 * tables are rewritten to <out>/study.md from all finished runs after each one. `--fresh` starts
 * over. Options: --out DIR (default out/open-set-study), --only a,b, --fresh.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpu } from '../src/backend/cpu.js';
import { loadDemoData, POOLED_PIXELS, type DemoData, type PooledSet } from '../src/demo/data.js';
import { closedSetAccuracyOf, evaluateRun, headSeed, lrSchedule, targetAngles, trainRun, type RunConfig } from '../src/demo/experiment.js';
import { demoRunConfig, DEMO_SETTINGS } from '../src/demo/demo.js';
import { lossConfig, LOSS_LABELS, makeHead, shortLossParams, type LossName, type MarginOverrides } from '../src/demo/losses.js';
import { closedSetAccuracy, evaluateVerification, makePairs, normalizeRows, roc, rocAuc, type Pairs } from '../src/eval/verification.js';
import { MLP } from '../src/nn/mlp.js';
import { unscope, type Params, type State } from '../src/nn/params.js';
import { sgd } from '../src/optim/sgd.js';
import { Random } from '../src/tensor/random.js';
import type { Tensor } from '../src/tensor/tensor.js';
import { train } from '../src/train/loop.js';

// ---------------------------------------------------------------------------------------------
// Variants

/** One factor changed from the demo's defaults; absent fields are the demo's. */
interface Variant {
  /** Row label in the experiment's table. */
  label: string;
  loss: LossName;
  overrides?: MarginOverrides;
  hidden?: number[];
  embedding?: number;
  batchNorm?: boolean;
  epochs?: number;
  lr?: number;
  weightDecay?: number;
  /** Train on this many of the digits 0–6 (drawn per seed; default all 7); verify on 7–9 as always. */
  known?: number;
  /** Validation protocol: train on digits 0–4, verify on the training images of 5–6 (7–9 untouched). */
  validation?: boolean;
  /** Pseudo-identities: split each training digit into this many k-means clusters of its pixels, one class each. */
  subclasses?: number;
}

/** The resolved settings of a run: what its cache key is made of. */
interface Spec {
  loss: LossName;
  overrides: MarginOverrides;
  hidden: number[];
  embedding: number;
  batchNorm: boolean;
  epochs: number;
  lr: number;
  weightDecay: number;
  known: number;
  validation: boolean;
  /** Absent unless set, so that the cache keys of the other runs do not change. */
  subclasses?: number;
  seed: number;
}

const DEFAULTS = { hidden: [128], embedding: 32, batchNorm: true, epochs: 10, lr: 0.1, weightDecay: 5e-4, known: 7, validation: false };
const BATCH = 128;
const MOMENTUM = 0.9;
const PAIRS = 6000;

function spec(v: Variant, seed: number): Spec {
  return {
    loss: v.loss,
    overrides: v.overrides ?? {},
    hidden: v.hidden ?? DEFAULTS.hidden,
    embedding: v.embedding ?? DEFAULTS.embedding,
    batchNorm: v.batchNorm ?? DEFAULTS.batchNorm,
    epochs: v.epochs ?? DEFAULTS.epochs,
    lr: v.lr ?? DEFAULTS.lr,
    weightDecay: v.weightDecay ?? DEFAULTS.weightDecay,
    known: v.known ?? DEFAULTS.known,
    validation: v.validation ?? false,
    ...(v.subclasses === undefined ? {} : { subclasses: v.subclasses }),
    seed,
  };
}

function key(s: Spec): string {
  return JSON.stringify(s);
}

const FIVE = [0, 1, 2, 3, 4];
const THREE = [0, 1, 2];
const CORE: LossName[] = ['softmax', 'normface', 'cosface', 'arcface'];
const THREE_LOSSES: LossName[] = ['softmax', 'normface', 'arcface'];

/** The demo's settings for `losses`, as reference rows of an experiment (the baseline's runs, cached). */
function reference(losses: LossName[], what = 'demo settings'): Variant[] {
  return losses.map((loss) => ({ label: `${LOSS_LABELS[loss]}, ${what}`, loss }));
}

/** An experiment: variants over seeds, and which tables to print. */
interface Experiment {
  name: string;
  title: string;
  seeds: number[];
  variants: Variant[];
  tables: TableName[];
}

type TableName = 'verification' | 'geometry' | 'seen' | 'taps' | 'training' | 'paired' | 'assignment';

const EXPERIMENTS: Experiment[] = [
  {
    name: 'baseline',
    title: 'Baseline: the demo\'s settings, 5 seeds',
    seeds: FIVE,
    variants: (['softmax', 'normface', 'sphereface', 'cosface', 'arcface', 'combined'] as LossName[]).map((loss) => ({ label: LOSS_LABELS[loss], loss })),
    tables: ['verification', 'paired', 'training', 'geometry', 'seen', 'taps', 'assignment'],
  },
  {
    name: 'epochs',
    title: 'Longer training: 30 epochs instead of 10',
    seeds: [0, 1],
    variants: [...reference(CORE, '10 epochs'), ...CORE.map((loss) => ({ label: `${LOSS_LABELS[loss]}, 30 epochs`, loss, epochs: 30 }))],
    tables: ['verification', 'paired', 'training', 'geometry'],
  },
  {
    name: 'scale',
    title: 'The scale s (NormFace and ArcFace m = 0.5) and the ArcFace margin m',
    seeds: THREE,
    variants: [
      ...reference(['softmax']),
      { label: 'NormFace s=30 (demo)', loss: 'normface' },
      ...[16, 64].map((s): Variant => ({ label: `NormFace s=${s}`, loss: 'normface', overrides: { s } })),
      { label: 'ArcFace s=30 m=0.5 (demo)', loss: 'arcface' },
      ...[16, 64].map((s): Variant => ({ label: `ArcFace s=${s} m=0.5`, loss: 'arcface', overrides: { s } })),
      { label: 'ArcFace s=30 m=0.25', loss: 'arcface', overrides: { m2: 0.25 } },
    ],
    tables: ['verification', 'paired', 'training', 'geometry'],
  },
  {
    name: 'identities',
    title: 'Number of training identities: 3 or 5 of the digits 0–6 (drawn per seed), verified on 7–9',
    seeds: THREE,
    variants: [
      ...[3, 5].flatMap((known) => THREE_LOSSES.map((loss) => ({ label: `${LOSS_LABELS[loss]}, ${known} digits`, loss, known }))),
      ...reference(THREE_LOSSES, '7 digits (demo)'),
    ],
    tables: ['verification', 'paired', 'geometry'],
  },
  {
    name: 'capacity',
    title: 'Capacity and the embedding\'s batch norm (Softmax vs ArcFace)',
    seeds: THREE,
    variants: (['softmax', 'arcface'] as LossName[]).flatMap((loss): Variant[] => [
      ...reference([loss], 'demo: embedding 32, BN'),
      { label: `${LOSS_LABELS[loss]}, embedding 128`, loss, embedding: 128 },
      { label: `${LOSS_LABELS[loss]}, no BN on the embedding`, loss, batchNorm: false },
    ]),
    tables: ['verification', 'paired', 'training', 'geometry', 'taps'],
  },
  {
    name: 'dimension',
    title: 'Embedding size below the number of training identities (d < C = 7; the papers train with d ≪ C)',
    seeds: THREE,
    variants: THREE_LOSSES.flatMap((loss) => [
      ...[4, 6].map((embedding): Variant => ({ label: `${LOSS_LABELS[loss]}, embedding ${embedding}`, loss, embedding })),
      ...reference([loss], 'embedding 32 (demo)'),
    ]),
    tables: ['verification', 'paired', 'geometry', 'taps'],
  },
  {
    name: 'subclasses',
    title: 'Many training identities (C ≫ d, as in the papers): each of the digits 0–6 split into 10 k-means clusters of its pixels, 70 pseudo-identities',
    seeds: THREE,
    variants: [...reference(THREE_LOSSES, '7 digits (demo)'), ...THREE_LOSSES.map((loss) => ({ label: `${LOSS_LABELS[loss]}, 70 pseudo-identities`, loss, subclasses: 10 }))],
    tables: ['verification', 'paired', 'training', 'geometry', 'taps'],
  },
  {
    name: 'optim',
    title: 'Learning rate and weight decay (Softmax vs ArcFace)',
    seeds: [0, 1],
    variants: (['softmax', 'arcface'] as LossName[]).flatMap((loss): Variant[] => [
      ...reference([loss], 'demo: lr 0.1, weight decay 5e-4'),
      { label: `${LOSS_LABELS[loss]}, lr 0.02`, loss, lr: 0.02 },
      { label: `${LOSS_LABELS[loss]}, weight decay 0`, loss, weightDecay: 0 },
    ]),
    tables: ['verification', 'paired', 'training'],
  },
  {
    name: 'validation',
    title: 'Validation protocol: train on 0–4, verify on the training images of 5–6 (digits 7–9 untouched)',
    seeds: THREE,
    variants: [
      ...[32, 4].flatMap((embedding) =>
        THREE_LOSSES.map((loss): Variant => ({ label: `${LOSS_LABELS[loss]}, embedding ${embedding} (0–4 → 5–6)`, loss, embedding, validation: true })),
      ),
      ...(['normface', 'arcface'] as LossName[]).map((loss): Variant => ({ label: `${LOSS_LABELS[loss]} s=16 (0–4 → 5–6)`, loss, overrides: { s: 16 }, validation: true })),
    ],
    tables: ['verification', 'paired', 'geometry', 'taps'],
  },
];

// ---------------------------------------------------------------------------------------------
// Data

interface Split {
  /** Training rows, labels remapped to 0…C−1. */
  train: PooledSet;
  /** Held-out rows of the training digits, labels remapped (closed set). */
  closed: PooledSet;
  /** Rows of the verification digits, labels the digits. */
  verify: PooledSet;
  /** Training digits, in class order. */
  known: number[];
  /** Number of training classes (known.length × subclasses). */
  classes: number;
  verifyPairs: Pairs;
  seenPairs: Pairs;
}

const dataCache = new Map<number, DemoData>();
function demoData(seed: number): DemoData {
  let d = dataCache.get(seed);
  if (!d) dataCache.set(seed, (d = loadDemoData({ seed, perDigit: 0 })));
  return d;
}

function subset(set: PooledSet, digits: readonly number[], remap: boolean): PooledSet {
  const rows: number[] = [];
  for (let i = 0; i < set.count; i++) if (digits.includes(set.labels[i])) rows.push(i);
  const x = new Float64Array(rows.length * POOLED_PIXELS);
  const labels = new Int32Array(rows.length);
  rows.forEach((r, k) => {
    x.set(set.x.subarray(r * POOLED_PIXELS, (r + 1) * POOLED_PIXELS), k * POOLED_PIXELS);
    labels[k] = remap ? digits.indexOf(set.labels[r]) : set.labels[r];
  });
  return { x, labels, count: rows.length };
}

/** Index of the centroid (rows of `centroids`, 196 wide) nearest to row i of x. */
function nearest(centroids: Float64Array, x: Float64Array, i: number): number {
  let best = 0;
  let bestD = Infinity;
  for (let c = 0; c < centroids.length / POOLED_PIXELS; c++) {
    let dist = 0;
    for (let p = 0; p < POOLED_PIXELS; p++) dist += (x[i * POOLED_PIXELS + p] - centroids[c * POOLED_PIXELS + p]) ** 2;
    if (dist < bestD) [best, bestD] = [c, dist];
  }
  return best;
}

/** k-means (k-means++ seeding, 25 Lloyd iterations) of the rows of `set` labelled `label`: k × 196 centroids. */
function kMeans(set: PooledSet, label: number, k: number, rng: Random): Float64Array {
  const rows = Array.from(set.labels, (l, i) => (l === label ? i : -1)).filter((i) => i >= 0);
  const centroids = new Float64Array(k * POOLED_PIXELS);
  const copy = (c: number, i: number) => centroids.set(set.x.subarray(i * POOLED_PIXELS, (i + 1) * POOLED_PIXELS), c * POOLED_PIXELS);
  copy(0, rows[rng.int(rows.length)]);
  for (let c = 1; c < k; c++) {
    const d2 = rows.map((i) => {
      const j = nearest(centroids.subarray(0, c * POOLED_PIXELS), set.x, i);
      let d = 0;
      for (let p = 0; p < POOLED_PIXELS; p++) d += (set.x[i * POOLED_PIXELS + p] - centroids[j * POOLED_PIXELS + p]) ** 2;
      return d;
    });
    let r = rng.uniform() * d2.reduce((a, b) => a + b, 0);
    copy(c, rows[Math.max(0, d2.findIndex((d) => (r -= d) < 0))]);
  }
  for (let iter = 0; iter < 25; iter++) {
    const sums = new Float64Array(k * POOLED_PIXELS);
    const counts = new Array<number>(k).fill(0);
    for (const i of rows) {
      const c = nearest(centroids, set.x, i);
      counts[c]++;
      for (let p = 0; p < POOLED_PIXELS; p++) sums[c * POOLED_PIXELS + p] += set.x[i * POOLED_PIXELS + p];
    }
    for (let c = 0; c < k; c++) if (counts[c] > 0) for (let p = 0; p < POOLED_PIXELS; p++) centroids[c * POOLED_PIXELS + p] = sums[c * POOLED_PIXELS + p] / counts[c];
  }
  return centroids;
}

function knownDigits(s: Spec): number[] {
  if (s.validation) return [0, 1, 2, 3, 4];
  const all = [0, 1, 2, 3, 4, 5, 6];
  if (s.known === 7) return all;
  return new Random(7919 + s.seed).shuffle(all).slice(0, s.known).sort((a, b) => a - b);
}

function split(s: Spec): Split {
  const d = demoData(s.seed);
  const known = knownDigits(s);
  // subset() copies, so relabelling into pseudo-identities below never touches the cached data.
  const whole = s.known === 7 && !s.validation && s.subclasses === undefined;
  const trainSet = whole ? d.train : subset(d.train, known, true);
  const closed = whole ? d.closedTest : subset(d.closedTest, known, true);
  const verify = s.validation ? subset(d.train, [5, 6], false) : d.unseen;
  const k = s.subclasses ?? 1;
  if (k > 1) {
    const centroids = known.map((_, digit) => kMeans(trainSet, digit, k, new Random(4099 + s.seed * 31 + digit)));
    for (const set of [trainSet, closed]) {
      set.labels = Int32Array.from(set.labels, (digit, i) => digit * k + nearest(centroids[digit], set.x, i));
    }
  }
  return {
    train: trainSet,
    closed,
    verify,
    known,
    classes: known.length * k,
    verifyPairs: makePairs(verify.labels, { count: PAIRS, seed: s.seed }),
    seenPairs: makePairs(closed.labels, { count: PAIRS, seed: s.seed }),
  };
}

// ---------------------------------------------------------------------------------------------
// Training

interface Trained {
  backbone: MLP;
  params: Params;
  state: State;
  head: Params;
  losses: number[];
  stepsPerEpoch: number;
  seconds: number;
}

function runConfigOf(s: Spec): RunConfig {
  return {
    loss: lossConfig(s.loss, s.overrides),
    data: { seed: s.seed, perDigit: 0 },
    model: { hidden: s.hidden, embedding: s.embedding },
    optim: { epochs: s.epochs, batchSize: BATCH, lr: s.lr, momentum: MOMENTUM, weightDecay: s.weightDecay, warmupEpochs: 1, seed: s.seed },
    pairs: PAIRS,
  };
}

/** Trains as src/demo/experiment.ts's trainRun does, with any number of classes and the BN switch. */
function trainSpec(s: Spec, data: Split): Trained {
  const c = runConfigOf(s);
  const backbone = new MLP({ inFeatures: POOLED_PIXELS, hidden: s.hidden, embedding: s.embedding, activation: 'prelu', batchNorm: s.batchNorm });
  const head = makeHead(c.loss, data.classes, s.embedding, new Random(headSeed(s.seed)));
  let done = 0;
  const t0 = performance.now();
  const r = train({
    backbone,
    head: head.init,
    headLoss: (e, h, y) => head.loss(e, h, y, done + 1),
    data: { x: cpu.fromArray(data.train.x, [data.train.count, POOLED_PIXELS], 'float64'), labels: data.train.labels },
    epochs: s.epochs,
    batchSize: BATCH,
    optimizer: sgd({ lr: s.lr, momentum: MOMENTUM, weightDecay: s.weightDecay }),
    schedule: lrSchedule(c, data.train.count),
    seed: s.seed,
    onProgress: (p) => {
      done = p.step;
    },
  });
  return {
    backbone,
    params: r.backbone,
    state: r.state,
    head: r.head,
    losses: r.losses,
    stepsPerEpoch: Math.floor(data.train.count / BATCH),
    seconds: (performance.now() - t0) / 1000,
  };
}

/** The outputs of the last hidden activation, the embedding layer before its BN, and the embedding. */
function taps(t: Trained, set: PooledSet): Record<TapName, { x: Float64Array; dim: number }> {
  let y: Tensor = cpu.fromArray(set.x, [set.count, POOLED_PIXELS], 'float64');
  const out: Partial<Record<TapName, { x: Float64Array; dim: number }>> = {};
  const last = t.backbone.layers.length - 1;
  t.backbone.layers.forEach(([name, layer], i) => {
    y = layer.apply(unscope(name, t.params), y, { training: false, state: unscope(name, t.state) }).y;
    const value = { x: Float64Array.from(y.toTypedArray()), dim: y.shape[1] };
    if (name.startsWith('act')) out.hidden = value;
    if (name.startsWith('fc')) out.preBN = value;
    if (i === last) out.embedding = value;
  });
  return out as Record<TapName, { x: Float64Array; dim: number }>;
}

// ---------------------------------------------------------------------------------------------
// Measurements

type TapName = 'hidden' | 'preBN' | 'embedding';
const TAPS: TapName[] = ['hidden', 'preBN', 'embedding'];

interface Verif {
  acc: number;
  auc: number;
  tar2: number;
  /** Participation ratio of the L2-normalized features' covariance. */
  pr: number;
}

interface Geometry {
  /** Mean cosine of genuine / impostor pairs. */
  genuineCos: number;
  impostorCos: number;
  /** (μ_genuine − μ_impostor) / √((σ²_genuine + σ²_impostor)/2). */
  dprime: number;
  /** Participation ratio of the normalized embeddings' covariance (1 … d). */
  pr: number;
  /** Mean ‖P x̂‖² with P the projection onto span(W rows): the share of each embedding's direction in the classifier's subspace. */
  spanEnergy: number;
  /** Share of the images whose nearest class weight (by cosine) is their digit's most frequent one. */
  modalShare: number;
  /** Share of impostor pairs whose two images have the same nearest class weight. */
  impostorCollisions: number;
  /** Share of genuine pairs whose two images have the same nearest class weight. */
  genuineSameCell: number;
  /** AUC of the cosine among pairs whose images share a nearest class weight. */
  cellAuc: number;
  /** AUC of the cosine of the embeddings projected onto span(W), and onto its orthogonal complement. */
  spanAuc: number;
  perpAuc: number;
  /** counts[digit index][class]: how the images of each verification digit fall on the training classes. */
  assignment: number[][];
}

interface RunResult {
  key: string;
  spec: Spec;
  seconds: number;
  /** Mean training loss of each epoch. */
  lossCurve: number[];
  /** θ_y of the training images (eval-mode embedding vs W), mean and median, degrees. */
  thetaMean: number;
  thetaMedian: number;
  /** Closed-set accuracy with the head (W·x + b for softmax, cosine for margin heads), and by cosine to W for every loss. */
  closedHead: number;
  closedCos: number;
  /** Mean ‖W row‖. */
  wNorm: number;
  verify: Record<TapName, Verif>;
  unseen: Geometry;
  seen: Geometry;
}

function participationRatio(e: Float64Array, dim: number): number {
  const n = e.length / dim;
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let k = 0; k < dim; k++) mean[k] += e[i * dim + k] / n;
  const cov = new Float64Array(dim * dim);
  const row = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < dim; k++) row[k] = e[i * dim + k] - mean[k];
    for (let a = 0; a < dim; a++) {
      const ra = row[a] / n;
      for (let b = a; b < dim; b++) cov[a * dim + b] += ra * row[b];
    }
  }
  let trace = 0;
  let frob = 0;
  for (let a = 0; a < dim; a++) {
    trace += cov[a * dim + a];
    frob += cov[a * dim + a] ** 2;
    for (let b = a + 1; b < dim; b++) frob += 2 * cov[a * dim + b] ** 2;
  }
  return (trace * trace) / frob;
}

function dotRows(x: Float64Array, i: number, y: Float64Array, j: number, dim: number): number {
  let s = 0;
  for (let k = 0; k < dim; k++) s += x[i * dim + k] * y[j * dim + k];
  return s;
}

/** Cosine of each pair, 0 where a vector is zero. */
function pairCosines(x: Float64Array, dim: number, pairs: Pairs): Float64Array {
  const n = x.length / dim;
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) norms[i] = Math.sqrt(dotRows(x, i, x, i, dim));
  return Float64Array.from(pairs.a, (a, p) => {
    const b = pairs.b[p];
    const d = norms[a] * norms[b];
    return d === 0 ? 0 : dotRows(x, a, x, b, dim) / d;
  });
}

function auc(scores: Float64Array, issame: readonly boolean[]): number {
  if (!issame.includes(true) || !issame.includes(false)) return Number.NaN;
  return rocAuc(roc(scores, issame));
}

/** Orthonormal basis (rows) of span(W rows), Gram–Schmidt twice. */
function orthonormalBasis(w: Float64Array, dim: number): Float64Array[] {
  const basis: Float64Array[] = [];
  for (let c = 0; c < w.length / dim; c++) {
    const v = w.slice(c * dim, (c + 1) * dim);
    for (let pass = 0; pass < 2; pass++) {
      for (const q of basis) {
        let d = 0;
        for (let k = 0; k < dim; k++) d += q[k] * v[k];
        for (let k = 0; k < dim; k++) v[k] -= d * q[k];
      }
    }
    const norm = Math.hypot(...v);
    if (norm > 1e-9) basis.push(v.map((x) => x / norm));
  }
  return basis;
}

function meanStd1(xs: number[]): { mean: number; std: number } {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  return { mean, std: Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length) };
}

function geometry(emb: Float64Array, dim: number, labels: Int32Array, pairs: Pairs, w: Float64Array): Geometry {
  const e = normalizeRows(emb, dim, 'geometry');
  const n = labels.length;
  const issame = pairs.issame;
  const cos = pairCosines(e, dim, pairs);
  const g = meanStd1(Array.from(cos).filter((_, p) => issame[p]));
  const im = meanStd1(Array.from(cos).filter((_, p) => !issame[p]));
  // Projection onto span(W) and its complement.
  const basis = orthonormalBasis(w, dim);
  const inSpan = new Float64Array(e.length);
  let spanEnergy = 0;
  for (let i = 0; i < n; i++) {
    for (const q of basis) {
      let d = 0;
      for (let k = 0; k < dim; k++) d += q[k] * e[i * dim + k];
      spanEnergy += (d * d) / n;
      for (let k = 0; k < dim; k++) inSpan[i * dim + k] += d * q[k];
    }
  }
  const perp = e.map((v, j) => v - inSpan[j]);
  // Nearest class weight by cosine.
  const wn = normalizeRows(w, dim, 'geometry (W)');
  const classes = w.length / dim;
  const cell = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (dotRows(e, i, wn, c, dim) > dotRows(e, i, wn, best, dim)) best = c;
    cell[i] = best;
  }
  const digits = [...new Set(labels)].sort((a, b) => a - b);
  const assignment = digits.map(() => new Array<number>(classes).fill(0));
  for (let i = 0; i < n; i++) assignment[digits.indexOf(labels[i])][cell[i]]++;
  const modalShare = assignment.reduce((s, row) => s + Math.max(...row), 0) / n;
  const same = Array.from(pairs.a, (a, p) => cell[a] === cell[pairs.b[p]]);
  const impostors = issame.filter((x) => !x).length;
  const genuine = issame.length - impostors;
  const inCell = same.map((s, p) => (s ? p : -1)).filter((p) => p >= 0);
  return {
    genuineCos: g.mean,
    impostorCos: im.mean,
    dprime: (g.mean - im.mean) / Math.sqrt((g.std ** 2 + im.std ** 2) / 2),
    pr: participationRatio(e, dim),
    spanEnergy,
    modalShare,
    impostorCollisions: same.filter((s, p) => s && !issame[p]).length / impostors,
    genuineSameCell: same.filter((s, p) => s && issame[p]).length / genuine,
    cellAuc: auc(Float64Array.from(inCell, (p) => cos[p]), inCell.map((p) => issame[p])),
    spanAuc: auc(pairCosines(inSpan, dim, pairs), issame),
    perpAuc: auc(pairCosines(perp, dim, pairs), issame),
    assignment,
  };
}

function measure(s: Spec): RunResult {
  const data = split(s);
  const t = trainSpec(s, data);
  const w = Float64Array.from(t.head.w.toTypedArray());
  const dim = s.embedding;
  const verifyTaps = taps(t, data.verify);
  const verify = Object.fromEntries(
    TAPS.map((tap) => {
      const { x, dim: d } = verifyTaps[tap];
      const v = evaluateVerification(x, d, data.verifyPairs, { fars: [1e-2] });
      return [tap, { acc: v.accuracy.mean, auc: v.auc, tar2: v.tarAtFar[0].tar, pr: participationRatio(normalizeRows(x, d), d) }];
    }),
  ) as Record<TapName, Verif>;
  const trainEmb = taps(t, data.train).embedding.x;
  const theta = Array.from(targetAngles(trainEmb, data.train.labels, w, dim), (a) => (a * 180) / Math.PI).sort((a, b) => a - b);
  const closedEmb = taps(t, data.closed).embedding.x;
  const closed = {
    head: closedSetAccuracyOf(runConfigOf(s), t, closedEmb, data.closed.labels),
    cos: closedSetAccuracy(closedEmb, data.closed.labels, w).accuracy,
  };
  const epochs = Array.from({ length: s.epochs }, (_, k) => meanStd1(t.losses.slice(k * t.stepsPerEpoch, (k + 1) * t.stepsPerEpoch)).mean);
  let wNorm = 0;
  for (let c = 0; c < w.length / dim; c++) wNorm += Math.sqrt(dotRows(w, c, w, c, dim)) / (w.length / dim);
  return {
    key: key(s),
    spec: s,
    seconds: t.seconds,
    lossCurve: epochs,
    thetaMean: theta.reduce((a, b) => a + b, 0) / theta.length,
    thetaMedian: theta[Math.floor(theta.length / 2)],
    closedHead: closed.head,
    closedCos: closed.cos,
    wNorm,
    verify,
    unseen: geometry(verifyTaps.embedding.x, dim, data.verify.labels, data.verifyPairs, w),
    seen: geometry(closedEmb, dim, data.closed.labels, data.seenPairs, w),
  };
}

const rawCache = new Map<string, Verif>();

/** Raw pooled pixels on the verification pairs of a split (no training). */
function rawPixels(validation: boolean, seed: number): Verif {
  const cached = rawCache.get(`${validation} ${seed}`);
  if (cached) return cached;
  const data = split({ ...spec({ label: '', loss: 'softmax', validation }, seed) });
  const v = evaluateVerification(data.verify.x, POOLED_PIXELS, data.verifyPairs, { fars: [1e-2] });
  const r = { acc: v.accuracy.mean, auc: v.auc, tar2: v.tarAtFar[0].tar, pr: participationRatio(normalizeRows(data.verify.x, POOLED_PIXELS), POOLED_PIXELS) };
  rawCache.set(`${validation} ${seed}`, r);
  return r;
}

/** The key of the run that `checkAgainstDemo` compares with the demo. */
const CHECK_KEY = key(spec({ label: '', loss: 'arcface' }, 0));

/** The study's default ArcFace run of seed 0 must be the demo's model: same verification accuracy and AUC to the bit. */
function checkAgainstDemo(mine: RunResult): string {
  const c = demoRunConfig({ ...DEMO_SETTINGS.full, hidden: [...DEMO_SETTINGS.full.hidden] }, 'arcface');
  const data = demoData(0);
  const demo = evaluateRun(c, trainRun(c, data), data);
  const same = demo.verification.accuracy.mean === mine.verify.embedding.acc && demo.verification.auc === mine.verify.embedding.auc;
  if (!same) throw new Error(`the study's ArcFace seed 0 (${mine.verify.embedding.acc}) is not the demo's (${demo.verification.accuracy.mean})`);
  return `Check: the study's ArcFace run of seed 0 has the demo's verification accuracy ${pct(demo.verification.accuracy.mean)} % and AUC ${demo.verification.auc.toFixed(4)} exactly (same model, bit for bit).`;
}

// ---------------------------------------------------------------------------------------------
// Tables

const pct = (v: number) => (100 * v).toFixed(2);

function cell(xs: number[], format: (v: number) => string): string {
  const finite = xs.filter((x) => Number.isFinite(x));
  if (finite.length === 0) return '—';
  const mean = finite.reduce((a, b) => a + b, 0) / finite.length;
  if (finite.length === 1) return format(mean);
  const std = Math.sqrt(finite.reduce((a, b) => a + (b - mean) ** 2, 0) / (finite.length - 1));
  return `${format(mean)} ± ${format(std)}`;
}

interface Column {
  name: string;
  value: (r: RunResult) => number;
  format: (v: number) => string;
}

const f2 = (v: number) => v.toFixed(2);
const f3 = (v: number) => v.toFixed(3);
const f1 = (v: number) => v.toFixed(1);

const COLUMNS: Record<Exclude<TableName, 'paired' | 'assignment'>, Column[]> = {
  verification: [
    { name: 'Verif. acc. %', value: (r) => r.verify.embedding.acc, format: pct },
    { name: 'AUC', value: (r) => r.verify.embedding.auc, format: f3 },
    { name: 'TAR@FAR=1e-2 %', value: (r) => r.verify.embedding.tar2, format: pct },
    { name: 'Closed-set %', value: (r) => r.closedHead, format: pct },
    { name: 'θ_y train °', value: (r) => r.thetaMean, format: f1 },
  ],
  training: [
    { name: 'loss, epoch 1', value: (r) => r.lossCurve[0], format: f3 },
    { name: 'loss, middle epoch', value: (r) => r.lossCurve[Math.floor(r.lossCurve.length / 2) - 1], format: f3 },
    { name: 'loss, last epoch', value: (r) => r.lossCurve[r.lossCurve.length - 1], format: f3 },
    { name: 'θ_y mean °', value: (r) => r.thetaMean, format: f1 },
    { name: 'θ_y median °', value: (r) => r.thetaMedian, format: f1 },
    { name: 'Closed-set, head %', value: (r) => r.closedHead, format: pct },
    { name: 'Closed-set, cos to W %', value: (r) => r.closedCos, format: pct },
    { name: '‖w_j‖', value: (r) => r.wNorm, format: f2 },
    { name: 'train s', value: (r) => r.seconds, format: f1 },
  ],
  geometry: [
    { name: 'genuine cos', value: (r) => r.unseen.genuineCos, format: f3 },
    { name: 'impostor cos', value: (r) => r.unseen.impostorCos, format: f3 },
    { name: "d'", value: (r) => r.unseen.dprime, format: f2 },
    { name: 'PR (of d)', value: (r) => r.unseen.pr, format: f1 },
    { name: 'energy in span(W)', value: (r) => r.unseen.spanEnergy, format: f2 },
    { name: 'modal-class share', value: (r) => r.unseen.modalShare, format: f2 },
    { name: 'impostor pairs on one class %', value: (r) => r.unseen.impostorCollisions, format: pct },
    { name: 'AUC within one class', value: (r) => r.unseen.cellAuc, format: f3 },
    { name: 'AUC in span(W)', value: (r) => r.unseen.spanAuc, format: f3 },
    { name: 'AUC ⊥ span(W)', value: (r) => r.unseen.perpAuc, format: f3 },
  ],
  seen: [
    { name: 'genuine cos', value: (r) => r.seen.genuineCos, format: f3 },
    { name: 'impostor cos', value: (r) => r.seen.impostorCos, format: f3 },
    { name: "d'", value: (r) => r.seen.dprime, format: f2 },
    { name: 'PR (of d)', value: (r) => r.seen.pr, format: f1 },
    { name: 'energy in span(W)', value: (r) => r.seen.spanEnergy, format: f2 },
  ],
  taps: [
    { name: 'AUC hidden (128, PReLU)', value: (r) => r.verify.hidden.auc, format: f3 },
    { name: 'AUC pre-BN', value: (r) => r.verify.preBN.auc, format: f3 },
    { name: 'AUC embedding', value: (r) => r.verify.embedding.auc, format: f3 },
    { name: 'acc. hidden %', value: (r) => r.verify.hidden.acc, format: pct },
    { name: 'acc. pre-BN %', value: (r) => r.verify.preBN.acc, format: pct },
    { name: 'acc. embedding %', value: (r) => r.verify.embedding.acc, format: pct },
    { name: 'PR hidden', value: (r) => r.verify.hidden.pr, format: f1 },
    { name: 'PR pre-BN', value: (r) => r.verify.preBN.pr, format: f1 },
  ],
};

function markdownTable(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function rowsOf(e: Experiment, results: Map<string, RunResult>): { v: Variant; runs: RunResult[] }[] {
  return e.variants.map((v) => ({ v, runs: e.seeds.map((seed) => results.get(key(spec(v, seed)))).filter((r): r is RunResult => r !== undefined) }));
}

function experimentMarkdown(e: Experiment, results: Map<string, RunResult>): string {
  const rows = rowsOf(e, results);
  if (rows.every((r) => r.runs.length === 0)) return '';
  const parts = [`## ${e.name}: ${e.title}`, '', `Seeds ${e.seeds.join(', ')}; cells are mean ± sample std over the seeds that finished (n in the first column).`];
  for (const table of e.tables) {
    if (table === 'paired') {
      // Each margin-loss row against the Softmax run with every other setting (and the seed) equal.
      const body = rows
        .filter((r) => r.v.loss !== 'softmax' && r.runs.length > 0)
        .map(({ v, runs }) => {
          const d = (f: (r: RunResult) => number) =>
            runs.flatMap((r) => {
              const base = results.get(key({ ...r.spec, loss: 'softmax', overrides: {} }));
              return base ? [f(r) - f(base)] : [];
            });
          const accD = d((r) => r.verify.embedding.acc);
          const aucD = d((r) => r.verify.embedding.auc);
          return [v.label, String(accD.length), cell(accD.map((x) => 100 * x), f2), `${accD.filter((x) => x > 0).length}/${accD.length}`, cell(aucD, f3), `${aucD.filter((x) => x > 0).length}/${aucD.length}`];
        });
      if (body.length === 0) continue;
      parts.push('', '### Paired difference to Softmax with the same other settings (same seed: same split, pairs and initialization of the backbone)', '');
      parts.push(markdownTable(['Loss', 'n', 'Δ verif. acc. (points)', 'seeds above Softmax', 'Δ AUC', 'seeds above Softmax'], body));
      continue;
    }
    if (table === 'assignment') {
      parts.push('', '### Where the unseen digits land (seed 0): share of each unseen digit\'s images whose nearest class weight is digit c', '');
      for (const { v, runs } of rows) {
        const r = runs.find((x) => x.spec.seed === 0);
        if (!r) continue;
        const known = knownDigits(r.spec);
        const digits = r.spec.validation ? [5, 6] : [7, 8, 9];
        const body = r.unseen.assignment.map((counts, i) => {
          const total = counts.reduce((a, b) => a + b, 0);
          return [String(digits[i]), ...counts.map((c) => (c / total).toFixed(2))];
        });
        parts.push(`${v.label}:`, '', markdownTable(['unseen digit', ...known.map(String)], body), '');
      }
      continue;
    }
    const cols = COLUMNS[table];
    const titles: Record<string, string> = {
      verification: 'Verification on the unseen digits (embedding, cosine of L2-normalized features) and closed set',
      training: 'Training: loss curve, target angles θ_y of the training images at the end, closed-set accuracy two ways',
      geometry: 'Geometry of the unseen digits\' embeddings (normalized)',
      seen: 'The same geometry on held-out images of the training digits (closed set), for contrast',
      taps: 'Which layer to verify with: last hidden layer (PReLU), embedding before BN, embedding after BN',
    };
    parts.push('', `### ${titles[table]}`, '');
    const body = rows.filter((r) => r.runs.length > 0).map(({ v, runs }) => [`${v.label} (n=${runs.length})`, ...cols.map((c) => cell(runs.map(c.value), c.format))]);
    if (table === 'verification' || table === 'taps') {
      const validation = e.variants.some((v) => v.validation);
      const raw = e.seeds.map((seed) => rawPixels(validation, seed));
      if (table === 'verification') body.push([`Raw pixels (n=${raw.length})`, cell(raw.map((r) => r.acc), pct), cell(raw.map((r) => r.auc), f3), cell(raw.map((r) => r.tar2), pct), '—', '—']);
    }
    parts.push(markdownTable(['Variant', ...cols.map((c) => c.name)], body));
  }
  return parts.join('\n');
}

function describeSettings(): string {
  const arc = lossConfig('arcface');
  return (
    `Defaults (the demo's): MLP 196 → ${DEFAULTS.hidden.join(' → ')} → ${DEFAULTS.embedding}, PReLU, BatchNorm1d on the embedding; SGD momentum ${MOMENTUM}, ` +
    `lr ${DEFAULTS.lr} (1 warm-up epoch, cosine to 0), weight decay ${DEFAULTS.weightDecay}, batch ${BATCH}, ${DEFAULTS.epochs} epochs; margin losses at the demo's presets (ArcFace ${shortLossParams(arc)}); ` +
    `${PAIRS} verification pairs, 10 folds.`
  );
}

// ---------------------------------------------------------------------------------------------
// Main

function parse(argv: string[]): { out: string; only: string[] | undefined; fresh: boolean } {
  let out = 'out/open-set-study';
  let only: string[] | undefined;
  let fresh = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out') out = argv[++i];
    else if (argv[i] === '--only') only = argv[++i].split(',');
    else if (argv[i] === '--fresh') fresh = true;
    else throw new Error(`open-set-study: unknown argument ${argv[i]} (options: --out DIR, --only a,b, --fresh)`);
  }
  const names = EXPERIMENTS.map((e) => e.name);
  for (const n of only ?? []) if (!names.includes(n)) throw new Error(`open-set-study: unknown experiment ${n} (one of ${names.join(', ')})`);
  return { out, only, fresh };
}

function main(): void {
  const { out, only, fresh } = parse(process.argv.slice(2));
  mkdirSync(out, { recursive: true });
  const cache = join(out, 'runs.jsonl');
  if (fresh) rmSync(cache, { force: true });
  const results = new Map<string, RunResult>();
  if (existsSync(cache)) {
    for (const line of readFileSync(cache, 'utf8').split('\n').filter((l) => l.trim() !== '')) {
      const r = JSON.parse(line) as RunResult;
      results.set(r.key, r);
    }
  }
  const chosen = EXPERIMENTS.filter((e) => only === undefined || only.includes(e.name));
  const todo = chosen.flatMap((e) => e.seeds.flatMap((seed) => e.variants.map((v) => spec(v, seed))));
  // Seed by seed, so that a study cut short still has every variant on its first seeds.
  todo.sort((a, b) => a.seed - b.seed);
  const pending = [...new Map(todo.filter((s) => !results.has(key(s))).map((s) => [key(s), s])).values()];
  let checked = '';
  const write = () => {
    const check = checked;
    const sections = chosen.map((e) => experimentMarkdown(e, results)).filter((s) => s !== '');
    writeFileSync(
      join(out, 'study.md'),
      [`# Open-set study: measured tables`, '', `Written by \`npm run study:open-set${only ? ` -- --only ${only.join(',')}` : ''}\` (bench/open-set-study.ts).`, '', describeSettings(), '', check, '', ...sections.flatMap((s) => [s, ''])].join('\n'),
    );
  };
  const started = performance.now();
  pending.forEach((s, i) => {
    const r = measure(s);
    results.set(r.key, r);
    appendFileSync(cache, `${JSON.stringify(r)}\n`);
    const elapsed = (performance.now() - started) / 1000;
    console.error(
      `[${i + 1}/${pending.length}] ${s.loss} ${JSON.stringify(s.overrides)} seed ${s.seed} known ${s.known}${s.validation ? ' validation' : ''} emb ${s.embedding} hidden ${s.hidden} bn ${s.batchNorm} ep ${s.epochs} lr ${s.lr} wd ${s.weightDecay}: ` +
        `acc ${pct(r.verify.embedding.acc)} auc ${r.verify.embedding.auc.toFixed(3)} closed ${pct(r.closedHead)} θ ${r.thetaMean.toFixed(1)}° (${r.seconds.toFixed(1)} s; ${elapsed.toFixed(0)} s so far)`,
    );
    if (r.key === CHECK_KEY) checked = checkAgainstDemo(r);
    write();
  });
  const mine = results.get(CHECK_KEY);
  if (checked === '' && mine && chosen.some((e) => e.name === 'baseline')) checked = checkAgainstDemo(mine);
  write();
  console.error(`wrote ${join(out, 'study.md')} (${results.size} runs in ${cache})`);
}

main();
