/**
 * The losses the demo compares and `arcgrad train --loss` accepts, as plain JSON-able
 * configurations (so that a run's run.json says exactly which loss trained it), and the heads
 * built from them: initial parameters plus a loss of (embeddings, head, labels, iteration).
 *
 * Scale: every margin loss uses s = 30 here instead of the papers' 64. The papers' s is chosen
 * for 10⁴–10⁵ identities; NormFace's bound s ≥ (C−1)/C · ln((C−1)·P/(1−P)) gives s ≈ 5.5 for
 * C = 7 and P = 0.99, and at s = 64 the softmax over 7 classes saturates after a few steps, so
 * easy samples stop contributing gradient. 30 keeps a safe distance above the bound without
 * saturating at once. The margins are the published ones (and can be overridden).
 *
 * Besides the six built-in losses, `--loss` accepts any margin made with `defineMargin` and
 * registered: the example margins of src/margins (CurricularFace, AdaFace, MagFace,
 * ElasticFace-Arc/-Cos) and the user's own (`--margin-module`). Their configuration records every
 * parameter and, for a user's margin, the module it came from, so that `train --resume` can load
 * it again. They get s = 30 too, for the same reason, and one more demo default: MagFace's
 * magnitude bounds [l_a, u_a] = [10, 110] are for 512-d features; the demo's 32-d batch-normed
 * embeddings are shorter (ArcFace's end training at a median ‖x‖ of 6.7, 3.8–11.0 from the 5th to
 * the 95th percentile, in `arcgrad demo --losses all`; the report prints these norms), mostly
 * below l_a, where the clamp makes the margin constant and the regularizer silent. Norms of
 * batch-normed embeddings grow like √d, so the demo scales the bounds by √(32/512) = 1/4 to
 * [2.5, 27.5] (l_m, u_m and λ_g stay published).
 */
import { interLoss, intraLoss } from '../losses/intra-inter.js';
import { minedAngularTripletLoss } from '../losses/triplet-mining.js';
import { marginPresets, softmaxLoss, type MarginLossHead, type MarginPresetName } from '../losses/presets.js';
import { getMargin, registeredMargins, type MarginParams } from '../losses/define-margin.js';
import { exampleMargins } from '../margins/index.js';
import type { JsonValue } from '../train/checkpoint.js';
import { firstDifference, type HeadStateAccess } from '../train/loop.js';
import { GRADIENT_MODES, resolveMarginOptions, type GradientMode, type ResolvedMarginOptions, type TAPE_ONLY_OPTIONS } from '../losses/options.js';
import { FALLBACK_POLICIES, type FallbackPolicy } from '../ops/angular-margin.js';
import { normal } from '../nn/init.js';
import type { Params } from '../nn/params.js';
import { sphereFaceLambdaSchedule } from '../optim/schedule.js';
import { zeros } from '../tensor/create.js';
import { OptionError } from '../tensor/errors.js';
import type { Random } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';

/** The losses, in the order of the ArcFace paper's comparison. */
export const LOSS_NAMES = ['softmax', 'normface', 'sphereface', 'cosface', 'arcface', 'combined'] as const;

/** A built-in loss's name. */
export type LossName = (typeof LOSS_NAMES)[number];

/**
 * The ArcFace paper's §2.3 variants, trained by the glyphs benchmark only: NormFace + Intra-Loss,
 * NormFace + Inter-Loss (src/losses/intra-inter.ts) and the angular triplet loss with semi-hard
 * mining (src/losses/triplet-mining.ts). They are not in LOSS_NAMES because that list is the MNIST
 * demo's default run and `arcgrad train --loss`'s choices: the triplet needs P×K batches of many
 * identities (MNIST has 7 training digits, and `train` batches by plain shuffle), and adding rows
 * to LOSS_NAMES would change the MNIST default run.
 */
export const PAPER_VARIANT_NAMES = ['intra', 'inter', 'triplet'] as const;

/** A §2.3 variant's name. */
export type PaperVariantName = (typeof PAPER_VARIANT_NAMES)[number];

/** True for the §2.3 variants. */
export function isPaperVariant(name: string): name is PaperVariantName {
  return (PAPER_VARIANT_NAMES as readonly string[]).includes(name);
}

/** Throws an OptionError for a §2.3 variant where only the glyphs benchmark trains them (`where`: e.g. "train --loss"). */
export function refusePaperVariant(name: string, where: string): void {
  if (isPaperVariant(name)) throw new OptionError(`${where}: '${name}' (${PAPER_VARIANT_LABELS[name]}) is trained by the glyphs benchmark only: arcgrad demo --dataset glyphs --losses ${name}`);
}

