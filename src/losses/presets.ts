/**
 * The named losses with their published defaults, each a specialization of the combined margin
 * f(θ) = cos(m1·θ + m2) − m3 (ArcFace paper, arXiv 1801.07698, Eq. 4), plus plain softmax.
 *
 * | preset     | s  | m1 | m2  | m3   | source                                                       |
 * |------------|----|----|-----|------|--------------------------------------------------------------|
 * | normface   | 64 | 1  | 0   | 0    | NormFace; s = 64 as insightface's `nsoftmax`                  |
 * | sphereface | 64 | 4  | 0   | 0    | SphereFace (m = 4, 'psi' extension, λ blend via options)      |
 * | cosface    | 64 | 1  | 0   | 0.35 | CosFace paper (insightface arcface_torch uses 0.4)           |
 * | arcface    | 64 | 1  | 0.5 | 0    | ArcFace paper and insightface                                 |
 * | combined   | 64 | 1  | 0.3 | 0.2  | ArcFace paper's combined margin (insightface sample_config)   |
 *
 * Every field can be overridden: `arcface({ s: 30, gradient: 'straight-through' })`.
 */
import { crossEntropy, linear } from '../ops/index.js';
import type { Labels } from '../ops/_labels.js';
import { assertTensor } from '../tape/tape.js';
import { ShapeError, formatShape } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkHeadInputs, marginLogits, marginLoss } from './margin-head.js';
import { resolveMarginOptions, type MarginOptions, type ResolvedMarginOptions } from './options.js';

/** A margin loss with its options bound: call `loss` or `logits` with X, W and labels. */
export interface MarginLossHead {
  /** The preset's name ('arcface', …, or 'combinedMargin'). */
  readonly name: string;
  /** The resolved options (every default filled in). */
  readonly options: Readonly<ResolvedMarginOptions>;
  /** Mean loss over rows with label ≠ −1. */
  loss(x: Tensor, w: Tensor, labels: Labels): Tensor;
  /** The N×C logits. */
  logits(x: Tensor, w: Tensor, labels: Labels): Tensor;
}

/** The general form f(θ) = cos(m1·θ + m2) − m3, for every (m1, m2, m3). */
export function combinedMargin(options: MarginOptions, name = 'combinedMargin'): MarginLossHead {
  const resolved = Object.freeze(resolveMarginOptions(options, name));
  return {
    name,
    options: resolved,
    loss: (x, w, labels) => marginLoss(x, w, labels, resolved),
    logits: (x, w, labels) => marginLogits(x, w, labels, resolved),
  };
}

/** Overrides accepted by the presets: any margin option. */
export type PresetOverrides = Partial<MarginOptions>;

/** NormFace: s·cos θ, no margin (s = 64). */
export const normface = (o: PresetOverrides = {}): MarginLossHead => combinedMargin({ s: 64, ...o }, 'normface');
/** SphereFace: multiplicative margin m1 = 4 with the monotone 'psi' extension (s = 64). */
export const sphereface = (o: PresetOverrides = {}): MarginLossHead =>
  combinedMargin({ s: 64, m1: 4, fallback: 'psi', ...o }, 'sphereface');
/** CosFace: additive cosine margin m3 = 0.35 (s = 64). */
export const cosface = (o: PresetOverrides = {}): MarginLossHead => combinedMargin({ s: 64, m3: 0.35, ...o }, 'cosface');
/** ArcFace: additive angular margin m2 = 0.5 (s = 64). */
export const arcface = (o: PresetOverrides = {}): MarginLossHead => combinedMargin({ s: 64, m2: 0.5, ...o }, 'arcface');
/** The ArcFace paper's combined margin (m1, m2, m3) = (1, 0.3, 0.2) (s = 64). */
export const combined = (o: PresetOverrides = {}): MarginLossHead =>
  combinedMargin({ s: 64, m1: 1, m2: 0.3, m3: 0.2, ...o }, 'combined');

/** The margin presets by name. */
export const marginPresets = { normface, sphereface, cosface, arcface, combined } as const;

/** The name of a margin preset. */
export type MarginPresetName = keyof typeof marginPresets;

/** Plain softmax cross-entropy with logits W·x + b: nothing normalized, no margin. */
export function softmaxLoss(x: Tensor, w: Tensor, b: Tensor, labels: Labels): Tensor {
  const y = checkHeadInputs('softmaxLoss', x, w, labels);
  assertTensor(b, 'softmaxLoss: bias b');
  if (b.rank !== 1 || b.shape[0] !== w.shape[0]) {
    throw new ShapeError(`softmaxLoss: the bias must be [C] = [${w.shape[0]}], got ${formatShape(b.shape)}`);
  }
  return crossEntropy(linear(x, w, b), y);
}
