/**
 * l2Normalize: each row divided by its Euclidean norm, y = x / max(‖x‖, ε) (as PyTorch's
 * F.normalize, ε = 1e-12 by default).
 *
 * For a row with r = ‖x‖ > ε:  y = x/r,  ∂y/∂x = (I − y·yᵀ)/r   ⇒   dx = (dy − y·(yᵀdy)) / r
 * For a row with r ≤ ε:        y = x/ε,  ∂y/∂x = I/ε            ⇒   dx = dy / ε
 *
 * The first line is the projection of dy onto the tangent space of the sphere, scaled by 1/r:
 * moving x along itself does not change y. Derivation: docs/ops.md#l2normalize
 */
import { OptionError } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { expectRank } from './_shapes.js';
import { defineOp } from './op.js';

export const l2NormalizeOp = defineOp<'x', {
  /** Rows with norm ≤ eps are divided by eps. */
  eps: number;
}>({
  name: 'l2Normalize',
  summary: 'rows scaled to unit norm: x / max(‖x‖, ε)',
  docs: 'docs/ops.md#l2normalize',
  inputs: ['x'],
  domain: [
    { name: 'rows', inputs: { x: { shape: ['n', 'd'], rowNormAtLeast: 0.1 } }, attrs: { eps: { kind: 'const', value: 1e-12 } } },
    { name: 'rows of one element', inputs: { x: { shape: ['n', 1], rowNormAtLeast: 0.1 } }, attrs: { eps: { kind: 'const', value: 1e-12 } } },
  ],
  validate({ x }, { eps }) {
    expectRank('l2Normalize', 'x', x, 2);
    if (!(eps > 0) || !Number.isFinite(eps)) throw new OptionError(`l2Normalize: eps must be > 0, got ${eps}`);
  },
  forward(be, { x }, { eps }) {
    const norm = be.unary('sqrt', be.sum(be.unary('square', x), 1));
    return be.binary('div', x, be.reshape(be.binary('max', norm, be.fill([], eps, x.dtype)), [x.shape[0], 1]));
  },
  vjp: (be, { x }, y, dy, { eps }) => ({
    x: () => {
      const n = x.shape[0];
      const norm = be.reshape(be.unary('sqrt', be.sum(be.unary('square', x), 1)), [n, 1]);
      const epsT = be.fill([], eps, x.dtype);
      const above = be.binary('greater', norm, epsT); // 1 where r > ε: project; 0: plain 1/ε
      const radial = be.binary('mul', be.reshape(be.sum(be.binary('mul', y, dy), 1), [n, 1]), above);
      return be.binary('div', be.binary('sub', dy, be.binary('mul', y, radial)), be.binary('max', norm, epsT));
    },
  }),
});

/** Each row of `x` scaled to unit Euclidean norm (rows shorter than `eps` are divided by eps). */
export function l2Normalize(x: Tensor, eps = 1e-12): Tensor {
  return l2NormalizeOp.apply({ x }, { eps });
}
