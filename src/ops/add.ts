/**
 * add: y = a + b, with row, column and scalar broadcasting.
 *
 *   ∂y/∂a = 1, ∂y/∂b = 1   ⇒   da = Σ_broadcast dy,   db = Σ_broadcast dy
 *
 * where Σ_broadcast sums dy over the axes along which that input was broadcast (the VJP of a
 * broadcast is a sum). Derivation: docs/ops.md#add
 */
import type { Tensor } from '../tensor/tensor.js';
import { expectBroadcast } from './_shapes.js';
import { broadcastCases } from './_domains.js';
import { defineOp } from './op.js';

export const addOp = defineOp<'a' | 'b'>({
  name: 'add',
  summary: 'y = a + b (broadcasting)',
  docs: 'docs/ops.md#add',
  inputs: ['a', 'b'],
  domain: broadcastCases({}),
  validate: ({ a, b }) => expectBroadcast('add', a, b),
  forward: (be, { a, b }) => be.binary('add', a, b),
  vjp: (be, { a, b }, _y, dy) => ({
    a: () => be.sumToShape(dy, a.shape),
    b: () => be.sumToShape(dy, b.shape),
  }),
});

/** y = a + b, broadcasting [n,c] with [c], [1,c], [n,1] or []. */
export function add(a: Tensor, b: Tensor): Tensor {
  return addOp.apply({ a, b }, {});
}
