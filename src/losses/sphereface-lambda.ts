/**
 * SphereFace's λ annealing, as the Caffe MarginInnerProduct layer computes it
 * (wy1iu/sphereface, margin_inner_product_layer.cpp; constants from sphereface_model.prototxt;
 * explained in docs/losses.md#sphereface-lambda):
 *
 *   λ(iter) = max(λmin, base·(1 + γ·iter)^(−power)),   base 1000, γ 0.12, power 1, λmin 5
 *
 * with the iteration counter incremented before use, so the first training step is iter = 1:
 * λ(1) = 1000/1.12 = 892.857…, and λ reaches λmin = 5 at iter 1659 (λ(1658) = 5.0010).
 * The loss blends f_λ(θ) = (λ·cos θ + f(θ))/(1 + λ): a large λ starts training as NormFace and
 * the margin takes over as λ decays.
 */
import { OptionError } from '../tensor/errors.js';

/** The annealing constants. */
export interface LambdaSchedule {
  /** Starting scale (1000 in the published model). */
  base: number;
  /** Decay rate γ (0.12). */
  gamma: number;
  /** Decay power (1). */
  power: number;
  /** Floor λmin (5). */
  lambdaMin: number;
}

/** The published Caffe constants. */
export const SPHEREFACE_LAMBDA: Readonly<LambdaSchedule> = Object.freeze({ base: 1000, gamma: 0.12, power: 1, lambdaMin: 5 });

/** λ at training iteration `iter` (counted from 1). */
export function sphereFaceLambda(iter: number, schedule: LambdaSchedule = SPHEREFACE_LAMBDA): number {
  if (!Number.isInteger(iter) || iter < 1) {
    throw new OptionError(`sphereFaceLambda: iterations are counted from 1, got ${iter}`);
  }
  const { base, gamma, power, lambdaMin } = schedule;
  return Math.max(lambdaMin, base * Math.pow(1 + gamma * iter, -power));
}
