/**
 * replaceColumns: y = x with y[i, index_i] = v_i, one entry per row (putting the margin-adjusted
 * target logit back into the logit matrix). Rows whose index is −1 are left unchanged.
 *
 *   ∂y/∂x = identity except at the replaced entries, where it is 0
 *   ∂y[i, index_i]/∂v_i = 1
 *   ⇒   dx = dy with dx[i, index_i] = 0,   dv_i = dy[i, index_i] (0 for ignored rows)
 *
 * Derivation: docs/ops.md#replacecolumns
 */
import { ShapeError, formatShape } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { toLabels, type Labels } from './_labels.js';
import { expectRank } from './_shapes.js';
import { defineOp } from './op.js';

export const replaceColumnsOp = defineOp<'x' | 'v', {
  /** One column per row, −1 for none. */
  index: Labels;
}>({
  name: 'replaceColumns',
  summary: 'x with x[i, index_i] replaced by v_i',
  docs: 'docs/ops.md#replacecolumns',
  inputs: ['x', 'v'],
  domain: [
    {
      name: 'labels with ignored rows',
      inputs: { x: { shape: ['n', 'c'] }, v: { shape: ['n'] } },
      attrs: { index: { kind: 'labels', rows: 'n', classes: 'c', ignore: true } },
    },
  ],
  validate({ x, v }, { index }) {
    expectRank('replaceColumns', 'x', x, 2);
    expectRank('replaceColumns', 'v', v, 1);
    if (v.shape[0] !== x.shape[0]) {
      throw new ShapeError(`replaceColumns: v has shape ${formatShape(v.shape)} for ${x.shape[0]} rows of x`);
    }
    toLabels('replaceColumns', index, x.shape[0], x.shape[1]);
  },
  forward: (be, { x, v }, { index }) => be.scatterColumns(x, Int32Array.from(index), v),
  vjp: (be, { v }, _y, dy, { index }) => ({
    x: () => be.scatterColumns(dy, Int32Array.from(index), be.fill(v.shape, 0, v.dtype)),
    v: () => be.gatherColumns(dy, Int32Array.from(index)),
  }),
});

/** x with x[i, index_i] replaced by v_i (rows with index −1 unchanged). */
export function replaceColumns(x: Tensor, v: Tensor, index: Labels): Tensor {
  return replaceColumnsOp.apply({ x, v }, { index });
}
