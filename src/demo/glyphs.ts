/**
 * The main job on the glyphs data set (src/data/glyphs.ts): one backbone trained with each loss
 * on the training identities in the training fonts, then the open-set protocol of
 * src/eval/open-set.ts on (1) the unseen identities in every font and (2) the training identities
 * in the held-out fonts; raw pixels give the floor a learned embedding has to beat.
 *
 * Every setting is in `GLYPHS_SETTINGS`, fixed before the runs whose numbers the README reports
 * (see docs/glyphs.md for how the default was sized from measurements). Everything but the
 * wall-clock times is deterministic in the settings.
 */
import type { Backend } from '../backend/backend.js';
import { cpu } from '../backend/cpu.js';
import { splitGlyphs, glyphImages, type GlyphImageSet, type GlyphsData, type GlyphsSpec, type GlyphSplit } from '../data/glyphs.js';
import { backendGram, evaluateOpenSet, type OpenSetReport } from '../eval/open-set.js';
import { meanStd } from '../eval/verification.js';
import { pairedDifference, type PairedDifference } from '../eval/paired.js';
import { ConvNet } from '../nn/convnet.js';
import { MLP } from '../nn/mlp.js';
import type { Module } from '../nn/module.js';
import type { Params, State } from '../nn/params.js';
import { sgd } from '../optim/sgd.js';
import { OptionError } from '../tensor/errors.js';
import { Random } from '../tensor/random.js';
import { train, type Progress } from '../train/loop.js';
import { loadCheckpoint } from '../train/checkpoint.js';
import { unscope } from '../nn/params.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { headSeed, lrSchedule, stepsPerEpoch, targetAngles, type RunConfig } from './experiment.js';
import { lossConfig, lossLabel, makeHead, shortLossParams, type LossConfig } from './losses.js';
import { identityBatchesPerEpoch, type IdentityBatches } from '../train/identity-batches.js';

/** The settings of a glyphs run. */
export interface GlyphsSettings {
  /** 'full': the 17 pinned families from the cache; 'fixture': the two devDependency families. */
  fonts: 'full' | 'fixture';
  /** What is rendered (image size, copies per (font, character), augmentation seed, characters kept). */
  data: GlyphsSpec;
  /** Seed of the identity and font split (fixed across training seeds, so runs are paired). */
  splitSeed: number;
  /** Identities trained on. */
  trainIdentities: number;
  /** Identities never trained on. */
  unseenIdentities: number;
  /** Fonts never trained on. */
  heldOutFonts: number;
  /** Copies of each (identity, font) in the evaluation sets (1: the clean image only). */
  evalCopies: number;
  /** Training seeds (initialization and shuffling); every loss runs with each. */
  seeds: number[];
  /** The losses, in table order: names, or labelled variants (remedy rows: a margin warm-up, another margin). */
  losses: GlyphsLossEntry[];
  /** s of every margin loss. */
  scale: number;
  /**
   * The backbone: 'mlp' (the MLP of `hidden` widths on the flattened pixels) or 'conv' (the
   * ConvNet of src/nn/convnet.ts, one conv3×3-BN-PReLU-pool stage per `hidden` width).
   */
  backbone: 'mlp' | 'conv';
  /** Hidden widths of the backbone: the MLP's layers, or the ConvNet's channels per stage. */
  hidden: number[];
  /** Embedding width. */
  embedding: number;
  /** Epochs. */
  epochs: number;
  /** Images per step. */
  batchSize: number;
  /** Peak learning rate (SGD with momentum 0.9, weight decay 5e-4, 1 warm-up epoch, cosine decay). */
  lr: number;
  /** LFW-style verification pairs. */
  pairs: number;
  /** FARs of the all-pairs TAR. */
  fars: number[];
  /** The backend the training steps run on (src/backend/select.ts: 'wasm' float32 SIMD, 'cpu' the float64 reference). */
  backend: string;
}

/**
 * A labelled variant of a loss in a settings file's `losses`, e.g.
 * `{ "name": "arcface", "id": "arcface-warmup2", "label": "ArcFace, margin warm-up 2 epochs", "marginWarmupEpochs": 2 }`:
 * `id` names its runs (results.json, runs/ files, paired differences), `label` its rows and legends.
 */
export interface GlyphsLossVariant {
  /** The loss: a built-in name, a §2.3 variant or a defined margin. */
  name: string;
  /** Its runs' name: letters, digits, '.', '_', '-'; unique in the settings. */
  id: string;
  /** Its display name. */
  label: string;
  /** Ramp the margin linearly per iteration from none (NormFace) to its value over this many epochs. */
  marginWarmupEpochs?: number;
  /** Scale (default: the settings' `scale`). */
  s?: number;
  /** Multiplicative angular margin. */
  m1?: number;
  /** Additive angular margin (radians). */
  m2?: number;
  /** Additive cosine margin. */
  m3?: number;
}

