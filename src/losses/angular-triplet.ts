/**
 * The ArcFace paper's §2.3 angular triplet loss on unit vectors:
 *
 *   L7 = (1/N)·Σ_i [ arccos(x̂_iᵀx̂_i⁺) + m − arccos(x̂_iᵀx̂_i⁻) ]₊
 *
 * for anchors x, positives x⁺ and negatives x⁻ (each N×d, normalized here), margin m (0.35 as
 * insightface's `atriplet` config). A composition of registered ops; the hinge [·]₊ is relu, whose
 * gradient at exactly 0 is 0. Its gradient, written out: docs/losses.md#paper-loss-gradients.
 */
import { acos, add, addScalar, clamp, l2Normalize, mean, mul, neg, relu, sum } from '../ops/index.js';
import { assertTensor } from '../tape/tape.js';
import { ShapeError, formatShape } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';

function rowAngles(a: Tensor, b: Tensor): Tensor {
  return acos(clamp(sum(mul(a, b), { axis: 1 }), -1, 1));
}

/** The mean angular triplet loss (see the file header). */
export function angularTripletLoss(anchor: Tensor, positive: Tensor, negative: Tensor, { margin = 0.35 }: { margin?: number } = {}): Tensor {
  assertTensor(anchor, 'angularTripletLoss: anchor');
  for (const [name, t] of [['positive', positive], ['negative', negative]] as const) {
    assertTensor(t, `angularTripletLoss: ${name}`);
    if (t.rank !== 2 || anchor.rank !== 2 || t.shape[0] !== anchor.shape[0] || t.shape[1] !== anchor.shape[1]) {
      throw new ShapeError(`angularTripletLoss: anchor is ${formatShape(anchor.shape)} but ${name} is ${formatShape(t.shape)}`);
    }
  }
  const a = l2Normalize(anchor);
  const hinge = addScalar(add(rowAngles(a, l2Normalize(positive)), neg(rowAngles(a, l2Normalize(negative)))), margin);
  return mean(relu(hinge));
}
