/** Small helpers shared by the example margins (public API only: tensors built on the input's backend). */
import type { Tensor } from '../tensor/tensor.js';

/** A constant tensor (no gradient) of `values` with the shape and dtype of `like`'s backend. */
export function constant(like: Tensor, values: ArrayLike<number>, shape: readonly number[]): Tensor {
  return like.backend.fromArray(Array.from(values), shape, like.dtype);
}

/** The indices of the rows that carry a label (label ≠ −1). */
export function labelledRows(labels: Int32Array): number[] {
  const rows: number[] = [];
  labels.forEach((l, i) => { if (l >= 0) rows.push(i); });
  return rows;
}
