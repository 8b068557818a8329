/**
 * The tensor: an immutable, row-major array of rank ≤ 2 that lives on one backend. Its storage
 * (`handle`) belongs to the backend (an `ndarray` on the CPU, a texture or buffer on a GPU); read
 * it with `toTypedArray()`, `toArray()` or `item()`. Tensors are never mutated after creation, so
 * the tape can keep references to them without copying.
 */
import type { Backend } from '../backend/backend.js';
import type { DType, TypedArray } from './dtype.js';
import { ShapeError, formatShape } from './errors.js';

let nextId = 0;

/** An immutable array of rank ≤ 2 on one backend. Create tensors with `tensor`, `zeros`, … */
export class Tensor {
  /** Unique per process; the tape keys gradients by tensor identity. */
  readonly id: number = nextId++;

  /** Backends create tensors; users call `tensor(...)`, `zeros(...)` and the ops. */
  constructor(
    /** The backend whose storage `handle` is. */
    readonly backend: Backend,
    /** Backend-owned storage. Opaque outside the backend. */
    readonly handle: unknown,
    /** Row-major shape: [] (scalar), [n] or [n, c]. */
    readonly shape: readonly number[],
    /** Element type. */
    readonly dtype: DType,
  ) {}

  /** Number of dimensions: 0, 1 or 2. */
  get rank(): number {
    return this.shape.length;
  }

  /** Number of elements. */
  get size(): number {
    return sizeOf(this.shape);
  }

  /** A fresh typed array (Float64Array or Float32Array) with the elements in row-major order. */
  toTypedArray(): TypedArray {
    return this.backend.read(this);
  }

  /** The elements as a flat array of numbers, row-major. */
  toArray(): number[] {
    return Array.from(this.toTypedArray());
  }

  /** The elements nested by shape: a number, number[] or number[][]. */
  toNested(): number | number[] | number[][] {
    const flat = this.toArray();
    if (this.rank === 0) return flat[0];
    if (this.rank === 1) return flat;
    const [n, c] = this.shape;
    return Array.from({ length: n }, (_, i) => flat.slice(i * c, (i + 1) * c));
  }

  /** The single element of a tensor of size 1. */
  item(): number {
    if (this.size !== 1) {
      throw new ShapeError(`item: tensor has shape ${formatShape(this.shape)}, not a single element`);
    }
    return this.toTypedArray()[0];
  }

  /** `Tensor(float64 [2,3] on cpu)`. */
  toString(): string {
    return `Tensor(${this.dtype} ${formatShape(this.shape)} on ${this.backend.name})`;
  }
}

/** Product of the dimensions (1 for a scalar). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Throws unless `shape` is a list of at most two non-negative integers. */
export function assertValidShape(shape: readonly number[], where: string): void {
  if (!Array.isArray(shape) || shape.length > 2 || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ShapeError(
      `${where}: a shape is a list of at most 2 non-negative integers, got ${JSON.stringify(shape)}`,
    );
  }
}
