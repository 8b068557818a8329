/**
 * The public gradcheck: passes correct gradients, reports wrong ones (which input, how wrong),
 * in elementwise and random-direction modes, for scalar and non-scalar outputs.
 */
import { describe, expect, it } from 'vitest';
import { gradcheck } from '../../src/tape/gradcheck.js';
import { defineOp } from '../../src/ops/op.js';
import { exp, l2Normalize, matmul, mul, sum, square } from '../../src/ops/index.js';
import { tensor } from '../../src/tensor/create.js';
import { OptionError } from '../../src/tensor/errors.js';
import type { Tensor } from '../../src/tensor/tensor.js';

/** y = a ⊙ b with a VJP that is right for a and 1.5× too large for b. */
const wrongForB = defineOp<'a' | 'b'>({
  name: 'wrongForB',
  summary: 'a ⊙ b with a wrong gradient for b',
  docs: 'docs/ops.md#wrongforb',
  inputs: ['a', 'b'],
  domain: [],
  forward: (be, { a, b }) => be.binary('mul', a, b),
  vjp: (be, { a, b }, _y, dy) => ({
    a: () => be.binary('mul', dy, b),
    b: () => be.affine(be.binary('mul', dy, a), 1.5, 0),
  }),
});
const wrong = (a: Tensor, b: Tensor) => wrongForB.apply({ a, b }, {});

const a = tensor([[0.5, -1, 2], [1.5, 0.3, -0.7]]);
const b = tensor([[1, 2, -0.5], [0.25, -2, 1]]);

describe('gradcheck', () => {
  it('passes correct gradients of scalar functions, checking every element by default', () => {
    const r = gradcheck((x, y) => sum(mul(exp(x), square(y))), [a, b]);
    expect(r.ok).toBe(true);
    expect(r.inputs.map((i) => [i.index, i.checked, i.ok])).toEqual([[0, 6, true], [1, 6, true]]);
    for (const i of r.inputs) expect(i.maxRelError).toBeLessThan(1e-7);
  });

  it('passes correct gradients of non-scalar functions (random cotangent)', () => {
    const r = gradcheck((x, y) => matmul(l2Normalize(x), y, { transB: true }), [a, b]);
    expect(r.ok).toBe(true);
  });

  it('reports a wrong VJP: ok false, the input index, and errors of the right size', () => {
    const r = gradcheck((x, y) => sum(wrong(x, y)), [a, b]);
    expect(r.ok).toBe(false);
    const [ra, rb] = r.inputs;
    expect([ra.index, ra.ok]).toEqual([0, true]);
    expect([rb.index, rb.ok]).toEqual([1, false]);
    expect(rb.shape).toEqual([2, 3]);
    // analytic = 1.5·numeric everywhere, so the relative error is 0.5/1.5 = 1/3.
    expect(rb.maxRelError).toBeCloseTo(1 / 3, 6);
    expect(rb.worst.analytic).toBeCloseTo(1.5 * rb.worst.numeric, 6);
    expect(rb.maxAbsError).toBeCloseTo(0.5 * 2, 6); // the largest |a| is 2
    expect(rb.worst.direction).toBe(2); // element [0, 2], where a = 2
  });

  it('reports a wrong VJP of a non-scalar function', () => {
    const r = gradcheck((x, y) => wrong(x, y), [a, b]);
    expect(r.ok).toBe(false);
    expect(r.inputs.map((i) => i.ok)).toEqual([true, false]);
  });

  it('directions mode checks the given number of random directions', () => {
    const good = gradcheck((x, y) => sum(mul(exp(x), square(y))), [a, b], { directions: 4, seed: 3 });
    expect(good.ok).toBe(true);
    expect(good.inputs.map((i) => i.checked)).toEqual([4, 4]);
    const bad = gradcheck((x, y) => sum(wrong(x, y)), [a, b], { directions: 2 });
    expect(bad.inputs.map((i) => i.ok)).toEqual([true, false]);
  });

  it('checks float32 inputs in float64', () => {
    const r = gradcheck((x) => sum(square(x)), [tensor([0.1, 0.2], [2], { dtype: 'float32' })]);
    expect(r.ok).toBe(true);
  });

  it('rejects bad options with OptionError', () => {
    const f = (x: Tensor) => sum(x);
    expect(() => gradcheck(f, [a], { eps: 0 })).toThrow(OptionError);
    expect(() => gradcheck(f, [a], { directions: 0 })).toThrow(OptionError);
    expect(() => gradcheck(f, [a], { directions: 1.5 })).toThrow(OptionError);
  });
});
