/** ConvNet: parameter layout, train/eval modes, end-to-end gradients, and its per-channel layers. */
import { describe, expect, it } from 'vitest';
import { BatchNorm1d } from '../../src/nn/batch-norm.js';
import { PerChannel } from '../../src/nn/conv.js';
import { ConvNet } from '../../src/nn/convnet.js';
import { mul } from '../../src/ops/mul.js';
import { reshape } from '../../src/ops/reshape.js';
import { sum } from '../../src/ops/sum.js';
import { gradcheck } from '../../src/tape/gradcheck.js';
import { randomNormal } from '../../src/tensor/create.js';
import { OptionError } from '../../src/tensor/errors.js';
import { Random } from '../../src/tensor/random.js';
import type { Tensor } from '../../src/tensor/tensor.js';

describe('ConvNet', () => {
  // 4×4 grayscale images, stages of 2 then 3 channels: 4×4 → 2×2 → 1×1, then 3 → 2.
  const net = new ConvNet({ height: 4, width: 4, widths: [2, 3], embedding: 2 });

  it('names parameters and state by layer, with the shapes the layout gives', () => {
    const { params, state } = net.init(new Random(1));
    expect(Object.fromEntries(Object.entries(params).map(([k, t]) => [k, t.shape]))).toEqual({
      'conv0.w': [2, 9], 'bn0.gamma': [2], 'bn0.beta': [2], 'act0.alpha': [2],
      'conv1.w': [3, 18], 'bn1.gamma': [3], 'bn1.beta': [3], 'act1.alpha': [3],
      'fc.w': [2, 3], 'fc.b': [2], 'bn.gamma': [2], 'bn.beta': [2],
    });
    expect(Object.keys(state)).toEqual(['bn0.mean', 'bn0.var', 'bn1.mean', 'bn1.var', 'bn.mean', 'bn.var']);
  });

  it('maps [N, H·W] images to [N, embedding] and updates batch-norm state in training only', () => {
    const { params, state } = net.init(new Random(1));
    const x = randomNormal([5, 16], new Random(2));
    const train = net.apply(params, x, { training: true, state });
    expect(train.y.shape).toEqual([5, 2]);
    expect(train.state['bn0.mean'].toArray()).not.toEqual(state['bn0.mean'].toArray());
    const evalOut = net.apply(params, x, { state });
    expect(evalOut.state['bn0.mean']).toBe(state['bn0.mean']);
    expect(evalOut.y.toArray()).not.toEqual(train.y.toArray());
  });

  it('gradients w.r.t. every parameter agree with finite differences', () => {
    const { params, state } = net.init(new Random(3));
    const x = randomNormal([4, 16], new Random(4));
    const readout = randomNormal([4, 2], new Random(6));
    const names = Object.keys(params);
    const f = (...xs: Tensor[]) =>
      sum(mul(net.apply(Object.fromEntries(names.map((n, i) => [n, xs[i]])), x, { training: true, state }).y, readout));
    const check = gradcheck(f, names.map((n) => params[n]), { directions: 4, seed: 1 });
    expect(check.inputs.filter((r) => !r.ok).map((r) => names[r.index])).toEqual([]);
  });

  it('rejects image sizes the stages cannot halve, and empty widths', () => {
    expect(() => new ConvNet({ height: 6, width: 8, widths: [2, 3], embedding: 2 })).toThrow(/multiples of 4/);
    expect(() => new ConvNet({ height: 4, width: 4, widths: [], embedding: 2 })).toThrow(OptionError);
    expect(() => new ConvNet({ height: 4, width: 4, widths: [2], embedding: 2, kernel: 2 })).toThrow(OptionError);
  });
});

describe('PerChannel', () => {
  it('batch-normalizes each channel over every pixel of every image (BatchNorm2d)', () => {
    const bn = new PerChannel(3, new BatchNorm1d(3));
    const v = bn.init(new Random(0));
    const x = randomNormal([2, 4 * 3], new Random(1)); // 2 images of 2×2 pixels, 3 channels
    const { y } = bn.apply(v.params, x, { training: true, state: v.state });
    const pixels = reshape(y, [8, 3]).toNested() as number[][];
    for (let c = 0; c < 3; c++) {
      const col = pixels.map((r) => r[c]);
      const mean = col.reduce((a, b) => a + b, 0) / col.length;
      expect(Math.abs(mean)).toBeLessThan(1e-12);
      expect(col.reduce((a, b) => a + (b - mean) ** 2, 0) / col.length).toBeCloseTo(1, 4); // 1 − ε/σ²
    }
  });
});
