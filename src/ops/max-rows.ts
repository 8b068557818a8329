/**
 * maxRows: y_i = max_j x_ij (one value per row).
 *
 *   ∂y_i/∂x_ij = 1 at the first j that attains the maximum, else 0
 *   ⇒   dx = dy scattered into the argmax column of each row
 *
 * Not differentiable where a row's maximum is tied; the subgradient picks the first.
 * Sub-center ArcFace takes this max over each class's sub-centers. Derivation: docs/ops.md#maxrows
 */
import type { Tensor } from '../tensor/tensor.js';
import { expectNonEmpty, expectRank } from './_shapes.js';
import { defineOp } from './op.js';

export const maxRowsOp = defineOp<'x'>({
  name: 'maxRows',
  summary: 'y_i = max_j x_ij',
  docs: 'docs/ops.md#maxrows',
  inputs: ['x'],
  domain: [{ name: 'distinct rows', inputs: { x: { shape: ['n', 'c'], distinctInRows: true, gap: 0.01 } } }],
  validate({ x }) {
    expectRank('maxRows', 'x', x, 2);
    expectNonEmpty('maxRows', 'x', x);
  },
  forward: (be, { x }) => be.maxRows(x),
  vjp: (be, { x }, _y, dy) => ({
    x: () => be.scatterColumns(be.fill(x.shape, 0, x.dtype), be.argmaxRows(x), dy),
  }),
});

/** The maximum of each row of a matrix. */
export function maxRows(x: Tensor): Tensor {
  return maxRowsOp.apply({ x }, {});
}
