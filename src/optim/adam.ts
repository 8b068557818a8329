/**
 * Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019), with PyTorch's
 * `torch.optim.Adam` / `AdamW` update:
 *
 *   Adam:  g ← ∇ + λ·p                         (L2 weight decay, coupled)
 *   AdamW: p ← p·(1 − lr·λ)                    (decoupled weight decay)
 *   m ← β₁·m + (1 − β₁)·g,   v ← β₂·v + (1 − β₂)·g²,   t ← t + 1
 *   p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
 *
 * (ε is added after the bias correction of √v, as PyTorch does.)
 */
import { addScalar } from '../ops/add-scalar.js';
import { div } from '../ops/div.js';
import { scale } from '../ops/scale.js';
import { sqrt } from '../ops/sqrt.js';
import { square } from '../ops/square.js';
import { axpby, checkRange, initState, runStep, type Optimizer, type ParamUpdate } from './optimizer.js';
import { decayed } from './sgd.js';

/** Options of `adam` and `adamW`. */
export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** β₁ (default 0.9). */
  beta1?: number;
  /** β₂ (default 0.999). */
  beta2?: number;
  /** ε (default 1e-8). */
  eps?: number;
  /** Weight decay λ (default 0 for Adam, 0.01 for AdamW, as PyTorch). */
  weightDecay?: number;
}

function make(name: 'adam' | 'adamw', decoupled: boolean, options: AdamOptions): Optimizer {
  const { lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = decoupled ? 0.01 : 0 } = options;
  checkRange(name, 'lr', lr, 0, Number.MAX_VALUE);
  checkRange(name, 'beta1', beta1, 0, 1 - Number.EPSILON);
  checkRange(name, 'beta2', beta2, 0, 1 - Number.EPSILON);
  checkRange(name, 'eps', eps, Number.MIN_VALUE, Number.MAX_VALUE);
  checkRange(name, 'weightDecay', weightDecay, 0, Number.MAX_VALUE);
  const slots = ['m', 'v'];
  const update: ParamUpdate = (p0, grad, s, { lr: rate, t }) => {
    const { p, g } = decayed(p0, grad, weightDecay, decoupled, rate);
    const m = axpby(s.m, beta1, g, 1 - beta1);
    const v = axpby(s.v, beta2, square(g), 1 - beta2);
    const step = t + 1;
    const stepSize = rate / (1 - beta1 ** step);
    const denom = addScalar(scale(sqrt(v), 1 / Math.sqrt(1 - beta2 ** step)), eps);
    return { p: axpby(p, 1, div(m, denom), -stepSize), slots: { m, v } };
  };
  return {
    name,
    config: { lr, beta1, beta2, eps, weightDecay, decoupled },
    lr,
    init: (params) => initState(params, slots),
    step: (params, grads, state, opts = {}) => runStep(name, slots, update, params, grads, state, opts.lr ?? lr),
  };
}

/** Adam with PyTorch's coupled (L2) weight decay. */
export function adam(options: AdamOptions = {}): Optimizer {
  return make('adam', false, options);
}

/** AdamW: Adam with decoupled weight decay (default λ = 0.01). */
export function adamW(options: AdamOptions = {}): Optimizer {
  return make('adamw', true, options);
}
