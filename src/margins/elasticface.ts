/**
 * ElasticFace (Boutros et al., "ElasticFace: Elastic Margin Loss for Deep Face Recognition",
 * CVPR Workshops 2022, arXiv 2109.09416). Reference code: fdbtrs/ElasticFace, `utils/losses.py`
 * (classes `ElasticArcFace`, `ElasticCosFace`) and `config/config.py`. Two margins:
 *
 *   ElasticFace-Arc ('elasticface-arc'):  m_i ~ N(m, σ),  f_i = cos(θ_{y_i} + m_i),  m = 0.5
 *   ElasticFace-Cos ('elasticface-cos'):  m_i ~ N(m, σ),  f_i = cos θ_{y_i} − m_i,   m = 0.35
 *
 * with s = 64 and σ = 0.05 for both (config.py, the setting of the released models). A margin is
 * drawn per sample and per training step. The draws are seeded: step k's margins are the first N
 * normals of `new Random(hash(seed, k))`, so a run is reproducible and a resumed run draws what
 * an uninterrupted one would (the state is just the step count). With `training = false` the
 * step does not advance and the same margins come back, so the loss is a fixed function while a
 * gradient check runs.
 *
 * Paper vs. reference code: the loss is the same (the reference's in-place acos_/cos_ has the
 * paper's gradient, and neither guards θ + m > π). The classes' own default σ is 0.0125, which
 * config.py overrides with 0.05; the default here is 0.05. Not implemented: ElasticFace+ (config
 * σ 0.0175 for Arc+, 0.02 for Cos+), which pairs the sorted margins with the rows sorted by
 * cos θ_y. (Read, not run: the reference gives row i `sorted_margins[argsort(cos, descending)[i]]`,
 * a gather with the argsort, which does not hand each row the margin of its own cosine's rank —
 * that would take the inverse permutation.)
 */
import { acos, add, cos, sub } from '../ops/index.js';
import { Random } from '../tensor/random.js';
import { OptionError } from '../tensor/errors.js';
import { defineMargin, type MarginContext } from '../losses/define-margin.js';
import type { Tensor } from '../tensor/tensor.js';
import { constant } from './_util.js';

/** ElasticFace's state: how many training steps have drawn margins. */
export interface ElasticFaceState {
  /** Training forwards so far; step k draws from a generator seeded by (seed, k). */
  step: number;
}

/** ElasticFace's parameters (see the file header). */
export type ElasticFaceParams = {
  /** Scale. */
  s: number;
  /** Mean of the margin. */
  m: number;
  /** Standard deviation σ of the margin. */
  sigma: number;
  /** Seed of the margin draws. */
  seed: number;
};

/** The margins m_1…m_n that training step `step` draws (step counts from 1; 0 before any training step). */
export function elasticFaceMargins(params: Pick<ElasticFaceParams, 'm' | 'sigma' | 'seed'>, step: number, n: number): number[] {
  const rng = new Random((Math.imul(params.seed >>> 0, 0x9e3779b1) ^ Math.imul(step + 1, 0x85ebca6b)) >>> 0);
  return Array.from({ length: n }, () => params.m + params.sigma * rng.normal());
}

/** The margins of the current step ([N], a constant): advances the step when training. */
function drawMargins(cosTarget: Tensor, ctx: MarginContext<ElasticFaceParams, ElasticFaceState>): Tensor {
  const n = cosTarget.shape[0];
  if (ctx.training) ctx.state.step += 1;
  return constant(cosTarget, elasticFaceMargins(ctx.params, ctx.state.step, n), [n]);
}

/** A figure's curves: the mean margin and m ± 2σ, each without noise. */
const curvesOf = (label: string) => (p: Readonly<ElasticFaceParams>) =>
  [p.m - 2 * p.sigma, p.m, p.m + 2 * p.sigma].map((m, k) => ({ label: `${label} m = ${Number(m.toFixed(4))}${[' (−2σ)', ' (mean)', ' (+2σ)'][k]}`, params: { m, sigma: 0 } }));

const common = {
  citation: 'Boutros et al., ElasticFace, CVPRW 2022 (arXiv 2109.09416); fdbtrs/ElasticFace utils/losses.py, config/config.py',
  initState: () => ({ step: 0 }),
  validate: (p: Readonly<ElasticFaceParams>) => {
    if (!(p.sigma >= 0)) throw new OptionError(`elasticface: sigma must be ≥ 0, got ${p.sigma}`);
    if (!Number.isInteger(p.seed)) throw new OptionError(`elasticface: seed must be an integer, got ${p.seed}`);
  },
};

/** ElasticFace-Arc as a defined margin (name 'elasticface-arc'): cos(θ_y + m_i), m_i ~ N(0.5, 0.05). */
export const elasticFaceArc = defineMargin<ElasticFaceParams, ElasticFaceState>({
  ...common,
  name: 'elasticface-arc',
  label: 'ElasticFace-Arc',
  curves: curvesOf('ElasticFace-Arc cos(θ + m),'),
  defaults: { s: 64, m: 0.5, sigma: 0.05, seed: 0 },
  targetLogit: (cosTarget, ctx) => cos(add(acos(cosTarget), drawMargins(cosTarget, ctx))),
});

/** ElasticFace-Cos as a defined margin (name 'elasticface-cos'): cos θ_y − m_i, m_i ~ N(0.35, 0.05). */
export const elasticFaceCos = defineMargin<ElasticFaceParams, ElasticFaceState>({
  ...common,
  name: 'elasticface-cos',
  label: 'ElasticFace-Cos',
  curves: curvesOf('ElasticFace-Cos cos θ − m,'),
  defaults: { s: 64, m: 0.35, sigma: 0.05, seed: 0 },
  targetLogit: (cosTarget, ctx) => sub(cosTarget, drawMargins(cosTarget, ctx)),
});
