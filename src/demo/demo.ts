/**
 * The demo's experiment: the same backbone trained with each loss of the ArcFace paper's
 * comparison on digits 0–6, evaluated on unseen digits 7–9 (verification) and held-out 0–6
 * (closed set), plus the figures' data — target angles at the start, middle and end of training,
 * and a separate 2-D-embedding model per loss for the unit-circle figure (Softmax vs ArcFace, the
 * paper's toy experiment; here with the 7 training digits as identities rather than 8, so that
 * digits 7–9 stay unseen).
 *
 * Everything but the wall-clock times is deterministic in the seed.
 */
import { mkdirSync } from 'node:fs';
import type { Backend } from '../backend/backend.js';
import { join } from 'node:path';
import { evaluateVerification, makePairs, type VerificationReport } from '../eval/verification.js';
import { ProgressBar } from '../cli/progress.js';
import { POOLED_PIXELS, loadDemoData, type DemoData } from './data.js';
import {
  embed, evaluateRun, initialModel, stepsPerEpoch, trainRun, targetAngles, writeRunConfig,
  type Evaluation, type RunConfig, type TrainedModel,
} from './experiment.js';
import { LOSS_NAMES, lossConfig } from './losses.js';

/** The settings of a demo run. */
export interface DemoSettings {
  /** Seed of the data split, the pairs, initialization and shuffling. */
  seed: number;
  /** Epochs of every model. */
  epochs: number;
  /** Images per step. */
  batchSize: number;
  /** Images per digit (0 = all). */
  perDigit: number;
  /** Verification pairs. */
  pairs: number;
  /** Embedding size of the compared models. */
  embedding: number;
  /** Hidden layer widths. */
  hidden: number[];
  /** Epochs of the 2-D toy models. */
  toyEpochs: number;
  /** The losses compared, in table order: built-in names and registered defined margins (`--losses`). */
  losses: string[];
}

/** The default demo (about 2–3 minutes on two shared cores) and the --quick one (seconds). */
export const DEMO_SETTINGS: Readonly<Record<'full' | 'quick', Readonly<DemoSettings>>> = {
  full: { seed: 0, epochs: 10, batchSize: 128, perDigit: 0, pairs: 6000, embedding: 32, hidden: [128], toyEpochs: 12, losses: [...LOSS_NAMES] },
  quick: { seed: 0, epochs: 3, batchSize: 64, perDigit: 60, pairs: 600, embedding: 32, hidden: [128], toyEpochs: 3, losses: [...LOSS_NAMES] },
};

/** The run configuration of one loss in the demo. */
export function demoRunConfig(s: DemoSettings, loss: string, embedding = s.embedding, epochs = s.epochs): RunConfig {
  return {
    loss: lossConfig(loss),
    data: { seed: s.seed, perDigit: s.perDigit },
    model: { hidden: s.hidden, embedding },
    optim: { epochs, batchSize: s.batchSize, lr: 0.1, momentum: 0.9, weightDecay: 5e-4, warmupEpochs: 1, seed: s.seed },
    pairs: s.pairs,
  };
}

/** Target angles θ_y of the training images at one point of training. */
export interface AngleSnapshot {
  /** E.g. "start (step 0)". */
  stage: string;
  /** θ_y in radians. */
  angles: Float64Array;
}

/** One loss's results. */
export interface LossResult {
  /** The loss (a built-in name or a defined margin's). */
  loss: string;
  /** Its configuration (written as out/models/<loss>/run.json). */
  config: RunConfig;
  /** What it measured. */
  evaluation: Evaluation;
  /** Wall-clock seconds of training (not deterministic: the machine may be shared). */
  trainSeconds: number;
  /** θ_y at the start, middle and end of training. */
  angles: AngleSnapshot[];
  /** Optimizer steps. */
  steps: number;
  /** ‖x‖ of the training images' embeddings at the end of training: 5th, 50th and 95th percentile. */
  embeddingNorms: { p5: number; median: number; p95: number };
}

/** A 2-D embedding model's test embeddings, for the unit-circle figure. */
export interface ToyResult {
  /** Softmax or ArcFace. */
  loss: string;
  /** Row-major N × 2 embeddings of the held-out digits 0–6. */
  points: Float64Array;
  /** Their digits. */
  labels: Int32Array;
  /** Closed-set accuracy of the 2-D model. */
  closedSetAccuracy: number;
}

/** Everything the demo measured. */
export interface DemoResults {
  /** The settings used. */
  settings: DemoSettings;
  /** Sizes of the splits. */
  counts: { train: number; closedTest: number; unseen: number };
  /** Verification of the raw pooled pixels (no training): the floor a learned embedding should beat. */
  rawPixels: VerificationReport;
  /** The raw pixels on the pairs of held-out known digits 0–6 (as `Evaluation.knownVerification`). */
  rawPixelsKnown: VerificationReport;
  /** One per loss, in the order of the settings' `losses`. */
  losses: LossResult[];
  /** The 2-D models. */
  toy: ToyResult[];
}

