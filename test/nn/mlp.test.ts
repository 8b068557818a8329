/** MLP: parameter layout, deterministic init, train/eval modes and end-to-end gradients. */
import { describe, expect, it } from 'vitest';
import { MLP } from '../../src/nn/mlp.js';
import { valueAndGradParams } from '../../src/nn/params.js';
import { mul } from '../../src/ops/mul.js';
import { sum } from '../../src/ops/sum.js';
import { gradcheck } from '../../src/tape/gradcheck.js';
import { randomNormal } from '../../src/tensor/create.js';
import { OptionError } from '../../src/tensor/errors.js';
import { Random } from '../../src/tensor/random.js';
import type { Tensor } from '../../src/tensor/tensor.js';

describe('MLP', () => {
  const net = new MLP({ inFeatures: 4, hidden: [5, 3], embedding: 2 });

  it('names parameters and state by layer', () => {
    const { params, state } = net.init(new Random(1));
    expect(Object.fromEntries(Object.entries(params).map(([k, t]) => [k, t.shape]))).toEqual({
      'fc0.w': [5, 4], 'fc0.b': [5], 'act0.alpha': [5],
      'fc1.w': [3, 5], 'fc1.b': [3], 'act1.alpha': [3],
      'fc2.w': [2, 3], 'fc2.b': [2],
      'bn.gamma': [2], 'bn.beta': [2],
    });
    expect(Object.keys(state)).toEqual(['bn.mean', 'bn.var']);
  });

  it('is deterministic in the seed', () => {
    const a = net.init(new Random(1)).params;
    const b = net.init(new Random(1)).params;
    for (const k of Object.keys(a)) expect(a[k].toArray()).toEqual(b[k].toArray());
    expect(net.init(new Random(2)).params['fc0.w'].toArray()).not.toEqual(a['fc0.w'].toArray());
  });

  it('updates batch-norm state in training only', () => {
    const { params, state } = net.init(new Random(1));
    const x = randomNormal([6, 4], new Random(2));
    const train = net.apply(params, x, { training: true, state });
    expect(train.y.shape).toEqual([6, 2]);
    expect(train.state['bn.mean'].toArray()).not.toEqual(state['bn.mean'].toArray());
    const evalOut = net.apply(params, x, { state });
    expect(evalOut.state['bn.mean']).toBe(state['bn.mean']);
    expect(evalOut.y.toArray()).not.toEqual(train.y.toArray());
  });

  it('relu without batch norm has no slopes and no state', () => {
    const plain = new MLP({ inFeatures: 4, hidden: [3], embedding: 2, activation: 'relu', batchNorm: false });
    const v = plain.init(new Random(0));
    expect(Object.keys(v.params)).toEqual(['fc0.w', 'fc0.b', 'fc1.w', 'fc1.b']);
    expect(v.state).toEqual({});
  });

  it('gradients w.r.t. every parameter agree with finite differences', () => {
    const { params, state } = net.init(new Random(3));
    const x = randomNormal([5, 4], new Random(4));
    const readout = randomNormal([5, 2], new Random(6));
    const names = Object.keys(params);
    const f = (...xs: Tensor[]) =>
      sum(mul(net.apply(Object.fromEntries(names.map((n, i) => [n, xs[i]])), x, { training: true, state }).y, readout));
    const check = gradcheck(f, names.map((n) => params[n]), { directions: 4, seed: 1 });
    expect(check.inputs.filter((r) => !r.ok).map((r) => names[r.index])).toEqual([]);
    const { grads } = valueAndGradParams((p) => f(...names.map((n) => p[n])))(params);
    expect(Object.keys(grads)).toEqual(names);
  });

  it('rejects bad configuration', () => {
    expect(() => new MLP({ inFeatures: 4, hidden: [0], embedding: 2 })).toThrow(OptionError);
    expect(() => new MLP({ inFeatures: 4, hidden: [], embedding: 2, activation: 'tanh' as 'relu' })).toThrow(OptionError);
  });
});
