/**
 * The numbers of docs/losses.md. Each function returns what the page quotes;
 * docs/examples/losses.test.ts asserts them and checks that the page shows them.
 */
import {
  Random, angularMargin, angularTripletLoss, arcface, combined, combinedMargin, cosface, crossEntropy, interLoss,
  intraLoss, marginLoss, normface, randomNormal, sampledMarginLoss, scale, softmaxLoss, sphereFaceLambda, sphereface,
  subCenterArcFaceLoss, targetLogit, tensor, valueAndGrad, pickColumns, replaceColumns, type FallbackPolicy, type MarginOptions, type Tensor,
  clamp, l2Normalize, matmul,
} from '../../src/index.js';
import { resolveMarginOptions } from '../../src/losses/index.js';
import { decisionBoundary, targetLogitCurves } from '../../src/report/index.js';
import { relativeError } from '../../src/check/tolerance.js';

/** A small problem: N = 4 features and C = 5 centers in d = 8, labels y. */
export function problem(seed = 1): { x: Tensor; w: Tensor; labels: number[] } {
  const rng = new Random(seed);
  return { x: randomNormal([4, 8], rng), w: randomNormal([5, 8], rng), labels: [0, 3, 1, 4] };
}

/** Softmax depends on ‖x‖; NormFace does not: the loss before and after x ↦ 10·x. */
export function normalizationMatters(): { softmax: [number, number]; normface: [number, number] } {
  const { x, w, labels } = problem();
  const b = tensor([0, 0, 0, 0, 0]);
  const x10 = scale(x, 10);
  return {
    softmax: [softmaxLoss(x, w, b, labels).item(), softmaxLoss(x10, w, b, labels).item()],
    normface: [normface().loss(x, w, labels).item(), normface().loss(x10, w, labels).item()],
  };
}

/** The target logit f(θ) (before s) of each preset at one angle θ. */
export function targetLogits(theta: number): Record<string, number> {
  const c = tensor([Math.cos(theta)]);
  const out: Record<string, number> = {};
  for (const head of [normface(), sphereface(), cosface(), arcface(), combined()]) {
    out[head.name] = angularMargin(c, head.options).item();
  }
  return out;
}

/** SphereFace's λ at a few iterations, and the first iteration where it reaches λmin. */
export function lambdaSchedule(): { first: number; at1658: number; at1659: number; firstAtMin: number } {
  let iter = 1;
  while (sphereFaceLambda(iter) > 5) iter++;
  return { first: sphereFaceLambda(1), at1658: sphereFaceLambda(1658), at1659: sphereFaceLambda(1659), firstAtMin: iter };
}

const f = (theta: number, fallback: FallbackPolicy, m = { m1: 1, m2: 0.5, m3: 0 }) =>
  angularMargin(tensor([Math.cos(theta)]), { ...m, fallback }).item();

/** ArcFace (m2 = 0.5) under each fallback policy: f at θ = π − m2 ± 10⁻⁹, θ = π/2 ± 10⁻⁹ and θ = π. */
export function fallbackDefects(): Record<FallbackPolicy, { aroundPiMinusM: [number, number]; aroundHalfPi: [number, number]; atPi: number }> {
  const out = {} as ReturnType<typeof fallbackDefects>;
  const e = 1e-9;
  for (const p of ['none', 'thmm', 'easy', 'clamp', 'psi'] as const) {
    const at = (t: number) => f(t, p);
    out[p] = { aroundPiMinusM: [at(Math.PI - 0.5 - e), at(Math.PI - 0.5 + e)], aroundHalfPi: [at(Math.PI / 2 - e), at(Math.PI / 2 + e)], atPi: at(Math.PI) };
  }
  return out;
}

