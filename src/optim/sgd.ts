/**
 * SGD with momentum, dampening, Nesterov and weight decay, with PyTorch's `torch.optim.SGD`
 * semantics (the default of face-recognition training: insightface, opensphere, SphereFace's
 * Caffe solver):
 *
 *   g ← ∇ + λ·p                                   weight decay is L2 (coupled), as PyTorch's
 *   b ← g                        on the first step
 *   b ← μ·b + (1 − dampening)·g  afterwards
 *   g ← g + μ·b  (Nesterov)  or  g ← b
 *   p ← p − lr·g
 *
 * Set `decoupled: true` for SGDW (Loshchilov & Hutter): p ← p·(1 − lr·λ) and λ does not enter g.
 */
import { scale } from '../ops/scale.js';
import { OptionError } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { axpby, checkRange, initState, runStep, type Optimizer, type ParamUpdate } from './optimizer.js';

/** Options of `sgd`. */
export interface SGDOptions {
  /** Learning rate (default 0.1). */
  lr?: number;
  /** Momentum μ (default 0). */
  momentum?: number;
  /** Dampening of the gradient in the momentum buffer (default 0). */
  dampening?: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0, as PyTorch). */
  nesterov?: boolean;
  /** Weight decay λ (default 0). */
  weightDecay?: number;
  /** Decouple the weight decay from the gradient (SGDW); default false (PyTorch's L2). */
  decoupled?: boolean;
}

/** p − lr·(decay term + gradient): shared by SGD and Adam for the decoupled/L2 choice. */
export function decayed(p: Tensor, g: Tensor, weightDecay: number, decoupled: boolean, lr: number): { p: Tensor; g: Tensor } {
  if (weightDecay === 0) return { p, g };
  return decoupled ? { p: scale(p, 1 - lr * weightDecay), g } : { p, g: axpby(g, 1, p, weightDecay) };
}

/** Stochastic gradient descent (PyTorch semantics; see the file header). */
export function sgd(options: SGDOptions = {}): Optimizer {
  const { lr = 0.1, momentum = 0, dampening = 0, nesterov = false, weightDecay = 0, decoupled = false } = options;
  checkRange('sgd', 'lr', lr, 0, Number.MAX_VALUE);
  checkRange('sgd', 'momentum', momentum, 0, 1);
  checkRange('sgd', 'dampening', dampening, 0, 1);
  checkRange('sgd', 'weightDecay', weightDecay, 0, Number.MAX_VALUE);
  if (nesterov && (momentum === 0 || dampening !== 0)) {
    throw new OptionError('sgd: nesterov needs momentum > 0 and dampening 0');
  }
  const slots = momentum === 0 ? [] : ['momentum'];
  const update: ParamUpdate = (p0, grad, s, { lr: rate, t }) => {
    const { p, g } = decayed(p0, grad, weightDecay, decoupled, rate);
    // each update one fused pass (axpby), the same numbers as p − lr·g etc. composed from ops
    if (momentum === 0) return { p: axpby(p, 1, g, -rate), slots: {} as Record<string, Tensor> };
    const buf = t === 0 ? g : axpby(s.momentum, momentum, g, 1 - dampening);
    const direction = nesterov ? axpby(g, 1, buf, momentum) : buf;
    return { p: axpby(p, 1, direction, -rate), slots: { momentum: buf } };
  };
  return {
    name: 'sgd',
    config: { lr, momentum, dampening, nesterov, weightDecay, decoupled },
    lr,
    init: (params) => initState(params, slots),
    step: (params, grads, state, opts = {}) => runStep('sgd', slots, update, params, grads, state, opts.lr ?? lr),
  };
}
