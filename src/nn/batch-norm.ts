/**
 * `BatchNorm1d`: per-feature batch normalization of x [N, d] (Ioffe & Szegedy 2015), as on the
 * embedding of face models (insightface's `features` BatchNorm1d, SphereFace's fc5 BN).
 *
 *   training:  μ = mean_rows(x),  σ² = mean_rows((x − μ)²)   (biased, as the normalization uses)
 *              x̂ = (x − μ) / √(σ² + ε),   y = γ⊙x̂ + β
 *              running_mean ← (1 − m)·running_mean + m·μ
 *              running_var  ← (1 − m)·running_var  + m·σ²·N/(N − 1)   (unbiased, as PyTorch)
 *   eval:      x̂ = (x − running_mean) / √(running_var + ε)
 *
 * m is PyTorch's `momentum` (the weight of the new batch, default 0.1; MXNet's momentum 0.9 is
 * 1 − m). It is a composition of registered ops (mean, sub, square, addScalar, sqrt, div, mul,
 * add) rather than a fused op: every piece is already gradient-checked, √(σ² + ε) ≥ √ε keeps the
 * division finite, and the composed backward is exact (the batch statistics are differentiated
 * through, as training-mode batch norm must be). The running statistics are updated from
 * `stopGradient` copies, so they never enter the tape.
 */
import { add } from '../ops/add.js';
import { addScalar } from '../ops/add-scalar.js';
import { div } from '../ops/div.js';
import { mean } from '../ops/mean.js';
import { mul } from '../ops/mul.js';
import { scale } from '../ops/scale.js';
import { sqrt } from '../ops/sqrt.js';
import { square } from '../ops/square.js';
import { sub } from '../ops/sub.js';
import { stopGradient } from '../tape/surgery.js';
import { ones, zeros } from '../tensor/create.js';
import { OptionError, ShapeError, formatShape } from '../tensor/errors.js';
import type { Random } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { assertFeatures } from './linear.js';
import type { ApplyOptions, ApplyResult, Module, Variables } from './module.js';
import { requireTensor, type Params } from './params.js';

/** Options of `BatchNorm1d`. */
export interface BatchNormOptions {
  /** Added to the variance before the square root (default 1e-5, as PyTorch and insightface). */
  eps?: number;
  /** Weight of the current batch in the running statistics, in [0, 1] (default 0.1, PyTorch's). */
  momentum?: number;
  /** Learn the scale γ and shift β (default true); false is insightface's fixed-γ embedding BN. */
  affine?: boolean;
}

/** Batch normalization of x [N, d]: params `gamma`, `beta` [d]; state `mean`, `var` [d]. */
export class BatchNorm1d implements Module {
  /** ε. */
  readonly eps: number;
  /** m. */
  readonly momentum: number;
  /** Whether γ and β are learned. */
  readonly affine: boolean;

  /** A batch norm over `features` columns. */
  constructor(
    /** d. */
    readonly features: number,
    { eps = 1e-5, momentum = 0.1, affine = true }: BatchNormOptions = {},
  ) {
    assertFeatures('BatchNorm1d', 'features', features);
    if (!(eps > 0) || !Number.isFinite(eps)) throw new OptionError(`BatchNorm1d: eps must be a finite number > 0, got ${eps}`);
    if (!(momentum >= 0 && momentum <= 1)) throw new OptionError(`BatchNorm1d: momentum must be in [0, 1], got ${momentum}`);
    this.eps = eps;
    this.momentum = momentum;
    this.affine = affine;
  }

  /** γ = 1, β = 0; running mean 0 and variance 1 (PyTorch's). */
  init(_rng: Random): Variables {
    const d = [this.features];
    return {
      params: this.affine ? { gamma: ones(d), beta: zeros(d) } : {},
      state: { mean: zeros(d), var: ones(d) },
    };
  }

  /** Normalizes with batch statistics (training) or running statistics (eval). */
  apply(params: Params, x: Tensor, { training = false, state }: ApplyOptions = {}): ApplyResult {
    const d = this.features;
    if (x.rank !== 2 || x.shape[1] !== d) {
      throw new ShapeError(`BatchNorm1d: x has shape ${formatShape(x.shape)}, expected [N,${d}]`);
    }
    if (state === undefined) throw new ShapeError('BatchNorm1d: apply needs options.state (the running statistics from init)');
    const runningMean = requireTensor(state, 'mean', [d], 'BatchNorm1d state');
    const runningVar = requireTensor(state, 'var', [d], 'BatchNorm1d state');
    let xHat: Tensor;
    let next = state;
    if (training) {
      const n = x.shape[0];
      if (n < 2) {
        // One row has zero variance: x̂ would be 0 and the unbiased running variance 0/0.
        throw new ShapeError(`BatchNorm1d: training needs at least 2 rows per batch, got ${n}`);
      }
      const mu = mean(x, { axis: 0 });
      const centered = sub(x, mu);
      const variance = mean(square(centered), { axis: 0 });
      xHat = div(centered, sqrt(addScalar(variance, this.eps)));
      const m = this.momentum;
      next = {
        mean: add(scale(runningMean, 1 - m), scale(stopGradient(mu), m)),
        var: add(scale(runningVar, 1 - m), scale(stopGradient(variance), (m * n) / (n - 1))),
      };
    } else {
      xHat = div(sub(x, runningMean), sqrt(addScalar(runningVar, this.eps)));
    }
    if (!this.affine) return { y: xHat, state: next };
    const gamma = requireTensor(params, 'gamma', [d], 'BatchNorm1d');
    const beta = requireTensor(params, 'beta', [d], 'BatchNorm1d');
    return { y: add(mul(xHat, gamma), beta), state: next };
  }
}