/** df/dcos θ of ArcFace's target logit at θ = 1 in each gradient mode. */
export function marginSlopes(theta = 1): { exact: number; straightThrough: number } {
  const slope = (gradient: 'exact' | 'straight-through') => {
    const o = resolveMarginOptions({ ...arcface().options, gradient });
    return valueAndGrad((c: Tensor) => targetLogit(c, o))(tensor([Math.cos(theta)])).grads[0].item();
  };
  return { exact: slope('exact'), straightThrough: slope('straight-through') };
}

/** The loss as a function of the N×C cosines, as the margin head builds it. */
function lossOfCosines(cosines: Tensor, labels: number[], o: MarginOptions): Tensor {
  const r = resolveMarginOptions(o);
  return crossEntropy(scale(replaceColumns(cosines, targetLogit(pickColumns(cosines, labels), r), labels), r.s), labels);
}

/**
 * Straight-through: ∂L/∂cos θ = s·(p − onehot)/V. Returns the largest difference between the
 * tape's ∂L/∂cos θ and that formula, and how much the exact and straight-through dX differ.
 */
export function straightThroughIdentity(): { maxDifference: number; dXRelativeDifference: number } {
  const { x, w, labels } = problem();
  const o: MarginOptions = { ...arcface().options, gradient: 'straight-through' };
  const cosines = combinedMargin({ s: 1 }).logits(x, w, labels); // s = 1, no margin: the cos θ
  const { grads } = valueAndGrad((c: Tensor) => lossOfCosines(c, labels, o))(cosines);
  const p = softmaxRows(combinedMargin(o).logits(x, w, labels).toNested() as number[][]);
  const v = labels.filter((l) => l !== -1).length;
  const formula = p.flatMap((row, i) => row.map((pj, j) => (64 * (pj - (j === labels[i] ? 1 : 0))) / v));
  const tape = grads[0].toArray();
  const maxDifference = Math.max(...tape.map((g, k) => Math.abs(g - formula[k])));
  const dX = (gradient: 'exact' | 'straight-through') =>
    valueAndGrad((a: Tensor) => arcface({ gradient }).loss(a, w, labels))(x).grads[0].toArray();
  const [exact, st] = [dX('exact'), dX('straight-through')];
  const norm = (a: number[]) => Math.max(...a.map(Math.abs));
  return { maxDifference, dXRelativeDifference: norm(exact.map((g, k) => g - st[k])) / norm(exact) };
}

/** Row-wise softmax, written out. */
function softmaxRows(z: number[][]): number[][] {
  return z.map((row) => {
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const total = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / total);
  });
}

/** Interclass filtering at t = 0.9: a near-duplicate negative (cos ≈ 0.98) stops counting. */
export function interclassFiltering(): { cosine: number; without: number; withFilter: number } {
  const x = tensor([[1, 0.1], [0, 1]]);
  const w = tensor([[1, 0], [1, 0.2], [0, 1]]);
  const labels = [0, 2];
  const cosine = (combinedMargin({ s: 1 }).logits(x, w, labels).toNested() as number[][])[0][1];
  return {
    cosine,
    without: arcface().loss(x, w, labels).item(),
    withFilter: arcface({ interclassFilteringThreshold: 0.9 }).loss(x, w, labels).item(),
  };
}

/** PartialFC: the sampled loss (rate 0.1, C = 100), averaged over 200 draws, against the full loss. */
export function partialFcBias(): { full: number; sampledMean: number; sampledMin: number; sampledMax: number } {
  const rng = new Random(7);
  const x = randomNormal([8, 16], rng);
  const w = randomNormal([100, 16], rng);
  const labels = [3, 17, 17, 42, 56, 61, 88, 99];
  const o = arcface().options;
  const draws = Array.from({ length: 200 }, (_, k) =>
    sampledMarginLoss(x, w, labels, o, { sampleRate: 0.1, rng: new Random(k + 1) }).item(),
  );
  return {
    full: marginLoss(x, w, labels, o).item(),
    sampledMean: draws.reduce((a, b) => a + b, 0) / draws.length,
    sampledMin: Math.min(...draws),
    sampledMax: Math.max(...draws),
  };
}

