/**
 * log: y = ln x, x > 0.   ∂y/∂x = 1/x   ⇒   dx = dy⊘x.
 * Domain: x > 0 (x ≤ 0 throws a DomainError rather than returning −Inf or NaN).
 * Derivation: docs/ops.md#log
 */
import { DomainError } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { elementwiseCases } from './_domains.js';
import { defineOp } from './op.js';

export const logOp = defineOp<'x'>({
  name: 'log',
  summary: 'y = ln x, x > 0',
  docs: 'docs/ops.md#log',
  inputs: ['x'],
  domain: elementwiseCases({ min: 0.1, max: 3 }),
  validate({ x }) {
    if (x.toTypedArray().some((v) => v <= 0)) throw new DomainError('log: x must be > 0');
  },
  forward: (be, { x }) => be.unary('log', x),
  vjp: (be, { x }, _y, dy) => ({ x: () => be.binary('div', dy, x) }),
});

/** y = ln x elementwise (x > 0). */
export function log(x: Tensor): Tensor {
  return logOp.apply({ x }, {});
}
