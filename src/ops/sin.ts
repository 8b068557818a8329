/**
 * sin: y = sin x.   ∂y/∂x = cos x   ⇒   dx = dy⊙cos x.   Derivation: docs/ops.md#sin
 */
import type { Tensor } from '../tensor/tensor.js';
import { elementwiseCases } from './_domains.js';
import { defineOp } from './op.js';

export const sinOp = defineOp<'x'>({
  name: 'sin',
  summary: 'y = sin x',
  docs: 'docs/ops.md#sin',
  inputs: ['x'],
  domain: elementwiseCases({ min: -4, max: 4 }),
  forward: (be, { x }) => be.unary('sin', x),
  vjp: (be, { x }, _y, dy) => ({ x: () => be.binary('mul', dy, be.unary('cos', x)) }),
});

/** y = sin x elementwise. */
export function sin(x: Tensor): Tensor {
  return sinOp.apply({ x }, {});
}