/** The §2.3 losses and sub-center ArcFace on the small problem (s = 64). */
export function paperLosses(): { normface: number; intra: number; inter: number; triplet: number; arcface: number; subCenterK1: number; subCenterK3: number } {
  const { x, w, labels } = problem();
  const rng = new Random(2);
  const [a, pos, neg] = [randomNormal([4, 8], rng), randomNormal([4, 8], rng), randomNormal([4, 8], rng)];
  const w3 = randomNormal([15, 8], rng); // C = 5 classes × K = 3 sub-centers
  return {
    normface: normface().loss(x, w, labels).item(),
    intra: intraLoss(x, w, labels).item(),
    inter: interLoss(x, w, labels).item(),
    triplet: angularTripletLoss(a, pos, neg).item(),
    arcface: arcface().loss(x, w, labels).item(),
    subCenterK1: subCenterArcFaceLoss(x, w, labels, { k: 1 }).item(),
    subCenterK3: subCenterArcFaceLoss(x, w3, labels, { k: 3 }).item(),
  };
}

/**
 * insightface's CombinedMarginLoss with (m1, m2, m3) = (1, 0.3, 0.2) takes its CosFace branch
 * (m3 > 0) and drops m2: its target logit against the combined margin's, at θ.
 */
export function insightfaceDropsM2(theta = 1): { combined: number; insightface: number } {
  const c = tensor([Math.cos(theta)]);
  return {
    combined: angularMargin(c, { m1: 1, m2: 0.3, m3: 0.2 }).item(),
    insightface: angularMargin(c, { m1: 1, m2: 0, m3: 0.2 }).item(), // what its m3 > 0 branch computes
  };
}

/**
 * Where f(θ) − cos θ is positive on a grid of `points` angles over [0, π], per preset (the margin
 * makes the target *easier* to score there), and ArcFace's crossing π − m2/2 with f(π).
 */
export function marginBelowCosine(points = 3601): {
  largestGap: Record<string, number>;
  arcfacePositiveFrom: number;
  arcfaceCrossing: number;
  arcfaceAtPi: number;
} {
  const theta = Array.from({ length: points }, (_, i) => (Math.PI * i) / (points - 1));
  const c = tensor(theta.map((t) => Math.max(-1, Math.min(1, Math.cos(t)))));
  const largestGap: Record<string, number> = {};
  let arcfacePositiveFrom = NaN;
  for (const head of [normface(), sphereface(), sphereface({ lambda: 5 }), cosface(), arcface(), combined()]) {
    const name = head.name + (head.options.lambda ? ' λ=5' : '');
    const gap = targetLogit(c, resolveMarginOptions(head.options)).toArray().map((f, i) => f - c.toArray()[i]);
    largestGap[name] = Math.max(...gap);
    if (head.name === 'arcface') {
      const first = gap.findIndex((g) => g > 0);
      // every angle after the first positive gap has one too: one crossing, not several
      if (gap.slice(first).some((g) => g <= 0)) throw new Error('ArcFace gap changes sign more than once');
      arcfacePositiveFrom = theta[first];
    }
  }
  return { largestGap, arcfacePositiveFrom, arcfaceCrossing: Math.PI - 0.25, arcfaceAtPi: f(Math.PI, 'none') };
}

/**
 * The angle θ1 past which each boundary line of the figure ends (f(θ1) < −1: no θ2 solves
 * f(θ1) = cos θ2), found by bisection on the head's own target logit, which decreases there.
 */
