/**
 * takeRows: y = rows of x picked by an index list (repeats allowed), e.g. the sampled class
 * centers W[index] of PartialFC.
 *
 *   ∂y_k/∂x_r = [index_k = r]·I   ⇒   dx_r = Σ_{k: index_k = r} dy_k   (a scatter-add)
 *
 * Derivation: docs/ops.md#takerows
 */
import { LabelError } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Labels } from './_labels.js';
import { expectRank } from './_shapes.js';
import { defineOp } from './op.js';

export const takeRowsOp = defineOp<'x', {
  /** Row numbers of x, repeats allowed. */
  index: Labels;
}>({
  name: 'takeRows',
  summary: 'y = x[index] (rows, repeats allowed)',
  docs: 'docs/ops.md#takerows',
  inputs: ['x'],
  domain: [{ name: 'rows', inputs: { x: { shape: ['r', 'd'] } }, attrs: { index: { kind: 'rowIndex', count: 'k', rows: 'r' } } }],
  validate({ x }, { index }) {
    expectRank('takeRows', 'x', x, 2);
    if (index === null || typeof index !== 'object' || typeof index.length !== 'number') {
      throw new LabelError(`takeRows: index must be an array of row numbers, got ${index === null ? 'null' : typeof index}`);
    }
    for (let k = 0; k < index.length; k++) {
      const r = index[k];
      if (!Number.isInteger(r) || r < 0 || r >= x.shape[0]) {
        throw new LabelError(`takeRows: index ${k} is ${r}, not a row of x (0…${x.shape[0] - 1})`);
      }
    }
  },
  forward: (be, { x }, { index }) => be.takeRows(x, Int32Array.from(index)),
  vjp: (be, { x }, _y, dy, { index }) => ({ x: () => be.scatterAddRows(dy, Int32Array.from(index), x.shape[0]) }),
});

/** The rows x[index_0], x[index_1], … as a new matrix. */
export function takeRows(x: Tensor, index: Labels): Tensor {
  return takeRowsOp.apply({ x }, { index });
}
