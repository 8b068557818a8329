/**
 * addScalar: y = x + a for a constant a, the attribute `c` (CosFace's −m3 is addScalar(cos θ, −m3)).   dx = dy.
 * Derivation: docs/ops.md#addscalar
 */
import { OptionError } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { elementwiseCases } from './_domains.js';
import { defineOp } from './op.js';

export const addScalarOp = defineOp<'x', {
  /** The constant added. */
  c: number;
}>({
  name: 'addScalar',
  summary: 'y = x + a for a constant a (the attribute `c`)',
  docs: 'docs/ops.md#addscalar',
  inputs: ['x'],
  domain: elementwiseCases({}).map((d) => ({ ...d, attrs: { c: { kind: 'number', min: -3, max: 3 } } })),
  validate(_x, { c }) {
    if (!Number.isFinite(c)) throw new OptionError(`addScalar: c must be a finite number, got ${c}`);
  },
  forward: (be, { x }, { c }) => be.affine(x, 1, c),
  vjp: (_be, _x, _y, dy) => ({ x: () => dy }),
});

/** y = x + c. */
export function addScalar(x: Tensor, c: number): Tensor {
  return addScalarOp.apply({ x }, { c });
}
