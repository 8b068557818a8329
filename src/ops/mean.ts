/**
 * mean: y = (1/K)·Σ x over all elements or one axis, K the number of elements summed.
 *
 *   dx = (1/K)·dy broadcast back over the averaged axis
 *
 * Domain: K ≥ 1 (the mean of nothing throws a ShapeError). Derivation: docs/ops.md#mean
 */
import { ShapeError, formatShape } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { defineOp } from './op.js';
import { reductionCases, sumForward, unsum, validateAxis, type AxisOptions } from './sum.js';

function count(x: Tensor, axis: 0 | 1 | undefined): number {
  return axis === undefined ? x.size : x.shape[axis];
}

export const meanOp = defineOp<'x', AxisOptions>({
  name: 'mean',
  summary: '(1/K)·Σ x, whole or per axis',
  docs: 'docs/ops.md#mean',
  inputs: ['x'],
  domain: reductionCases,
  validate({ x }, { axis }) {
    validateAxis('mean', x, axis);
    if (count(x, axis) === 0) throw new ShapeError(`mean: nothing to average in shape ${formatShape(x.shape)}`);
  },
  forward: (be, { x }, { axis }) => be.affine(sumForward(be, x, axis), 1 / count(x, axis), 0),
  vjp: (be, { x }, _y, dy, { axis }) => ({ x: () => be.affine(unsum(be, x, dy, axis), 1 / count(x, axis), 0) }),
});

/** The mean over everything, or over `axis` (0: per column, 1: per row). */
export function mean(x: Tensor, options: AxisOptions = {}): Tensor {
  return meanOp.apply({ x }, { axis: options.axis });
}
