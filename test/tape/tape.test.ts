/**
 * The reverse-mode tape: one reverse walk (no recursion), fan-out accumulation, zero gradients
 * for inputs that do not reach the output, constants kept off the tape, gradient surgery, the
 * functional API's misuse errors, nesting, and the per-gradient shape check.
 */
import { describe, expect, it } from 'vitest';
import { tensor, scalar } from '../../src/tensor/create.js';
import { DomainError, ShapeError, TapeError } from '../../src/tensor/errors.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { Tape, recordOn } from '../../src/tape/tape.js';
import { grad, valueAndGrad, vjp } from '../../src/tape/grad.js';
import { stopGradient, straightThrough } from '../../src/tape/surgery.js';
import { defineOp } from '../../src/ops/op.js';
import { add, exp, matmul, mul, neg, scale, sin, sqrt, sum, square } from '../../src/ops/index.js';

const close = (t: Tensor, expected: number[], digits = 12) =>
  t.toArray().forEach((v, i) => expect(v).toBeCloseTo(expected[i], digits));

describe('backward', () => {
  it('walks a chain of 100,000 ops without recursion', () => {
    const f = (x: Tensor) => {
      let y = x;
      for (let i = 0; i < 100_000; i++) y = neg(y);
      return y;
    };
    const { value, grads } = valueAndGrad(f)(scalar(3));
    expect(value.item()).toBe(3); // an even number of negations
    expect(grads[0].item()).toBe(1);
  });

  it('accumulates fan-out: x·x via mul(x, x) has gradient 2x', () => {
    const [g] = grad((x) => sum(mul(x, x)))(tensor([1, -2, 0.5]));
    expect(g.toArray()).toEqual([2, -4, 1]);
  });

  it('accumulates a tensor used in three branches', () => {
    const xs = [0.3, -1.2, 2];
    const f = (x: Tensor) => sum(add(add(scale(x, 2), exp(x)), sin(x)));
    const [g] = grad(f)(tensor(xs));
    close(g, xs.map((x) => 2 + Math.exp(x) + Math.cos(x)));
  });

  it('gives zero gradients, of their shapes, to inputs that do not reach the output', () => {
    const f = (x: Tensor, unused: Tensor, constOnly: Tensor) => {
      square(constOnly); // computed and recorded, but does not lead to the output
      return sum(square(x));
    };
    const { grads } = valueAndGrad(f)(tensor([1, 2]), tensor([[1, 2, 3]]), scalar(4));
    expect(grads[0].toArray()).toEqual([2, 4]);
    expect(grads[1].shape).toEqual([1, 3]);
    expect(grads[1].toArray()).toEqual([0, 0, 0]);
    expect(grads[2].shape).toEqual([]);
    expect(grads[2].item()).toBe(0);
  });

  it('gives zero gradients when the output does not depend on any input', () => {
    const { value, grads } = valueAndGrad((_x: Tensor) => sum(tensor([1, 2])))(tensor([[5, 6]]));
    expect(value.item()).toBe(3);
    expect(grads[0].shape).toEqual([1, 2]);
    expect(grads[0].toArray()).toEqual([0, 0]);
  });

  it('records only ops that depend on a watched tensor', () => {
    const tape = new Tape();
    const x = tensor([1, 2]);
    const c = tensor([3, 4]);
    tape.watch(x);
    recordOn(tape, () => {
      const k = add(c, c); // constants only: not recorded
      expect(tape.isWatched(k)).toBe(false);
      const y = mul(x, k); // depends on x: recorded
      expect(tape.isWatched(y)).toBe(true);
    });
    expect(tape.nodes.map((n) => n.op)).toEqual(['mul']);
    add(x, x); // outside recordOn: not recorded
    expect(tape.nodes).toHaveLength(1);
  });

  it('reports a VJP that returns a wrong shape, naming the op and the input', () => {
    const badOp = defineOp<'x'>({
      name: 'badVjp',
      summary: 'identity with a broken VJP',
      docs: 'docs/ops.md#badvjp',
      inputs: ['x'],
      domain: [],
      forward: (be, { x }) => be.affine(x, 1, 0),
      vjp: (be, _x, _y, dy) => ({ x: () => be.sum(dy) }), // a scalar instead of x's shape
    });
    const f = (x: Tensor) => sum(badOp.apply({ x }, {}));
    expect(() => grad(f)(tensor([1, 2, 3]))).toThrow(ShapeError);
    expect(() => grad(f)(tensor([1, 2, 3]))).toThrow(/badVjp: the gradient of input 'x' has shape \[\],.*\[3\]/);
  });

  it('reports a non-finite gradient naming the op (sqrt at 0)', () => {
    expect(() => grad((x) => sum(sqrt(x)))(tensor([0, 1]))).toThrow(DomainError);
    expect(() => grad((x) => sum(sqrt(x)))(tensor([0, 1]))).toThrow(/sqrt: the gradient of input 'x'/);
  });
});

