/**
 * One experiment of the open-set protocol: a run configuration (plain JSON, written as run.json
 * next to its checkpoint), training it with the deterministic loop of src/train, embedding images
 * with the trained backbone, and evaluating verification on the unseen digits and closed-set
 * accuracy on held-out known digits. `arcgrad demo`, `train` and `eval` all go through here, so
 * a model the demo trained can be re-evaluated with `arcgrad eval` and gives the same numbers.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Backend } from '../backend/backend.js';
import { cpu } from '../backend/cpu.js';
import { closedSetAccuracy, evaluateVerification, makePairs, type VerificationReport } from '../eval/verification.js';
import { MLP } from '../nn/mlp.js';
import type { Params, State } from '../nn/params.js';
import { sgd } from '../optim/sgd.js';
import { cosine, warmup, type Schedule } from '../optim/schedule.js';
import { ArcgradError, OptionError } from '../tensor/errors.js';
import { Random } from '../tensor/random.js';
import { CheckpointError, loadCheckpoint, type JsonValue } from '../train/checkpoint.js';
import { firstDifference, train, type Progress } from '../train/loop.js';
import { NUM_CLASSES, POOLED_PIXELS, type DemoData, type PooledSet } from './data.js';
import { headInit, makeHead, validateLossConfig, type LossConfig } from './losses.js';

/** Everything that determines a run (written as run.json; `eval` rebuilds the model from it). */
export interface RunConfig {
  /** The loss and its margins. */
  loss: LossConfig;
  /** The data: the split seed and how many images per digit (0 = all). */
  data: { seed: number; perDigit: number };
  /** The backbone: MLP 196 → hidden… → embedding, PReLU, BatchNorm1d on the embedding. */
  model: { hidden: number[]; embedding: number };
  /** Optimization: SGD with momentum, linear warm-up then cosine decay of the learning rate. */
  optim: { epochs: number; batchSize: number; lr: number; momentum: number; weightDecay: number; warmupEpochs: number; seed: number };
  /** Verification pairs drawn among the unseen digits (half genuine, half impostor). */
  pairs: number;
}

/** The name of a run's configuration file, in messages. */
const RUN_FILE_NAME = 'run.json';

/** The format tag of run.json. */
export const RUN_FORMAT = 'arcgrad-run';

/** What is needed to embed and classify: the trained parameters and buffers. */
export interface TrainedModel {
  /** Backbone parameters. */
  backbone: Params;
  /** Head parameters (`w`, and `b` for softmax). */
  head: Params;
  /** Backbone buffers (batch-norm running statistics). */
  state: State;
  /** Optimizer steps taken. */
  step: number;
}

/** Checks the numeric fields of a configuration; an OptionError names the first bad one. */
export function validateRunConfig(c: RunConfig): void {
  // run.json is read back from disk: check its structure before any field is used.
  const isObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
  for (const part of ['loss', 'data', 'model', 'optim'] as const) {
    if (!isObject(c[part])) throw new OptionError(`'${part}' must be an object, got ${JSON.stringify(c[part]) ?? 'nothing'}`);
  }
  if (!Array.isArray(c.model.hidden)) throw new OptionError(`--hidden must be a list of widths, got ${JSON.stringify(c.model.hidden) ?? 'nothing'}`);
  validateLossConfig(c.loss);
  const show = (v: unknown) => (typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? 'nothing')); // "1" (a string) is not 1
  const int = (name: string, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min) throw new OptionError(`${name} must be an integer ≥ ${min}, got ${show(v)}`);
  };
  const nonNegative = (name: string, v: number) => {
    if (!Number.isFinite(v) || v < 0) throw new OptionError(`${name} must be a finite number ≥ 0, got ${show(v)}`);
  };
  int('--epochs', c.optim.epochs, 1);
  int('--batch-size', c.optim.batchSize, 2); // batch norm needs two rows
  int('--embedding', c.model.embedding, 1);
  c.model.hidden.forEach((h) => int('--hidden', h, 1));
  int('--warmup-epochs', c.optim.warmupEpochs, 0);
  int('--seed', c.optim.seed, 0);
  int('--data-seed', c.data.seed, 0);
  int('--per-digit', c.data.perDigit, 0);
  if (!(c.optim.lr > 0 && Number.isFinite(c.optim.lr))) throw new OptionError(`--lr must be a finite number > 0, got ${show(c.optim.lr)}`);
  nonNegative('--momentum', c.optim.momentum);
  nonNegative('--weight-decay', c.optim.weightDecay);
  if (!Number.isInteger(c.pairs) || c.pairs < 20 || c.pairs % 2 !== 0) {
    throw new OptionError(`--pairs must be an even integer ≥ 20 (10 folds of genuine and impostor pairs), got ${show(c.pairs)}`);
  }
}

