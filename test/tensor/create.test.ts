/**
 * Creating tensors: every creator validates what enters (shape, size, dtype, finiteness), the
 * readers give the elements back in the right layout, and random creators are deterministic per
 * seed.
 */
import { describe, expect, it } from 'vitest';
import { full, ones, onesLike, randomNormal, randomUniform, scalar, tensor, zeros, zerosLike } from '../../src/tensor/create.js';
import type { DType } from '../../src/tensor/dtype.js';
import { DTypeError, DomainError, OptionError, ShapeError } from '../../src/tensor/errors.js';
import { Random } from '../../src/tensor/random.js';

const bad = <T>(v: unknown) => v as T;

describe('tensor()', () => {
  it('infers shapes from nesting, or takes one for flat data', () => {
    expect(tensor(3).shape).toEqual([]);
    expect(tensor([1, 2, 3]).shape).toEqual([3]);
    expect(tensor([[1, 2, 3], [4, 5, 6]]).shape).toEqual([2, 3]);
    expect(tensor([1, 2, 3, 4, 5, 6], [3, 2]).toNested()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(tensor(new Float32Array([1, 2])).toArray()).toEqual([1, 2]);
    expect(tensor([]).shape).toEqual([0]);
  });

  it.each([
    ['rows of different lengths', () => tensor([[1, 2], [3]])],
    ['ragged rows whose lengths add up to a full shape', () => tensor([[1, 2], [3], [4, 5, 6]])],
    ['a row that is not an array', () => tensor(bad([[1, 2], 3]))],
    ['a number before a row', () => tensor(bad([1, [2, 3]]))],
    ['three levels of nesting', () => tensor(bad([[[1]], [[2]]]))],
    ['too few numbers for the shape', () => tensor([1, 2, 3], [2, 2])],
    ['too many numbers for the shape', () => tensor([[1, 2], [3, 4]], [3])],
    ['rank 3', () => tensor([1, 2], [1, 1, 2])],
    ['a negative dimension', () => tensor([], [-1])],
    ['a fractional dimension', () => tensor([1], [0.5])],
  ])('rejects %s with ShapeError', (_name, f) => {
    expect(f).toThrow(ShapeError);
    expect(f).toThrow(/^tensor: /);
  });

  it('names raggedness as such', () => {
    expect(() => tensor([[1, 2], [3], [4, 5, 6]])).toThrow(/rows must all be arrays of one length/);
  });

  it.each([NaN, Infinity, -Infinity])('rejects %s with DomainError naming the element', (v) => {
    expect(() => tensor([1, v])).toThrow(DomainError);
    expect(() => tensor([1, v])).toThrow(/^tensor: element 1 is /);
    expect(() => scalar(v)).toThrow(DomainError);
  });

  it('rejects elements that are not numbers', () => {
    expect(() => tensor(bad(['1', 2]))).toThrow(DomainError);
  });

  it('allows non-finite numbers when asked', () => {
    expect(tensor([NaN, Infinity], [2], { allowNonFinite: true }).toArray()).toEqual([NaN, Infinity]);
  });

  it('rejects an unknown dtype with DTypeError', () => {
    expect(() => tensor([1], undefined, { dtype: bad<DType>('int32') })).toThrow(DTypeError);
    expect(() => tensor([1], undefined, { dtype: bad<DType>('int32') })).toThrow(/tensor: dtype must be/);
  });

  it('rounds float32 tensors to float32', () => {
    const t = tensor([0.1], [1], { dtype: 'float32' });
    expect(t.dtype).toBe('float32');
    expect(t.item()).toBe(Math.fround(0.1));
    expect(t.toTypedArray()).toBeInstanceOf(Float32Array);
    expect(tensor([0.1]).toTypedArray()).toBeInstanceOf(Float64Array);
  });

  it('copies its input: later changes to the source do not leak in', () => {
    const data = [1, 2];
    const t = tensor(data);
    data[0] = 99;
    t.toTypedArray()[1] = 99;
    expect(t.toArray()).toEqual([1, 2]);
  });
});

describe('filled creators', () => {
  it('full, zeros, ones, zerosLike, onesLike', () => {
    expect(full([2, 2], 7).toNested()).toEqual([[7, 7], [7, 7]]);
    expect(zeros([3]).toArray()).toEqual([0, 0, 0]);
    expect(ones([]).item()).toBe(1);
    const like = zerosLike(tensor([[1, 2, 3]], undefined, { dtype: 'float32' }));
    expect([like.shape, like.dtype, like.toArray()]).toEqual([[1, 3], 'float32', [0, 0, 0]]);
    expect(onesLike(tensor([5, 6])).toArray()).toEqual([1, 1]);
  });

  it('validate shape, dtype and fill value', () => {
    expect(() => zeros([2, 2, 2])).toThrow(ShapeError);
    expect(() => ones([2], { dtype: bad<DType>('float16') })).toThrow(DTypeError);
    expect(() => full([2], NaN)).toThrow(DomainError);
    expect(() => full([2], Infinity)).toThrow(/^full: /);
    expect(full([1], Infinity, { allowNonFinite: true }).item()).toBe(Infinity);
  });
});

describe('readers', () => {
  it('toNested follows the rank', () => {
    expect(tensor(2.5).toNested()).toBe(2.5);
    expect(tensor([1, 2]).toNested()).toEqual([1, 2]);
    expect(tensor([[1], [2]]).toNested()).toEqual([[1], [2]]);
    expect(tensor([], [2, 0]).toNested()).toEqual([[], []]);
  });

  it('item reads a single element and rejects anything larger', () => {
    expect(tensor([[4]]).item()).toBe(4);
    expect(() => tensor([1, 2]).item()).toThrow(ShapeError);
    expect(() => tensor([1, 2]).item()).toThrow(/item: tensor has shape \[2\]/);
    expect(() => tensor([]).item()).toThrow(ShapeError);
  });

  it('toString names dtype, shape and backend', () => {
    expect(String(tensor([[1, 2, 3], [4, 5, 6]]))).toBe('Tensor(float64 [2,3] on cpu)');
    expect(String(scalar(1, { dtype: 'float32' }))).toBe('Tensor(float32 [] on cpu)');
  });

  it('rank and size', () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect([t.rank, t.size]).toEqual([2, 6]);
    expect([scalar(1).rank, scalar(1).size]).toEqual([0, 1]);
  });
});

