/**
 * angularMargin: the target logit of the combined margin, applied to the target cosines c = cos θ:
 *
 *   f(θ) = cos(m1·θ + m2) − m3,   θ = arccos c ∈ [0, π]
 *
 * with a `fallback` policy for where m1·θ + m2 leaves [0, π] and f stops decreasing
 * (φ = m1·θ + m2 throughout):
 *
 *   'none'   f = cos φ − m3                                     (not monotone beyond φ = π)
 *   'thmm'   f = cos φ − m3 if c > cos(π − m2), else c − m2·sin(π − m2) − m3
 *            (insightface before Dec 2022, PML; for m1 = 1 it jumps by 1 − cos m2 − m2·sin m2
 *            at θ = π − m2, where φ = π; for m1 ≠ 1 the threshold is not at φ = π)
 *   'easy'   f = cos φ − m3 if c > 0, else c         (for m1 = 1 jumps by sin m2 + m3 at θ = π/2)
 *   'clamp'  f = cos(min(φ, π)) − m3                              (flat beyond φ = π; C¹)
 *   'psi'    f = (−1)ᵏ·cos φ − 2k − m3, k = ⌊φ/π⌋                  (SphereFace's monotone ψ; C¹)
 *
 * The exact derivative with respect to c, by the chain rule through θ = arccos c
 * (dθ/dc = −1/sin θ):
 *
 *   df/dc = m1·sin φ / sin θ                  on the cos φ branches
 *         = (−1)ᵏ·m1·sin φ / sin θ            for 'psi'
 *         = 1                                 on the linear fallback branches of 'thmm' and 'easy'
 *         = 0                                 beyond φ = π for 'clamp'
 *
 * Why a fused op and not acos → scale → cos: stability. At sin θ = 0 (c = ±1) the composition
 * multiplies acos' = ∞ by −sin φ and returns NaN (or 0 with arcgrad's finite acos') even where
 * the derivative has a finite nonzero limit;
 * here, where sin φ → 0 too, the limit m1²·cos φ / cos θ is used (m2 = 0 at c = 1: df/dc = m1²,
 * so NormFace, CosFace and SphereFace stay exact at θ = 0). Where the derivative is truly
 * unbounded (sin φ ≠ 0 at c = ±1, e.g. ArcFace at θ = 0), it is evaluated at the float nearest
 * to ±1 inside (−1, 1), as acos does; there the derivative of c with respect to the features is 0,
 * so the gradient of the loss stays finite and correct.
 *
 * NOTE: 'psi' at c = −1 exactly, when m1·π + m2 is a multiple of π (integer m1, m2 = 0), the
 * slope uses the band that θ → π⁻ approaches, k = ⌈φ/π⌉ − 1, not ⌊φ/π⌋ (one band beyond), so
 * it is the one-sided derivative (m1 = 4: +16). See docs/ops.md#angularmargin.
 *
 * Straight-through gradients (insightface's current arcface_torch) are not this op's business:
 * see losses/margin-head.ts. Derivation: docs/ops.md#angularmargin (the two gradient modes:
 * docs/losses.md#gradients)
 */
import type { ScalarKernel } from '../backend/backend.js';
import { unitRoundoff } from '../tensor/dtype.js';
import { DomainError, OptionError } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { defineOp, type DomainCase } from './op.js';

/** What happens where m1·θ + m2 leaves [0, π] (see the file header for each policy's formula). */
export type FallbackPolicy = 'none' | 'thmm' | 'easy' | 'clamp' | 'psi';

/** The fallback policies, in the order the docs list them. */
export const FALLBACK_POLICIES: readonly FallbackPolicy[] = ['none', 'thmm', 'easy', 'clamp', 'psi'];

/** The margins of f(θ) = cos(m1·θ + m2) − m3 and the fallback policy. */
export interface AngularMarginOptions {
  /** Multiplicative angular margin (SphereFace); 1 for none. */
  m1: number;
  /** Additive angular margin (ArcFace), radians; 0 for none. */
  m2: number;
  /** Additive cosine margin (CosFace); 0 for none. */
  m3: number;
  /** Policy beyond m1·θ + m2 = π; 'none' unless given. */
  fallback?: FallbackPolicy;
}

/** f(c) in the gpu.js-compilable subset of JavaScript (policy: the index in FALLBACK_POLICIES). */
function angularMarginValue(c: number, m1: number, m2: number, m3: number, policy: number): number {
  const theta = Math.acos(c);
  const phi = m1 * theta + m2;
  if (policy === 1) {
    if (c > Math.cos(Math.PI - m2)) return Math.cos(phi) - m3;
    return c - m2 * Math.sin(Math.PI - m2) - m3;
  }
  if (policy === 2) {
    if (c > 0) return Math.cos(phi) - m3;
    return c;
  }
  if (policy === 3) return Math.cos(Math.min(phi, Math.PI)) - m3;
  if (policy === 4) {
    const k = Math.floor(phi / Math.PI);
    const sign = 1 - 2 * (k - 2 * Math.floor(k / 2));
    return sign * Math.cos(phi) - 2 * k - m3;
  }
  return Math.cos(phi) - m3;
}