/** The backbone of `c`: MLP 196 → hidden → embedding with PReLU and a batch-normed embedding. */
export function makeBackbone(c: RunConfig): MLP {
  return new MLP({ inFeatures: POOLED_PIXELS, hidden: c.model.hidden, embedding: c.model.embedding, activation: 'prelu' });
}

/** Steps per epoch (the last, short batch dropped, as the loop does). */
export function stepsPerEpoch(c: RunConfig, rows: number): number {
  const steps = Math.floor(rows / c.optim.batchSize);
  if (steps === 0) throw new OptionError(`--batch-size ${c.optim.batchSize} is larger than the ${rows} training images`);
  return steps;
}

/** The learning rate: linear warm-up from lr/10 over `warmupEpochs`, then cosine to 0 over the rest. */
export function lrSchedule(c: RunConfig, rows: number): Schedule {
  const perEpoch = stepsPerEpoch(c, rows);
  const total = c.optim.epochs * perEpoch;
  const warm = Math.min(c.optim.warmupEpochs * perEpoch, total - 1);
  const decay = cosine({ base: c.optim.lr, steps: total - warm });
  return warm > 0 ? warmup(decay, { steps: warm, startFactor: 0.1 }) : decay;
}

/** The seed of the head's initial weights: the backbone draws from `seed` itself (inside `train`). */
export function headSeed(seed: number): number {
  return (seed ^ 0x68656164) >>> 0; // "head"
}

/** Options of `trainRun`. */
export interface TrainRunOptions {
  /** Write checkpoints here (atomically; once per epoch unless `checkpointEvery`). */
  checkpoint?: string;
  /** Checkpoint every this many steps. */
  checkpointEvery?: number;
  /** Continue from this checkpoint (written by a run of the same configuration). */
  resume?: string;
  /** Stop after this epoch (default: the configuration's last); the schedule is still the whole run's. */
  untilEpoch?: number;
  /** Called after each step (a progress bar; throwing stops training after a checkpoint). */
  onProgress?: (p: Progress) => void;
  /** Where the steps compute (see TrainOptions.backend); default the CPU float64 reference. */
  backend?: Backend;
}

/** Trains `c` on `data.train` (see src/train/loop.ts for determinism and resuming). */
export function trainRun(c: RunConfig, data: DemoData, o: TrainRunOptions = {}): TrainedModel {
  validateRunConfig(c);
  const head = makeHead(c.loss, NUM_CLASSES, c.model.embedding, new Random(headSeed(c.optim.seed)));
  // SphereFace's λ is a function of the iteration. The loop's head loss does not receive it, so the
  // iteration is tracked here: it starts at the checkpoint's step when resuming and advances in
  // onProgress, which the loop calls after every step.
  let done = o.resume === undefined ? 0 : loadCheckpoint(o.resume).step;
  const result = train({
    backbone: makeBackbone(c),
    head: head.init,
    headLoss: (e, h, y) => head.loss(e, h, y, done + 1),
    ...(head.state === undefined ? {} : { headState: head.state }),
    data: { x: cpu.fromArray(data.train.x, [data.train.count, POOLED_PIXELS], 'float64'), labels: data.train.labels },
    epochs: o.untilEpoch ?? c.optim.epochs,
    batchSize: c.optim.batchSize,
    optimizer: sgd({ lr: c.optim.lr, momentum: c.optim.momentum, weightDecay: c.optim.weightDecay }),
    schedule: lrSchedule(c, data.train.count),
    seed: c.optim.seed,
    ...(o.checkpoint === undefined ? {} : { checkpoint: { path: o.checkpoint, ...(o.checkpointEvery ? { every: o.checkpointEvery } : {}) } }),
    ...(o.resume === undefined ? {} : { resume: o.resume }),
    run: runIdentity(c),
    ...(o.backend === undefined ? {} : { backend: o.backend }),
    onProgress: (p) => {
      done = p.step;
      o.onProgress?.(p);
    },
  });
  return { backbone: result.backbone, head: result.head, state: result.state, step: result.step };
}

/**
 * What identifies a run in its checkpoints: everything in run.json that shapes the training but
 * the number of epochs (a finished run may be extended) and the verification pairs (evaluation
 * only). `train --resume` and `eval` refuse a checkpoint whose identity differs.
 */
export function runIdentity(c: RunConfig): JsonValue {
  const { epochs: _epochs, ...optim } = c.optim;
  return JSON.parse(JSON.stringify({ loss: c.loss, data: c.data, model: c.model, optim })) as JsonValue;
}

