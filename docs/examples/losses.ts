/**
 * The numbers of docs/losses.md. Each function returns what the page quotes;
 * docs/examples/losses.test.ts asserts them and checks that the page shows them.
 */
import {
  Random, angularMargin, angularTripletLoss, arcface, combined, combinedMargin, cosface, crossEntropy, interLoss,
  intraLoss, marginLoss, normface, randomNormal, sampledMarginLoss, scale, softmaxLoss, sphereFaceLambda, sphereface,
  subCenterArcFaceLoss, targetLogit, tensor, valueAndGrad, pickColumns, replaceColumns, type FallbackPolicy, type MarginOptions, type Tensor,
} from '../../src/index.js';
import { resolveMarginOptions } from '../../src/losses/index.js';

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
