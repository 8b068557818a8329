/**
 * logSoftmax: y_ij = z_ij − log Σ_k exp z_ik, per row, computed stably as
 * z_ij − m_i − log Σ_k exp(z_ik − m_i) with m_i = max_k z_ik (nothing overflows at s = 64).
 *
 *   ∂y_ij/∂z_il = [j = l] − p_il,  p = softmax(z) = exp(y)
 *   ⇒   dz_il = dy_il − p_il·Σ_j dy_ij
 *
 * Every row of exp(y) sums to 1, so every row of y has logsumexp 0. Derivation: docs/ops.md#logsoftmax
 */
import type { Tensor } from '../tensor/tensor.js';
import { expectNonEmpty, expectRank } from './_shapes.js';
import { defineOp } from './op.js';

export const logSoftmaxOp = defineOp<'z'>({
  name: 'logSoftmax',
  summary: 'y = z − logsumexp(z) per row (stable)',
  docs: 'docs/ops.md#logsoftmax',
  inputs: ['z'],
  domain: [{ name: 'logits', inputs: { z: { shape: ['n', 'c'], min: -10, max: 10 } } }],
  validate({ z }) {
    expectRank('logSoftmax', 'z', z, 2);
    expectNonEmpty('logSoftmax', 'z', z);
  },
  forward: (be, { z }) => be.binary('sub', z, be.reshape(be.logSumExpRows(z), [z.shape[0], 1])),
  vjp: (be, { z }, y, dy) => ({
    z: () => be.binary('sub', dy, be.binary('mul', be.unary('exp', y), be.reshape(be.sum(dy, 1), [z.shape[0], 1]))),
  }),
});

/** log softmax of each row of a matrix of logits. */
export function logSoftmax(z: Tensor): Tensor {
  return logSoftmaxOp.apply({ z }, {});
}
