/**
 * softplus: y = log(1 + eˣ), the binary cross-entropy of a logit (−log σ(−x)), evaluated without
 * overflow as max(x, 0) + log(1 + e^{−|x|}).
 *
 *   ∂y/∂x = eˣ/(1 + eˣ) = σ(x)   ⇒   dx = dy⊙σ(x)
 *
 * σ is evaluated as 1/(1 + e^{−x}) for x ≥ 0 and eˣ/(1 + eˣ) below, so neither branch overflows.
 * log(1 + u) for u = e^{−|x|} < 1e-4 uses its series u − u²/2 + u³/3 (error < u⁴/4, below the
 * float64 rounding of the result): Math.log1p is not in the gpu.js subset the kernels are written in.
 * Derivation: docs/ops.md#softplus
 */
import type { ScalarKernel } from '../backend/backend.js';
import type { Tensor } from '../tensor/tensor.js';
import { elementwiseCases } from './_domains.js';
import { defineOp } from './op.js';

/** log(1 + eˣ) in the gpu.js-compilable subset (the unused parameters keep mapScalar's five-argument signature). */
function softplusValue(x: number, _p0: number, _p1: number, _p2: number, _p3: number): number {
  const u = Math.exp(-Math.abs(x));
  const log1pU = u < 1e-4 ? u * (1 - u * (0.5 - u / 3)) : Math.log(1 + u);
  return Math.max(x, 0) + log1pU;
}

/** σ(x) = 1/(1 + e^{−x}), without overflow on either side. */
function sigmoidValue(x: number, _p0: number, _p1: number, _p2: number, _p3: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** The forward kernel, for backends (see Backend.mapScalar). */
export const softplusKernel: ScalarKernel = { name: 'softplusValue', fn: softplusValue };
/** The derivative kernel σ(x), for backends (see Backend.mapScalar). */
export const sigmoidKernel: ScalarKernel = { name: 'sigmoidValue', fn: sigmoidValue };

export const softplusOp = defineOp<'x'>({
  name: 'softplus',
  summary: 'y = log(1 + eˣ) (stable)',
  docs: 'docs/ops.md#softplus',
  inputs: ['x'],
  domain: elementwiseCases({ min: -30, max: 30 }),
  forward: (be, { x }) => be.mapScalar(x, softplusKernel, [0, 0, 0, 0]),
  vjp: (be, { x }, _y, dy) => ({ x: () => be.binary('mul', dy, be.mapScalar(x, sigmoidKernel, [0, 0, 0, 0])) }),
});

/** y = log(1 + eˣ) elementwise, without overflow for any finite x. */
export function softplus(x: Tensor): Tensor {
  return softplusOp.apply({ x }, {});
}
