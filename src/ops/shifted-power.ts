/**
 * shiftedPower: SphereFace2's similarity adjustment g of a cosine c ∈ [−1, 1], for t ≥ 1:
 *
 *   y = 2·((c + 1)/2)ᵗ − 1          (g(−1) = −1, g(1) = 1, increasing; t = 1 is the identity)
 *   ∂y/∂c = t·((c + 1)/2)^{t−1}     ⇒   dc = dy⊙t·((c + 1)/2)^{t−1}
 *
 * At c = −1 the derivative is 0 for t > 1 and 1 for t = 1 (0⁰ = 1, as Math.pow gives).
 * Derivation: docs/ops.md#shiftedpower
 */
import type { ScalarKernel } from '../backend/backend.js';
import { DomainError, OptionError } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { defineOp } from './op.js';

function shiftedPowerValue(c: number, t: number, _p1: number, _p2: number, _p3: number): number {
  return 2 * Math.pow((c + 1) / 2, t) - 1;
}

function shiftedPowerSlope(c: number, t: number, _p1: number, _p2: number, _p3: number): number {
  return t * Math.pow((c + 1) / 2, t - 1);
}

/** The forward kernel, for backends (see Backend.mapScalar). */
export const shiftedPowerKernel: ScalarKernel = { name: 'shiftedPowerValue', fn: shiftedPowerValue };
/** The derivative kernel, for backends (see Backend.mapScalar). */
export const shiftedPowerSlopeKernel: ScalarKernel = { name: 'shiftedPowerSlope', fn: shiftedPowerSlope };

export const shiftedPowerOp = defineOp<'c', {
  /** The exponent t ≥ 1. */
  t: number;
}>({
  name: 'shiftedPower',
  summary: 'y = 2·((c + 1)/2)ᵗ − 1 for c ∈ [−1, 1], t ≥ 1 (SphereFace2’s g)',
  docs: 'docs/ops.md#shiftedpower',
  inputs: ['c'],
  domain: [
    { name: 'matrix', inputs: { c: { shape: ['n', 'k'], min: -0.99, max: 0.99 } }, attrs: { t: { kind: 'number', min: 1, max: 5 } } },
    { name: 'vector', inputs: { c: { shape: ['n'], min: -0.99, max: 0.99 } }, attrs: { t: { kind: 'number', min: 1, max: 5 } } },
  ],
  validate({ c }, { t }) {
    if (typeof t !== 'number' || !Number.isFinite(t) || t < 1) throw new OptionError(`shiftedPower: t must be a finite number ≥ 1, got ${String(t)}`);
    if (c.toTypedArray().some((v) => !(v >= -1 && v <= 1))) throw new DomainError('shiftedPower: cosines must lie in [−1, 1]; clamp them first');
  },
  forward: (be, { c }, { t }) => be.mapScalar(c, shiftedPowerKernel, [t, 0, 0, 0]),
  vjp: (be, { c }, _y, dy, { t }) => ({ c: () => be.binary('mul', dy, be.mapScalar(c, shiftedPowerSlopeKernel, [t, 0, 0, 0])) }),
});

/** SphereFace2's g(c) = 2·((c + 1)/2)ᵗ − 1 elementwise (c ∈ [−1, 1], t ≥ 1). */
export function shiftedPower(c: Tensor, t: number): Tensor {
  return shiftedPowerOp.apply({ c }, { t });
}
