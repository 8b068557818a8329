/** Linear, ReLU, PReLU and BatchNorm1d: values, state handling, gradients and input checks. */
import { describe, expect, it } from 'vitest';
import { PReLU, ReLU } from '../../src/nn/activation.js';
import { BatchNorm1d } from '../../src/nn/batch-norm.js';
import { constant } from '../../src/nn/init.js';
import { Linear } from '../../src/nn/linear.js';
import { countParams, valueAndGradParams } from '../../src/nn/params.js';
import { sum } from '../../src/ops/sum.js';
import { mul } from '../../src/ops/mul.js';
import { gradcheck } from '../../src/tape/gradcheck.js';
import { randomNormal, tensor } from '../../src/tensor/create.js';
import { OptionError, ShapeError } from '../../src/tensor/errors.js';
import { Random } from '../../src/tensor/random.js';
import type { Tensor } from '../../src/tensor/tensor.js';

const close = (a: number[], b: number[], tol = 1e-12) => a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThan(tol));

describe('Linear', () => {
  const layer = new Linear(2, 3);
  const params = { w: tensor([[1, 0], [0, 1], [1, 1]]), b: tensor([0.5, -0.5, 0]) };

  it('computes x·Wᵀ + b', () => {
    expect(layer.apply(params, tensor([[2, 3]])).y.toNested()).toEqual([[2.5, 2.5, 5]]);
  });

  it('without bias has only w', () => {
    const noBias = new Linear(2, 3, { bias: false });
    const v = noBias.init(new Random(0));
    expect(Object.keys(v.params)).toEqual(['w']);
    expect(noBias.apply({ w: params.w }, tensor([[2, 3]])).y.toNested()).toEqual([[2, 3, 5]]);
  });

  it('initializes w [out, in] from the seed and b to zeros', () => {
    const v = layer.init(new Random(9));
    expect(v.params.w.shape).toEqual([3, 2]);
    expect(v.params.b.toArray()).toEqual([0, 0, 0]);
    expect(v.params.w.toArray()).toEqual(layer.init(new Random(9)).params.w.toArray());
    expect(countParams(v.params)).toBe(9);
  });

  it('names the missing or misshapen parameter', () => {
    expect(() => layer.apply({ w: params.w }, tensor([[2, 3]]))).toThrow(/missing 'b'/);
    expect(() => layer.apply({ ...params, w: tensor([[1, 2]]) }, tensor([[2, 3]]))).toThrow(ShapeError);
    expect(() => new Linear(0, 2)).toThrow(OptionError);
  });

  it('has gradients w.r.t. its params record', () => {
    const x = tensor([[2, 3], [1, -1]]);
    const { grads } = valueAndGradParams((p) => sum(layer.apply(p, x).y))(params);
    expect(grads.w.toNested()).toEqual([[3, 2], [3, 2], [3, 2]]);
    expect(grads.b.toArray()).toEqual([2, 2, 2]);
  });
});

describe('activations', () => {
  it('ReLU has no parameters', () => {
    const r = new ReLU();
    expect(r.init(new Random(0))).toEqual({ params: {}, state: {} });
    expect(r.apply({}, tensor([[-1, 2]])).y.toArray()).toEqual([0, 2]);
  });

  it('PReLU starts at slope 0.25 and checks its slope count', () => {
    const p = new PReLU(2);
    const { params } = p.init(new Random(0));
    expect(params.alpha.toArray()).toEqual([0.25, 0.25]);
    expect(p.apply(params, tensor([[-4, 4]])).y.toArray()).toEqual([-1, 4]);
    expect(new PReLU(1, { init: constant(0.5) }).apply({ alpha: tensor([0.5]) }, tensor([[-4, 4]])).y.toArray()).toEqual([-2, 4]);
    expect(() => p.apply({ alpha: tensor([1]) }, tensor([[-4, 4]]))).toThrow(ShapeError);
  });
});

describe('BatchNorm1d', () => {
  const x = tensor([[1, 10], [2, 20], [6, 60]]); // column means 3, 30; biased variances 14/3, 1400/3
  const bn = new BatchNorm1d(2);
  const { params, state } = bn.init(new Random(0));

  it('normalizes each column with batch statistics in training', () => {
    const { y } = bn.apply(params, x, { training: true, state });
    const cols = [0, 1].map((j) => (y.toNested() as number[][]).map((r) => r[j]));
    cols.forEach((c, j) => {
      const m = c.reduce((a, b) => a + b, 0) / 3;
      const v = c.reduce((a, b) => a + (b - m) ** 2, 0) / 3;
      const batchVar = [14 / 3, 1400 / 3][j];
      expect(Math.abs(m)).toBeLessThan(1e-12);
      expect(Math.abs(v - batchVar / (batchVar + 1e-5))).toBeLessThan(1e-12); // ε shrinks it a little
    });
  });

  it('updates running statistics with PyTorch momentum and the unbiased variance', () => {
    const { state: next } = bn.apply(params, x, { training: true, state });
    close(next.mean.toArray(), [0.1 * 3, 0.1 * 30]);
    close(next.var.toArray(), [0.9 + 0.1 * 7, 0.9 + 0.1 * 700], 1e-10); // unbiased: 14/2, 1400/2
    expect(state.mean.toArray()).toEqual([0, 0]); // the input state is untouched
  });

  it('uses running statistics in eval and returns the state unchanged', () => {
    const running = { mean: tensor([1, 2]), var: tensor([4, 9]) };
    const gb = { gamma: tensor([2, 1]), beta: tensor([0, 1]) };
    const out = bn.apply(gb, tensor([[3, 8]]), { state: running });
    close(out.y.toArray(), [(2 * 2) / Math.sqrt(4 + 1e-5), 6 / Math.sqrt(9 + 1e-5) + 1]);
    expect(out.state).toBe(running);
  });

  it('without affine has no params', () => {
    const plain = new BatchNorm1d(2, { affine: false });
    expect(plain.init(new Random(0)).params).toEqual({});
    expect(plain.apply({}, x, { training: true, state }).y.shape).toEqual([3, 2]);
  });

  it('gradient (through the batch statistics) agrees with finite differences', () => {
    const rng = new Random(5);
    const xs = randomNormal([5, 3], rng);
    const gamma = randomNormal([3], rng);
    const beta = randomNormal([3], rng);
    const weights = randomNormal([5, 3], rng); // a non-symmetric readout: Σ y is constant in x
    const norm = new BatchNorm1d(3);
    const st = norm.init(rng).state;
    const f = (a: Tensor, g: Tensor, b: Tensor) => sum(mul(norm.apply({ gamma: g, beta: b }, a, { training: true, state: st }).y, weights));
    const check = gradcheck(f, [xs, gamma, beta]);
    expect(check.inputs.map((r) => r.ok)).toEqual([true, true, true]);
  });

  it('rejects one-row training batches, missing state and bad options', () => {
    expect(() => bn.apply(params, tensor([[1, 2]]), { training: true, state })).toThrow(/at least 2 rows/);
    expect(() => bn.apply(params, x, { training: true })).toThrow(ShapeError);
    expect(() => bn.apply(params, tensor([[1, 2, 3]]), { state })).toThrow(ShapeError);
    expect(() => new BatchNorm1d(2, { momentum: 1.5 })).toThrow(OptionError);
    expect(() => new BatchNorm1d(2, { eps: 0 })).toThrow(OptionError);
  });
});
