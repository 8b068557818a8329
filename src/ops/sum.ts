/**
 * sum: y = Σ x over all elements (axis undefined, y is a scalar) or over one axis of a matrix
 * (axis 0: column sums, y ∈ ℝᶜ; axis 1: row sums, y ∈ ℝⁿ).
 *
 *   ∂y/∂x_ij = 1 for the y it sums into   ⇒   dx = dy broadcast back over the summed axis
 *
 * Derivation: docs/ops.md#sum
 */
import type { Backend } from '../backend/backend.js';
import { ShapeError, formatShape } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { defineOp, type DomainCase } from './op.js';

/** The axis to reduce: undefined for all elements. */
export interface AxisOptions {
  /** 0 sums each column of a matrix (or a whole vector), 1 sums each row; omit to sum everything. */
  axis?: 0 | 1;
}

/** Cases shared with mean. */
export const reductionCases: DomainCase<'x'>[] = [
  { name: 'all of a matrix', inputs: { x: { shape: ['n', 'c'] } }, attrs: { axis: { kind: 'const', value: undefined } } },
  { name: 'all of a vector', inputs: { x: { shape: ['n'] } }, attrs: { axis: { kind: 'const', value: undefined } } },
  { name: 'axis 0 (columns)', inputs: { x: { shape: ['n', 'c'] } }, attrs: { axis: { kind: 'const', value: 0 } } },
  { name: 'axis 1 (rows)', inputs: { x: { shape: ['n', 'c'] } }, attrs: { axis: { kind: 'const', value: 1 } } },
  { name: 'axis 0 of a vector', inputs: { x: { shape: ['n'] } }, attrs: { axis: { kind: 'const', value: 0 } } },
];

/** Checks the axis against the rank (shared with mean). */
export function validateAxis(op: string, x: Tensor, axis: 0 | 1 | undefined): void {
  if (axis !== undefined && axis !== 0 && axis !== 1) {
    throw new ShapeError(`${op}: axis must be 0, 1 or undefined, got ${String(axis)}`);
  }
  if (axis !== undefined && axis >= x.rank) {
    throw new ShapeError(`${op}: axis ${axis} does not exist for shape ${formatShape(x.shape)}`);
  }
}

/** The forward sum on a backend (shared with mean). */
export function sumForward(be: Backend, x: Tensor, axis: 0 | 1 | undefined): Tensor {
  return axis === undefined || x.rank === 1 ? be.sum(x) : be.sum(x, axis);
}

/** dy of a sum, broadcast back to the shape of x (shared with mean). */
export function unsum(be: Backend, x: Tensor, dy: Tensor, axis: 0 | 1 | undefined): Tensor {
  const shaped = axis === 1 ? be.reshape(dy, [x.shape[0], 1]) : dy; // row sums broadcast as a column
  return be.binary('add', be.fill(x.shape, 0, x.dtype), shaped);
}

export const sumOp = defineOp<'x', AxisOptions>({
  name: 'sum',
  summary: 'Σ x, whole or per axis',
  docs: 'docs/ops.md#sum',
  inputs: ['x'],
  domain: reductionCases,
  validate: ({ x }, { axis }) => validateAxis('sum', x, axis),
  forward: (be, { x }, { axis }) => sumForward(be, x, axis),
  vjp: (be, { x }, _y, dy, { axis }) => ({ x: () => unsum(be, x, dy, axis) }),
});

/** Σ x over everything, or over `axis` (0: per column, 1: per row). */
export function sum(x: Tensor, options: AxisOptions = {}): Tensor {
  return sumOp.apply({ x }, { axis: options.axis });
}
