/**
 * The target-logit curves f(θ) of the margin losses, computed by arcgrad's own `angularMargin`
 * op (the fused kernel that training uses), so the figures show exactly what arcgrad computes and
 * not a re-derivation of the formula.
 */
import { angularMargin, FALLBACK_POLICIES, type FallbackPolicy } from '../ops/angular-margin.js';
import { tensor } from '../tensor/create.js';
import { OptionError } from '../tensor/errors.js';

/** One loss's target logit, in cos units: f(θ) = cos(m1·θ + m2) − m3 with a fallback policy. */
export interface MarginCurveSpec {
  /** Series name in legends. */
  name: string;
  /** Multiplicative angular margin (SphereFace). */
  m1: number;
  /** Additive angular margin (ArcFace), radians. */
  m2: number;
  /** Additive cosine margin (CosFace). */
  m3: number;
  /** Policy beyond m1·θ + m2 = π. */
  fallback: FallbackPolicy;
}

/** A sampled curve: value[i] = f(theta[i]). */
export interface Curve {
  /** Series name. */
  name: string;
  /** Angles θ in radians, increasing. */
  theta: Float64Array;
  /** f(θ) in cos units. */
  value: Float64Array;
}

/**
 * The losses of the ArcFace paper's target-logit figure. Softmax and NormFace share cos θ in cos
 * units (Softmax's logit is ‖W‖‖x‖·cos θ). ArcFace, CosFace and the combined margin use 'none', as
 * insightface's current arcface_torch does; SphereFace needs ψ ('psi') to be monotone at m1 = 4.
 */
export const LOSS_CURVES: readonly MarginCurveSpec[] = [
  { name: 'Softmax / NormFace: cos θ', m1: 1, m2: 0, m3: 0, fallback: 'none' },
  { name: 'SphereFace m1=4 (psi)', m1: 4, m2: 0, m3: 0, fallback: 'psi' },
  { name: 'CosFace m3=0.35', m1: 1, m2: 0, m3: 0.35, fallback: 'none' },
  { name: 'ArcFace m2=0.5', m1: 1, m2: 0.5, m3: 0, fallback: 'none' },
  { name: 'Combined (1, 0.3, 0.2)', m1: 1, m2: 0.3, m3: 0.2, fallback: 'none' },
];

/** ArcFace (m2 = 0.5) under every fallback policy. */
export const ARCFACE_FALLBACK_CURVES: readonly MarginCurveSpec[] = FALLBACK_POLICIES.map((fallback) => ({
  name: `ArcFace m2=0.5, ${fallback}`,
  m1: 1,
  m2: 0.5,
  m3: 0,
  fallback,
}));

/** Each spec's f(θ) at `points` evenly spaced angles in [0, π] (both ends included; 361 unless given). */
export function targetLogitCurves(specs: readonly MarginCurveSpec[], points = 361): Curve[] {
  if (!Number.isInteger(points) || points < 2) {
    throw new OptionError(`targetLogitCurves: points must be an integer ≥ 2, got ${points}`);
  }
  const theta = Float64Array.from({ length: points }, (_, i) => (Math.PI * i) / (points - 1));
  // cos θ can round just outside [−1, 1] only at the ends, where it is exactly ±1 anyway.
  const c = tensor(Array.from(theta, (t) => Math.max(-1, Math.min(1, Math.cos(t)))));
  return specs.map(({ name, m1, m2, m3, fallback }) => ({
    name,
    theta,
    value: Float64Array.from(angularMargin(c, { m1, m2, m3, fallback }).toTypedArray()),
  }));
}
