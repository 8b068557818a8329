/**
 * CurricularFace (Huang et al., "CurricularFace: Adaptive Curriculum Learning Loss for Deep Face
 * Recognition", CVPR 2020, arXiv 2004.00288). Reference code: HuangYG123/CurricularFace,
 * `head/metrics.py` (class `CurricularFace`). Defaults: s = 64, m = 0.5, t starts at 0.
 *
 *   target:        f = cos(θ_y + m)                                      (ArcFace's)
 *   hard negative: cos θ_j > cos(θ_y + m)  ⇒  logit cos θ_j·(t + cos θ_j)   (easy ones stay cos θ_j)
 *   t ← α·r + (1 − α)·t,  r = mean_i cos θ_{y_i}      (before use, outside the gradient)
 *
 * This changes non-target logits, so it uses the `logits` hook. t is a constant for the tape (the
 * reference's buffer is updated under no_grad); the hard-negative mask is a constant too, and is
 * decided by cos(θ_y + m) itself (before any th/mm replacement), as in paper and reference.
 *
 * Paper vs. reference code (`reference.overrides` = { momentum: 0.01, thmm: true }):
 * - t's update: the paper's Eq. 9 has α = 0.99 (the batch weighs 0.99); the code weighs the batch
 *   0.01 (`self.t = target_logit.mean() * 0.01 + (1 - 0.01) * self.t`). The authors answered in
 *   HuangYG123/CurricularFace#8 that the code is the right version; the default here is still the
 *   paper's, as for every example, and `momentum: 0.01` gives the code's. Eq. 9 also writes r as a
 *   sum over the batch without 1/N; r is read as the mean, as the text and the code use it.
 * - the target: the code replaces cos(θ_y + m) by cos θ_y − m·sin m ("th/mm") where θ_y + m > π;
 *   the paper writes plain cos(θ_y + m). `thmm: true` gives the code's (arcgrad's 'thmm' fallback).
 * - the code averages cos θ_y over every row; here rows labelled −1 are left out of t's mean, as
 *   they are out of the loss (the code has no ignored rows).
 */
import { add, angularMargin, replaceColumns, scale, select, square } from '../ops/index.js';
import { OptionError } from '../tensor/errors.js';
import { defineMargin } from '../losses/define-margin.js';
import { constant, labelledRows } from './_util.js';

/** CurricularFace's running state: t, the running mean of the target cosines. */
export interface CurricularFaceState {
  /** The running mean t (starts at 0, as the reference's buffer). */
  t: number;
}

/** CurricularFace's parameters (see the file header). */
export type CurricularFaceParams = {
  /** Scale. */
  s: number;
  /** Additive angular margin. */
  m: number;
  /** α, the weight of the batch's mean cos θ_y in t's update (paper 0.99, reference code 0.01). */
  momentum: number;
  /** The reference's th/mm replacement where θ_y + m > π (default false: the paper's formula). */
  thmm: boolean;
};

/** CurricularFace as a defined margin (name 'curricularface'). */
export const curricularFace = defineMargin<CurricularFaceParams, CurricularFaceState>({
  name: 'curricularface',
  label: 'CurricularFace',
  citation: 'Huang et al., CurricularFace, CVPR 2020 (arXiv 2004.00288); HuangYG123/CurricularFace head/metrics.py',
  defaults: { s: 64, m: 0.5, momentum: 0.99, thmm: false },
  reference: {
    overrides: { momentum: 0.01, thmm: true },
    differences: [
      't ← α·r + (1 − α)·t with α = 0.99 in the paper (Eq. 9), 0.01 in the code; the authors call the code right (HuangYG123/CurricularFace#8).',
      'The code replaces the target by cos θ_y − m·sin m where θ_y + m > π (th/mm); the paper keeps cos(θ_y + m).',
    ],
  },
  initState: () => ({ t: 0 }),
  curves: (p) => [{ label: `CurricularFace target: cos(θ + ${p.m})${p.thmm ? ', th/mm' : ''}` }],
  validate: (p) => {
    if (!(p.momentum >= 0 && p.momentum <= 1)) throw new OptionError(`curricularface: momentum must be in [0, 1], got ${p.momentum}`);
  },
  targetLogit: (cosTarget, ctx) => {
    if (ctx.training) {
      // Paper and reference update t before using it in this very batch.
      const c = cosTarget.toTypedArray();
      const rows = labelledRows(ctx.labels);
      if (rows.length > 0) {
        const mean = rows.reduce((a, i) => a + c[i], 0) / rows.length;
        ctx.state.t = ctx.params.momentum * mean + (1 - ctx.params.momentum) * ctx.state.t;
      }
    }
    return angularMargin(cosTarget, { m1: 1, m2: ctx.params.m, m3: 0, fallback: ctx.params.thmm ? 'thmm' : 'none' });
  },
  logits: (target, ctx) => {
    const { cosines, labels, state, params } = ctx;
    const [n, c] = cosines.shape;
    const cos = cosines.toTypedArray();
    const mask = new Float64Array(n * c);
    for (let i = 0; i < n; i++) {
      if (labels[i] < 0) continue;
      const threshold = Math.cos(Math.acos(cos[i * c + labels[i]]) + params.m);
      for (let j = 0; j < c; j++) mask[i * c + j] = j !== labels[i] && cos[i * c + j] > threshold ? 1 : 0;
    }
    const hard = add(scale(cosines, state.t), square(cosines)); // cos θ_j·(t + cos θ_j)
    return replaceColumns(select(constant(cosines, mask, [n, c]), hard, cosines), target, labels);
  },
});
