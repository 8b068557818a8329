/**
 * acos: θ = arccos x, x ∈ [−1, 1], θ ∈ [0, π].
 *
 *   ∂θ/∂x = −1/√(1 − x²)   ⇒   dx = −dy / √(1 − x²)
 *
 * At x = ±1 the derivative is unbounded. arcgrad evaluates it at the float nearest to ±1 inside
 * (−1, 1) — x = ±(1 − u) with u = 2⁻⁵³ (float64) or 2⁻²⁴ (float32) — which gives
 * −1/√(2u − u²) ≈ −6.7e7 (float64) or −2896 (float32): finite, so the tape never produces Inf or
 * NaN, and a chain such as acos(x̂·ŵ) at x̂ = ŵ, where the inner derivative is exactly 0, yields 0
 * instead of ∞·0 = NaN. |x| > 1 throws a DomainError: clamp cosines first (see clamp.ts).
 * √(1 − x²) is computed as √((1 − x)(1 + x)), which keeps its digits near |x| = 1.
 * Derivation: docs/ops.md#acos
 */
import { DomainError } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { elementwiseCases } from './_domains.js';
import { defineOp } from './op.js';

export const acosOp = defineOp<'x'>({
  name: 'acos',
  summary: 'θ = arccos x, x ∈ [−1, 1] (finite derivative at ±1, see docs)',
  docs: 'docs/ops.md#acos',
  inputs: ['x'],
  domain: elementwiseCases({ min: -0.95, max: 0.95 }),
  validate({ x }) {
    if (x.toTypedArray().some((v) => v < -1 || v > 1)) {
      throw new DomainError('acos: x must lie in [−1, 1]; clamp cosines before acos');
    }
  },
  forward: (be, { x }) => be.unary('acos', x),
  vjp: (be, { x }, _y, dy) => ({ x: () => be.binary('mul', dy, be.acosDerivative(x)) }),
});

/** θ = arccos x elementwise (x ∈ [−1, 1]). */
export function acos(x: Tensor): Tensor {
  return acosOp.apply({ x }, {});
}
