/**
 * conv2d: a k×k convolution (cross-correlation, as every deep learning library computes it),
 * stride 1, zero padding 'same' (p = (k − 1)/2 on every side, k odd), no bias (add one after a
 * reshape to [N·H·W, F], or let a batch norm absorb it).
 *
 * Layout: tensors have rank ≤ 2, so an image batch is a matrix with one image per row in
 * channels-last order (NHWC flattened): x [N, H·W·C], x[n, (i·W + j)·C + c]. The kernel is
 * w [F, k·k·C], w[f, (u·k + v)·C + c]; the output is y [N, H·W·F], again channels-last, so conv
 * layers chain and a flatten is free. Channels-last is chosen because the gemm's output is already
 * in that order (one row per output pixel, one column per filter): no transpose per layer.
 * A one-channel image (C = 1) is the same in NCHW and NHWC.
 *
 *   y[n, i, j, f] = Σ_{u,v,c} x[n, i + u − p, j + v − p, c]·w[f, u, v, c]   (x = 0 outside the image)
 *
 * As a gemm (im2col): X̃ = gather(x) is [N·H·W, k·k·C], row (n, i, j) holding the k×k patch around
 * (i, j) (padding rows are zeros), and Y = X̃·wᵀ is [N·H·W, F] = y. So y is matmul ∘ gather, and
 * the VJP is the chain rule through both, with the matmul rules (docs/ops.md#matmul):
 *
 *   dw = dYᵀ·X̃                          [F, k·k·C]
 *   dX̃ = dY·w                           [N·H·W, k·k·C]
 *   dx = gatherᵀ(dX̃)   (col2im: every patch entry added back onto the pixel it was copied from;
 *                        the padding entries, copies of no pixel, are dropped)
 *
 * The gather and the scatter-add are the backend's takeRows and scatterAddRows over the C channels
 * of a pixel (index −1 = padding), and both products run on the backend's gemm.
 * Derivation: docs/ops.md#conv2d
 */
import { OptionError, ShapeError, formatShape } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { expectRank } from './_shapes.js';
import { imageChannels, expectImageSize, windowIndex } from './_images.js';
import { defineOp } from './op.js';

/** The geometry of `conv2d`. */
export interface Conv2dOptions {
  /** Image height H (rows of pixels). */
  height: number;
  /** Image width W. */
  width: number;
  /** Kernel size k (odd: 'same' padding is (k − 1)/2 on every side). */
  kernel: number;
}

/**
 * im2col's row index for takeRows over the [N·H·W, C] pixel rows: entry ((n·H + i)·W + j)·k² + u·k + v
 * is the pixel (i + u − p, j + v − p) of image n, or −1 where that lies in the padding.
 */
export function im2colIndex(n: number, height: number, width: number, kernel: number): Int32Array {
  return windowIndex(n, height, width, height, width, kernel, 1, (kernel - 1) / 2);
}

export const conv2dOp = defineOp<'x' | 'w', Conv2dOptions>({
  name: 'conv2d',
  summary: 'y = x ⋆ w: k×k convolution, stride 1, zero padding "same", channels-last rows [N, H·W·C]',
  docs: 'docs/ops.md#conv2d',
  inputs: ['x', 'w'],
  domain: [
    // H·W·C and k·k·C as literal widths: the attributes fix the geometry.
    {
      name: '3×3 on 4×3, 2 channels',
      inputs: { x: { shape: ['n', 24] }, w: { shape: ['f', 18] } },
      attrs: { height: { kind: 'const', value: 4 }, width: { kind: 'const', value: 3 }, kernel: { kind: 'const', value: 3 } },
    },
    {
      name: '1×1 on 2×2, 3 channels',
      inputs: { x: { shape: ['n', 12] }, w: { shape: ['f', 3] } },
      attrs: { height: { kind: 'const', value: 2 }, width: { kind: 'const', value: 2 }, kernel: { kind: 'const', value: 1 } },
    },
    {
      name: '5×5 on 2×3 (kernel larger than the image), 1 channel',
      inputs: { x: { shape: ['n', 6] }, w: { shape: ['f', 25] } },
      attrs: { height: { kind: 'const', value: 2 }, width: { kind: 'const', value: 3 }, kernel: { kind: 'const', value: 5 } },
    },
  ],
  validate({ x, w }, { height, width, kernel }) {
    expectRank('conv2d', 'x', x, 2);
    expectRank('conv2d', 'w', w, 2);
    expectImageSize('conv2d', height, width);
    if (!Number.isInteger(kernel) || kernel < 1 || kernel % 2 === 0) {
      throw new OptionError(`conv2d: kernel must be an odd integer ≥ 1 ('same' padding is (k − 1)/2), got ${String(kernel)}`);
    }
    const c = imageChannels('conv2d', x, height, width);
    if (w.shape[1] !== kernel * kernel * c) {
      throw new ShapeError(
        `conv2d: w is ${formatShape(w.shape)} but a ${kernel}×${kernel} kernel over ${c} channel${c === 1 ? '' : 's'} needs [F,${kernel * kernel * c}]`,
      );
    }
  },
  forward: (be, { x, w }, { height, width, kernel }) => {
    const n = x.shape[0];
    const cols = patches(be, x, height, width, kernel);
    const y = be.reshape(be.matmul(cols, w, false, true), [n, height * width * w.shape[0]]);
    forwardPatches.set(y, cols);
    return y;
  },
  vjp: (be, { x, w }, y, dy, { height, width, kernel }) => {
    const n = x.shape[0];
    const c = x.shape[1] / (height * width);
    const dY = be.reshape(dy, [n * height * width, w.shape[0]]);
    return {
      x: () => {
        const dCols = be.matmul(dY, w, false, false); // dX̃ = dY·w
        const index = im2colIndex(n, height, width, kernel);
        return be.reshape(be.scatterAddRows(be.reshape(dCols, [index.length, c]), index, n * height * width), x.shape);
      },
      w: () => be.matmul(dY, forwardPatches.get(y) ?? patches(be, x, height, width, kernel), true, false), // dw = dYᵀ·X̃
    };
  },
});

/**
 * The forward's X̃ by its output y, for the VJP's dw (the gather is as costly as the gemm at
 * small C): held as long as y is, which is as long as the tape can call the VJP.
 */
const forwardPatches = new WeakMap<Tensor, Tensor>();

/** X̃ = im2col(x): [N·H·W, k·k·C]. */
function patches(be: Tensor['backend'], x: Tensor, height: number, width: number, kernel: number): Tensor {
  const n = x.shape[0];
  const c = x.shape[1] / (height * width);
  const index = im2colIndex(n, height, width, kernel);
  return be.reshape(be.takeRows(be.reshape(x, [n * height * width, c]), index), [n * height * width, kernel * kernel * c]);
}

/**
 * The k×k convolution of channels-last images x [N, H·W·C] with filters w [F, k·k·C]: stride 1,
 * zero padding 'same', output [N, H·W·F] (channels-last; see the file header for the layout).
 */
export function conv2d(x: Tensor, w: Tensor, options: Conv2dOptions): Tensor {
  return conv2dOp.apply({ x, w }, { height: options.height, width: options.width, kernel: options.kernel });
}