/** The triplet's margin m, as insightface's `atriplet` config (triplet_alpha = 0.35), and its K. */
export const TRIPLET_DEFAULTS = { m: 0.35, imagesPerIdentity: 4 } as const;

/** The example margins of src/margins, in the order the demo's table lists them. */
export const EXAMPLE_MARGIN_NAMES: readonly string[] = Object.keys(exampleMargins);

/** Demo defaults of the example margins besides s (see the file header). */
export const DEMO_MARGIN_DEFAULTS: Readonly<Record<string, Readonly<MarginParams>>> = { magface: { la: 2.5, ua: 27.5 } };

/** True for the six built-in losses. */
export function isBuiltinLoss(name: string): name is LossName {
  return (LOSS_NAMES as readonly string[]).includes(name);
}

/** The scale s of every margin loss in the demo and the default of `arcgrad train` (see the file header). */
export const DEFAULT_SCALE = 30;

/**
 * Throws an OptionError unless `c` is a loss as `lossConfig` makes it (a name, and for a margin loss
 * every margin field with a valid value): run.json is read back from disk and may be edited.
 */
export function validateLossConfig(c: LossConfig): void {
  if (typeof c.name === 'string' && isPaperVariant(c.name)) {
    const fresh = lossConfig(c.name, c.paper === undefined ? {} : { s: c.paper?.s });
    const [path] = firstDifference(c.name, fresh, { ...c, marginWarmupEpochs: undefined }) ?? [];
    if (path !== undefined) throw new OptionError(`${c.name}: the loss's field ${path} differs from the variant's`);
    return;
  }
  if (c.marginWarmupEpochs !== undefined && !(Number.isInteger(c.marginWarmupEpochs) && c.marginWarmupEpochs >= 1)) {
    throw new OptionError(`${String(c.name)}: marginWarmupEpochs must be an integer ≥ 1, got ${JSON.stringify(c.marginWarmupEpochs)}`);
  }
  if (typeof c.name === 'string' && !isBuiltinLoss(c.name) && c.defined !== undefined) {
    // a defined margin: its parameters are checked by the margin itself when the head is built
    const d = c.defined as unknown as Record<string, unknown> | null;
    if (d === null || typeof d !== 'object' || d.params === null || typeof d.params !== 'object' || Array.isArray(d.params)) {
      throw new OptionError(`${c.name}: the defined margin's 'params' must be an object, got ${JSON.stringify(d?.params) ?? 'nothing'}`);
    }
    if (d.module !== undefined && typeof d.module !== 'string') throw new OptionError(`${c.name}: the defined margin's 'module' must be a path, got ${JSON.stringify(d.module)}`);
    return;
  }
  if (!(LOSS_NAMES as readonly unknown[]).includes(c.name)) {
    throw new OptionError(`unknown loss ${JSON.stringify(c.name) ?? 'nothing'} (one of ${LOSS_NAMES.join(', ')})`);
  }
  if (c.annealLambda !== undefined && typeof c.annealLambda !== 'boolean') throw new OptionError(`annealLambda must be true or false, got ${JSON.stringify(c.annealLambda)}`);
  if (c.name === 'softmax') {
    if (c.margin !== undefined) throw new OptionError('softmax takes no margin options');
    return;
  }
  const m = c.margin as Record<string, unknown> | undefined;
  if (m === null || typeof m !== 'object') throw new OptionError(`${c.name}: the margin options are missing`);
  for (const k of ['s', 'm1', 'm2', 'm3', 'fallback', 'gradient']) {
    if (m[k] === undefined) throw new OptionError(`${c.name}: margin option '${k}' is missing`);
  }
  const { s, m1, m2, m3, fallback, gradient } = m;
  for (const [k, v] of Object.entries({ s, m1, m2, m3 })) {
    if (typeof v !== 'number') throw new OptionError(`${c.name}: margin option '${k}' must be a number, got ${JSON.stringify(v)}`);
  }
  lossConfig(c.name, { s, m1, m2, m3, fallback: String(fallback), gradient: String(gradient) } as MarginOverrides); // range checks
}

/** Display names for tables and legends. */
export const LOSS_LABELS: Readonly<Record<LossName, string>> = {
  softmax: 'Softmax',
  normface: 'NormFace',
  sphereface: 'SphereFace',
  cosface: 'CosFace',
  arcface: 'ArcFace',
  combined: 'Combined',
};

