/**
 * square: y = x².   ∂y/∂x = 2x   ⇒   dx = 2·dy⊙x.   Derivation: docs/ops.md#square
 */
import type { Tensor } from '../tensor/tensor.js';
import { elementwiseCases } from './_domains.js';
import { defineOp } from './op.js';

export const squareOp = defineOp<'x'>({
  name: 'square',
  summary: 'y = x²',
  docs: 'docs/ops.md#square',
  inputs: ['x'],
  domain: elementwiseCases({}),
  forward: (be, { x }) => be.unary('square', x),
  vjp: (be, { x }, _y, dy) => ({ x: () => be.affine(be.binary('mul', dy, x), 2, 0) }),
});

/** y = x² elementwise. */
export function square(x: Tensor): Tensor {
  return squareOp.apply({ x }, {});
}