describe('Random', () => {
  const draw = (seed: number) => {
    const r = new Random(seed);
    return [r.uniform(), r.normal(), r.int(10), ...r.shuffle([1, 2, 3, 4, 5])];
  };

  it('is deterministic per seed, and seeds differ', () => {
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('random creators are deterministic per seed', () => {
    expect(randomNormal([3, 2], new Random(5)).toArray()).toEqual(randomNormal([3, 2], new Random(5)).toArray());
    expect(randomUniform([4], new Random(5), { lo: -1, hi: 1 }).toArray()).toEqual(
      randomUniform([4], new Random(5), { lo: -1, hi: 1 }).toArray(),
    );
    expect(randomNormal([4], new Random(5)).toArray()).not.toEqual(randomNormal([4], new Random(6)).toArray());
  });

  it('draws in range: uniform in [0, 1), int in [0, n), shuffle a permutation', () => {
    const r = new Random(1);
    for (let i = 0; i < 1000; i++) {
      const u = r.uniform();
      expect(u >= 0 && u < 1).toBe(true);
      const k = r.int(7);
      expect(Number.isInteger(k) && k >= 0 && k < 7).toBe(true);
    }
    expect(r.shuffle([...Array(20).keys()]).sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
    const u = randomUniform([200], r, { lo: 2, hi: 3 }).toArray();
    expect(u.every((v) => v >= 2 && v < 3)).toBe(true);
  });

  it('random creators validate dtype, shape and parameters', () => {
    expect(() => randomNormal([2], new Random(1), { dtype: bad<DType>('int8') })).toThrow(DTypeError);
    expect(() => randomUniform([2], new Random(1), { dtype: bad<DType>('int8') })).toThrow(DTypeError);
    expect(() => randomNormal([2, 2, 2], new Random(1))).toThrow(ShapeError);
    expect(() => randomNormal([2], new Random(1), { std: NaN })).toThrow(OptionError);
    expect(() => randomUniform([2], new Random(1), { hi: Infinity })).toThrow(OptionError);
  });

  it('a shape too large to allocate is a ShapeError, not a RangeError from the engine', () => {
    expect(() => zeros([1e9, 1e9])).toThrow(ShapeError);
    expect(() => zeros([1e9, 1e9])).toThrow(/^allocate: cannot hold 1000000000000000000 float64 elements/);
    expect(() => randomNormal([2 ** 26, 2 ** 26], new Random(1), { dtype: 'float32' })).toThrow(ShapeError);
  });
});
