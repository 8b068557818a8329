/**
 * clamp: y = min(max(x, lo), hi).
 *
 *   ∂y/∂x = 1 where lo ≤ x ≤ hi (boundaries included, as PyTorch and tfjs), else 0
 *   ⇒   dx = dy⊙[lo ≤ x ≤ hi]
 *
 * NOTE: because the boundaries pass the gradient, clamp(c, −1, 1) followed by acos does not
 * protect the gradient at c = ±1; acos handles that itself (see acos.ts).
 * Derivation: docs/ops.md#clamp
 */
import { OptionError } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { elementwiseCases } from './_domains.js';
import { defineOp } from './op.js';

export const clampOp = defineOp<'x', {
  /** Lower bound. */
  lo: number;
  /** Upper bound (≥ lo). */
  hi: number;
}>({
  name: 'clamp',
  summary: 'y = min(max(x, lo), hi)',
  docs: 'docs/ops.md#clamp',
  inputs: ['x'],
  domain: elementwiseCases({ min: -2, max: 2, awayFrom: [-1, 1], gap: 0.01 }).map((c) => ({
    ...c,
    attrs: { lo: { kind: 'const', value: -1 }, hi: { kind: 'const', value: 1 } },
  })),
  validate(_x, { lo, hi }) {
    if (!(lo <= hi) || Number.isNaN(lo) || Number.isNaN(hi)) {
      throw new OptionError(`clamp: need lo ≤ hi, got lo = ${lo}, hi = ${hi}`);
    }
  },
  forward: (be, { x }, { lo, hi }) => be.clamp(x, lo, hi),
  vjp: (be, { x }, _y, dy, { lo, hi }) => ({ x: () => be.binary('mul', dy, be.between(x, lo, hi)) }),
});

/** y = min(max(x, lo), hi) elementwise. */
export function clamp(x: Tensor, lo: number, hi: number): Tensor {
  return clampOp.apply({ x }, { lo, hi });
}