/** Display names of the §2.3 variants. */
export const PAPER_VARIANT_LABELS: Readonly<Record<PaperVariantName, string>> = {
  intra: 'NormFace + Intra',
  inter: 'NormFace + Inter',
  triplet: 'Angular triplet',
};

/** A defined margin's part of a LossConfig. */
export interface DefinedLossConfig {
  /** Every parameter of the margin, resolved (its defaults with the run's overrides). */
  params: MarginParams;
  /** Absolute path of the module that defines it (absent for the example margins, which are built in). */
  module?: string;
}

/** A loss as a run records it: the name, and for margin losses every margin option resolved. */
export interface LossConfig {
  /** Which loss: a built-in one (LOSS_NAMES) or a registered defined margin. */
  name: string;
  /** The margin head's options (absent for softmax). `lambda` is driven by the SphereFace schedule. */
  margin?: Omit<ResolvedMarginOptions, 'interclassFilteringThreshold' | 'eps' | 'lambda' | (typeof TAPE_ONLY_OPTIONS)[number]>;
  /** SphereFace only: anneal λ with the published Caffe schedule (λ(1) ≈ 893, down to 5 at iteration 1659). */
  annealLambda?: boolean;
  /** A defined margin's parameters (and module). */
  defined?: DefinedLossConfig;
  /** NormFace + Intra / Inter: the scale of the NormFace part. */
  paper?: { s: number };
  /** The angular triplet: margin m, images per identity K of the P×K batches, the mining rule. */
  triplet?: { m: number; imagesPerIdentity: number; mining: 'semi-hard' };
  /**
   * A margin warm-up: the margin ramps linearly per iteration from none (m1 = 1, m2 = m3 = 0:
   * NormFace) at iteration 1 to its value at the first iteration after this many epochs.
   */
  marginWarmupEpochs?: number;
}

/** The display name of a loss: the built-in label, or the defined margin's label (its name if it is not loaded). */
export function lossLabel(name: string): string {
  if (isBuiltinLoss(name)) return LOSS_LABELS[name];
  if (isPaperVariant(name)) return PAPER_VARIANT_LABELS[name];
  return registeredMargins().includes(name) ? getMargin(name).label : name;
}

/** Margin overrides from the command line; undefined means the preset's value (s: DEFAULT_SCALE). */
export interface MarginOverrides {
  /** Scale. */
  s?: number;
  /** Multiplicative angular margin. */
  m1?: number;
  /** Additive angular margin (radians). */
  m2?: number;
  /** Additive cosine margin. */
  m3?: number;
  /** Fallback policy name. */
  fallback?: string;
  /** Gradient mode name. */
  gradient?: string;
}

/** What a defined margin's configuration may set beyond the overrides: its parameters and module. */
export interface DefinedLossOptions {
  /** Overrides of the margin's parameters (besides s). */
  params?: MarginParams;
  /** The module that defines it (recorded, made absolute). */
  module?: string;
}

/** The loss named `name` with `overrides` applied; an OptionError for an unknown name or a bad value. */
export function lossConfig(name: string, overrides: MarginOverrides = {}, defined: DefinedLossOptions = {}): LossConfig {
  if (isPaperVariant(name)) return paperVariantConfig(name, overrides);
  if (!isBuiltinLoss(name)) return definedLossConfig(name, overrides, defined);
  if (defined.params !== undefined) throw new OptionError(`--margin-params is for margins made with defineMargin; '${name}' is built in (use --s, --m1, --m2, --m3)`);
  const loss = name;
  if (loss === 'softmax') {
    const given = Object.entries(overrides).filter(([, v]) => v !== undefined).map(([k]) => `--${k}`);
    if (given.length > 0) throw new OptionError(`${given.join(', ')} do not apply to softmax (plain W·x + b, no margin)`);
    return { name: loss };
  }
  if (overrides.fallback !== undefined && !(FALLBACK_POLICIES as readonly string[]).includes(overrides.fallback)) {
    throw new OptionError(`unknown fallback '${overrides.fallback}' (one of ${FALLBACK_POLICIES.join(', ')})`);
  }
  if (overrides.gradient !== undefined && !(GRADIENT_MODES as readonly string[]).includes(overrides.gradient)) {
    throw new OptionError(`unknown gradient mode '${overrides.gradient}' (one of ${GRADIENT_MODES.join(', ')})`);
  }
  const preset = marginPresets[loss as MarginPresetName]({
    s: overrides.s ?? DEFAULT_SCALE,
    ...(overrides.m1 === undefined ? {} : { m1: overrides.m1 }),
    ...(overrides.m2 === undefined ? {} : { m2: overrides.m2 }),
    ...(overrides.m3 === undefined ? {} : { m3: overrides.m3 }),
    ...(overrides.fallback === undefined ? {} : { fallback: overrides.fallback as FallbackPolicy }),
    ...(overrides.gradient === undefined ? {} : { gradient: overrides.gradient as GradientMode }),
  });
  const { s, m1, m2, m3, fallback, gradient } = preset.options;
  return { name: loss, margin: { s, m1, m2, m3, fallback, gradient }, ...(loss === 'sphereface' ? { annealLambda: true } : {}) };
}