describe('gradient surgery', () => {
  it('stopGradient blocks: d/dx Σ x·stop(x) = x, not 2x', () => {
    const [g] = grad((x) => sum(mul(x, stopGradient(x))))(tensor([1, -3]));
    expect(g.toArray()).toEqual([1, -3]);
  });

  it('stopGradient of the whole output gives zero gradients', () => {
    const [g] = grad((x) => stopGradient(sum(square(x))))(tensor([1, 2]));
    expect(g.toArray()).toEqual([0, 0]);
  });

  it('straightThrough: the value of `value`, dy to `through`, nothing to `value`', () => {
    const k = tensor([2, 3]);
    const f = (value: Tensor, through: Tensor) => sum(mul(straightThrough(square(value), through), k));
    const { value, grads } = valueAndGrad(f)(tensor([1, 2]), tensor([10, 20]));
    expect(value.item()).toBe(1 * 2 + 4 * 3);
    expect(grads[0].toArray()).toEqual([0, 0]);
    expect(grads[1].toArray()).toEqual([2, 3]);
  });

  it('straightThrough rejects shapes that differ', () => {
    expect(() => straightThrough(tensor([1, 2]), tensor([[1, 2]]))).toThrow(ShapeError);
  });
});

describe('functional API', () => {
  it('valueAndGrad on a non-scalar output throws TapeError', () => {
    expect(() => valueAndGrad((x) => square(x))(tensor([1, 2]))).toThrow(TapeError);
    expect(() => valueAndGrad((x) => square(x))(tensor([1, 2]))).toThrow(/scalar.*\[2\]/);
  });

  it('accepts a [1]-shaped output as a scalar', () => {
    const { grads } = valueAndGrad((x) => square(x))(tensor([3]));
    expect(grads[0].toArray()).toEqual([6]);
  });

  it('rejects non-tensor arguments and results with TapeError', () => {
    expect(() => valueAndGrad((x) => x)([1, 2] as unknown as Tensor)).toThrow(TapeError);
    expect(() => valueAndGrad(() => 3 as unknown as Tensor)(scalar(1))).toThrow(TapeError);
  });

  it('vjp pulls back a cotangent of the output shape', () => {
    const a = tensor([[1, 2], [3, 4]]);
    const b = tensor([[5], [6]]);
    const dy = tensor([[1], [-1]]);
    const { value, grads } = vjp((a, b) => matmul(a, b), [a, b], dy);
    expect(value.toNested()).toEqual([[17], [39]]);
    expect(grads[0].toNested()).toEqual([[5, 6], [-5, -6]]); // dy·bᵀ
    expect(grads[1].toNested()).toEqual([[-2], [-2]]); // aᵀ·dy
  });

  it('vjp with a cotangent of the wrong shape throws ShapeError', () => {
    expect(() => vjp((x) => square(x), [tensor([1, 2])], tensor([1, 2, 3]))).toThrow(ShapeError);
    expect(() => vjp((x) => square(x), [tensor([1, 2])], tensor([[1, 2]]))).toThrow(/seed has shape \[1,2\].*\[2\]/);
  });

  it('nests: the outer tape differentiates through the inner value', () => {
    const inner = valueAndGrad((y: Tensor) => sum(square(y)));
    const outer = (x: Tensor) => scale(inner(x).value, 3); // 3·Σx²
    const [g] = grad(outer)(tensor([1, -2]));
    expect(g.toArray()).toEqual([6, -12]);
  });

  it('nests: inner gradients are constants to the outer tape (first derivatives only)', () => {
    const inner = grad((y: Tensor) => sum(square(y)));
    const outer = (x: Tensor) => sum(mul(inner(x)[0], x)); // Σ (2x)_stopped · x
    const [g] = grad(outer)(tensor([1, -2]));
    expect(g.toArray()).toEqual([2, -4]);
  });

  it('stops recording when the function throws', () => {
    const tape = new Tape();
    const x = tensor([1]);
    tape.watch(x);
    expect(() => recordOn(tape, () => { throw new Error('boom'); })).toThrow('boom');
    square(x);
    expect(tape.nodes).toHaveLength(0);
  });
});
