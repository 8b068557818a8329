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
 */
import { marginPresets, softmaxLoss, type MarginLossHead, type MarginPresetName } from '../losses/presets.js';
import { GRADIENT_MODES, resolveMarginOptions, type GradientMode, type ResolvedMarginOptions } from '../losses/options.js';
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

/** A loss's name. */
export type LossName = (typeof LOSS_NAMES)[number];

/** The scale s of every margin loss in the demo and the default of `arcgrad train` (see the file header). */
export const DEFAULT_SCALE = 30;

/** Display names for tables and legends. */
export const LOSS_LABELS: Readonly<Record<LossName, string>> = {
  softmax: 'Softmax',
  normface: 'NormFace',
  sphereface: 'SphereFace',
  cosface: 'CosFace',
  arcface: 'ArcFace',
  combined: 'Combined',
};

/** A loss as a run records it: the name, and for margin losses every margin option resolved. */
export interface LossConfig {
  /** Which loss. */
  name: LossName;
  /** The margin head's options (absent for softmax). `lambda` is driven by the SphereFace schedule. */
  margin?: Omit<ResolvedMarginOptions, 'interclassFilteringThreshold' | 'eps' | 'lambda'>;
  /** SphereFace only: anneal λ with the published Caffe schedule (λ(1) ≈ 893, down to 5 at iteration 1659). */
  annealLambda?: boolean;
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

/** The loss named `name` with `overrides` applied; an OptionError for an unknown name or a bad value. */
export function lossConfig(name: string, overrides: MarginOverrides = {}): LossConfig {
  if (!(LOSS_NAMES as readonly string[]).includes(name)) {
    throw new OptionError(`unknown loss '${name}' (one of ${LOSS_NAMES.join(', ')})`);
  }
  const loss = name as LossName;
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

/** One line describing the loss, e.g. "ArcFace s=30 m1=1 m2=0.5 m3=0 fallback=none gradient=exact". */
export function describeLoss(c: LossConfig): string {
  if (c.margin === undefined) return `${LOSS_LABELS[c.name]} (W·x + b)`;
  const { s, m1, m2, m3, fallback, gradient } = c.margin;
  const lambda = c.annealLambda ? ', λ annealed (published schedule)' : '';
  return `${LOSS_LABELS[c.name]} s=${s} m1=${m1} m2=${m2} m3=${m3} fallback=${fallback} gradient=${gradient}${lambda}`;
}

/** The loss's settings in a few words for a table, e.g. "s=30, m2=0.5" (defaults left out). */
export function shortLossParams(c: LossConfig): string {
  if (c.margin === undefined) return 'W·x + b';
  const { s, m1, m2, m3, fallback, gradient } = c.margin;
  const parts = [`s=${s}`];
  if (m1 !== 1) parts.push(`m1=${m1}`);
  if (m2 !== 0) parts.push(`m2=${m2}`);
  if (m3 !== 0) parts.push(`m3=${m3}`);
  if (fallback !== 'none') parts.push(fallback);
  if (gradient !== 'exact') parts.push(gradient);
  if (c.annealLambda) parts.push('λ annealed');
  return parts.join(', ');
}

/** A head's loss given the training iteration (counted from 1; SphereFace's λ depends on it). */
export type IterationHeadLoss = (embeddings: Tensor, head: Params, labels: ArrayLike<number>, iteration: number) => Tensor;

/** A head ready for training: initial parameters and the loss. */
export interface Head {
  /** `{ w }` [C, d] for margin heads, `{ w, b }` for softmax. */
  init: Params;
  /** The loss. */
  loss: IterationHeadLoss;
}

/**
 * The head of `config` for `classes` classes and `dim`-wide embeddings. W ~ N(0, 0.01²) as
 * insightface's `torch.normal(0, 0.01)`; the softmax bias starts at 0.
 */
export function makeHead(config: LossConfig, classes: number, dim: number, rng: Random): Head {
  const w = normal(0.01)([classes, dim], rng);
  if (config.margin === undefined) {
    return { init: { w, b: zeros([classes]) }, loss: (e, h, y) => softmaxLoss(e, h.w, h.b, y) };
  }
  const margin = resolveMarginOptions(config.margin, config.name);
  const fixed: MarginLossHead = marginPresets[config.name as MarginPresetName](margin);
  if (!config.annealLambda) return { init: { w }, loss: (e, h, y) => fixed.loss(e, h.w, y) };
  const lambda = sphereFaceLambdaSchedule();
  return {
    init: { w },
    loss: (e, h, y, iteration) => marginPresets.sphereface({ ...margin, lambda: lambda(iteration) }).loss(e, h.w, y),
  };
}