function paperVariantConfig(name: PaperVariantName, overrides: MarginOverrides): LossConfig {
  const allowed = name === 'triplet' ? [] : ['s'];
  const given = Object.entries(overrides).filter(([k, v]) => v !== undefined && !allowed.includes(k)).map(([k]) => k);
  if (given.length > 0) throw new OptionError(`${given.join(', ')} do not apply to ${name} (${name === 'triplet' ? `m = ${TRIPLET_DEFAULTS.m}, no class head` : 'it takes s only'})`);
  if (name === 'triplet') return { name, triplet: { ...TRIPLET_DEFAULTS, mining: 'semi-hard' } };
  const s = overrides.s ?? DEFAULT_SCALE;
  if (!(typeof s === 'number' && Number.isFinite(s) && s > 0)) throw new OptionError(`${name}: s must be a number > 0, got ${JSON.stringify(s)}`);
  return { name, paper: { s } };
}

function definedLossConfig(name: string, overrides: MarginOverrides, defined: DefinedLossOptions): LossConfig {
  if (!registeredMargins().includes(name)) {
    throw new OptionError(`unknown loss '${name}' (one of ${[...LOSS_NAMES, ...registeredMargins()].join(', ')}; a margin of your own needs --margin-module)`);
  }
  const given = Object.entries(overrides).filter(([k, v]) => v !== undefined && k !== 's').map(([k]) => `--${k}`);
  if (given.length > 0) throw new OptionError(`${given.join(', ')} do not apply to margin '${name}' (set its parameters with --margin-params)`);
  const margin = getMargin(name);
  const params = margin.head({ ...DEMO_MARGIN_DEFAULTS[name], ...defined.params, s: overrides.s ?? DEFAULT_SCALE }).params;
  return { name, defined: { params: { ...params }, ...(defined.module === undefined ? {} : { module: defined.module }) } };
}

/** One line describing the loss, e.g. "ArcFace s=30 m1=1 m2=0.5 m3=0 fallback=none gradient=exact". */
export function describeLoss(c: LossConfig): string {
  if (c.triplet !== undefined) return `${lossLabel(c.name)} m=${c.triplet.m} P×K batches K=${c.triplet.imagesPerIdentity} ${c.triplet.mining} mining`;
  if (c.paper !== undefined) return `${lossLabel(c.name)} s=${c.paper.s}`;
  if (c.defined !== undefined) return `${lossLabel(c.name)} ${Object.entries(c.defined.params).map(([k, v]) => `${k}=${v}`).join(' ')}`;
  if (c.margin === undefined) return `${lossLabel(c.name)} (W·x + b)`;
  const { s, m1, m2, m3, fallback, gradient } = c.margin;
  const lambda = c.annealLambda ? ', λ annealed (published schedule)' : '';
  return `${lossLabel(c.name)} s=${s} m1=${m1} m2=${m2} m3=${m3} fallback=${fallback} gradient=${gradient}${lambda}`;
}

/** The loss's settings in a few words for a table, e.g. "s=30, m2=0.5" (defaults left out). */
export function shortLossParams(c: LossConfig): string {
  if (c.triplet !== undefined) return `m=${c.triplet.m}, P×K batches (K=${c.triplet.imagesPerIdentity}), ${c.triplet.mining}`;
  if (c.paper !== undefined) return `s=${c.paper.s}`;
  if (c.defined !== undefined) {
    // s, and the parameters that differ from the margin's published defaults (all of them if it is not loaded).
    const defaults: MarginParams = registeredMargins().includes(c.name) ? { ...getMargin(c.name).defaults } : {};
    return Object.entries(c.defined.params).filter(([k, v]) => k === 's' || defaults[k] !== v).map(([k, v]) => `${k}=${v}`).join(', ');
  }
  if (c.margin === undefined) return 'W·x + b';
  const { s, m1, m2, m3, fallback, gradient } = c.margin;
  const parts = [`s=${s}`];
  if (m1 !== 1) parts.push(`m1=${m1}`);
  if (m2 !== 0) parts.push(`m2=${m2}`);
  if (m3 !== 0) parts.push(`m3=${m3}`);
  if (fallback !== 'none') parts.push(fallback);
  if (gradient !== 'exact') parts.push(gradient);
  if (c.annealLambda) parts.push('λ annealed');
  if (c.marginWarmupEpochs !== undefined) parts.push(`margin warm-up ${c.marginWarmupEpochs} epoch${c.marginWarmupEpochs === 1 ? '' : 's'}`);
  return parts.join(', ');
}

