/**
 * The target-logit curves f(θ) of the margin losses, computed by arcgrad's own margin head
 * (`targetLogit`: the fused `angularMargin` op that training uses, then SphereFace's λ blend), so
 * the figures and the playground show exactly what arcgrad computes and not a re-derivation of the
 * formula; the binary decision boundaries those curves imply; and the target-class probability a
 * curve gives at a scale s. A margin made with `defineMargin` is drawn by its own head's
 * `targetLogit`, at the settings its definition's `curves` lists. Browser-safe (the playground
 * imports this file): no Node modules.
 */
import type { DefinedMargin, MarginParams } from '../losses/define-margin.js';
import { logSoftmax } from '../ops/log-softmax.js';
import { exp } from '../ops/exp.js';
import { pickColumns } from '../ops/pick-columns.js';
import { replaceColumns } from '../ops/replace-columns.js';
import { scale } from '../ops/scale.js';
import { FALLBACK_POLICIES, type FallbackPolicy } from '../ops/angular-margin.js';
import { targetLogit } from '../losses/margin-head.js';
import { resolveMarginOptions } from '../losses/options.js';
import { tensor, zeros } from '../tensor/create.js';
import { OptionError, ShapeError } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * One loss's target logit, in cos units: f(θ) = cos(m1·θ + m2) − m3 with a fallback policy, and
 * SphereFace's blend (λ·cos θ + f)/(1 + λ) when `lambda` is given.
 */
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
  /** SphereFace's λ (0, no blend, unless given). */
  lambda?: number;
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
 * insightface's current arcface_torch does (the combined margin at both settings the ArcFace paper
 * reports, CM1 and CM2); SphereFace needs ψ ('psi') to be monotone at m1 = 4,
 * and is drawn as it trains: blended with λ = 5, the value `sphereFaceLambda` holds from iteration
 * 1659 to the end, (5·cos θ + ψ(θ))/6 — the bare ψ is a curve no SphereFace run optimizes.
 */
export const LOSS_CURVES: readonly MarginCurveSpec[] = [
  { name: 'Softmax / NormFace: cos θ', m1: 1, m2: 0, m3: 0, fallback: 'none' },
  { name: 'SphereFace m1=4 (psi), λ=5 as trained', m1: 4, m2: 0, m3: 0, fallback: 'psi', lambda: 5 },
  { name: 'CosFace m3=0.35', m1: 1, m2: 0, m3: 0.35, fallback: 'none' },
  { name: 'ArcFace m2=0.5', m1: 1, m2: 0.5, m3: 0, fallback: 'none' },
  { name: 'Combined CM1 (1, 0.3, 0.2)', m1: 1, m2: 0.3, m3: 0.2, fallback: 'none' },
  { name: 'Combined CM2 (0.9, 0.4, 0.15)', m1: 0.9, m2: 0.4, m3: 0.15, fallback: 'none' },
];

/** ArcFace (m2 = 0.5) under every fallback policy. */
export const ARCFACE_FALLBACK_CURVES: readonly MarginCurveSpec[] = FALLBACK_POLICIES.map((fallback) => ({
  name: `ArcFace m2=0.5, ${fallback}`,
  m1: 1,
  m2: 0.5,
  m3: 0,
  fallback,
}));

/** `points` evenly spaced angles in [0, π] (both ends included) and their cosines as a tensor. */
function angleGrid(points: number, where: string): { theta: Float64Array; c: Tensor } {
  if (!Number.isInteger(points) || points < 2) {
    throw new OptionError(`${where}: points must be an integer ≥ 2, got ${points}`);
  }
  const theta = Float64Array.from({ length: points }, (_, i) => (Math.PI * i) / (points - 1));
  // cos θ can round just outside [−1, 1] only at the ends, where it is exactly ±1 anyway.
  return { theta, c: tensor(Array.from(theta, (t) => Math.max(-1, Math.min(1, Math.cos(t))))) };
}

/** Each spec's f(θ) at `points` evenly spaced angles in [0, π] (both ends included; 361 unless given). */
export function targetLogitCurves(specs: readonly MarginCurveSpec[], points = 361): Curve[] {
  const { theta, c } = angleGrid(points, 'targetLogitCurves');
  return specs.map(({ name, m1, m2, m3, fallback, lambda = 0 }) => {
    // s does not enter f; resolveMarginOptions validates the rest as the loss would.
    const options = resolveMarginOptions({ s: 1, m1, m2, m3, fallback, lambda }, `targetLogitCurves ('${name}')`);
    return { name, theta, value: Float64Array.from(targetLogit(c, options).toTypedArray()) };
  });
}

/**
 * A defined margin's target-logit curves, one per entry of its definition's `curves` (e.g. one
 * per feature norm for AdaFace and MagFace), computed by its head's `targetLogit` with the state
 * frozen; `overrides` apply to every curve.
 */