export function boundaryEnds(): { cosface: number; combined: number; sphereface: number; spherefaceAsTrained: number } {
  const end = (options: MarginOptions) => {
    const r = resolveMarginOptions(options);
    const f = (t: number) => targetLogit(tensor([Math.cos(t)]), r).item();
    let [lo, hi] = [0, Math.PI]; // f(lo) ≥ −1 > f(hi)
    for (let k = 0; k < 60; k++) {
      const mid = (lo + hi) / 2;
      if (f(mid) >= -1) lo = mid;
      else hi = mid;
    }
    return lo;
  };
  return {
    cosface: end(cosface().options),
    combined: end(combined().options),
    sphereface: end(sphereface().options),
    spherefaceAsTrained: end({ ...sphereface().options, lambda: 5 }),
  };
}

/**
 * The Intra-Loss's cone at θ_y = 0: the norm of ∂L5/∂x_0 − ∂L2/∂x_0 (the angle term's pull on row
 * 0) for a unit feature at `theta` from its center, on `problem()`'s other rows (V = 4).
 */
export function intraLossCone(theta: number): number {
  const { x, w, labels } = problem();
  const rows = x.toNested() as number[][];
  const center = (w.toNested() as number[][])[labels[0]];
  const norm = (v: number[]) => Math.hypot(...v);
  const u = center.map((c) => c / norm(center));
  // a unit vector orthogonal to u (Gram–Schmidt on row 1), then x_0 = cos θ·u + sin θ·v
  const r = rows[1].map((a, k) => a - rows[1].reduce((t, b, m) => t + b * u[m], 0) * u[k]);
  const v = r.map((a) => a / norm(r));
  rows[0] = u.map((a, k) => Math.cos(theta) * a + Math.sin(theta) * v[k]);
  const x0 = tensor(rows);
  const dx = (loss: (a: Tensor) => Tensor) => (valueAndGrad(loss)(x0).grads[0].toNested() as number[][])[0];
  const [intra, plain] = [dx((a) => intraLoss(a, w, labels)), dx((a) => normface().loss(a, w, labels))];
  return norm(intra.map((g, k) => g - plain[k]));
}

/**
 * The binary case on a two-class problem in the plane: a sample x at angle 0, class 1's center at
 * angle θ1 above it and class 2's at θ2 below it, so the angles between x and the centers are θ1
 * and θ2. At a point of the derived boundary the two logits tie and the loss of the class-1
 * sample is ln 2; returns |L − ln 2| there for each loss, and the largest difference between the
 * boundary the figure draws (`decisionBoundary`) and the closed form, over the angles where it holds.
 */
export function binaryBoundaries(): Record<'sphereface' | 'cosface' | 'arcface', { tie: number; figure: number }> {
  const cases = {
    // cos(m1·θ1) = cos θ2 ⇒ θ2 = m1·θ1 while m1·θ1 ≤ π (SphereFace without λ)
    sphereface: { options: { ...sphereface().options, lambda: 0 }, theta2: (t: number) => (4 * t <= Math.PI ? 4 * t : NaN) },
    // cos θ1 − m3 = cos θ2 ⇒ θ2 = arccos(cos θ1 − m3) while cos θ1 − m3 ≥ −1
    cosface: { options: cosface().options, theta2: (t: number) => (Math.cos(t) - 0.35 >= -1 ? Math.acos(Math.cos(t) - 0.35) : NaN) },
    // cos(θ1 + m2) = cos θ2 ⇒ θ2 = θ1 + m2 while θ1 + m2 ≤ π
    arcface: { options: arcface().options, theta2: (t: number) => (t + 0.5 <= Math.PI ? t + 0.5 : NaN) },
  };
  const out = {} as ReturnType<typeof binaryBoundaries>;
  for (const [name, { options, theta2 }] of Object.entries(cases) as [keyof typeof cases, (typeof cases)[keyof typeof cases]][]) {
    const theta1 = 0.3;
    const t2 = theta2(theta1);
    const x = tensor([[1, 0]]);
    const w = tensor([[Math.cos(theta1), Math.sin(theta1)], [Math.cos(t2), -Math.sin(t2)]]);
    const tie = Math.abs(marginLoss(x, w, [0], options).item() - Math.LN2);
    const { m1, m2, m3, fallback, lambda } = options;
    const curve = targetLogitCurves([{ name, m1, m2, m3, fallback, lambda }], 721)[0];
    const { class1 } = decisionBoundary(curve);
    let figure = 0;
    curve.theta.forEach((t, i) => {
      const want = theta2(t);
      if (!Number.isNaN(want)) figure = Math.max(figure, Math.abs(class1.y[i] - want));
    });
    out[name] = { tie, figure };
  }
  return out;
}

