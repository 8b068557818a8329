/**
 * scale: y = s·x for a constant s (the logit scale of the margin losses).   dx = s·dy.
 * Derivation: docs/ops.md#scale
 */
import { OptionError } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { elementwiseCases } from './_domains.js';
import { defineOp } from './op.js';

export const scaleOp = defineOp<'x', {
  /** The constant factor. */
  s: number;
}>({
  name: 'scale',
  summary: 'y = s·x for a constant s',
  docs: 'docs/ops.md#scale',
  inputs: ['x'],
  domain: elementwiseCases({}).map((c) => ({ ...c, attrs: { s: { kind: 'number', min: -64, max: 64 } } })),
  validate(_x, { s }) {
    if (!Number.isFinite(s)) throw new OptionError(`scale: s must be a finite number, got ${s}`);
  },
  forward: (be, { x }, { s }) => be.affine(x, s, 0),
  vjp: (be, _x, _y, dy, { s }) => ({ x: () => be.affine(dy, s, 0) }),
});

/** y = s·x. */
export function scale(x: Tensor, s: number): Tensor {
  return scaleOp.apply({ x }, { s });
}
