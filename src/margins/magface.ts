/**
 * MagFace (Meng et al., "MagFace: A Universal Representation for Face Recognition and Quality
 * Assessment", CVPR 2021, arXiv 2103.06627). Reference code: IrvingMeng/MagFace,
 * `models/magface.py` (MagLinear, MagLoss). Published defaults: s = 64, [l_a, u_a] = [10, 110],
 * [l_m, u_m] = [0.45, 0.8], λ_g = 35 (`run/run.sh`; the argparse default is 20).
 *
 *   a_i  = clamp(‖x_i‖, l_a, u_a)                       (on the tape: the margin and g pull on ‖x‖)
 *   m(a) = (u_m − l_m)/(u_a − l_a)·(a − l_a) + l_m
 *   f_i  = cos(θ_{y_i} + m(a_i))
 *   L    = CE + λ_g·mean_i g(a_i),   g(a) = a/u_a² + 1/a   (mean over labelled rows)
 *
 * Paper vs. reference code (`reference.overrides` = { easyMargin: true }): MagLinear defaults to
 * `easy_margin=True`, and the training code (SoftmaxBuilder) keeps that default: the margin applies
 * only where cos θ_y > 0, else f = cos θ_y; the paper writes cos(θ + m(a)) everywhere. The default
 * is the paper's; `easyMargin: true` gives the reference's. The reference averages g over every
 * row; here rows labelled −1 are left out, as they are out of the loss (the reference has none).
 * The norm clamp to [l_a, u_a] is in both: outside it neither m(a) nor g(a) pulls on ‖x‖.
 */
import { acos, add, addScalar, clamp, cos, div, mul, scale, select, sum } from '../ops/index.js';
import { OptionError } from '../tensor/errors.js';
import { defineMargin, type MarginContext } from '../losses/define-margin.js';
import type { Tensor } from '../tensor/tensor.js';
import { constant, labelledRows } from './_util.js';

/** MagFace's parameters (see the file header). */
export type MagFaceParams = {
  /** Scale. */
  s: number;
  /** Lower bound l_a of the magnitude. */
  la: number;
  /** Upper bound u_a of the magnitude. */
  ua: number;
  /** Margin l_m at a = l_a. */
  lm: number;
  /** Margin u_m at a = u_a. */
  um: number;
  /** Weight λ_g of the regularizer g(a). */
  lambdaG: number;
  /** The reference's easy margin (default false: the paper's formula). */
  easyMargin: boolean;
};

/** a = clamp(‖x‖, l_a, u_a) on the tape. */
function magnitude(ctx: MarginContext<MagFaceParams>): Tensor {
  return clamp(ctx.featureNorms, ctx.params.la, ctx.params.ua);
}

/** MagFace as a defined margin (name 'magface'). */
export const magFace = defineMargin<MagFaceParams>({
  name: 'magface',
  label: 'MagFace',
  citation: 'Meng et al., MagFace, CVPR 2021 (arXiv 2103.06627); IrvingMeng/MagFace models/magface.py',
  defaults: { s: 64, la: 10, ua: 110, lm: 0.45, um: 0.8, lambdaG: 35, easyMargin: false },
  reference: {
    overrides: { easyMargin: true },
    differences: ['The code (MagLinear, easy_margin=True) applies the margin only where cos θ_y > 0 and keeps cos θ_y elsewhere; the paper applies cos(θ + m(a)) everywhere.'],
  },
  curves: (p) => [p.la, (p.la + p.ua) / 2, p.ua].map((a) => ({
    label: `MagFace a = ${a}: m = ${Number((((p.um - p.lm) / (p.ua - p.la)) * (a - p.la) + p.lm).toFixed(3))}`,
    featureNorm: a,
  })),
  validate: (p) => {
    if (!(p.la > 0 && p.ua > p.la)) throw new OptionError(`magface: need 0 < la < ua, got la=${p.la} ua=${p.ua}`);
    if (!(p.lambdaG >= 0)) throw new OptionError(`magface: lambdaG must be ≥ 0, got ${p.lambdaG}`);
  },
  targetLogit: (cosTarget, ctx) => {
    const { la, ua, lm, um, easyMargin } = ctx.params;
    const m = addScalar(scale(addScalar(magnitude(ctx), -la), (um - lm) / (ua - la)), lm);
    const f = cos(add(acos(cosTarget), m));
    if (!easyMargin) return f;
    const c = cosTarget.toTypedArray();
    return select(constant(cosTarget, Array.from(c, (v) => (v > 0 ? 1 : 0)), [c.length]), f, cosTarget);
  },
  regularizer: (ctx) => {
    const { ua, lambdaG } = ctx.params;
    const rows = labelledRows(ctx.labels);
    const n = ctx.labels.length;
    const a = magnitude(ctx);
    const ones = constant(a, new Array(n).fill(1), [n]);
    const g = add(scale(a, 1 / (ua * ua)), div(ones, a));
    const keep = constant(a, Array.from(ctx.labels, (l) => (l >= 0 ? 1 : 0)), [n]);
    return scale(sum(mul(g, keep)), rows.length > 0 ? lambdaG / rows.length : 0);
  },
});
