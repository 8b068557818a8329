/**
 * prelu: the parametric ReLU of face backbones (SphereFace, ArcFace's IR blocks), with a learned
 * negative slope α per feature column (α: [d]) or shared by all columns (α: [1]):
 *
 *   y_ij = x_ij          where x_ij > 0
 *   y_ij = α_j · x_ij    elsewhere
 *
 *   ∂y_ij/∂x_ij = [x_ij > 0] + α_j·[x_ij ≤ 0]   ⇒   dx = dy ⊙ (x > 0 ? 1 : α)
 *   ∂y_ij/∂α_j  = x_ij·[x_ij ≤ 0]                ⇒   dα_j = Σ_i dy_ij·x_ij·[x_ij ≤ 0]
 *
 * (dα of a shared α sums over every element.) At the kink x = 0 the slope on the left is used
 * for dx, and dα gets the x·… = 0 term, as PyTorch does. Derivation: docs/ops.md#prelu
 */
import { ShapeError, formatShape } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { expectRank } from './_shapes.js';
import { defineOp } from './op.js';

const awayFromKink = { awayFrom: [0], gap: 0.01 } as const;

export const preluOp = defineOp<'x' | 'alpha'>({
  name: 'prelu',
  summary: 'y = x > 0 ? x : α·x (α per column or shared)',
  docs: 'docs/ops.md#prelu',
  inputs: ['x', 'alpha'],
  domain: [
    { name: 'per column α [d]', inputs: { x: { shape: ['n', 'd'], ...awayFromKink }, alpha: { shape: ['d'], min: -1, max: 1 } } },
    { name: 'shared α [1]', inputs: { x: { shape: ['n', 'd'], ...awayFromKink }, alpha: { shape: [1], min: -1, max: 1 } } },
  ],
  validate({ x, alpha }) {
    expectRank('prelu', 'x', x, 2);
    expectRank('prelu', 'alpha', alpha, 1);
    if (alpha.shape[0] !== x.shape[1] && alpha.shape[0] !== 1) {
      throw new ShapeError(
        `prelu: x is ${formatShape(x.shape)} but alpha is ${formatShape(alpha.shape)}; ` +
          `need alpha [${x.shape[1]}] (one slope per column) or [1] (shared)`,
      );
    }
  },
  forward(be, { x, alpha }) {
    const positive = be.unary('step', x);
    return be.where(positive, x, be.binary('mul', x, alpha));
  },
  vjp: (be, { x, alpha }, _y, dy) => {
    const positive = () => be.unary('step', x);
    return {
      x: () => be.where(positive(), dy, be.binary('mul', dy, alpha)),
      alpha: () => be.sumToShape(be.where(positive(), be.fill(x.shape, 0, x.dtype), be.binary('mul', dy, x)), alpha.shape),
    };
  },
});

/** y = x where x > 0, else α·x; `alpha` has one slope per column of `x` ([d]) or one shared ([1]). */
export function prelu(x: Tensor, alpha: Tensor): Tensor {
  return preluOp.apply({ x, alpha }, {});
}
