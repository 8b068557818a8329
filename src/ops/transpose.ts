/**
 * transpose: y = xᵀ for a matrix.   dx = dyᵀ.   Derivation: docs/ops.md#transpose
 */
import type { Tensor } from '../tensor/tensor.js';
import { expectRank } from './_shapes.js';
import { defineOp } from './op.js';

export const transposeOp = defineOp<'x'>({
  name: 'transpose',
  summary: 'y = xᵀ',
  docs: 'docs/ops.md#transpose',
  inputs: ['x'],
  domain: [{ name: 'matrix', inputs: { x: { shape: ['n', 'c'] } } }],
  validate: ({ x }) => expectRank('transpose', 'x', x, 2),
  forward: (be, { x }) => be.transpose(x),
  vjp: (be, _x, _y, dy) => ({ x: () => be.transpose(dy) }),
});

/** The transpose of a matrix. */
export function transpose(x: Tensor): Tensor {
  return transposeOp.apply({ x }, {});
}
