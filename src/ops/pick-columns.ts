/**
 * pickColumns: y_i = x[i, index_i], one column per row (the target logit cos θ_y of each row).
 * Rows whose index is −1 give 0.
 *
 *   ∂y_i/∂x_ij = [j = index_i]   ⇒   dx = zeros with dx[i, index_i] = dy_i
 *
 * Derivation: docs/ops.md#pickcolumns
 */
import type { Tensor } from '../tensor/tensor.js';
import { toLabels, type Labels } from './_labels.js';
import { expectRank } from './_shapes.js';
import { defineOp } from './op.js';

export const pickColumnsOp = defineOp<'x', {
  /** One column per row, −1 for none. */
  index: Labels;
}>({
  name: 'pickColumns',
  summary: 'y_i = x[i, index_i] (the target column of each row)',
  docs: 'docs/ops.md#pickcolumns',
  inputs: ['x'],
  domain: [
    { name: 'labels with ignored rows', inputs: { x: { shape: ['n', 'c'] } }, attrs: { index: { kind: 'labels', rows: 'n', classes: 'c', ignore: true } } },
  ],
  validate({ x }, { index }) {
    expectRank('pickColumns', 'x', x, 2);
    toLabels('pickColumns', index, x.shape[0], x.shape[1]);
  },
  forward: (be, { x }, { index }) => be.gatherColumns(x, Int32Array.from(index)),
  vjp: (be, { x }, _y, dy, { index }) => ({
    x: () => be.scatterColumns(be.fill(x.shape, 0, x.dtype), Int32Array.from(index), dy),
  }),
});

/** x[i, index_i] for every row i (0 where index_i = −1). */
export function pickColumns(x: Tensor, index: Labels): Tensor {
  return pickColumnsOp.apply({ x }, { index });
}
