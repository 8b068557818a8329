/**
 * maxPool2d: 2×2 max pooling, stride 2, of channels-last image rows x [N, H·W·C] (the layout of
 * conv2d, src/ops/conv2d.ts), H and W even: y [N, (H/2)·(W/2)·C],
 *
 *   y[n, i, j, c] = max over the window's taps (u, v) ∈ {0,1}² of x[n, 2i + u, 2j + v, c].
 *
 * Tie rule: the taps are ordered top-left, top-right, bottom-left, bottom-right, and the first
 * tap holding the maximum is the window's winner. The VJP sends the whole cotangent to the winner:
 *
 *   dx[n, 2i + u, 2j + v, c] = dy[n, i, j, c] if (u, v) is the winner of its window, else 0.
 *
 * Away from ties this is the derivative (the max is locally the winner's value); at a tie it is
 * one of the one-sided derivatives — the one a perturbation raising the winner picks — and a
 * valid subgradient, and it is the same rule the forward uses, so the gradient always flows
 * to the element y copied (PyTorch's max_pool2d also picks the first maximum). Windows do not
 * overlap, so each x element receives from at most one window.
 *
 * On the backend: the windows are gathered (takeRows over single elements) into an
 * [N·(H/2)·(W/2)·C, 4] matrix W̃; the winners are argmaxRows(W̃) (its first maximum: the tie rule)
 * and y is W̃ at the winners (gatherColumns: the maximum, copied); the VJP puts dy at the winners,
 * kept from the forward, with scatterColumns and adds it back with scatterAddRows.
 * Derivation: docs/ops.md#maxpool2d
 */
import { ShapeError } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { expectRank } from './_shapes.js';
import { expectImageSize, imageChannels, windowIndex } from './_images.js';
import { defineOp } from './op.js';

/** The geometry of `maxPool2d`. */
export interface MaxPool2dOptions {
  /** Image height H (even). */
  height: number;
  /** Image width W (even). */
  width: number;
}

/** The gather index of the 2×2 windows: taps of one (image, window, channel) are consecutive. */
function poolIndex(x: Tensor, height: number, width: number): Int32Array {
  const c = x.shape[1] / (height * width);
  return windowIndex(x.shape[0], height, width, height / 2, width / 2, 2, 2, 0, c);
}

/** W̃: the windows as rows [N·(H/2)·(W/2)·C, 4], taps in the tie rule's order. */
function windows(be: Tensor['backend'], x: Tensor, index: Int32Array): Tensor {
  return be.reshape(be.takeRows(be.reshape(x, [x.size, 1]), index), [index.length / 4, 4]);
}

/** Each window's winner (its tap 0…3) by the forward's output y, for the VJP. */
const winners = new WeakMap<Tensor, Int32Array>();

export const maxPool2dOp = defineOp<'x', MaxPool2dOptions>({
  name: 'maxPool2d',
  summary: 'y = 2×2 max pooling, stride 2, of channels-last rows [N, H·W·C] (ties: the first tap)',
  docs: 'docs/ops.md#maxpool2d',
  inputs: ['x'],
  domain: [
    {
      name: '4×4, 1 channel',
      inputs: { x: { shape: ['n', 16], distinctInRows: true, gap: 0.02 } },
      attrs: { height: { kind: 'const', value: 4 }, width: { kind: 'const', value: 4 } },
    },
    {
      name: '2×4, 3 channels',
      inputs: { x: { shape: ['n', 24], distinctInRows: true, gap: 0.02 } },
      attrs: { height: { kind: 'const', value: 2 }, width: { kind: 'const', value: 4 } },
    },
  ],
  validate({ x }, { height, width }) {
    expectRank('maxPool2d', 'x', x, 2);
    expectImageSize('maxPool2d', height, width);
    if (height % 2 !== 0 || width % 2 !== 0) {
      throw new ShapeError(`maxPool2d: ${height}×${width} images do not tile into 2×2 windows (height and width must be even)`);
    }
    imageChannels('maxPool2d', x, height, width);
  },
  forward: (be, { x }, { height, width }) => {
    const w = windows(be, x, poolIndex(x, height, width));
    const winner = be.argmaxRows(w);
    const y = be.reshape(be.gatherColumns(w, winner), [x.shape[0], x.shape[1] / 4]); // the max, copied
    winners.set(y, winner);
    return y;
  },
  vjp: (be, { x }, y, dy, { height, width }) => ({
    x: () => {
      const index = poolIndex(x, height, width);
      const winner = winners.get(y) ?? be.argmaxRows(windows(be, x, index));
      const routed = be.scatterColumns(be.fill([winner.length, 4], 0, x.dtype), winner, be.reshape(dy, [winner.length]));
      return be.reshape(be.scatterAddRows(be.reshape(routed, [index.length, 1]), index, x.size), x.shape);
    },
  }),
});

/** 2×2 max pooling, stride 2, of channels-last images x [N, H·W·C] (H, W even): [N, (H/2)·(W/2)·C]. */
export function maxPool2d(x: Tensor, options: MaxPool2dOptions): Tensor {
  return maxPool2dOp.apply({ x }, { height: options.height, width: options.width });
}
