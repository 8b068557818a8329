/**
 * exp: y = eˣ.   ∂y/∂x = eˣ = y   ⇒   dx = dy⊙y.   Derivation: docs/ops.md#exp
 */
import type { Tensor } from '../tensor/tensor.js';
import { elementwiseCases } from './_domains.js';
import { defineOp } from './op.js';

export const expOp = defineOp<'x'>({
  name: 'exp',
  summary: 'y = eˣ',
  docs: 'docs/ops.md#exp',
  inputs: ['x'],
  domain: elementwiseCases({ min: -3, max: 3 }),
  forward: (be, { x }) => be.unary('exp', x),
  vjp: (be, _x, y, dy) => ({ x: () => be.binary('mul', dy, y) }),
});

/** y = eˣ elementwise. */
export function exp(x: Tensor): Tensor {
  return expOp.apply({ x }, {});
}