/** The margin head's steps as ops (the pipeline of §3) against `arcface().loss`: both losses. */
export function pipelineAsOps(): { ops: number; head: number } {
  const { x, w, labels } = problem();
  const cosines = clamp(matmul(l2Normalize(x), l2Normalize(w), { transB: true }), -1, 1);
  const target = angularMargin(pickColumns(cosines, labels), { m1: 1, m2: 0.5, m3: 0 });
  const ops = crossEntropy(scale(replaceColumns(cosines, target, labels), 64), labels).item();
  return { ops, head: arcface().loss(x, w, labels).item() };
}

/**
 * Original SphereFace on one sample: logits ‖x‖·cos θ_j, the target ‖x‖·(λ·cos θ_y + ψ(θ_y))/(1 + λ)
 * with λ = 5 — the feature's own norm where the later losses have a constant s — written out in
 * plain arithmetic, against arcgrad's `sphereface({ s: ‖x‖, lambda: 5 })`, and the preset's s = 64.
 */
export function sphereFaceFeatureNorm(): { norm: number; byHand: number; withNormAsS: number; withS64: number } {
  const { x, w, labels } = problem();
  const row = (x.toNested() as number[][])[0];
  const y = labels[0];
  const norm = Math.hypot(...row);
  const centers = w.toNested() as number[][];
  const cosines = centers.map((c) => row.reduce((t, v, k) => t + v * c[k], 0) / (norm * Math.hypot(...c)));
  const theta = Math.acos(cosines[y]);
  const k = Math.floor((4 * theta) / Math.PI);
  const psi = (k % 2 === 0 ? 1 : -1) * Math.cos(4 * theta) - 2 * k;
  const logits = cosines.map((c, j) => norm * (j === y ? (5 * c + psi) / 6 : c));
  const top = Math.max(...logits);
  const byHand = top + Math.log(logits.reduce((t, z) => t + Math.exp(z - top), 0)) - logits[y];
  const one = tensor([row]);
  return {
    norm,
    byHand,
    withNormAsS: sphereface({ s: norm, lambda: 5 }).loss(one, w, [y]).item(),
    withS64: sphereface({ lambda: 5 }).loss(one, w, [y]).item(),
  };
}

/** The ArcFace paper's two combined settings, CM1 (1, 0.3, 0.2) and CM2 (0.9, 0.4, 0.15): f at θ = 1 and θ = 0, and where φ reaches π. */
export function combinedSettings(): Record<'cm1' | 'cm2', { at1: number; at0: number; phiReachesPi: number }> {
  const at = (m: { m1: number; m2: number; m3: number }, t: number) => angularMargin(tensor([Math.cos(t)]), m).item();
  const settings = { cm1: { m1: 1, m2: 0.3, m3: 0.2 }, cm2: { m1: 0.9, m2: 0.4, m3: 0.15 } };
  const out = {} as ReturnType<typeof combinedSettings>;
  for (const [name, m] of Object.entries(settings) as ['cm1' | 'cm2', { m1: number; m2: number; m3: number }][]) {
    out[name] = { at1: at(m, 1), at0: at(m, 0), phiReachesPi: (Math.PI - m.m2) / m.m1 };
  }
  return out;
}

