/**
 * AdaFace (Kim et al., "AdaFace: Quality Adaptive Margin for Face Recognition", CVPR 2022,
 * arXiv 2204.00964). Reference code: mk-minchul/AdaFace, `head.py` (class `AdaFace`). Defaults:
 * s = 64, m = 0.4, h = 0.333 (the authors' training command, mk-minchul/AdaFace#30), ε = 1e−3;
 * the running statistics start at μ = 20, σ = 100 (the reference's buffers).
 *
 *   a_i = clip(‖x_i‖, 0.001, 100)  (a constant: the norm gets no gradient, as in the reference)
 *   μ ← α·mean(a) + (1 − α)·μ,   σ ← α·std(a) + (1 − α)·σ   (before use, outside the gradient)
 *   ẑ_i = clip(h·(a_i − μ)/(σ + ε), −1, 1)
 *   f_i = cos(clip(θ_{y_i} − m·ẑ_i, ε, π − ε)) − (m + m·ẑ_i)
 *
 * θ_y is acos of the target cosine clamped to ±(1 − ε), as in the reference: without it acos has
 * an infinite derivative at cos θ = ±1. std is the unbiased (N − 1) one, as torch.std; a batch of
 * one row leaves σ unchanged (torch gives NaN). The statistics are over every row, labelled or
 * not, as in the reference.
 *
 * Paper vs. reference code (`reference.overrides` = { tAlpha: 0.01, clampAll: true }):
 * - the statistics' update: the paper's α = 0.99 weighs the batch 0.99; the reference's
 *   `t_alpha` (0.01 in config.py) weighs it 0.01 (the class default is 1.0). The mismatch is an
 *   open question to the authors (mk-minchul/AdaFace#155). Default: the paper's 0.99.
 * - the reference clamps the whole cosine matrix to ±(1 − ε), so the non-target logits are
 *   clamped too; the paper's non-target logits are s·cos θ_j. `clampAll: true` clamps them.
 */
import { acos, add, clamp, cos, replaceColumns, sub } from '../ops/index.js';
import { OptionError } from '../tensor/errors.js';
import { defineMargin } from '../losses/define-margin.js';
import { constant } from './_util.js';

/** AdaFace's running statistics of the feature norms. */
export interface AdaFaceState {
  /** Running mean μ of the clipped norms. */
  batchMean: number;
  /** Running standard deviation σ. */
  batchStd: number;
}

/** AdaFace's parameters (see the file header). */
export type AdaFaceParams = {
  /** Scale. */
  s: number;
  /** Margin m. */
  m: number;
  /** Concentration h of the norm's z-score. */
  h: number;
  /** α, the weight of the batch in the running statistics (paper 0.99, reference config 0.01). */
  tAlpha: number;
  /** ε of the clamps. */
  eps: number;
  /** Clamp non-target cosines to ±(1 − ε) as the reference (default false: the paper). */
  clampAll: boolean;
};

/** AdaFace as a defined margin (name 'adaface'). */
export const adaFace = defineMargin<AdaFaceParams, AdaFaceState>({
  name: 'adaface',
  label: 'AdaFace',
  citation: 'Kim et al., AdaFace, CVPR 2022 (arXiv 2204.00964); mk-minchul/AdaFace head.py',
  defaults: { s: 64, m: 0.4, h: 0.333, tAlpha: 0.99, eps: 1e-3, clampAll: false },
  reference: {
    overrides: { tAlpha: 0.01, clampAll: true },
    differences: [
      'μ and σ ← α·batch + (1 − α)·running with α = 0.99 in the paper, t_alpha = 0.01 in the code\'s config (mk-minchul/AdaFace#155).',
      'The code clamps every cosine to ±(1 − ε), the non-target ones too; the paper keeps s·cos θ_j.',
    ],
  },
  initState: () => ({ batchMean: 20, batchStd: 100 }),
  // ẑ = −1, 0, +1: with μ = 10 and σ = 1, norms 10 ∓ 4 are past h·(a − μ)/σ = ±1 and get clipped there.
  curves: (p) => [
    { label: `AdaFace ẑ = −1 (low norm): cos(θ + ${p.m})`, featureNorm: 6, state: { batchMean: 10, batchStd: 1 } },
    { label: `AdaFace ẑ = 0: cos θ − ${p.m}`, featureNorm: 10, state: { batchMean: 10, batchStd: 1 } },
    { label: `AdaFace ẑ = +1 (high norm): cos(θ − ${p.m}) − ${2 * p.m}`, featureNorm: 14, state: { batchMean: 10, batchStd: 1 } },
  ],
  validate: (p) => {
    if (!(p.tAlpha >= 0 && p.tAlpha <= 1)) throw new OptionError(`adaface: tAlpha must be in [0, 1], got ${p.tAlpha}`);
    if (!(p.eps > 0 && p.eps < 0.5)) throw new OptionError(`adaface: eps must be in (0, 0.5), got ${p.eps}`);
  },
  targetLogit: (cosTarget, ctx) => {
    const { params: p, state } = ctx;
    const a = Array.from(ctx.featureNormValues, (v) => Math.min(Math.max(v, 0.001), 100));
    if (ctx.training) {
      const mean = a.reduce((x, y) => x + y, 0) / a.length;
      state.batchMean = p.tAlpha * mean + (1 - p.tAlpha) * state.batchMean;
      if (a.length > 1) {
        const std = Math.sqrt(a.reduce((x, y) => x + (y - mean) ** 2, 0) / (a.length - 1));
        state.batchStd = p.tAlpha * std + (1 - p.tAlpha) * state.batchStd;
      }
    }
    const z = a.map((v) => Math.min(Math.max((p.h * (v - state.batchMean)) / (state.batchStd + p.eps), -1), 1));
    const n = z.length;
    const theta = acos(clamp(cosTarget, -1 + p.eps, 1 - p.eps));
    const gAngle = constant(cosTarget, z.map((v) => -p.m * v), [n]);
    const gAdd = constant(cosTarget, z.map((v) => p.m + p.m * v), [n]);
    return sub(cos(clamp(add(theta, gAngle), p.eps, Math.PI - p.eps)), gAdd);
  },
  logits: (target, ctx) => {
    const base = ctx.params.clampAll ? clamp(ctx.cosines, -1 + ctx.params.eps, 1 - ctx.params.eps) : ctx.cosines;
    return replaceColumns(base, target, ctx.labels);
  },
});
