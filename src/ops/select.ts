/**
 * select: y = mask ? a : b elementwise, for a constant 0/1 mask (the branches of the margin
 * fallback policies and of interclass filtering).
 *
 *   da = dy⊙mask,   db = dy⊙(1 − mask);   the mask itself gets no gradient
 *
 * Derivation: docs/ops.md#select
 */
import type { Tensor } from '../tensor/tensor.js';
import { assertTensor } from '../tape/tape.js';
import { DomainError } from '../tensor/errors.js';
import { expectSameShape } from './_shapes.js';
import { defineOp } from './op.js';

export const selectOp = defineOp<'a' | 'b', {
  /** Constant; a where it is ≠ 0, b elsewhere. */
  mask: Tensor;
}>({
  name: 'select',
  summary: 'y = mask ? a : b (mask constant)',
  docs: 'docs/ops.md#select',
  inputs: ['a', 'b'],
  domain: [
    { name: 'matrix', inputs: { a: { shape: ['n', 'c'] }, b: { shape: ['n', 'c'] } }, attrs: { mask: { kind: 'mask', like: 'a' } } },
    { name: 'vector', inputs: { a: { shape: ['n'] }, b: { shape: ['n'] } }, attrs: { mask: { kind: 'mask', like: 'a' } } },
  ],
  validate({ a, b }, { mask }) {
    assertTensor(mask, 'select: mask');
    expectSameShape('select', a, b, ['a', 'b']);
    expectSameShape('select', mask, a, ['mask', 'a']);
    // The VJP routes dy by mask ≠ 0, which is dy⊙mask only for a 0/1 mask: anything else is a bug.
    if (mask.toTypedArray().some((v) => v !== 0 && v !== 1)) {
      throw new DomainError('select: the mask must hold only 0 and 1');
    }
  },
  forward: (be, { a, b }, { mask }) => be.where(mask, a, b),
  vjp: (be, { a }, _y, dy, { mask }) => {
    const zero = () => be.fill(a.shape, 0, a.dtype);
    return {
      a: () => be.where(mask, dy, zero()),
      b: () => be.where(mask, zero(), dy),
    };
  },
});

/** mask ≠ 0 ? a : b, elementwise; `mask` is a constant tensor of the same shape. */
export function select(mask: Tensor, a: Tensor, b: Tensor): Tensor {
  return selectOp.apply({ a, b }, { mask });
}