/** A head's loss given the training iteration (counted from 1; SphereFace's λ depends on it). */
export type IterationHeadLoss = (embeddings: Tensor, head: Params, labels: ArrayLike<number>, iteration: number) => Tensor;

/** A head ready for training: initial parameters, the loss, and the loss's own running state if it has one. */
export interface Head {
  /** `{ w }` [C, d] for margin heads, `{ w, b }` for softmax. */
  init: Params;
  /** The loss. */
  loss: IterationHeadLoss;
  /** A defined margin's running state (for checkpoints); absent for the built-in losses. */
  state?: HeadStateAccess;
}

/**
 * The initial head parameters of `config`: W ~ N(0, 0.01²) [classes, dim] as insightface's
 * `torch.normal(0, 0.01)`, and for softmax a bias at 0. Needs no margin definition, so that a
 * run of a user's margin can be evaluated without its module.
 */
export function headInit(config: LossConfig, classes: number, dim: number, rng: Random): Params {
  if (config.triplet !== undefined) return {}; // no class head
  const w = normal(0.01)([classes, dim], rng);
  return config.margin === undefined && config.defined === undefined ? { w, b: zeros([classes]) } : { w };
}

/** The head of `config` for `classes` classes and `dim`-wide embeddings (initial parameters from `headInit`). */
export function makeHead(config: LossConfig, classes: number, dim: number, rng: Random, stepsPerEpoch?: number): Head {
  const init = headInit(config, classes, dim, rng);
  if (config.triplet !== undefined) {
    const { m } = config.triplet;
    return { init, loss: (e, _h, y) => minedAngularTripletLoss(e, y, { margin: m }) };
  }
  if (config.paper !== undefined) {
    const { s } = config.paper;
    const paperLoss = config.name === 'intra' ? intraLoss : interLoss;
    return { init, loss: (e, h, y) => paperLoss(e, h.w, y, { s }) };
  }
  if (config.defined !== undefined) {
    const head = getMargin(config.name).head(config.defined.params);
    return {
      init,
      loss: (e, h, y) => head.loss(e, h.w, y),
      state: { save: () => head.saveState() as JsonValue, load: (saved) => head.loadState(saved) },
    };
  }
  const { w } = init;
  if (config.margin === undefined) {
    return { init, loss: (e, h, y) => softmaxLoss(e, h.w, h.b, y) };
  }
  const margin = resolveMarginOptions(config.margin, config.name);
  const preset = marginPresets[config.name as MarginPresetName];
  const fixed: MarginLossHead = preset(margin);
  if (!config.annealLambda && config.marginWarmupEpochs === undefined) return { init: { w }, loss: (e, h, y) => fixed.loss(e, h.w, y) };
  const lambda = config.annealLambda ? sphereFaceLambdaSchedule() : undefined;
  let warm: ((iteration: number) => { m1: number; m2: number; m3: number }) | undefined;
  if (config.marginWarmupEpochs !== undefined) {
    if (stepsPerEpoch === undefined) throw new OptionError(`${config.name}: a margin warm-up needs the steps per epoch`);
    warm = marginWarmup(margin, config.marginWarmupEpochs * stepsPerEpoch);
  }
  return {
    init: { w },
    loss: (e, h, y, iteration) => preset({ ...margin, ...warm?.(iteration), ...(lambda === undefined ? {} : { lambda: lambda(iteration) }) }).loss(e, h.w, y),
  };
}

/**
 * The margin of a warm-up over `iterations` iterations at iteration t (from 1): r = min(1, (t − 1)/iterations),
 * m1 = 1 + r·(m1 − 1), m2 = r·m2, m3 = r·m3 — NormFace at t = 1, the full margin from t = iterations + 1.
 */
export function marginWarmup(margin: { m1: number; m2: number; m3: number }, iterations: number): (iteration: number) => { m1: number; m2: number; m3: number } {
  return (t) => {
    const r = Math.min(1, Math.max(0, (t - 1) / iterations));
    return { m1: 1 + r * (margin.m1 - 1), m2: r * margin.m2, m3: r * margin.m3 };
  };
}