/** One entry of a settings file's `losses`: a loss name (its id and label are its own) or a labelled variant. */
export type GlyphsLossEntry = string | GlyphsLossVariant;

/** The id of an entry: its `id`, or the name itself. */
export function glyphsLossId(entry: GlyphsLossEntry): string {
  return typeof entry === 'string' ? entry : entry.id;
}

/** The ids of the settings' losses, in table order. */
export function glyphsLossIds(s: GlyphsSettings): string[] {
  return s.losses.map(glyphsLossId);
}

/** The entry of `s` whose id is `id`; an id not in the settings is taken as a plain loss name (as before variants existed). */
export function glyphsLossEntry(s: GlyphsSettings, id: string): GlyphsLossEntry {
  return s.losses.find((e) => glyphsLossId(e) === id) ?? id;
}

/** The display name of the loss with id `id` in `s`: a variant's label, else the loss's own. */
export function glyphsLossLabel(s: GlyphsSettings, id: string): string {
  const entry = s.losses.find((e) => glyphsLossId(e) === id);
  return entry !== undefined && typeof entry !== 'string' ? entry.label : lossLabel(id);
}

const VARIANT_KEYS = ['name', 'id', 'label', 'marginWarmupEpochs', 's', 'm1', 'm2', 'm3'] as const;

/** Checks one `losses` entry read from a file; an OptionError names the first problem. */
function validateLossEntry(entry: unknown, index: number, where: string): void {
  const at = `${where}: losses[${index}]`;
  if (typeof entry === 'string') return;
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new OptionError(`${at} must be a loss name or an object {name, id, label, …}, got ${JSON.stringify(entry)}`);
  const o = entry as Record<string, unknown>;
  const extra = Object.keys(o).find((k) => !(VARIANT_KEYS as readonly string[]).includes(k));
  if (extra !== undefined) throw new OptionError(`${at}: unknown key '${extra}' (keys: ${VARIANT_KEYS.join(', ')})`);
  for (const k of ['name', 'id', 'label'] as const) {
    if (typeof o[k] !== 'string' || (o[k] as string).trim() === '') throw new OptionError(`${at}: '${k}' must be a non-empty string, got ${JSON.stringify(o[k]) ?? 'nothing'}`);
  }
  if (!/^[A-Za-z0-9._-]+$/.test(o.id as string)) throw new OptionError(`${at}: id ${JSON.stringify(o.id)} may hold only letters, digits, '.', '_' and '-' (it names files)`);
  for (const k of ['s', 'm1', 'm2', 'm3'] as const) {
    if (o[k] !== undefined && !(typeof o[k] === 'number' && Number.isFinite(o[k]))) throw new OptionError(`${at}: ${k} must be a number, got ${JSON.stringify(o[k])}`);
  }
  const w = o.marginWarmupEpochs;
  if (w !== undefined && !(Number.isInteger(w) && (w as number) >= 1)) throw new OptionError(`${at}: marginWarmupEpochs must be an integer ≥ 1, got ${JSON.stringify(w)}`);
}

/**
 * The default `npm start` and the `--quick` run the tests use (the two small fonts, seconds).
 * The default is the README table's settings (bench/glyphs-full.json) with its six margin forms
 * and training seed 0 only, so that `npm start` reproduces that table's seed-0 runs bit for bit;
 * its wall time on two shared cores is measured in docs/glyphs.md (budget: 15 minutes).
 */
export const GLYPHS_SETTINGS: Readonly<Record<'full' | 'quick', Readonly<GlyphsSettings>>> = {
  full: {
    fonts: 'full',
    data: { size: 16, copies: 1, seed: 0, maxCharacters: 0 },
    splitSeed: 0,
    trainIdentities: 2000,
    unseenIdentities: 1000,
    heldOutFonts: 4,
    evalCopies: 1,
    seeds: [0],
    losses: ['softmax', 'normface', 'sphereface', 'cosface', 'arcface', 'combined'],
    scale: 64,
    backbone: 'mlp',
    hidden: [256],
    embedding: 64,
    epochs: 20,
    batchSize: 128,
    lr: 0.1,
    pairs: 6000,
    fars: [1e-3, 1e-4],
    backend: 'wasm',
  },
  quick: {
    fonts: 'fixture',
    data: { size: 16, copies: 3, seed: 0, maxCharacters: 300 },
    splitSeed: 0,
    trainIdentities: 200,
    unseenIdentities: 100,
    heldOutFonts: 1,
    evalCopies: 3,
    seeds: [0],
    losses: ['softmax', 'normface', 'arcface'],
    scale: 64,
    backbone: 'mlp',
    hidden: [128],
    embedding: 32,
    epochs: 3,
    batchSize: 64,
    lr: 0.1,
    pairs: 600,
    fars: [1e-3, 1e-4],
    backend: 'wasm',
  },
};