export function definedMarginCurves(margin: DefinedMargin<MarginParams, object>, overrides: Partial<MarginParams> = {}, points = 361): Curve[] {
  const { theta, c } = angleGrid(points, 'definedMarginCurves');
  return margin.curveSpecs(overrides as never).map((spec) => {
    const head = margin.head(spec.params as never);
    if (spec.state !== undefined) head.loadState({ ...(head.saveState() as object), ...spec.state });
    return { name: spec.label, theta, value: Float64Array.from(head.targetLogit(c, { featureNorms: spec.featureNorm ?? 1 }).toTypedArray()) };
  });
}

/**
 * A polyline in the (θ1, θ2) plane: point i is (x[i], y[i]), radians. A point is NaN where the
 * boundary's equation has no solution at that angle, and the polyline breaks there (as the
 * playground's `linePath` draws it): the line ends rather than running along the edge.
 */
export interface BoundaryLine {
  /** θ1 of each point (NaN: no solution there). */
  x: Float64Array;
  /** θ2 of each point (NaN: no solution there). */
  y: Float64Array;
}

/** The two class boundaries of one loss in the (θ1, θ2) plane (see `decisionBoundary`). */
export interface DecisionBoundary {
  /** Series name (the curve's). */
  name: string;
  /** Class 1 wins above this line: θ2 = arccos f(θ1). */
  class1: BoundaryLine;
  /** Class 2 wins left of this line, the mirror image: θ1 = arccos f(θ2). */
  class2: BoundaryLine;
  /**
   * folds[i] is true where f rises with θ (f(θ_i) > f(θ_{i−1})): fallback 'none' past φ = π. There
   * a worse sample scores better, and the boundary folds back towards the diagonal.
   */
  folds: boolean[];
}

/**
 * The binary decision boundaries a target-logit curve implies (the ArcFace paper's figure): with
 * two classes at angles θ1 and θ2 from a sample, the logits are s·f(θ1) and s·cos θ2 when the
 * sample belongs to class 1 (W_jᵀx = ‖W_j‖‖x‖·cos θ_j, normalized and scaled by s), so class 1
 * wins where f(θ1) > cos θ2, i.e. above θ2 = arccos f(θ1); class 2 wins where f(θ2) > cos θ1, the
 * mirror image. Where f(θ1) < −1 the equation f(θ1) = cos θ2 has no solution (class 1 never wins
 * at that θ1), and the line has a NaN point there instead of running along θ2 = π. The gap between
 * the two lines is the decision margin; without a margin both are the diagonal θ1 = θ2. The scale
 * s does not move them. Drawn and explained: docs/losses.md#geometry.
 */
export function decisionBoundary(curve: Curve): DecisionBoundary {
  if (curve.theta.length !== curve.value.length) {
    throw new ShapeError(`decisionBoundary: curve '${curve.name}' has ${curve.theta.length} angles and ${curve.value.length} values`);
  }
  // below −1 no θ2 solves f = cos θ2; min(1, ·) only guards acos against rounding
  const other = Float64Array.from(curve.value, (f) => (f < -1 ? NaN : Math.acos(Math.min(1, f))));
  const own = Float64Array.from(curve.theta, (t, i) => (Number.isNaN(other[i]) ? NaN : t));
  return {
    name: curve.name,
    class1: { x: own, y: other },
    class2: { x: Float64Array.from(other), y: Float64Array.from(own) },
    folds: Array.from(curve.value, (f, i) => i > 0 && f > curve.value[i - 1]),
  };
}

/**
 * The probability softmax gives the target class at each angle θ of `curve`, when the other
 * `classes` − 1 classes sit at 90° from the sample (cos = 0, logit 0): logits [s·f(θ), 0, …, 0]
 * through arcgrad's `logSoftmax`, so p = e^{s·f} / (e^{s·f} + classes − 1). This is where s shows:
 * at θ = 0 without a margin p = e^s / (e^s + C − 1), so a small s caps p below 1 (NormFace's
 * argument for a large enough s), and a large s saturates p to 1 over a wide range of θ.
 */
export function targetProbabilityCurve(curve: Curve, s: number, classes: number): Curve {
  if (!(Number.isFinite(s) && s > 0)) throw new OptionError(`targetProbabilityCurve: s must be a finite number > 0, got ${s}`);
  if (!Number.isInteger(classes) || classes < 2) {
    throw new OptionError(`targetProbabilityCurve: classes must be an integer ≥ 2, got ${classes}`);
  }
  const n = curve.value.length;
  const target = new Int32Array(n); // the target is column 0 of every row
  const logits = replaceColumns(zeros([n, classes]), scale(tensor(curve.value), s), target);
  const p = exp(pickColumns(logSoftmax(logits), target));
  return { name: curve.name, theta: curve.theta, value: Float64Array.from(p.toTypedArray()) };
}
