/**
 * cos: y = cos x.   ∂y/∂x = −sin x   ⇒   dx = −dy⊙sin x.   Derivation: docs/ops.md#cos
 */
import type { Tensor } from '../tensor/tensor.js';
import { elementwiseCases } from './_domains.js';
import { defineOp } from './op.js';

export const cosOp = defineOp<'x'>({
  name: 'cos',
  summary: 'y = cos x',
  docs: 'docs/ops.md#cos',
  inputs: ['x'],
  domain: elementwiseCases({ min: -4, max: 4 }),
  forward: (be, { x }) => be.unary('cos', x),
  vjp: (be, { x }, _y, dy) => ({ x: () => be.unary('neg', be.binary('mul', dy, be.unary('sin', x))) }),
});

/** y = cos x elementwise. */
export function cos(x: Tensor): Tensor {
  return cosOp.apply({ x }, {});
}
