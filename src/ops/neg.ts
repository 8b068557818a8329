/**
 * neg: y = −x.   dx = −dy.   Derivation: docs/ops.md#neg
 */
import type { Tensor } from '../tensor/tensor.js';
import { elementwiseCases } from './_domains.js';
import { defineOp } from './op.js';

export const negOp = defineOp<'x'>({
  name: 'neg',
  summary: 'y = −x',
  docs: 'docs/ops.md#neg',
  inputs: ['x'],
  domain: elementwiseCases({}),
  forward: (be, { x }) => be.unary('neg', x),
  vjp: (be, _x, _y, dy) => ({ x: () => be.unary('neg', dy) }),
});

/** y = −x. */
export function neg(x: Tensor): Tensor {
  return negOp.apply({ x }, {});
}
