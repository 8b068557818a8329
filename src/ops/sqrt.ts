/**
 * sqrt: y = √x, x ≥ 0.   ∂y/∂x = 1/(2√x) = 1/(2y)   ⇒   dx = dy⊘(2y).
 * Domain: x ≥ 0; at x = 0 the derivative is unbounded, so a gradient there throws a DomainError
 * (the tape's finiteness check) instead of returning Inf. Derivation: docs/ops.md#sqrt
 */
import { DomainError } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { elementwiseCases } from './_domains.js';
import { defineOp } from './op.js';

export const sqrtOp = defineOp<'x'>({
  name: 'sqrt',
  summary: 'y = √x, x ≥ 0',
  docs: 'docs/ops.md#sqrt',
  inputs: ['x'],
  domain: elementwiseCases({ min: 0.1, max: 3 }),
  validate({ x }) {
    if (x.toTypedArray().some((v) => v < 0)) throw new DomainError('sqrt: x must be ≥ 0');
  },
  forward: (be, { x }) => be.unary('sqrt', x),
  vjp: (be, _x, y, dy) => ({ x: () => be.binary('div', dy, be.affine(y, 2, 0)) }),
});

/** y = √x elementwise (x ≥ 0). */
export function sqrt(x: Tensor): Tensor {
  return sqrtOp.apply({ x }, {});
}