/** df/dc (u: the dtype's unit roundoff, for the evaluation just inside ±1). */
function angularMarginSlope(c: number, m1: number, m2: number, policy: number, u: number): number {
  if (policy === 1 && !(c > Math.cos(Math.PI - m2))) return 1;
  if (policy === 2 && !(c > 0)) return 1;
  let theta = Math.acos(c);
  let sinTheta = Math.sqrt((1 - c) * (1 + c));
  let phi = m1 * theta + m2;
  if (policy === 3 && phi >= Math.PI) return 0;
  let sign = 1;
  if (policy === 4) {
    // The band of φ that θ → π⁻ approaches at c = −1 is ⌈φ/π⌉ − 1 (⌊φ/π⌋ would be the band after
    // it when φ is a multiple of π, e.g. m1 = 4, m2 = 0, and flip the slope's sign).
    let k = Math.floor(phi / Math.PI);
    if (sinTheta === 0 && c < 0) k = Math.ceil(phi / Math.PI) - 1;
    sign = 1 - 2 * (k - 2 * Math.floor(k / 2));
  }
  if (sinTheta === 0) {
    // c = ±1: the finite limit (L'Hôpital) where sin φ vanishes too, else just inside ±1.
    if (Math.abs(Math.sin(phi)) <= 1e-12) return (sign * m1 * m1 * Math.cos(phi)) / Math.cos(theta);
    const inside = c > 0 ? 1 - u : -1 + u;
    theta = Math.acos(inside);
    sinTheta = Math.sqrt((1 - inside) * (1 + inside));
    phi = m1 * theta + m2;
  }
  return (sign * m1 * Math.sin(phi)) / sinTheta;
}

/** The forward kernel, for backends (see Backend.mapScalar). */
export const angularMarginKernel: ScalarKernel = { name: 'angularMarginValue', fn: angularMarginValue };
/** The derivative kernel, for backends (see Backend.mapScalar). */
export const angularMarginSlopeKernel: ScalarKernel = { name: 'angularMarginSlope', fn: angularMarginSlope };

type Attrs = Required<AngularMarginOptions>;

function policyIndex(fallback: FallbackPolicy): number {
  return FALLBACK_POLICIES.indexOf(fallback);
}

const numberIn = (min: number, max: number) => ({ kind: 'number', min, max }) as const;
const fixed = (value: unknown) => ({ kind: 'const', value }) as const;
const cases = (
  name: string,
  fallback: FallbackPolicy,
  m: { m1: unknown; m2: unknown; m3: unknown },
  awayFrom: number[] = [],
): DomainCase<'c'> => ({
  name,
  inputs: { c: { shape: ['n'], min: -0.99, max: 0.99, awayFrom, gap: 0.01 } },
  attrs: {
    m1: typeof m.m1 === 'number' ? fixed(m.m1) : (m.m1 as ReturnType<typeof numberIn>),
    m2: typeof m.m2 === 'number' ? fixed(m.m2) : (m.m2 as ReturnType<typeof numberIn>),
    m3: typeof m.m3 === 'number' ? fixed(m.m3) : (m.m3 as ReturnType<typeof numberIn>),
    fallback: fixed(fallback),
  },
});
const random = { m1: numberIn(0.5, 4), m2: numberIn(0, 0.8), m3: numberIn(0, 0.5) };

export const angularMarginOp = defineOp<'c', Attrs>({
  name: 'angularMargin',
  summary: 'f = cos(m1·θ + m2) − m3 of the target cosine, with a fallback policy (fused)',
  docs: 'docs/ops.md#angularmargin',
  inputs: ['c'],
  domain: [
    cases("'none', random margins", 'none', random),
    cases("'clamp', random margins", 'clamp', random),
    cases("'psi', random margins", 'psi', random),
    cases("'thmm', ArcFace m2 = 0.5", 'thmm', { m1: 1, m2: 0.5, m3: 0 }, [Math.cos(Math.PI - 0.5)]),
    cases("'thmm', combined (1, 0.3, 0.2)", 'thmm', { m1: 1, m2: 0.3, m3: 0.2 }, [Math.cos(Math.PI - 0.3)]),
    cases("'easy', ArcFace m2 = 0.5", 'easy', { m1: 1, m2: 0.5, m3: 0 }, [0]),
  ],
  validate({ c }, { m1, m2, m3, fallback }) {
    for (const [k, v] of Object.entries({ m1, m2, m3 })) {
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new OptionError(`angularMargin: ${k} must be a finite number, got ${String(v)}`);
      }
    }
    if (policyIndex(fallback) < 0) {
      throw new OptionError(
        `angularMargin: fallback must be one of ${FALLBACK_POLICIES.map((p) => `'${p}'`).join(', ')}, got ${JSON.stringify(fallback)}`,
      );
    }
    if (c.toTypedArray().some((v) => v < -1 || v > 1)) {
      throw new DomainError('angularMargin: cosines must lie in [−1, 1]; clamp them first');
    }
  },
  forward: (be, { c }, { m1, m2, m3, fallback }) => be.mapScalar(c, angularMarginKernel, [m1, m2, m3, policyIndex(fallback)]),
  vjp: (be, { c }, _f, df, { m1, m2, fallback }) => ({
    c: () =>
      be.binary('mul', df, be.mapScalar(c, angularMarginSlopeKernel, [m1, m2, policyIndex(fallback), unitRoundoff(c.dtype)])),
  }),
});

/** The margin-adjusted target logit f(θ) = cos(m1·θ + m2) − m3 of target cosines `c`. */
export function angularMargin(c: Tensor, options: AngularMarginOptions): Tensor {
  return angularMarginOp.apply({ c }, { fallback: 'none', ...options });
}
