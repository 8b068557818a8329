/**
 * l2Normalize: each row divided by its Euclidean norm, y = x / max(‖x‖, ε) (as PyTorch's
 * F.normalize, ε = 1e-12 by default).
 *
 * For a row with r = ‖x‖ > ε:  y = x/r,  ∂y/∂x = (I − y·yᵀ)/r   ⇒   dx = (dy − y·(yᵀdy)) / r
 * For a row with r ≤ ε:        y = x/ε,  ∂y/∂x = I/ε            ⇒   dx = dy / ε
 *
 * The first line is the projection of dy onto the tangent space of the sphere, scaled by 1/r:
 * moving x along itself does not change y. Derivation: docs/ops.md#l2normalize
 *
 * Range: the plain Σx² overflows once ‖x‖ > √MAX (1.3e154 in float64, 1.8e19 in float32), and
 * x/∞ = 0 would be a silent wrong direction; and with a tiny ε, rows just above ε would lose their
 * digits to underflow. In those cases (only) each row is first divided by its largest |x_k|, as
 * LAPACK's dnrm2 does: y = u / max(‖u‖, ε/m) with m = max|x_k|, u = x/m (then r = m·‖u‖, which may
 * be ∞ when the norm itself exceeds MAX; the gradient, ∝ 1/r, then rounds to 0).
 */
import type { Backend } from '../backend/backend.js';
import { unitRoundoff, type DType } from '../tensor/dtype.js';
import { OptionError } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { expectRank } from './_shapes.js';
import { defineOp } from './op.js';

/** The smallest positive normal number of each dtype (the floor of the row scale m). */
const MIN_NORMAL: Record<DType, number> = { float64: 2 ** -1022, float32: 2 ** -126 };

/**
 * The rows of x as r·y, r an [n,1] column of norms and y the unit rows (for r ≤ ε: x/ε), computed
 * directly when Σx² is safe and row-scaled when it overflows or ε is small enough for underflow
 * to matter (ε² < MIN_NORMAL/u: 1.3e-146 in float64, 4.4e-16 in float32).
 */
function rowsAsNormTimesUnit(be: Backend, x: Tensor, eps: number): { norm: Tensor; y: Tensor } {
  const [n, d] = x.shape;
  const epsT = be.fill([], eps, x.dtype);
  const sumSq = be.sum(be.unary('square', x), 1);
  const tinyEps = eps * eps < MIN_NORMAL[x.dtype] / unitRoundoff(x.dtype);
  if (d === 0 || (!tinyEps && be.allFinite(sumSq))) {
    const norm = be.reshape(be.unary('sqrt', sumSq), [n, 1]);
    return { norm, y: be.binary('div', x, be.binary('max', norm, epsT)) };
  }
  const m = be.reshape(be.binary('max', be.maxRows(be.unary('abs', x)), be.fill([], MIN_NORMAL[x.dtype], x.dtype)), [n, 1]);
  const u = be.binary('div', x, m);
  const unitNorm = be.reshape(be.unary('sqrt', be.sum(be.unary('square', u), 1)), [n, 1]);
  return { norm: be.binary('mul', m, unitNorm), y: be.binary('div', u, be.binary('max', unitNorm, be.binary('div', epsT, m))) };
}

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
  forward: (be, { x }, { eps }) => rowsAsNormTimesUnit(be, x, eps).y,
  vjp: (be, { x }, y, dy, { eps }) => ({
    x: () => {
      const n = x.shape[0];
      const { norm } = rowsAsNormTimesUnit(be, x, eps);
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
