/**
 * relu: y = max(x, 0).   ∂y/∂x = 1 where x > 0, else 0 (0 at the kink x = 0, as PyTorch)
 * ⇒   dx = dy⊙[x > 0].   Derivation: docs/ops.md#relu
 */
import type { Tensor } from '../tensor/tensor.js';
import { elementwiseCases } from './_domains.js';
import { defineOp } from './op.js';

export const reluOp = defineOp<'x'>({
  name: 'relu',
  summary: 'y = max(x, 0)',
  docs: 'docs/ops.md#relu',
  inputs: ['x'],
  domain: elementwiseCases({ awayFrom: [0], gap: 0.01 }),
  forward: (be, { x }) => be.unary('relu', x),
  vjp: (be, { x }, _y, dy) => ({ x: () => be.binary('mul', dy, be.unary('step', x)) }),
});

/** y = max(x, 0) elementwise. */
export function relu(x: Tensor): Tensor {
  return reluOp.apply({ x }, {});
}
