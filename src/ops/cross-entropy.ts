/**
 * crossEntropy: the mean softmax cross-entropy of logits z (N×C) against integer labels y, over
 * the rows whose label is not −1 (V of them):
 *
 *   L = (1/V)·Σ_{i: y_i ≠ −1} ( log Σ_j exp z_ij − z_{i,y_i} )
 *
 *   ∂L/∂z_ij = (p_ij − [j = y_i]) / V   for kept rows,   0 for ignored rows,   p = softmax(z)
 *
 * Fused (one op instead of logSoftmax + pick + mean) for accuracy and speed. Accuracy: when the
 * target dominates (p_y ≈ 1, common at s = 64) the composed forms lose every digit —
 * log(1 + tiny) and p_y − 1 cancel — so the backend computes the row loss as
 * log1p(Σ_{j≠y} exp(z_j − z_y)) and the target gradient as −Σ_{j≠y} p_j (backend
 * crossEntropyRows / crossEntropyBackward). Speed: the N×C matrix is touched twice instead of
 * five times. Each row of the gradient sums to 0.
 * When every row is ignored (V = 0) the loss is 0 and the gradient is 0 (there is nothing to
 * average; PyTorch returns 0/0 = NaN here). Derivation: docs/ops.md#crossentropy
 */
import { ShapeError, formatShape } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { toLabels, type Labels } from './_labels.js';
import { expectRank } from './_shapes.js';
import { defineOp } from './op.js';

function keptRows(labels: Int32Array): number {
  let v = 0;
  for (const y of labels) if (y !== -1) v++;
  return v;
}

export const crossEntropyOp = defineOp<'z', {
  /** One class per row, −1 to ignore the row. */
  labels: Labels;
}>({
  name: 'crossEntropy',
  summary: 'mean softmax cross-entropy over rows with label ≠ −1 (fused)',
  docs: 'docs/ops.md#crossentropy',
  inputs: ['z'],
  domain: [
    { name: 'labels with ignored rows', inputs: { z: { shape: ['n', 'c'], min: -10, max: 10 } }, attrs: { labels: { kind: 'labels', rows: 'n', classes: 'c', ignore: true } } },
  ],
  validate({ z }, { labels }) {
    expectRank('crossEntropy', 'z', z, 2);
    if (z.shape[1] === 0) throw new ShapeError(`crossEntropy: z has no classes (shape ${formatShape(z.shape)})`);
    toLabels('crossEntropy', labels, z.shape[0], z.shape[1]);
  },
  forward(be, { z }, { labels }) {
    const y = Int32Array.from(labels);
    const v = keptRows(y);
    return be.affine(be.sum(be.crossEntropyRows(z, y)), v === 0 ? 0 : 1 / v, 0);
  },
  vjp: (be, { z }, _loss, dy, { labels }) => ({
    z: () => {
      const y = Int32Array.from(labels);
      const v = keptRows(y);
      const perRow = be.crossEntropyBackward(z, y, v === 0 ? 0 : 1 / v); // (p − onehot)/V
      return be.binary('mul', perRow, be.reshape(dy, []));
    },
  }),
});

/** Mean softmax cross-entropy of the rows of `z` whose label is not −1. */
export function crossEntropy(z: Tensor, labels: Labels): Tensor {
  return crossEntropyOp.apply({ z }, { labels });
}
