/**
 * crossEntropy: the mean softmax cross-entropy of logits z (N×C) against integer labels y, over
 * the rows whose label is not −1 (V of them):
 *
 *   L = (1/V)·Σ_{i: y_i ≠ −1} ( log Σ_j exp z_ij − z_{i,y_i} )
 *
 *   ∂L/∂z_ij = (p_ij − [j = y_i]) / V   for kept rows,   0 for ignored rows,   p = softmax(z)
 *
 * Fused (one op instead of logSoftmax + pick + mean) for stability and speed: the gradient is
 * formed directly as p − onehot, never as a difference of large logits, and the N×C matrix is
 * touched twice instead of five times. Each row of the gradient sums to 0.
 * When every row is ignored (V = 0) the loss is 0 and the gradient is 0 (there is nothing to
 * average; PyTorch returns 0/0 = NaN here). Derivation: docs/ops.md#crossentropy
 */
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
    toLabels('crossEntropy', labels, z.shape[0], z.shape[1]);
  },
  forward(be, { z }, { labels }) {
    const y = Int32Array.from(labels);
    const v = keptRows(y);
    const lse = be.logSumExpRows(z); // [n]
    const kept = be.fromArray(Array.from(y, (l) => (l === -1 ? 0 : 1)), [y.length], z.dtype);
    const perRow = be.binary('mul', be.binary('sub', lse, be.gatherColumns(z, y)), kept);
    return be.affine(be.sum(perRow), v === 0 ? 0 : 1 / v, 0);
  },
  vjp: (be, { z }, _loss, dy, { labels }) => ({
    z: () => {
      const y = Int32Array.from(labels);
      const v = keptRows(y);
      const n = z.shape[0];
      const p = be.unary('exp', be.binary('sub', z, be.reshape(be.logSumExpRows(z), [n, 1])));
      const pMinusOneHot = be.scatterColumns(p, y, be.affine(be.gatherColumns(p, y), 1, -1));
      const kept = be.fromArray(Array.from(y, (l) => (l === -1 ? 0 : 1)), [n, 1], z.dtype);
      const weight = be.affine(be.reshape(dy, []), v === 0 ? 0 : 1 / v, 0);
      return be.binary('mul', be.binary('mul', pMinusOneHot, kept), weight);
    },
  }),
});

/** Mean softmax cross-entropy of the rows of `z` whose label is not −1. */
export function crossEntropy(z: Tensor, labels: Labels): Tensor {
  return crossEntropyOp.apply({ z }, { labels });
}
