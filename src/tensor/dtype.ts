/**
 * Element types. float64 is the reference every other path is checked against; float32 is what
 * GPUs run. A float32 tensor stores its elements in a Float32Array, so every op result is rounded
 * to float32 when it is stored, as it would be on a GPU.
 */
import { DTypeError, ShapeError } from './errors.js';

/** The element types arcgrad computes in. */
export type DType = 'float64' | 'float32';

/** The typed array that stores a tensor of the given dtype. */
export type TypedArray = Float64Array | Float32Array;

/** All supported dtypes, in the order the docs list them. */
export const DTYPES: readonly DType[] = ['float64', 'float32'];

/** A zero-filled typed array of `length` elements for `dtype`; a ShapeError when it cannot be had. */
export function allocate(dtype: DType, length: number): TypedArray {
  try {
    return dtype === 'float64' ? new Float64Array(length) : new Float32Array(length);
  } catch (e) {
    // A RangeError (beyond the engine's typed-array limit) or out of memory: a shape too large.
    throw new ShapeError(`allocate: cannot hold ${length} ${dtype} elements, a shape too large (${(e as Error).message})`);
  }
}

/** Throws unless `value` names a supported dtype. */
export function assertDType(value: unknown, where: string): asserts value is DType {
  if (value !== 'float64' && value !== 'float32') {
    throw new DTypeError(`${where}: dtype must be 'float64' or 'float32', got ${JSON.stringify(value)}`);
  }
}

/**
 * Unit roundoff of the dtype: half the gap between 1 and the next float (2⁻⁵³ or 2⁻²⁴).
 * The largest number below 1 is `1 − unitRoundoff(dtype)`.
 */
export function unitRoundoff(dtype: DType): number {
  return dtype === 'float64' ? 2 ** -53 : 2 ** -24;
}
