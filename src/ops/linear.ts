/**
 * linear: y = x·Wᵀ + b, the fully connected layer (x: N×d, W: C×d, b: C).
 *
 *   dx = dy·W,   dW = dyᵀ·x,   db = Σ_rows dy
 *
 * from dL = ⟨dy, dx·Wᵀ + x·dWᵀ + 1·dbᵀ⟩. Plain softmax's logits are linear(x, W, b).
 * Derivation: docs/ops.md#linear
 */
import { ShapeError, formatShape } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { expectRank } from './_shapes.js';
import { defineOp } from './op.js';

export const linearOp = defineOp<'x' | 'w' | 'b'>({
  name: 'linear',
  summary: 'y = x·Wᵀ + b',
  docs: 'docs/ops.md#linear',
  inputs: ['x', 'w', 'b'],
  domain: [{ name: 'layer', inputs: { x: { shape: ['n', 'd'] }, w: { shape: ['c', 'd'] }, b: { shape: ['c'] } } }],
  validate({ x, w, b }) {
    expectRank('linear', 'x', x, 2);
    expectRank('linear', 'w', w, 2);
    expectRank('linear', 'b', b, 1);
    if (x.shape[1] !== w.shape[1] || b.shape[0] !== w.shape[0]) {
      throw new ShapeError(
        `linear: x is ${formatShape(x.shape)}, W is ${formatShape(w.shape)}, b is ${formatShape(b.shape)}; ` +
          'need x [N,d], W [C,d], b [C]',
      );
    }
  },
  forward: (be, { x, w, b }) => be.binary('add', be.matmul(x, w, false, true), b),
  vjp: (be, { x, w }, _y, dy) => ({
    x: () => be.matmul(dy, w, false, false),
    w: () => be.matmul(dy, x, true, false),
    b: () => be.sum(dy, 0),
  }),
});

/** y = x·Wᵀ + b (x: N×d, W: C×d, b: C). */
export function linear(x: Tensor, w: Tensor, b: Tensor): Tensor {
  return linearOp.apply({ x, w, b }, {});
}
