/**
 * What the playground draws for a margin, as SVG path data: the target logit and cos θ, the two
 * class boundaries and the diagonal, and the target probability with and without the margin, all
 * computed by arcgrad (src/report/curves.ts) and placed in the plots' frames. No DOM: main.ts puts
 * these strings into the page, and the end-to-end test recomputes them in Node and compares.
 */
import type { FallbackPolicy } from '../src/ops/angular-margin.js';
import { decisionBoundary, targetLogitCurves, targetProbabilityCurve } from '../src/report/curves.js';
import { linePath, type Frame } from './scale.js';
import { PLAYGROUND_TOY } from './toy.js';

/** The margin the sliders describe. */
export interface PlaygroundMargin {
  /** Logit scale. */
  s: number;
  /** Multiplicative angular margin. */
  m1: number;
  /** Additive angular margin (radians). */
  m2: number;
  /** Additive cosine margin. */
  m3: number;
  /** Policy beyond m1·θ + m2 = π. */
  fallback: FallbackPolicy;
  /** SphereFace's λ (0: no blend). */
  lambda: number;
}

/** Lowest target logit the target-logit plot shows (SphereFace's ψ falls to −7 at m1 = 4). */
export const Y_MIN = -2;

/** Number of classes of the probability curve: the toy's. */
export const CLASSES = PLAYGROUND_TOY.classes;

/** The frames of the three margin plots. */
export const FRAMES = {
  targetLogit: { width: 320, height: 220, x: [0, Math.PI], y: [Y_MIN, 1] },
  boundary: { width: 220, height: 220, x: [0, Math.PI], y: [0, Math.PI] },
  probability: { width: 320, height: 220, x: [0, Math.PI], y: [0, 1] },
} as const satisfies Record<string, Frame>;

/** The path data of every margin curve, and two numbers the captions quote. */
export interface MarginView {
  /** f(θ) with the margin. */
  target: string;
  /** cos θ, the curve without a margin. */
  cos: string;
  /** Class 1's boundary θ2 = arccos f(θ1). */
  boundary1: string;
  /** Class 2's boundary, the mirror image. */
  boundary2: string;
  /** The diagonal θ1 = θ2 (no margin). */
  diagonal: string;
  /** p_y(θ) with the margin. */
  probability: string;
  /** p_y(θ) without a margin, at the same s. */
  probabilityPlain: string;
  /** The lowest f(θ) (below Y_MIN the plot cuts it). */
  lowest: number;
  /** p_y at θ = 0 without a margin: e^s / (e^s + C − 1). */
  plainAtZero: number;
}

/** The paths for `m` (361 angles in [0, π]). */
export function marginView(m: PlaygroundMargin): MarginView {
  const [curve, plain] = targetLogitCurves([
    { name: 'margin', m1: m.m1, m2: m.m2, m3: m.m3, fallback: m.fallback, lambda: m.lambda },
    { name: 'cos θ', m1: 1, m2: 0, m3: 0, fallback: 'none' },
  ]);
  const { class1, class2 } = decisionBoundary(curve);
  const p = targetProbabilityCurve(curve, m.s, CLASSES);
  const p0 = targetProbabilityCurve(plain, m.s, CLASSES);
  const { targetLogit, boundary, probability } = FRAMES;
  return {
    target: linePath(targetLogit, curve.theta, curve.value),
    cos: linePath(targetLogit, plain.theta, plain.value),
    boundary1: linePath(boundary, class1.x, class1.y),
    boundary2: linePath(boundary, class2.x, class2.y),
    diagonal: linePath(boundary, [0, Math.PI], [0, Math.PI]),
    probability: linePath(probability, p.theta, p.value),
    probabilityPlain: linePath(probability, p0.theta, p0.value),
    lowest: Math.min(...curve.value),
    plainAtZero: p0.value[0],
  };
}