/** The 5th, 50th and 95th percentile of ‖x‖ over the training images' embeddings (the backbone in evaluation mode). */
function embeddingNorms(c: RunConfig, model: TrainedModel, data: DemoData): LossResult['embeddingNorms'] {
  const e = embed(c, model, data.train);
  const d = c.model.embedding;
  const norms = Array.from({ length: data.train.count }, (_, i) => Math.hypot(...e.subarray(i * d, i * d + d))).sort((a, b) => a - b);
  const at = (q: number) => norms[Math.min(norms.length - 1, Math.floor(q * norms.length))];
  return { p5: at(0.05), median: at(0.5), p95: at(0.95) };
}

function trainAngles(c: RunConfig, model: TrainedModel, data: DemoData): Float64Array {
  const e = embed(c, model, data.train);
  return targetAngles(e, data.train.labels, Float64Array.from(model.head.w.toTypedArray()), c.model.embedding);
}

/** Trains `c` with a progress bar, snapshotting θ_y halfway (through a checkpoint and a resume). */
function trainWithSnapshots(c: RunConfig, data: DemoData, dir: string, label: string, backend?: Backend): Omit<LossResult, 'loss' | 'config' | 'evaluation'> & { model: TrainedModel } {
  mkdirSync(dir, { recursive: true });
  writeRunConfig(join(dir, 'run.json'), c);
  const checkpoint = join(dir, 'checkpoint.json');
  const perEpoch = stepsPerEpoch(c, data.train.count);
  const bar = new ProgressBar({ total: c.optim.epochs * perEpoch, label });
  const onProgress = (p: { step: number; epoch: number; loss: number }) => {
    const text = `epoch ${p.epoch + 1}/${c.optim.epochs} loss ${p.loss.toFixed(3)}`;
    if (p.step >= c.optim.epochs * perEpoch) bar.finish(p.step, text);
    else bar.update(p.step, text);
  };
  const angles: AngleSnapshot[] = [{ stage: 'start (step 0)', angles: trainAngles(c, initialModel(c), data) }];
  const middle = Math.max(1, Math.floor(c.optim.epochs / 2));
  let seconds = 0;
  let t = performance.now();
  let model = trainRun(c, data, { checkpoint, untilEpoch: middle, onProgress, ...(backend === undefined ? {} : { backend }) });
  seconds += (performance.now() - t) / 1000;
  if (middle < c.optim.epochs) {
    angles.push({ stage: `middle (epoch ${middle}, step ${model.step})`, angles: trainAngles(c, model, data) });
    t = performance.now();
    // Resuming is bit-identical to not stopping (src/train/loop.ts), so the snapshot costs nothing in fidelity.
    model = trainRun(c, data, { checkpoint, resume: checkpoint, onProgress, ...(backend === undefined ? {} : { backend }) });
    seconds += (performance.now() - t) / 1000;
  }
  angles.push({ stage: `end (epoch ${c.optim.epochs}, step ${model.step})`, angles: trainAngles(c, model, data) });
  return { model, trainSeconds: seconds, angles, steps: model.step, embeddingNorms: embeddingNorms(c, model, data) };
}

/**
 * Runs the experiment; models and their run.json go to `dir`/models/<loss>. `backend`: where the
 * training steps compute (default the CPU float64 reference; `arcgrad demo` passes `defaultBackend()`'s).
 */
export function runDemoExperiment(s: DemoSettings, dir: string, backend?: Backend): DemoResults {
  const data = loadDemoData({ seed: s.seed, perDigit: s.perDigit });
  const rawPixels = evaluateVerification(data.unseen.x, POOLED_PIXELS, makePairs(data.unseen.labels, { count: s.pairs, seed: s.seed }));
  const rawPixelsKnown = evaluateVerification(data.closedTest.x, POOLED_PIXELS, makePairs(data.closedTest.labels, { count: s.pairs, seed: s.seed }));
  const width = Math.max(...s.losses.map((n) => n.length), 'toy-softmax'.length);
  const losses = s.losses.map((loss): LossResult => {
    const config = demoRunConfig(s, loss);
    const { model, ...run } = trainWithSnapshots(config, data, join(dir, 'models', loss), loss.padEnd(width), backend);
    return { loss, config, evaluation: evaluateRun(config, model, data), ...run };
  });
  const toy = (['softmax', 'arcface'] as const).map((loss): ToyResult => {
    const config = demoRunConfig(s, loss, 2, s.toyEpochs);
    const { model } = trainWithSnapshots(config, data, join(dir, 'models', `toy-${loss}`), `toy-${loss}`.padEnd(width), backend);
    return {
      loss,
      points: embed(config, model, data.closedTest),
      labels: data.closedTest.labels,
      closedSetAccuracy: evaluateRun(config, model, data).closedSetAccuracy,
    };
  });
  return { settings: s, counts: { train: data.train.count, closedTest: data.closedTest.count, unseen: data.unseen.count }, rawPixels, rawPixelsKnown, losses, toy };
}
