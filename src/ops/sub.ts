/**
 * sub: y = a − b, with row, column and scalar broadcasting.
 *
 *   da = Σ_broadcast dy,   db = −Σ_broadcast dy
 *
 * Derivation: docs/ops.md#sub
 */
import type { Tensor } from '../tensor/tensor.js';
import { expectBroadcast } from './_shapes.js';
import { broadcastCases } from './_domains.js';
import { defineOp } from './op.js';

export const subOp = defineOp<'a' | 'b'>({
  name: 'sub',
  summary: 'y = a − b (broadcasting)',
  docs: 'docs/ops.md#sub',
  inputs: ['a', 'b'],
  domain: broadcastCases({}),
  validate: ({ a, b }) => expectBroadcast('sub', a, b),
  forward: (be, { a, b }) => be.binary('sub', a, b),
  vjp: (be, { a, b }, _y, dy) => ({
    a: () => be.sumToShape(dy, a.shape),
    b: () => be.sumToShape(be.unary('neg', dy), b.shape),
  }),
});

/** y = a − b, broadcasting [n,c] with [c], [1,c], [n,1] or []. */
export function sub(a: Tensor, b: Tensor): Tensor {
  return subOp.apply({ a, b }, {});
}
