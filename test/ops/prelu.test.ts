/** prelu's values and shape checks (its gradient is checked by the generated gradcheck suite). */
import { describe, expect, it } from 'vitest';
import { prelu } from '../../src/ops/prelu.js';
import { tensor } from '../../src/tensor/create.js';
import { ShapeError } from '../../src/tensor/errors.js';
import { valueAndGrad } from '../../src/tape/grad.js';
import { sum } from '../../src/ops/sum.js';

describe('prelu', () => {
  const x = tensor([[1, -2], [-3, 4]]);

  it('keeps positives and scales negatives by the column slope', () => {
    expect(prelu(x, tensor([0.5, 0.25])).toNested()).toEqual([[1, -0.5], [-1.5, 4]]);
  });

  it('shares a single slope across columns', () => {
    expect(prelu(x, tensor([0.1])).toArray()).toEqual([1, -0.2, -0.30000000000000004, 4]);
  });

  it('is relu for α = 0 and the identity for α = 1', () => {
    expect(prelu(x, tensor([0, 0])).toArray().map((v) => v + 0)).toEqual([1, 0, 0, 4]); // α·x is −0 for x < 0
    expect(prelu(x, tensor([1, 1])).toArray()).toEqual(x.toArray());
  });

  it('gives dα = Σ of the negative inputs per column for dy = 1', () => {
    const { grads } = valueAndGrad((a, s) => sum(prelu(a, s)))(x, tensor([0.5, 0.25]));
    expect(grads[0].toArray()).toEqual([1, 0.25, 0.5, 1]);
    expect(grads[1].toArray()).toEqual([-3, -2]);
  });

  it('rejects a slope vector of the wrong length', () => {
    expect(() => prelu(x, tensor([1, 2, 3]))).toThrow(ShapeError);
    expect(() => prelu(tensor([1, 2]), tensor([1, 2]))).toThrow(ShapeError);
  });
});
