/**
 * Creating tensors: from numbers, nested arrays or typed arrays, and filled or random ones. Every
 * creator validates its input (shape, dtype, finiteness) so that a bad number is reported where
 * it enters, not three ops later.
 */
import { getBackend } from '../backend/registry.js';
import { allocate, assertDType, type DType } from './dtype.js';
import { DomainError, OptionError, ShapeError, formatShape } from './errors.js';
import { Random } from './random.js';
import { Tensor, assertValidShape, sizeOf } from './tensor.js';

/** Options shared by the creators. */
export interface CreateOptions {
  /** Element type; float64 unless given. */
  dtype?: DType;
  /** Allow NaN and ±Inf (off: non-finite input throws a DomainError). */
  allowNonFinite?: boolean;
}

/** Anything `tensor` accepts: a number, a (nested) array of numbers, or a typed array. */
export type TensorLike = number | readonly number[] | readonly (readonly number[])[] | ArrayLike<number>;

/**
 * A tensor from data. The shape is inferred from nesting (`tensor([[1, 2], [3, 4]])` is [2,2]) or
 * given explicitly for flat data (`tensor([1, 2, 3, 4], [2, 2])`).
 */
export function tensor(data: TensorLike, shape?: readonly number[], options: CreateOptions = {}): Tensor {
  const dtype = options.dtype ?? 'float64';
  assertDType(dtype, 'tensor');
  let flat: ArrayLike<number>;
  let inferred: number[];
  if (typeof data === 'number') {
    flat = [data];
    inferred = [];
  } else if (Array.isArray(data) && data.length > 0 && Array.isArray(data[0])) {
    const rows = data as readonly (readonly number[])[];
    const c = rows[0].length;
    if (rows.some((r) => !Array.isArray(r) || r.length !== c)) {
      throw new ShapeError('tensor: nested rows must all be arrays of one length');
    }
    flat = rows.flat();
    inferred = [rows.length, c];
  } else {
    flat = data as ArrayLike<number>;
    inferred = [flat.length];
  }
  const finalShape = shape ? [...shape] : inferred;
  assertValidShape(finalShape, 'tensor');
  if (sizeOf(finalShape) !== flat.length) {
    throw new ShapeError(`tensor: ${flat.length} numbers do not fill shape ${formatShape(finalShape)}`);
  }
  for (let i = 0; i < flat.length; i++) {
    const v = flat[i];
    if (Array.isArray(v)) {
      throw new ShapeError(`tensor: element ${i} is an array; nest at most two levels, rows of one length`);
    }
    if (typeof v !== 'number' || (!options.allowNonFinite && !Number.isFinite(v))) {
      throw new DomainError(`tensor: element ${i} is ${String(v)}, not a finite number`);
    }
  }
  return getBackend().fromArray(flat, finalShape, dtype);
}

/** A scalar tensor (shape []). */
export function scalar(value: number, options: CreateOptions = {}): Tensor {
  return tensor(value, [], options);
}

/** A tensor of `shape` filled with `value`. */
export function full(shape: readonly number[], value: number, options: CreateOptions = {}): Tensor {
  const dtype = options.dtype ?? 'float64';
  assertDType(dtype, 'full');
  assertValidShape(shape, 'full');
  if (typeof value !== 'number' || (!options.allowNonFinite && !Number.isFinite(value))) {
    throw new DomainError(`full: the fill value is ${String(value)}, not a finite number`);
  }
  return getBackend().fill(shape, value, dtype);
}

/** A tensor of zeros. */
export function zeros(shape: readonly number[], options: CreateOptions = {}): Tensor {
  return full(shape, 0, options);
}

/** A tensor of ones. */
export function ones(shape: readonly number[], options: CreateOptions = {}): Tensor {
  return full(shape, 1, options);
}

/** Zeros with the shape, dtype and backend of `t`. */
export function zerosLike(t: Tensor): Tensor {
  return t.backend.fill(t.shape, 0, t.dtype);
}

/** Ones with the shape, dtype and backend of `t`. */
export function onesLike(t: Tensor): Tensor {
  return t.backend.fill(t.shape, 1, t.dtype);
}

/** Throws an OptionError naming `where` unless every option is a finite number. */
function assertFiniteOptions(options: Record<string, number>, where: string): void {
  for (const [name, v] of Object.entries(options)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new OptionError(`${where}: ${name} must be a finite number, got ${String(v)}`);
  }
}

/** Normal(mean, std) entries from a seeded generator. */
export function randomNormal(
  shape: readonly number[],
  rng: Random,
  { mean = 0, std = 1, dtype = 'float64' }: { mean?: number; std?: number; dtype?: DType } = {},
): Tensor {
  assertDType(dtype, 'randomNormal');
  assertValidShape(shape, 'randomNormal');
  assertFiniteOptions({ mean, std }, 'randomNormal');
  const data = allocate('float64', sizeOf(shape)); // a ShapeError, not a RangeError, when too large
  for (let i = 0; i < data.length; i++) data[i] = mean + std * rng.normal();
  return getBackend().fromArray(data, shape, dtype);
}

/** Uniform [lo, hi) entries from a seeded generator. */
export function randomUniform(
  shape: readonly number[],
  rng: Random,
  { lo = 0, hi = 1, dtype = 'float64' }: { lo?: number; hi?: number; dtype?: DType } = {},
): Tensor {
  assertDType(dtype, 'randomUniform');
  assertValidShape(shape, 'randomUniform');
  assertFiniteOptions({ lo, hi }, 'randomUniform');
  const data = allocate('float64', sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = lo + (hi - lo) * rng.uniform();
  return getBackend().fromArray(data, shape, dtype);
}
