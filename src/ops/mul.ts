/**
 * mul: y = a ⊙ b (elementwise), with row, column and scalar broadcasting.
 *
 *   ∂y/∂a = b, ∂y/∂b = a   ⇒   da = Σ_broadcast dy⊙b,   db = Σ_broadcast dy⊙a
 *
 * Derivation: docs/ops.md#mul
 */
import type { Tensor } from '../tensor/tensor.js';
import { expectBroadcast } from './_shapes.js';
import { broadcastCases } from './_domains.js';
import { defineOp } from './op.js';

export const mulOp = defineOp<'a' | 'b'>({
  name: 'mul',
  summary: 'y = a ⊙ b (broadcasting)',
  docs: 'docs/ops.md#mul',
  inputs: ['a', 'b'],
  domain: broadcastCases({}),
  validate: ({ a, b }) => expectBroadcast('mul', a, b),
  forward: (be, { a, b }) => be.binary('mul', a, b),
  vjp: (be, { a, b }, _y, dy) => ({
    a: () => be.sumToShape(be.binary('mul', dy, b), a.shape),
    b: () => be.sumToShape(be.binary('mul', dy, a), b.shape),
  }),
});

/** y = a ⊙ b elementwise, broadcasting [n,c] with [c], [1,c], [n,1] or []. */
export function mul(a: Tensor, b: Tensor): Tensor {
  return mulOp.apply({ a, b }, {});
}
