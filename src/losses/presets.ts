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

/**
 * The general form f(θ) = cos(m1·θ + m2) − m3, for every (m1, m2, m3).
 *
 * Derivation: [losses.md §3–4](../../docs/losses.md#3-the-margin-head); the op: [ops.md, angularMargin](../../docs/ops.md#angularmargin).
 *
 * @example
 * ```ts
 * import { Random, randomNormal, combinedMargin } from 'arcgrad';
 * const rng = new Random(1);
 * const x = randomNormal([4, 8], rng); // 4 features, d = 8
 * const w = randomNormal([5, 8], rng); // 5 class centers
 * const head = combinedMargin({ s: 64, m1: 1.35, m2: 0.2, m3: 0.1, fallback: 'psi' });
 * console.log(head.loss(x, w, [0, 3, 1, 4]).item().toFixed(6)); // → 51.513409
 * ```
 */
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

/**
 * NormFace: s·cos θ, no margin (s = 64).
 *
 * Derivation: [losses.md §2](../../docs/losses.md#2-normface-normalize-then-scale-by-s).
 *
 * @example
 * ```ts
 * import { Random, randomNormal, normface } from 'arcgrad';
 * const rng = new Random(1);
 * const x = randomNormal([4, 8], rng); // 4 features, d = 8
 * const w = randomNormal([5, 8], rng); // 5 class centers
 * console.log(normface().loss(x, w, [0, 3, 1, 4]).item().toFixed(6)); // → 13.248909
 * ```
 */
export const normface = (o: PresetOverrides = {}): MarginLossHead => combinedMargin({ s: 64, ...o }, 'normface');
/**
 * SphereFace: multiplicative margin m1 = 4 with the monotone 'psi' extension (s = 64).
 *
 * Derivation: [losses.md §4–5](../../docs/losses.md#4-sphereface-cosface-arcface-and-the-combined-form) (ψ: §5, λ annealing: `sphereFaceLambda`).
 *
 * @example
 * ```ts
 * import { Random, randomNormal, sphereface, sphereFaceLambda } from 'arcgrad';
 * const rng = new Random(1);
 * const x = randomNormal([4, 8], rng); // 4 features, d = 8
 * const w = randomNormal([5, 8], rng); // 5 class centers
 * console.log(sphereface({ lambda: sphereFaceLambda(1) }).loss(x, w, [0, 3, 1, 4]).item().toFixed(6)); // → 13.353452
 * ```
 */
export const sphereface = (o: PresetOverrides = {}): MarginLossHead =>
  combinedMargin({ s: 64, m1: 4, fallback: 'psi', ...o }, 'sphereface');
/**
 * CosFace: additive cosine margin m3 = 0.35 (s = 64).
 *
 * Derivation: [losses.md §4](../../docs/losses.md#4-sphereface-cosface-arcface-and-the-combined-form).
 *
 * @example
 * ```ts
 * import { Random, randomNormal, cosface } from 'arcgrad';
 * const rng = new Random(1);
 * const x = randomNormal([4, 8], rng); // 4 features, d = 8
 * const w = randomNormal([5, 8], rng); // 5 class centers
 * console.log(cosface().loss(x, w, [0, 3, 1, 4]).item().toFixed(6)); // → 31.960099
 * ```
 */
export const cosface = (o: PresetOverrides = {}): MarginLossHead => combinedMargin({ s: 64, m3: 0.35, ...o }, 'cosface');
/**
 * ArcFace: additive angular margin m2 = 0.5 (s = 64).
 *
 * Derivation: [losses.md §4](../../docs/losses.md#4-sphereface-cosface-arcface-and-the-combined-form); past θ + m2 = π: [§5](../../docs/losses.md#5-past-φ--π-the-fallback-policies); insightface's gradient: [§6](../../docs/losses.md#6-exact-and-straight-through-gradients).
 *
 * @example
 * ```ts
 * import { Random, randomNormal, arcface } from 'arcgrad';
 * const rng = new Random(1);
 * const x = randomNormal([4, 8], rng); // 4 features, d = 8
 * const w = randomNormal([5, 8], rng); // 5 class centers
 * console.log(arcface().loss(x, w, [0, 3, 1, 4]).item().toFixed(6)); // → 38.701774
 * // what insightface's arcface_torch computes: ∂f/∂cos θ taken as 1
 * console.log(arcface({ s: 30, gradient: 'straight-through' }).loss(x, w, [0, 3, 1, 4]).item().toFixed(6)); // → 18.180338
 * ```
 */
export const arcface = (o: PresetOverrides = {}): MarginLossHead => combinedMargin({ s: 64, m2: 0.5, ...o }, 'arcface');
/**
 * The ArcFace paper's combined margin (m1, m2, m3) = (1, 0.3, 0.2) (s = 64).
 *
 * Derivation: [losses.md §4](../../docs/losses.md#4-sphereface-cosface-arcface-and-the-combined-form).
 *
 * @example
 * ```ts
 * import { Random, randomNormal, combined } from 'arcgrad';
 * const rng = new Random(1);
 * const x = randomNormal([4, 8], rng); // 4 features, d = 8
 * const w = randomNormal([5, 8], rng); // 5 class centers
 * console.log(combined().loss(x, w, [0, 3, 1, 4]).item().toFixed(6)); // → 39.816314
 * ```
 */
export const combined = (o: PresetOverrides = {}): MarginLossHead =>
  combinedMargin({ s: 64, m1: 1, m2: 0.3, m3: 0.2, ...o }, 'combined');

/** The margin presets by name. */
export const marginPresets = { normface, sphereface, cosface, arcface, combined } as const;

/** The name of a margin preset. */
export type MarginPresetName = keyof typeof marginPresets;

/**
 * Plain softmax cross-entropy with logits W·x + b: nothing normalized, no margin.
 *
 * Derivation: [losses.md §1](../../docs/losses.md#1-softmax).
 *
 * @example
 * ```ts
 * import { Random, randomNormal, softmaxLoss, zeros } from 'arcgrad';
 * const rng = new Random(1);
 * const x = randomNormal([4, 8], rng); // 4 features, d = 8
 * const w = randomNormal([5, 8], rng); // 5 class centers
 * console.log(softmaxLoss(x, w, zeros([5]), [0, 3, 1, 4]).item().toFixed(6)); // → 2.049199
 * ```
 */
export function softmaxLoss(x: Tensor, w: Tensor, b: Tensor, labels: Labels): Tensor {
  const y = checkHeadInputs('softmaxLoss', x, w, labels);
  assertTensor(b, 'softmaxLoss: bias b');
  if (b.rank !== 1 || b.shape[0] !== w.shape[0]) {
    throw new ShapeError(`softmaxLoss: the bias must be [C] = [${w.shape[0]}], got ${formatShape(b.shape)}`);
  }
  return crossEntropy(linear(x, w, b), y);
}
