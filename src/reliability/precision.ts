/**
 * What float32 costs: the margin losses and their gradients computed in float32 against the same
 * computation in float64, on the same inputs (rounded to float32 first, so that only the
 * arithmetic differs), for every preset and fallback, scales s from 16 to 1024, and targets at
 * random angles, near θ_y = 0 or π (1e-2 away) and exactly there. `arcgrad reliability` prints
 * the table (docs/reliability.md); the tests assert finiteness everywhere and the bounds the
 * page states.
 *
 * Error measure: `relativeError` of src/check/tolerance.ts, |ours32 − ours64| / max(|ours64|, FLT_MIN)
 * for the loss, and the normwise ‖·‖∞ version for the gradient (of X and W together). The FLT_MIN floor (1.18e-38, the smallest
 * normal float32) keeps a saturated loss of 1e-110, which float32 rounds to 0 as it must, from
 * reading as a relative error of 1. float64's own error is this one times u64/u32 = 2⁻²⁹ (the
 * same algorithms on the same conditioning): below 1e-12 wherever float32's is below 1e-3.
 */
import type { Backend } from '../backend/backend.js';
import { cpu } from '../backend/cpu.js';
import { combinedMargin } from '../losses/presets.js';
import type { MarginOptions } from '../losses/options.js';
import { valueAndGrad } from '../tape/grad.js';
import type { DType } from '../tensor/dtype.js';
import { Random } from '../tensor/random.js';
import { FLOAT32_MIN_NORMAL, relativeError } from '../check/tolerance.js';
import type { Tensor } from '../tensor/tensor.js';

/** The heads measured: every preset, ArcFace under every fallback, and straight-through. */
export const PRECISION_HEADS: readonly (readonly [string, Omit<MarginOptions, 's'>])[] = [
  ['NormFace', {}],
  ['SphereFace (ψ)', { m1: 4, fallback: 'psi' }],
  ['CosFace', { m3: 0.35 }],
  ['ArcFace', { m2: 0.5 }],
  ["ArcFace 'thmm'", { m2: 0.5, fallback: 'thmm' }],
  ["ArcFace 'easy'", { m2: 0.5, fallback: 'easy' }],
  ["ArcFace 'clamp'", { m2: 0.5, fallback: 'clamp' }],
  ['combined (1, 0.3, 0.2)', { m1: 1, m2: 0.3, m3: 0.2 }],
  ['ArcFace straight-through', { m2: 0.5, gradient: 'straight-through' }],
];

/** Where the targets sit: the angle θ_y between each feature and its class center. */
export const PRECISION_STRATA = ['random', 'θ_y ≈ 0', 'θ_y = 0', 'θ_y ≈ π', 'θ_y = π'] as const;
/** One of PRECISION_STRATA. */
export type PrecisionStratum = (typeof PRECISION_STRATA)[number];

/** The scales measured. */
export const PRECISION_SCALES: readonly number[] = [16, 64, 128, 256, 1024];

/** One measurement: a head, a stratum, a scale. */
export interface PrecisionCell {
  /** The head's name (PRECISION_HEADS). */
  head: string;
  /** Where the targets sit. */
  stratum: PrecisionStratum;
  /** The scale s. */
  s: number;
  /** Largest relative error of the float32 loss over the problems. */
  loss: number;
  /** Largest normwise relative error of the float32 gradients (X and W). */
  grad: number;
  /** Every float32 loss and gradient entry was finite. */
  finite: boolean;
}

/** A seeded problem: X [n,d] and W [c,d] as float32-representable numbers, labels (one ignored). */
export function precisionProblem(seed: number, stratum: PrecisionStratum, n = 6, d = 8, c = 20): { X: Float32Array; W: Float32Array; labels: number[]; n: number; d: number; c: number } {
  const rng = new Random(seed);
  const W = Array.from({ length: c * d }, () => rng.normal());
  const labels = Array.from({ length: n }, (_, i) => (i === n - 1 ? -1 : rng.int(c)));
  const X = Array.from({ length: n * d }, () => rng.normal());
  if (stratum !== 'random') {
    const sign = stratum.endsWith('π') ? -1 : 1;
    const off = stratum.includes('≈') ? 1e-2 : 0;
    for (let i = 0; i < n - 1; i++) {
      for (let k = 0; k < d; k++) X[i * d + k] = sign * 2 * W[labels[i] * d + k] + off * rng.normal();
    }
  }
  return { X: Float32Array.from(X), W: Float32Array.from(W), labels, n, d, c };
}

function lossAndGrads(p: ReturnType<typeof precisionProblem>, options: MarginOptions, dtype: DType, be: Backend = cpu): { loss: number; grad: number[] } {
  const head = combinedMargin(options);
  const x = be.fromArray(p.X, [p.n, p.d], dtype);
  const w = be.fromArray(p.W, [p.c, p.d], dtype);
  const { value, grads } = valueAndGrad((a: Tensor, b: Tensor) => head.loss(a, b, p.labels))(x, w);
  return { loss: value.item(), grad: [...grads[0].toArray(), ...grads[1].toArray()] };
}

/**
 * Measures one cell over `seeds` problems (seeds first, first + 1, …): float32 on `backend` (the
 * CPU reference, which rounds every primitive's result to float32, unless given) against float64
 * on the CPU.
 */
export function measureCell(head: string, options: Omit<MarginOptions, 's'>, stratum: PrecisionStratum, s: number, seeds = 2, first = 1, backend: Backend = cpu): PrecisionCell {
  let loss = 0;
  let grad = 0;
  let finite = true;
  for (let seed = first; seed < first + seeds; seed++) {
    const p = precisionProblem(seed, stratum);
    const r64 = lossAndGrads(p, { s, ...options }, 'float64');
    const r32 = lossAndGrads(p, { s, ...options }, 'float32', backend);
    finite &&= Number.isFinite(r32.loss) && r32.grad.every(Number.isFinite);
    loss = Math.max(loss, relativeError(r32.loss, r64.loss, FLOAT32_MIN_NORMAL));
    grad = Math.max(grad, relativeError(r32.grad, r64.grad, FLOAT32_MIN_NORMAL));
  }
  return { head, stratum, s, loss, grad, finite };
}

/** The heads and scales measured on the gpu.js backend too (a smaller grid: its kernels are slower). */
export const DEVICE_HEADS: readonly string[] = ['NormFace', 'ArcFace', 'ArcFace straight-through'];
/** The scales measured on the gpu.js backend. */
export const DEVICE_SCALES: readonly number[] = [64, 128];

/**
 * The smaller grid on `backend` (gpu.js in webasm mode for the page: float32 arithmetic inside
 * every kernel, as a GPU computes, where the CPU reference computes each primitive in float64 and
 * rounds its result), one problem per cell.
 */
export function measureDevicePrecision(backend: Backend): PrecisionCell[] {
  return PRECISION_HEADS.filter(([head]) => DEVICE_HEADS.includes(head)).flatMap(([head, options]) =>
    PRECISION_STRATA.flatMap((stratum) => DEVICE_SCALES.map((s) => measureCell(head, options, stratum, s, 1, 1, backend))),
  );
}

/** Every cell: PRECISION_HEADS × PRECISION_STRATA × PRECISION_SCALES. */
export function measurePrecision(seeds = 2): PrecisionCell[] {
  return PRECISION_HEADS.flatMap(([head, options]) =>
    PRECISION_STRATA.flatMap((stratum) => PRECISION_SCALES.map((s) => measureCell(head, options, stratum, s, seeds))),
  );
}