/** Rows of a matrix as arrays, and small vector helpers for the written-out gradients below. */
const rowsOf = (t: Tensor) => t.toNested() as number[][];
const dot = (a: number[], b: number[]) => a.reduce((t, v, k) => t + v * b[k], 0);
const unit = (a: number[]) => a.map((v) => v / Math.hypot(...a));
/** ∂(âᵀb̂)/∂a = (b̂ − (âᵀb̂)·â)/‖a‖: the tangent part of b̂ at â, over ‖a‖. */
const cosineGradient = (a: number[], b: number[]) => {
  const [ah, bh] = [unit(a), unit(b)];
  const c = dot(ah, bh);
  return bh.map((v, k) => (v - c * ah[k]) / Math.hypot(...a));
};

/**
 * §9's written-out gradients against the tape: L7's with respect to the anchors, and L6's angle
 * term with respect to W (the tape's ∂L6/∂W minus NormFace's). Returns the largest difference
 * relative to the largest entry, for each.
 */
export function paperLossGradients(): { triplet: number; inter: number; condition: number; interScale: number } {
  let condition = 1; // the largest 1/sin of the angles the formulas divide by: acos's condition there
  const rng = new Random(2);
  const [a, pos, neg] = [randomNormal([4, 8], rng), randomNormal([4, 8], rng), randomNormal([4, 8], rng)];
  const tape = rowsOf(valueAndGrad((t: Tensor) => angularTripletLoss(t, pos, neg))(a).grads[0]);
  const [A, P, M] = [rowsOf(a), rowsOf(pos), rowsOf(neg)];
  const n = A.length;
  const triplet = A.map((ai, i) => {
    const [cp, cn] = [dot(unit(ai), unit(P[i])), dot(unit(ai), unit(M[i]))];
    const [tp, tn] = [Math.acos(cp), Math.acos(cn)];
    if (tp + 0.35 - tn <= 0) return ai.map(() => 0); // the hinge is off
    // ∂L7/∂cos θ⁺ = −1/(N·sin θ⁺), ∂L7/∂cos θ⁻ = +1/(N·sin θ⁻)
    const [gp, gn] = [cosineGradient(ai, P[i]), cosineGradient(ai, M[i])];
    condition = Math.max(condition, 1 / Math.sin(tp), 1 / Math.sin(tn));
    return ai.map((_, k) => (-gp[k] / Math.sin(tp) + gn[k] / Math.sin(tn)) / n);
  });
  const { x, w, labels } = problem();
  const dW = (loss: (t: Tensor) => Tensor) => rowsOf(valueAndGrad(loss)(w).grads[0]);
  const [withInter, plain] = [dW((t) => interLoss(x, t, labels)), dW((t) => normface().loss(x, t, labels))];
  const tapeInter = withInter.map((row, j) => row.map((g, k) => g - plain[j][k]));
  const W = rowsOf(w);
  const [C, V] = [W.length, labels.length];
  const inter = W.map((row) => row.map(() => 0));
  for (const y of labels) {
    for (let j = 0; j < C; j++) {
      if (j === y) continue;
      // ∂L6/∂(ŵ_yᵀŵ_j) = +1/(π·V·(C − 1)·sin α), α = arccos(ŵ_yᵀŵ_j); into w_y and into w_j
      const sinAlpha = Math.sin(Math.acos(dot(unit(W[y]), unit(W[j]))));
      condition = Math.max(condition, 1 / sinAlpha);
      const g = 1 / (Math.PI * V * (C - 1) * sinAlpha);
      cosineGradient(W[y], W[j]).forEach((v, k) => (inter[y][k] += g * v));
      cosineGradient(W[j], W[y]).forEach((v, k) => (inter[j][k] += g * v));
    }
  }
  // the angle term is the difference of two tape gradients much larger than it: their size over its
  const interScale = Math.max(...withInter.flat().map(Math.abs)) / Math.max(...tapeInter.flat().map(Math.abs));
  return { triplet: relativeError(triplet.flat(), tape.flat()), inter: relativeError(inter.flat(), tapeInter.flat()), condition, interScale };
}
