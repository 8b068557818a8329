/**
 * div: y = a ⊘ b (elementwise), with row, column and scalar broadcasting.
 *
 *   ∂y/∂a = 1/b,  ∂y/∂b = −a/b² = −y/b   ⇒   da = Σ_broadcast dy⊘b,   db = −Σ_broadcast dy⊙y⊘b
 *
 * Domain: b ≠ 0 (a zero divisor throws a DomainError). Derivation: docs/ops.md#div
 */
import { DomainError } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { expectBroadcast } from './_shapes.js';
import { broadcastCases } from './_domains.js';
import { defineOp } from './op.js';

export const divOp = defineOp<'a' | 'b'>({
  name: 'div',
  summary: 'y = a ⊘ b (broadcasting), b ≠ 0',
  docs: 'docs/ops.md#div',
  inputs: ['a', 'b'],
  domain: broadcastCases({ b: { min: 0.5, max: 2 } }),
  validate({ a, b }) {
    expectBroadcast('div', a, b);
    if (b.toTypedArray().includes(0)) throw new DomainError("div: the divisor 'b' contains zeros");
  },
  forward: (be, { a, b }) => be.binary('div', a, b),
  vjp: (be, { a, b }, y, dy) => ({
    a: () => be.sumToShape(be.binary('div', dy, b), a.shape),
    b: () => be.sumToShape(be.unary('neg', be.binary('div', be.binary('mul', dy, y), b)), b.shape),
  }),
});

/** y = a ⊘ b elementwise, broadcasting [n,c] with [c], [1,c], [n,1] or []. */
export function div(a: Tensor, b: Tensor): Tensor {
  return divOp.apply({ a, b }, {});
}