/** The model as it stands at initialization (step 0), for the "start of training" statistics. */
export function initialModel(c: RunConfig): TrainedModel {
  const { params, state } = makeBackbone(c).init(new Random(c.optim.seed)); // as `train` draws it
  const head = headInit(c.loss, NUM_CLASSES, c.model.embedding, new Random(headSeed(c.optim.seed)));
  return { backbone: params, head, state, step: 0 };
}

/** The model saved in a checkpoint of configuration `c`. */
export function modelFromCheckpoint(c: RunConfig, path: string): TrainedModel {
  const ckpt = loadCheckpoint(path);
  const pick = (prefix: string, record: Readonly<Record<string, import('../tensor/tensor.js').Tensor>>) =>
    Object.fromEntries(Object.entries(record).filter(([k]) => k.startsWith(`${prefix}.`)).map(([k, v]) => [k.slice(prefix.length + 1), v]));
  const model = { backbone: pick('backbone', ckpt.params), head: pick('head', ckpt.params), state: ckpt.state, step: ckpt.step };
  const saved = (ckpt.config as { run?: JsonValue } | null)?.run;
  const differs = saved === undefined ? undefined : firstDifference('run', saved, runIdentity(c));
  if (differs !== undefined) {
    throw new CheckpointError(`${path} was written by another run: ${differs[0]} = ${differs[1]} there, ${differs[2]} in ${RUN_FILE_NAME}`);
  }
  // Evaluating the wrong architecture would fail deep inside a layer; say what does not match.
  const expected = initialModel(c);
  for (const part of ['backbone', 'head'] as const) {
    for (const [name, t] of Object.entries(expected[part])) {
      const got = model[part][name];
      if (got === undefined || got.shape.join(',') !== t.shape.join(',') || got.dtype !== t.dtype) {
        throw new CheckpointError(`${path}: ${part} parameter '${name}' is ${got ? `${got.dtype} [${got.shape}]` : 'missing'}, run.json describes ${t.dtype} [${t.shape}]`);
      }
    }
  }
  for (const [name, t] of Object.entries(expected.state)) {
    const got = model.state[name];
    if (got === undefined || got.shape.join(',') !== t.shape.join(',') || got.dtype !== t.dtype) {
      throw new CheckpointError(`${path}: buffer '${name}' is ${got ? `${got.dtype} [${got.shape}]` : 'missing'}, run.json describes ${t.dtype} [${t.shape}]`);
    }
  }
  return model;
}

/** The embeddings of `set` (row-major N × embedding), the backbone in evaluation mode. */
export function embed(c: RunConfig, model: TrainedModel, set: PooledSet): Float64Array {
  const x = cpu.fromArray(set.x, [set.count, POOLED_PIXELS], 'float64');
  const { y } = makeBackbone(c).apply(model.backbone, x, { training: false, state: model.state });
  return Float64Array.from(y.toTypedArray());
}

/** The angle θ_y between each embedding and its class's weight row, in radians. */
export function targetAngles(embeddings: Float64Array, labels: ArrayLike<number>, w: Float64Array, dim: number): Float64Array {
  const out = new Float64Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    let dot = 0;
    let ne = 0;
    let nw = 0;
    for (let k = 0; k < dim; k++) {
      const a = embeddings[i * dim + k];
      const b = w[labels[i] * dim + k];
      dot += a * b;
      ne += a * a;
      nw += b * b;
    }
    out[i] = Math.acos(Math.max(-1, Math.min(1, dot / Math.sqrt(ne * nw))));
  }
  return out;
}

/** What `evaluateRun` measures. */
export interface Evaluation {
  /** Verification on pairs of unseen digits 7–9 (10-fold accuracy, ROC, AUC, TAR@FAR 1e-3, 1e-2, 1e-1). */
  verification: VerificationReport;
  /**
   * The same protocol on pairs of held-out images of the known digits 0–6: how tight the
   * identities the model was trained on are (docs/open-set-study.md: the margins win here and not
   * on the unseen digits).
   */
  knownVerification: VerificationReport;
  /** Closed-set accuracy on held-out digits 0–6, predicting with the head (see `closedSetPredictions`). */
  closedSetAccuracy: number;
  /** Number of verification pairs. */
  pairs: number;
}

/**
 * Closed-set accuracy with the trained classifier: argmax of W·x + b for softmax; for the margin
 * heads (built-in or defined) the largest cosine to a row of W, which is the argmax of their logits at test time (no
 * margin is applied without a label).
 */