const SETTING_KEYS: readonly (keyof GlyphsSettings)[] = [
  'fonts', 'data', 'splitSeed', 'trainIdentities', 'unseenIdentities', 'heldOutFonts', 'evalCopies', 'seeds', 'losses', 'scale', 'backbone', 'hidden', 'embedding',
  'epochs', 'batchSize', 'lr', 'pairs', 'fars', 'backend',
];

/**
 * Checks settings read from a file (`arcgrad demo --settings FILE`): every key present, no other,
 * each of the right kind; an OptionError names the first problem.
 */
export function validateGlyphsSettings(value: unknown, where: string): GlyphsSettings {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new OptionError(`${where}: the settings must be a JSON object`);
  const o = value as Record<string, unknown>;
  const extra = Object.keys(o).find((k) => !(SETTING_KEYS as readonly string[]).includes(k) && k !== 'comment');
  if (extra !== undefined) throw new OptionError(`${where}: unknown setting '${extra}' (settings: ${SETTING_KEYS.join(', ')})`);
  const missing = SETTING_KEYS.find((k) => !(k in o));
  if (missing !== undefined) throw new OptionError(`${where}: setting '${missing}' is missing (a settings file fixes every setting)`);
  const int = (k: string, v: unknown, min: number) => {
    if (!Number.isInteger(v) || (v as number) < min) throw new OptionError(`${where}: ${k} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  };
  if (o.fonts !== 'full' && o.fonts !== 'fixture') throw new OptionError(`${where}: fonts must be "full" or "fixture", got ${JSON.stringify(o.fonts)}`);
  const data = o.data as Record<string, unknown> | null;
  if (data === null || typeof data !== 'object') throw new OptionError(`${where}: data must be an object {size, copies, seed, maxCharacters}`);
  int('data.size', data.size, 8);
  int('data.copies', data.copies, 1);
  int('data.seed', data.seed, 0);
  int('data.maxCharacters', data.maxCharacters, 0);
  for (const k of ['splitSeed', 'trainIdentities', 'unseenIdentities', 'heldOutFonts', 'evalCopies', 'embedding', 'epochs', 'batchSize', 'pairs'] as const) int(k, o[k], k === 'splitSeed' ? 0 : 1);
  const list = (k: string, check: (v: unknown) => boolean) => {
    if (!Array.isArray(o[k]) || (o[k] as unknown[]).length === 0 || !(o[k] as unknown[]).every(check)) throw new OptionError(`${where}: ${k} must be a non-empty list, got ${JSON.stringify(o[k])}`);
  };
  list('seeds', (v) => Number.isInteger(v) && (v as number) >= 0);
  list('losses', () => true);
  (o.losses as unknown[]).forEach((entry, i) => validateLossEntry(entry, i, where));
  const ids = (o.losses as GlyphsLossEntry[]).map(glyphsLossId);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice !== undefined) throw new OptionError(`${where}: losses: id '${twice}' appears twice (each row needs its own id)`);
  list('hidden', (v) => Number.isInteger(v) && (v as number) >= 1);
  list('fars', (v) => typeof v === 'number' && v > 0 && v < 1);
  if (!(typeof o.scale === 'number' && o.scale > 0)) throw new OptionError(`${where}: scale must be a number > 0, got ${JSON.stringify(o.scale)}`);
  if (!(typeof o.lr === 'number' && o.lr > 0)) throw new OptionError(`${where}: lr must be a number > 0, got ${JSON.stringify(o.lr)}`);
  if (o.backbone !== 'mlp' && o.backbone !== 'conv') throw new OptionError(`${where}: backbone must be "mlp" or "conv", got ${JSON.stringify(o.backbone)}`);
  if (typeof o.backend !== 'string') throw new OptionError(`${where}: backend must be a backend name, got ${JSON.stringify(o.backend)}`);
  const { comment: _comment, ...settings } = o;
  const checked = settings as unknown as GlyphsSettings;
  checked.losses.forEach((entry, i) => {
    try {
      glyphsLossConfig(checked, entry); // an unknown loss or a bad override fails here, listing the known ones
    } catch (e) {
      if (e instanceof OptionError && typeof entry !== 'string') throw new OptionError(`${where}: losses[${i}] (${entry.id}): ${e.message}`);
      throw e;
    }
  });
  return checked;
}

/** The run configuration of the loss with id `id` and one seed (the shape `lrSchedule` and run.json use). */
export function glyphsRunConfig(s: GlyphsSettings, id: string, seed: number): RunConfig {
  return {
    loss: glyphsLossConfig(s, glyphsLossEntry(s, id)),
    data: { seed: s.splitSeed, perDigit: 0 },
    model: { hidden: s.hidden, embedding: s.embedding },
    optim: { epochs: s.epochs, batchSize: s.batchSize, lr: s.lr, momentum: 0.9, weightDecay: 5e-4, warmupEpochs: 1, seed },
    pairs: s.pairs,
  };
}

/**
 * The loss of a `losses` entry at the settings' scale (softmax has none): a plain name gives
 * exactly `lossConfig(name, { s })`; a variant adds its overrides and margin warm-up.
 */
export function glyphsLossConfig(s: GlyphsSettings, entry: GlyphsLossEntry): LossConfig {
  const name = typeof entry === 'string' ? entry : entry.name;
  if (typeof entry === 'string') return name === 'softmax' || name === 'triplet' ? lossConfig(name) : lossConfig(name, { s: s.scale });
  const { s: scale, m1, m2, m3, marginWarmupEpochs } = entry;
  const overrides = { s: scale ?? (name === 'softmax' || name === 'triplet' ? undefined : s.scale), m1, m2, m3 };
  const config = lossConfig(name, overrides);
  if (marginWarmupEpochs === undefined) return config;
  if (config.margin === undefined) throw new OptionError(`marginWarmupEpochs applies to the margin losses (sphereface, cosface, arcface, combined, normface), not '${name}'`);
  return { ...config, marginWarmupEpochs };
}

/** The evaluation sets and training set of a split. */
export interface GlyphsSets {
  /** The split. */
  split: GlyphSplit;
  /** Training identities × training fonts × every copy; label = class. */
  train: GlyphImageSet;
  /** Unseen identities × every font × `evalCopies`; gallery = the first training font's copy 0. */
  unseen: GlyphImageSet & { gallery: boolean[] };
  /** Training identities × held-out fonts × `evalCopies`; gallery = the first held-out font's copy 0. */
  heldOut: GlyphImageSet & { gallery: boolean[] };
  /** The identities the split leaves unused × every font × `evalCopies`, gallery as `unseen` (choices such as the backbone's; empty when none are left). */
  validation: GlyphImageSet & { gallery: boolean[] };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Builds the sets of `s` from the loaded data. */
export function glyphsSets(s: GlyphsSettings, data: GlyphsData): GlyphsSets {
  const m = data.manifest;
  if (s.evalCopies > m.copies) throw new OptionError(`glyphs: evalCopies ${s.evalCopies} exceeds the data set's ${m.copies} copies`);
  const split = splitGlyphs(m, { seed: s.splitSeed, trainIdentities: s.trainIdentities, unseenIdentities: s.unseenIdentities, heldOutFonts: s.heldOutFonts });
  const evalCopies = range(s.evalCopies);
  const withGallery = (set: GlyphImageSet, font: number) => ({ ...set, gallery: Array.from(set.fonts, (f, i) => f === font && set.copies[i] === 0) });
  return {
    split,
    train: glyphImages(data, split.train, split.trainFonts, range(m.copies)),
    unseen: withGallery(glyphImages(data, split.unseen, range(m.fonts.length), evalCopies), split.trainFonts[0]),
    heldOut: withGallery(glyphImages(data, split.train, split.heldOutFonts, evalCopies), split.heldOutFonts[0]),
    validation: withGallery(glyphImages(data, split.validation, range(m.fonts.length), evalCopies), split.trainFonts[0]),
  };
}

/** A progress display for one long step (a CLI passes a progress bar; the default is silent). */
export interface StepProgress {
  /** `done` of the step's `total` units, with a short text. */
  update(done: number, text: string): void;
  /** The step is over. */
  finish(done: number, text: string): void;
}

/** Creates the progress display of a step with `total` units. */
export type ProgressFactory = (label: string, total: number) => StepProgress;

const silent: ProgressFactory = () => ({ update() {}, finish() {} });

/** A training run's progress: the bar moved at each step, the losses summed per epoch, the step reached. */
export interface EpochTracker {
  /** Sum of the step losses of each epoch. */
  sums: number[];
  /** The last step reported (0 before the first). */
  step: number;
  /** What `train()`'s onProgress calls. */
  onProgress(p: Progress): void;
}

/** An EpochTracker on `bar` for `epochs` epochs. */
export function epochTracker(bar: StepProgress, epochs: number): EpochTracker {
  const tracker: EpochTracker = {
    sums: new Array<number>(epochs).fill(0),
    step: 0,
    onProgress: (p) => {
      tracker.step = p.step;
      tracker.sums[p.epoch] += p.loss;
      const text = `epoch ${p.epoch + 1}/${epochs} loss ${p.loss.toFixed(3)}`;
      if (p.step >= p.totalSteps) bar.finish(p.step, text);
      else bar.update(p.step, text);
    },
  };
  return tracker;
}

/** One trained (loss, seed). */
export interface GlyphsRun {
  /** The loss's id in the settings (its name, or a labelled variant's id). */
  loss: string;
  /** Training seed. */
  seed: number;
  /** The configuration. */
  config: RunConfig;
  /** Mean training loss of each epoch. */
  lossCurve: number[];
  /** θ_y of the training images at the end (radians); empty for a loss without class centers (the triplet). */
  angles: Float64Array;
  /** Optimizer steps. */
  steps: number;
  /** Wall-clock seconds of training (not deterministic). */
  trainSeconds: number;
  /** The protocol on the unseen identities. */
  unseen: OpenSetReport;
  /** The protocol on the held-out fonts of the training identities. */
  heldOut: OpenSetReport;
}

/** Everything a glyphs run measured. */
export interface GlyphsResults {
  /** The settings. */
  settings: GlyphsSettings;
  /** The data set's fonts and characters, and the split's sizes. */
  dataset: { name: 'glyphs'; trainIdentities: number; unseenIdentities: number; fonts: string[]; heldOutFonts: string[]; imageSize: number; trainImages: number; sha256: string };
  /** Raw pixels (no training) on the two evaluation sets. */
  rawPixels: { unseen: OpenSetReport; heldOut: OpenSetReport };
  /** One per (loss, seed), losses in the settings' order, seeds inside. */
  runs: GlyphsRun[];
  /** The runs taken from earlier records instead of trained (`arcgrad demo --resume`), as "loss seed k". */
  reused: string[];
}

/** Gives an earlier, identical run of (loss, seed, config) if one is recorded (src/demo/glyphs-record.ts), else undefined. */
export type ReuseRun = (loss: string, seed: number, config: RunConfig) => GlyphsRun | undefined;

/** The model at the end of one epoch of `trainGlyphsModel` (and `trainGlyphsRun`), for a caller that inspects training (`GlyphsRunInspector`). */
export interface GlyphsEpochSnapshot {
  /** The epoch just finished, from 0. */
  epoch: number;
  /** Mean training loss of that epoch. */
  loss: number;
  /** The backbone's parameters and buffers (float64, on the CPU), as a checkpoint holds them. */
  model: { params: Params; state: State };
  /** The head's class centres W [C, embedding] row-major, or undefined for a loss without them (the triplet). */
  w: Float64Array | undefined;
  /** Embeds a set with this model in evaluation mode (what the protocol embeds). */
  embed(set: GlyphImageSet): Float64Array;
}

/**
 * Sees the model of a `trainGlyphsModel` (or `trainGlyphsRun`) at every epoch end (bench/glyphs-collapse.mjs uses it).
 * The snapshot is read back from a checkpoint the loop writes at each epoch end into a temporary
 * folder (removed afterwards); checkpoints do not change the run, which stays bit-identical.
 */
export interface GlyphsRunInspector {
  /** Called after each epoch's checkpoint; the last call holds the trained model. */
  onEpoch(snapshot: GlyphsEpochSnapshot): void;
}

/** Rows embedded per call: a ConvNet's im2col of the whole set at once would need gigabytes (rows are independent in eval mode). */
const EMBED_CHUNK = 1024;

function embedSet(backbone: Module, model: { params: Params; state: State }, set: GlyphImageSet): Float64Array {
  let all = new Float64Array(0);
  for (let start = 0; start < set.count; start += EMBED_CHUNK) {
    const rows = Math.min(EMBED_CHUNK, set.count - start);
    const x = cpu.fromArray(set.x.subarray(start * set.pixels, (start + rows) * set.pixels), [rows, set.pixels], 'float64');
    const { y } = backbone.apply(model.params, x, { training: false, state: model.state });
    if (start === 0) all = new Float64Array(set.count * y.shape[1]);
    all.set(y.toTypedArray(), start * y.shape[1]);
  }
  return all;
}

/** The backbone of `s` for square images of `size`² pixels. */
export function glyphsBackbone(s: Pick<GlyphsSettings, 'backbone' | 'hidden' | 'embedding'>, size: number): Module {
  return s.backbone === 'conv'
    ? new ConvNet({ height: size, width: size, widths: s.hidden, embedding: s.embedding })
    : new MLP({ inFeatures: size * size, hidden: s.hidden, embedding: s.embedding, activation: 'prelu' });
}

/** A trained (loss, seed) before evaluation: what `trainGlyphsModel` returns. */
export interface TrainedGlyphsModel {
  /** The configuration. */
  config: RunConfig;
  /** The backbone module. */
  backbone: Module;
  /** Its trained parameters and buffers. */
  model: { params: Params; state: State };
  /** The head's class centers W [classes × embedding], row-major (undefined for a loss without centers: the angular triplet). */
  headW: Float64Array | undefined;
  /** Mean training loss of each epoch. */
  lossCurve: number[];
  /** Optimizer steps. */
  steps: number;
  /** Wall-clock seconds of training. */
  trainSeconds: number;
}

/** Trains one (loss, seed) and evaluates it on the unseen identities and the held-out fonts. */
export function trainGlyphsRun(
  s: GlyphsSettings,
  sets: GlyphsSets,
  loss: string,
  seed: number,
  backend: Backend = cpu,
  progress: ProgressFactory = silent,
  inspector?: GlyphsRunInspector,
): GlyphsRun {
  const t = trainGlyphsModel(s, sets, loss, seed, backend, progress, inspector);
  const angles = t.headW === undefined ? new Float64Array(0) : targetAngles(embedGlyphs(t, sets.train), sets.train.labels, t.headW, s.embedding);
  const evaluate = (set: GlyphsSets['unseen'], name: string) => evaluateGlyphsSet(s, t, set, `${loss} seed ${seed}: ${name}`, backend, progress);
  return {
    loss,
    seed,
    config: t.config,
    lossCurve: t.lossCurve,
    angles,
    steps: t.steps,
    trainSeconds: t.trainSeconds,
    unseen: evaluate(sets.unseen, 'unseen'),
    heldOut: evaluate(sets.heldOut, 'held-out fonts'),
  };
}

/** The embeddings of a set's images under a trained model (float64, on the CPU). */
export function embedGlyphs(t: TrainedGlyphsModel, set: GlyphImageSet): Float64Array {
  return embedSet(t.backbone, t.model, set);
}

/** The open-set protocol on one evaluation set (with a gallery) under a trained model. */
export function evaluateGlyphsSet(s: GlyphsSettings, t: TrainedGlyphsModel, set: GlyphsSets['unseen'], label: string, backend: Backend = cpu, progress: ProgressFactory = silent): OpenSetReport {
  return evaluateWithProgress(s, embedGlyphs(t, set), s.embedding, set, label, backend, progress);
}

/** Trains the backbone and head of one (loss, seed) on the training set; no evaluation. */
export function trainGlyphsModel(
  s: GlyphsSettings,
  sets: GlyphsSets,
  loss: string,
  seed: number,
  backend: Backend = cpu,
  progress: ProgressFactory = silent,
  inspector?: GlyphsRunInspector,
): TrainedGlyphsModel {
  const config = glyphsRunConfig(s, loss, seed);
  const classes = sets.split.train.length;
  const batches = glyphsIdentityBatches(config.loss, s.batchSize);
  // P×K batches draw batches·batchSize images an epoch (src/train/identity-batches.ts): the schedule counts those
  const rows = batches === undefined ? sets.train.count : identityBatchesPerEpoch(sets.train.labels, batches) * s.batchSize;
  const perEpoch = stepsPerEpoch(config, rows);
  const head = makeHead(config.loss, classes, s.embedding, new Random(headSeed(seed)), perEpoch);
  const backbone = glyphsBackbone(s, Math.round(Math.sqrt(sets.train.pixels)));
  const epochs = epochTracker(progress(`${loss} seed ${seed}`.padEnd(18), s.epochs * perEpoch), s.epochs);
  const { sums } = epochs;
  const snapshotDir = inspector === undefined ? undefined : mkdtempSync(join(tmpdir(), 'arcgrad-glyphs-'));
  const checkpointPath = snapshotDir === undefined ? undefined : join(snapshotDir, 'checkpoint.json');
  const snapshot = (epoch: number): GlyphsEpochSnapshot => {
    const ckpt = loadCheckpoint(checkpointPath as string);
    const model = { params: unscope('backbone', ckpt.params), state: ckpt.state };
    const w = unscope('head', ckpt.params).w;
    return { epoch, loss: sums[epoch] / perEpoch, model, w: w === undefined ? undefined : Float64Array.from(w.toTypedArray()), embed: (set) => embedSet(backbone, model, set) };
  };
  let inspecting = 0; // milliseconds spent in the inspector, not counted as training
  const started = performance.now();
  let result: ReturnType<typeof train>;
  try {
    result = train({
      backbone,
      head: head.init,
      headLoss: (e, h, y) => head.loss(e, h, y, epochs.step + 1),
      ...(head.state === undefined ? {} : { headState: head.state }),
      data: { x: cpu.fromArray(sets.train.x, [sets.train.count, sets.train.pixels], 'float64'), labels: sets.train.labels },
      backend,
      epochs: s.epochs,
      batchSize: s.batchSize,
      optimizer: sgd({ lr: s.lr, momentum: 0.9, weightDecay: 5e-4 }),
      schedule: lrSchedule(config, rows),
      ...(batches === undefined ? {} : { identityBatches: batches }),
      ...(checkpointPath === undefined ? {} : { checkpoint: { path: checkpointPath } }),
      seed,
      onProgress: (p) => {
        epochs.onProgress(p);
        // the loop writes the epoch's checkpoint before this call (src/train/loop.ts)
        if (inspector !== undefined && p.batch === p.batchesPerEpoch - 1) {
          const before = performance.now();
          inspector.onEpoch(snapshot(p.epoch));
          inspecting += performance.now() - before;
        }
      },
    });
  } finally {
    if (snapshotDir !== undefined) rmSync(snapshotDir, { recursive: true, force: true });
  }
  const trainSeconds = (performance.now() - started - inspecting) / 1000;
  return {
    config,
    backbone,
    model: { params: result.backbone, state: result.state },
    headW: result.head.w === undefined ? undefined : Float64Array.from(result.head.w.toTypedArray()),
    lossCurve: sums.map((v) => v / perEpoch),
    steps: result.step,
    trainSeconds,
  };
}

/** The P×K batches a loss trains with (the triplet: K from its config, P = batchSize / K), else undefined. */
export function glyphsIdentityBatches(config: LossConfig, batchSize: number): IdentityBatches | undefined {
  if (config.triplet === undefined) return undefined;
  const k = config.triplet.imagesPerIdentity;
  if (batchSize % k !== 0 || batchSize < 2 * k) throw new OptionError(`${config.name}: batchSize ${batchSize} must be a multiple of K = ${k} images per identity, with at least 2 identities`);
  return { identities: batchSize / k, imagesPerIdentity: k };
}

/** The protocol on one set, with a progress display for its all-pairs pass (in millions of pairs). */
function evaluateWithProgress(s: GlyphsSettings, embeddings: ArrayLike<number>, dim: number, set: GlyphsSets['unseen'], label: string, backend: Backend, progress: ProgressFactory): OpenSetReport {
  const pairs = (set.count * (set.count - 1)) / 2;
  const bar = progress(`evaluate ${label}`, Math.ceil(pairs / 1e6));
  const text = 'M pairs (all-pairs TAR@FAR)';
  return evaluateOpenSet(
    { embeddings, dim, labels: set.labels, gallery: set.gallery },
    { pairs: s.pairs, seed: s.splitSeed, fars: s.fars, ...(backend === cpu ? {} : { gram: backendGram(backend) }), onProgress: (done, all) => (done >= all ? bar.finish(Math.ceil(all / 1e6), text) : bar.update(Math.floor(done / 1e6), text)) },
  );
}

/**
 * Runs the whole comparison of `s` on `data`, the training steps on `backend` (resolved from
 * `s.backend` by the caller: src/backend/select.ts); data, parameters and evaluation stay in float64 on the CPU.
 */
export function runGlyphsExperiment(
  s: GlyphsSettings,
  data: GlyphsData,
  backend: Backend = cpu,
  progress: ProgressFactory = silent,
  onRun?: (run: GlyphsRun) => void,
  reuse?: ReuseRun,
): GlyphsResults {
  const sets = glyphsSets(s, data);
  const m = data.manifest;
  const raw = (set: GlyphsSets['unseen'], name: string) => evaluateWithProgress(s, set.x, set.pixels, set, `raw pixels: ${name}`, backend, progress);
  const rawPixels = { unseen: raw(sets.unseen, 'unseen'), heldOut: raw(sets.heldOut, 'held-out fonts') };
  const reused: string[] = [];
  const runs = glyphsLossIds(s).flatMap((loss) =>
    s.seeds.map((seed) => {
      const earlier = reuse?.(loss, seed, glyphsRunConfig(s, loss, seed));
      if (earlier !== undefined) {
        reused.push(`${loss} seed ${seed}`);
        return earlier;
      }
      const run = trainGlyphsRun(s, sets, loss, seed, backend, progress);
      onRun?.(run);
      return run;
    }),
  );
  return {
    settings: s,
    dataset: {
      name: 'glyphs',
      trainIdentities: sets.split.train.length,
      unseenIdentities: sets.split.unseen.length,
      fonts: sets.split.trainFonts.map((f) => m.fonts[f].name),
      heldOutFonts: sets.split.heldOutFonts.map((f) => m.fonts[f].name),
      imageSize: m.size,
      trainImages: sets.train.count,
      sha256: m.sha256,
    },
    rawPixels,
    runs,
    reused,
  };
}

/** The numbers of one protocol report that results.json keeps. */
export interface OpenSetSummary {
  /** 10-fold verification accuracy: mean and std over the folds (averaged over seeds). */
  verification: { mean: number; std: number };
  /** TAR at FAR 1e-3 and 1e-4 from all pairs (mean over seeds). */
  tarAtFar: Record<string, number>;
  /** Rank-1 identification (mean over seeds). */
  rank1: number;
  /** Per seed: verification mean, TAR@FAR, rank-1. */
  perSeed: { seed: number; verification: number; tarAtFar: Record<string, number>; rank1: number }[];
}

/** FAR as results.json names it: 1e-3 → "1e-3". */
export function farKey(far: number): string {
  return far.toExponential();
}

/** One run's numbers as plain JSON (what `arcgrad demo` writes to out/runs/ as each run finishes). */
export function glyphsRunJson(run: GlyphsRun): unknown {
  const one = (report: OpenSetReport) => summarize([{ seed: run.seed, report }]);
  return { loss: run.loss, seed: run.seed, config: run.config, steps: run.steps, trainSeconds: run.trainSeconds, lossCurve: run.lossCurve, unseen: one(run.unseen), heldOutFonts: one(run.heldOut) };
}

function summarize(reports: { seed: number; report: OpenSetReport }[]): OpenSetSummary {
  const perSeed = reports.map(({ seed, report }) => ({
    seed,
    verification: report.verification.accuracy.mean,
    tarAtFar: Object.fromEntries(report.allPairs.points.map((p) => [farKey(p.target), p.tar])),
    rank1: report.identification.rank1,
  }));
  const mean = (f: (r: (typeof perSeed)[number]) => number) => meanStd(perSeed.map(f)).mean;
  return {
    verification: { mean: mean((r) => r.verification), std: meanStd(reports.map((r) => r.report.verification.accuracy.std)).mean },
    tarAtFar: Object.fromEntries(Object.keys(perSeed[0].tarAtFar).map((k) => [k, mean((r) => r.tarAtFar[k])])),
    rank1: mean((r) => r.rank1),
    perSeed,
  };
}

/** What the paired comparison reports: the measures, as (name, pick) pairs. */
export const PAIRED_MEASURES: readonly { name: string; pick: (r: GlyphsRun) => number }[] = [
  { name: 'unseen rank-1', pick: (r) => r.unseen.identification.rank1 },
  { name: 'unseen verification', pick: (r) => r.unseen.verification.accuracy.mean },
  { name: 'unseen TAR@FAR=1e-3', pick: (r) => r.unseen.allPairs.points[0].tar },
  { name: 'held-out fonts rank-1', pick: (r) => r.heldOut.identification.rank1 },
  { name: 'held-out fonts TAR@FAR=1e-3', pick: (r) => r.heldOut.allPairs.points[0].tar },
];

/** `loss` − `baseline` on each measure of `PAIRED_MEASURES`, paired by seed, with 95 % intervals. */
export function pairedAgainst(r: GlyphsResults, loss: string, baseline: string): { measure: string; difference: PairedDifference }[] {
  const seeds = r.settings.seeds;
  const run = (name: string, seed: number) => {
    const found = r.runs.find((x) => x.loss === name && x.seed === seed);
    if (found === undefined) throw new OptionError(`pairedAgainst: no run of ${name} with seed ${seed}`);
    return found;
  };
  return PAIRED_MEASURES.map(({ name, pick }) => ({
    measure: name,
    difference: pairedDifference(seeds.map((sd) => pick(run(loss, sd))), seeds.map((sd) => pick(run(baseline, sd)))),
  }));
}

/** results.json: the fields issue 15 lists, plus the context of the run. */
export function glyphsResultsJson(r: GlyphsResults, context: Record<string, unknown>): unknown {
  const raw = (rep: OpenSetReport) => summarize([{ seed: -1, report: rep }]);
  return {
    context,
    settings: r.settings,
    dataset: r.dataset,
    rawPixels: { unseen: raw(r.rawPixels.unseen), heldOutFonts: raw(r.rawPixels.heldOut) },
    losses: r.settings.losses.map((entry) => {
      const loss = glyphsLossId(entry);
      const runs = r.runs.filter((x) => x.loss === loss);
      return {
        name: typeof entry === 'string' ? entry : entry.name,
        id: loss,
        label: glyphsLossLabel(r.settings, loss),
        params: shortLossParams(runs[0].config.loss),
        seeds: runs.map((x) => x.seed),
        trainSeconds: runs.map((x) => x.trainSeconds),
        lossCurves: runs.map((x) => x.lossCurve),
        meanThetaDegrees: runs.map((x) => (x.angles.length === 0 ? null : (meanStd(Array.from(x.angles)).mean * 180) / Math.PI)),
        unseen: summarize(runs.map((x) => ({ seed: x.seed, report: x.unseen }))),
        heldOutFonts: summarize(runs.map((x) => ({ seed: x.seed, report: x.heldOut }))),
        paired: Object.fromEntries(['softmax', 'normface'].filter((b) => b !== loss && glyphsLossIds(r.settings).includes(b)).map((b) => [`vs ${b}`, pairedAgainst(r, loss, b)])),
      };
    }),
  };
}
