/** Shape checks shared by the op files, each throwing a ShapeError that names the op. */
import { broadcastShapes } from '../backend/backend.js';
import { ShapeError, formatShape } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';

/** Throws unless `t` has rank `rank`. */
export function expectRank(op: string, name: string, t: Tensor, rank: number): void {
  if (t.rank !== rank) {
    const what = ['a scalar', 'a vector', 'a matrix'][rank];
    throw new ShapeError(`${op}: '${name}' must be ${what} (rank ${rank}), got shape ${formatShape(t.shape)}`);
  }
}

/** Throws unless `a` and `b` broadcast together. */
export function expectBroadcast(op: string, a: Tensor, b: Tensor): void {
  if (broadcastShapes(a.shape, b.shape) === null) {
    throw new ShapeError(
      `${op}: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} do not broadcast ` +
        '(supported: equal shapes, [n,c] with [c], [1,c], [n,1] or [])',
    );
  }
}

/** Throws unless `a` and `b` have exactly the same shape. */
export function expectSameShape(op: string, a: Tensor, b: Tensor, names: [string, string]): void {
  if (a.rank !== b.rank || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new ShapeError(
      `${op}: '${names[0]}' has shape ${formatShape(a.shape)} but '${names[1]}' has ${formatShape(b.shape)}`,
    );
  }
}

/** Throws unless the matrix has at least one row and one column. */
export function expectNonEmpty(op: string, name: string, t: Tensor): void {
  if (t.size === 0) throw new ShapeError(`${op}: '${name}' is empty (shape ${formatShape(t.shape)})`);
}
