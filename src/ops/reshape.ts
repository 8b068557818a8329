/**
 * reshape: the same elements, row-major, under another shape of equal size.   dx = dy reshaped
 * back. Derivation: docs/ops.md#reshape
 */
import { ShapeError, formatShape } from '../tensor/errors.js';
import { assertValidShape, sizeOf, type Tensor } from '../tensor/tensor.js';
import { defineOp } from './op.js';

export const reshapeOp = defineOp<'x', {
  /** The new shape, of x's size. */
  shape: readonly number[];
}>({
  name: 'reshape',
  summary: 'the same elements under another shape',
  docs: 'docs/ops.md#reshape',
  inputs: ['x'],
  domain: [
    { name: 'matrix to vector', inputs: { x: { shape: ['n', 'c'] } }, attrs: { shape: { kind: 'flatShapeOf', of: 'x' } } },
  ],
  validate({ x }, { shape }) {
    assertValidShape(shape, 'reshape');
    if (sizeOf(shape) !== x.size) {
      throw new ShapeError(`reshape: cannot view ${formatShape(x.shape)} as ${formatShape(shape)}`);
    }
  },
  forward: (be, { x }, { shape }) => be.reshape(x, shape),
  vjp: (be, { x }, _y, dy) => ({ x: () => be.reshape(dy, x.shape) }),
});

/** `x` under another shape with the same number of elements. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  return reshapeOp.apply({ x }, { shape });
}
