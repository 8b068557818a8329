/**
 * The fused margin head as a backend primitive: what a backend needs to compute the loss of the
 * margin head and both of its gradients in one call, without a tape. The losses layer builds a
 * `HeadSpec` from its options (src/losses/fused-head.ts) and the tape-composed `marginLoss` stays
 * the reference every fused implementation is tested against (test/backend/head.test.ts).
 *
 * For features X (N×d), class centers W (C×d) and labels y (−1 = ignore the row):
 *
 *   cos θ = clamp(X̂·Ŵᵀ, −1, 1),   X̂ = X / max(‖x‖, ε) row by row (W likewise)
 *   non-target cos θ_ij := 0 where cos θ_ij > t (interclass filtering, when t > 0)
 *   target logit s·f_λ(c), c = cos θ_{i,y_i}, f_λ = (λ·c + f(c))/(1 + λ), f = `target.value`
 *   logits s·cos θ with the target replaced; L = mean cross-entropy over the V labelled rows
 *
 * and the gradient of L with respect to X and W, the target's derivative being
 * (λ + f′(c))/(1 + λ) with f′ = `target.slope` ('exact') or 1 ('straight-through').
 */
import type { ScalarKernel } from './backend.js';
import type { Tensor } from '../tensor/tensor.js';

/** The target-logit function f(c) and its derivative, as scalar kernels with their parameters. */
export interface HeadTarget {
  /** f(c, p0, p1, p2, p3): the margin-adjusted target cosine (before the scale s). */
  readonly value: ScalarKernel;
  /** The parameters of `value`. */
  readonly valueParams: readonly [number, number, number, number];
  /** df/dc (c, q0, q1, q2, q3). */
  readonly slope: ScalarKernel;
  /** The parameters of `slope`. */
  readonly slopeParams: readonly [number, number, number, number];
}

/** Everything the fused head computes with, as plain numbers and scalar kernels. */
export interface HeadSpec {
  /** Logit scale s > 0. */
  readonly s: number;
  /** ε of the row normalization x / max(‖x‖, ε). */
  readonly eps: number;
  /** The target logit f and its slope. */
  readonly target: HeadTarget;
  /** SphereFace's blend λ ≥ 0 (0 for none). */
  readonly lambda: number;
  /** true: ∂f′/∂c is taken as 1 (straight-through), else the exact slope. */
  readonly straightThrough: boolean;
  /** Interclass filtering threshold t (0 for off). */
  readonly filterThreshold: number;
}

/** What the fused head returns: the mean loss and the gradients of the raw X and W. */
export interface HeadResult {
  /** L, the mean over the rows whose label is not −1 (0 when there are none). */
  readonly loss: number;
  /** ∂L/∂X, N×d. */
  readonly dX: Tensor;
  /** ∂L/∂W, C×d. */
  readonly dW: Tensor;
}

/**
 * A backend that can run the whole head in one call (see `Backend.fusedMarginHead`). `labels`
 * are checked against N and C by the caller; X and W live on this backend.
 */
export type FusedMarginHead = (x: Tensor, w: Tensor, labels: Int32Array, spec: HeadSpec) => HeadResult;

/** The blended target logit and its slope at one target cosine (see `targetAndSlope`). */
export interface TargetAndSlope {
  /** f′(c) = (λ·c + f(c))/(1 + λ), before the scale s. */
  readonly value: number;
  /** df′/dc, or 1 when straight-through. */
  readonly slope: number;
}

/**
 * The target logit f′(c) (before the scale s) and its slope df′/dc at a clamped target cosine c:
 * f′ = (λ·c + f(c))/(1 + λ), slope (λ + f_c(c))/(1 + λ), or 1 when straight-through: what a
 * host-side driver (the wasm head) evaluates per row; the tape composition
 * (src/losses/margin-head.ts `targetLogit`) is its reference.
 */
export function targetAndSlope(spec: HeadSpec, c: number): TargetAndSlope {
  const { value, valueParams: p, slope, slopeParams: q } = spec.target;
  return {
    value: blendedTarget(c, value.fn(c, p[0], p[1], p[2], p[3]), spec.lambda),
    slope: spec.straightThrough ? 1 : blendedSlope(slope.fn(c, q[0], q[1], q[2], q[3]), spec.lambda),
  };
}

/**
 * SphereFace's blend of the target logit, f′ = (λ·c + f)/(1 + λ), written once: the host-side
 * drivers call it through `targetAndSlope`, and the gpu.js head compiles this same function into
 * its kernels (it is in the gpu.js-compilable subset: numbers and arithmetic only).
 */
export function blendedTarget(c: number, f: number, lambda: number): number {
  return (lambda * c + f) / (1 + lambda);
}

/** The slope of the blend, df′/dc = (λ + f_c)/(1 + λ) for the margin's slope f_c (see `blendedTarget`). */
export function blendedSlope(slope: number, lambda: number): number {
  return (lambda + slope) / (1 + lambda);
}

/** What a step returns on the host. */
export interface HeadArrays {
  /** The mean loss over the labelled rows (0 when there are none), summed in float64 on the host. */
  readonly loss: number;
  /** Each row's cross-entropy (0 for rows labelled −1), N. */
  readonly lossRows: Float32Array;
  /** ∂L/∂X, N×d row-major. */
  readonly dX: Float32Array;
  /** ∂L/∂W, C×d row-major: present when asked for (`readGradW`), or from `run`. */
  readonly dW?: Float32Array;
}

/** Options of `step`. */
export interface HeadStepOptions {
  /** Read dW back to the host (default false: it stays on the device, finite-checked there). */
  readonly readGradW?: boolean;
}

/**
 * A fused head driven asynchronously, with the class centers kept where it runs (GpujsMarginHead
 * on WebGPU): what `computeCaseFused` needs, declared here so that its users' types do not load gpu.js's.
 */
export interface AsyncMarginHead {
  /** The backend's name, e.g. `'gpu.js:webgpu'`. */
  readonly name: string;
  /** Uploads W (C×d row-major) for the following steps. */
  setClassCenters(w: ArrayLike<number>, c: number, d: number): Promise<void>;
  /** One step of the head on X (N×d row-major) and the labels. */
  step(x: ArrayLike<number>, labels: Int32Array, spec: HeadSpec, options?: HeadStepOptions): Promise<HeadArrays>;
}