export function closedSetAccuracyOf(c: RunConfig, model: Pick<TrainedModel, 'head'>, embeddings: Float64Array, labels: Int32Array): number {
  const w = Float64Array.from(model.head.w.toTypedArray());
  const d = c.model.embedding;
  if (c.loss.margin !== undefined || c.loss.defined !== undefined) return closedSetAccuracy(embeddings, labels, w).accuracy;
  const b = model.head.b.toTypedArray();
  let hits = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    let bestLogit = -Infinity;
    for (let j = 0; j < b.length; j++) {
      let logit = b[j];
      for (let k = 0; k < d; k++) logit += w[j * d + k] * embeddings[i * d + k];
      if (logit > bestLogit) [best, bestLogit] = [j, logit];
    }
    if (best === labels[i]) hits++;
  }
  return hits / labels.length;
}

/** Evaluates `model`: insightface's verification protocol on unseen digits, closed-set accuracy on held-out ones. */
export function evaluateRun(c: RunConfig, model: TrainedModel, data: DemoData): Evaluation {
  const unseen = embed(c, model, data.unseen);
  const pairs = makePairs(data.unseen.labels, { count: c.pairs, seed: c.data.seed });
  const verification = evaluateVerification(unseen, c.model.embedding, pairs, { fars: [1e-3, 1e-2, 1e-1] });
  const closed = embed(c, model, data.closedTest);
  const knownPairs = makePairs(data.closedTest.labels, { count: c.pairs, seed: c.data.seed });
  const knownVerification = evaluateVerification(closed, c.model.embedding, knownPairs, { fars: [1e-3, 1e-2, 1e-1] });
  return { verification, knownVerification, closedSetAccuracy: closedSetAccuracyOf(c, model, closed, data.closedTest.labels), pairs: c.pairs };
}

/** An evaluation's numbers as plain JSON (what `eval --json` prints and eval.json holds). */
export interface EvaluationSummary {
  /** Mean 10-fold verification accuracy on unseen digits. */
  verificationAccuracy: number;
  /** Its population standard deviation over the folds. */
  verificationStd: number;
  /** Each fold's accuracy. */
  foldAccuracies: number[];
  /** TAR at FAR ≤ 1e-3. */
  tarAtFar1e3: number;
  /** TAR at FAR ≤ 1e-2. */
  tarAtFar1e2: number;
  /** TAR at FAR ≤ 1e-1. */
  tarAtFar1e1: number;
  /** Area under the ROC. */
  auc: number;
  /** Closed-set accuracy on held-out digits 0–6. */
  closedSetAccuracy: number;
  /** Mean 10-fold verification accuracy on pairs of held-out images of the known digits 0–6. */
  knownVerificationAccuracy: number;
  /** Its population standard deviation over the folds. */
  knownVerificationStd: number;
  /** TAR at FAR ≤ 1e-3 on the known-digit pairs. */
  knownTarAtFar1e3: number;
  /** Area under the ROC of the known-digit pairs. */
  knownAuc: number;
  /** Number of verification pairs (of unseen digits, and as many of known ones). */
  pairs: number;
}

/** The numbers of an evaluation as plain JSON. */
export function evaluationSummary(e: Evaluation): EvaluationSummary {
  const tar = (far: number, v = e.verification) => v.tarAtFar.find((p) => p.target === far)?.tar ?? Number.NaN;
  return {
    verificationAccuracy: e.verification.accuracy.mean,
    verificationStd: e.verification.accuracy.std,
    foldAccuracies: e.verification.accuracy.foldAccuracies,
    tarAtFar1e3: tar(1e-3),
    tarAtFar1e2: tar(1e-2),
    tarAtFar1e1: tar(1e-1),
    auc: e.verification.auc,
    closedSetAccuracy: e.closedSetAccuracy,
    knownVerificationAccuracy: e.knownVerification.accuracy.mean,
    knownVerificationStd: e.knownVerification.accuracy.std,
    knownTarAtFar1e3: tar(1e-3, e.knownVerification),
    knownAuc: e.knownVerification.auc,
    pairs: e.pairs,
  };
}

/** Writes `c` as run.json (with a format tag, so `eval` can tell it from other JSON). */
export function writeRunConfig(path: string, c: RunConfig): void {
  writeFileSync(path, `${JSON.stringify({ format: RUN_FORMAT, ...c }, null, 2)}\n`);
}

/** Reads a run.json written by `writeRunConfig`; an ArcgradError says what is wrong with it. */
export function readRunConfig(path: string): RunConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new CheckpointError(`cannot read ${path}: ${(e as Error).message}`);
  }
  const { format, ...config } = (parsed ?? {}) as { format?: unknown } & RunConfig;
  if (format !== RUN_FORMAT || config.loss === undefined || config.model === undefined || config.optim === undefined) {
    throw new CheckpointError(`${path} is not an arcgrad run description (written by arcgrad train)`);
  }
  try {
    validateRunConfig(config);
  } catch (e) {
    if (e instanceof ArcgradError) throw new CheckpointError(`${path}: ${e.message}`);
    throw e;
  }
  return config;
}
