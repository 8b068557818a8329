/**
 * The margin head: the one composition behind NormFace, SphereFace, CosFace, ArcFace and the
 * combined margin. For features X (N×d), class centers W (C×d) and labels y (−1 = ignore the row):
 *
 *   cos θ = clamp(normalize(X)·normalize(W)ᵀ, −1, 1)                  (N×C)
 *   [optional] cos θ_ij := 0 for j ≠ y_i where cos θ_ij > t           (interclass filtering)
 *   f_i   = cos(m1·θ_{i,y_i} + m2) − m3   (with the fallback policy)  (the target logit)
 *   [optional] f_i := (λ·cos θ_{i,y_i} + f_i)/(1 + λ)                 (SphereFace's blend)
 *   logits = s·cos θ with column y_i of row i replaced by s·f_i
 *   L = mean cross-entropy over the rows with y_i ≠ −1
 *
 * and the peers' conventions, each off by default (MarginOptions; docs/losses.md#peer-conventions):
 * sub-centers K (cos θ_ij = max_k cos(x_i, w_{j,k}), W (C·K)×d), the clamp [−1 + ε, 1 − ε]
 * (`cosineEpsilon`), the cap φ ≤ cap of the target angle (`angleCap`: f = cos(cap) − m3 beyond it,
 * a constant), and logits scaled by ‖x_i‖ and/or ‖w_j‖ (logit_ij = s·‖x_i‖·‖w_j‖·f_ij, norms on
 * the tape). With straight-through gradients the ε clamp is straight-through as well (opensphere).
 *
 * Everything is a composition of registered ops, so its gradient is the tape's — exact, and
 * checked against finite differences in test/losses. The one fused piece, the target logit f,
 * is the `angularMargin` op (fused for stability at θ = 0 and π; see its file).
 *
 * `gradient: 'straight-through'` reproduces insightface's current arcface_torch (the margin is
 * applied in place under torch.no_grad() since Dec 2022) and opensphere: the forward value is the
 * same, but backward treats cos θ_y ↦ f as the identity, so ∂L/∂cos θ = s·(p − onehot)/V.
 *
 * Explained step by step, each step mapped onto its op: docs/losses.md#pipeline; the two
 * gradient modes: docs/losses.md#gradients.
 */
import type { HeadSpec } from '../backend/head.js';
import { add, angularMargin, clamp, crossEntropy, l2Normalize, marginHead, matmul, maxRows, mul, pickColumns, replaceColumns, reshape, scale, select, sqrt, square, sum } from '../ops/index.js';
import { angularMarginKernel, angularMarginSlopeKernel, FALLBACK_POLICIES } from '../ops/angular-margin.js';
import type { Labels } from '../ops/_labels.js';
import { toLabels } from '../ops/_labels.js';
import { straightThrough } from '../tape/surgery.js';
import { assertTensor } from '../tape/tape.js';
import { OptionError, ShapeError, formatShape } from '../tensor/errors.js';
import { unitRoundoff } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { assertNoTapeOnlyOptions, resolveMarginOptions, usesTapeOnlyOptions, type MarginOptions, type ResolvedMarginOptions } from './options.js';

/**
 * Throws unless X is N×d and W is C×d (or (C·K)×d with `subCenters` K) with one d, and returns the
 * labels checked against N and C.
 */
export function checkHeadInputs(where: string, x: Tensor, w: Tensor, labels: Labels, subCenters = 1): Int32Array {
  assertTensor(x, `${where}: features X`);
  assertTensor(w, `${where}: class centers W`);
  if (x.rank !== 2 || w.rank !== 2 || x.shape[1] !== w.shape[1]) {
    throw new ShapeError(
      `${where}: need features X [N,d] and class centers W [C,d] with the same d, got X ${formatShape(x.shape)} and W ${formatShape(w.shape)}`,
    );
  }
  if (x.shape[0] === 0 || w.shape[0] === 0 || x.shape[1] === 0) {
    throw new ShapeError(`${where}: empty input (X ${formatShape(x.shape)}, W ${formatShape(w.shape)})`);
  }
  if (w.shape[0] % subCenters !== 0) {
    throw new ShapeError(`${where}: W ${formatShape(w.shape)} does not hold C·K rows for K = ${subCenters} sub-centers`);
  }
  return toLabels(where, labels, x.shape[0], w.shape[0] / subCenters);
}

/**
 * cos θ = clamp(normalize(X)·normalize(W)ᵀ, −1 + ε, 1 − ε), the N×C cosine matrix (ε =
 * `cosineEpsilon`, 0 unless given: the clamp that only undoes rounding).
 */
export function cosineMatrix(x: Tensor, w: Tensor, eps = 1e-12, cosineEpsilon = 0): Tensor {
  return clamp(matmul(l2Normalize(x, eps), l2Normalize(w, eps), { transB: true }), -1 + cosineEpsilon, 1 - cosineEpsilon);
}

/** The N×C cosines with K sub-centers per class: the max over each class's K rows j·K … j·K + K − 1 of W. */
export function subCenterCosines(x: Tensor, w: Tensor, k: number, eps = 1e-12, cosineEpsilon = 0): Tensor {
  if (!Number.isInteger(k) || k < 1) throw new OptionError(`subCenterCosines: K must be a positive integer, got ${k}`);
  assertTensor(x, 'subCenterCosines: features X');
  assertTensor(w, 'subCenterCosines: class centers W');
  if (w.rank !== 2 || w.shape[0] % k !== 0) {
    throw new ShapeError(`subCenterCosines: W ${formatShape(w.shape)} does not hold C·K rows for K = ${k}`);
  }
  return maxOverSubCenters(cosineMatrix(x, w, eps, cosineEpsilon), k);
}

/** The N×C max over each class's K columns of an N×(C·K) matrix (itself for K = 1). */
function maxOverSubCenters(cosines: Tensor, k: number): Tensor {
  if (k === 1) return cosines;
  const [n, ck] = cosines.shape;
  return reshape(maxRows(reshape(cosines, [n * (ck / k), k])), [n, ck / k]);
}

/** ‖v_i‖ of each row of a matrix, as an [n] tensor on the tape. */
export function rowNorms(v: Tensor): Tensor {
  return sqrt(sum(square(v), { axis: 1 }));
}

/**
 * insightface's interclass filtering: cos θ_ij := 0, in value and in gradient, where
 * cos θ_ij > t, except at the target column of rows with a label (rows labelled −1 are filtered
 * in every column, as insightface does). The mask is a constant: it gets no gradient.
 */
export function interclassFilter(cosines: Tensor, labels: Int32Array, threshold: number): Tensor {
  const [n, c] = cosines.shape;
  const values = cosines.toTypedArray();
  const keep = new Float64Array(n * c);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < c; j++) keep[i * c + j] = values[i * c + j] > threshold && j !== labels[i] ? 0 : 1;
  }
  return mul(cosines, cosines.backend.fromArray(keep, [n, c], cosines.dtype));
}

/** The target logit f (before the scale s) for the target cosines `c`, with λ and the gradient mode. */
export function targetLogit(c: Tensor, o: ResolvedMarginOptions): Tensor {
  let f = angularMargin(c, { m1: o.m1, m2: o.m2, m3: o.m3, fallback: o.fallback });
  if (o.angleCap > 0) f = capTargetAngle(c, f, o);
  if (o.lambda > 0) f = add(scale(c, o.lambda / (1 + o.lambda)), scale(f, 1 / (1 + o.lambda)));
  return o.gradient === 'straight-through' ? straightThrough(f, c) : f;
}

/**
 * opensphere's cap of the target angle: where φ = m1·θ + m2 > cap, f = cos(cap) − m3 — a
 * constant, so its gradient is 0 (the select's mask is piecewise constant in c). Elsewhere f.
 */
function capTargetAngle(c: Tensor, f: Tensor, o: ResolvedMarginOptions): Tensor {
  const capped = c.toTypedArray().map((v) => (o.m1 * Math.acos(v) + o.m2 > o.angleCap ? 1 : 0));
  const at = c.backend.fill(c.shape, Math.cos(o.angleCap) - o.m3, c.dtype);
  return select(c.backend.fromArray(capped, c.shape, c.dtype), at, f);
}

/**
 * logits ⊙ ‖x_i‖ (rows) and/or ⊙ ‖w_j‖ (columns) of the raw X and W, as the options ask: the
 * feature- and weight-norm scaling of SphereFace / L-Softmax and their PML ports.
 */
function normScaled(logits: Tensor, x: Tensor, w: Tensor, o: ResolvedMarginOptions): Tensor {
  let out = logits;
  if (o.scaleByFeatureNorm) out = mul(out, reshape(rowNorms(x), [x.shape[0], 1]));
  if (o.scaleByWeightNorm) out = mul(out, rowNorms(w));
  return out;
}

/**
 * The N×C (sub-center) cosines with the clamp to [−1 + ε, 1 − ε]. With straight-through gradients
 * the clamp is straight-through too, as opensphere computes it (under no_grad, with the margin):
 * every logit's gradient then reaches cos θ unchanged, even where the clamp bites.
 */
function clampedCosines(x: Tensor, w: Tensor, o: ResolvedMarginOptions): Tensor {
  if (!(o.gradient === 'straight-through' && o.cosineEpsilon > 0)) return subCenterCosines(x, w, o.subCenters, o.eps, o.cosineEpsilon);
  // The raw x̂·ŵᵀ (no clamp to [−1, 1] either, whose gradient is 0 at 1 + 2⁻⁵² as opensphere's is not).
  const raw = maxOverSubCenters(matmul(l2Normalize(x, o.eps), l2Normalize(w, o.eps), { transB: true }), o.subCenters);
  return straightThrough(clamp(raw, -1 + o.cosineEpsilon, 1 - o.cosineEpsilon), raw);
}

/** The N×C logits of the margin head: s·cos θ with each row's target replaced by s·f(θ_y). */
export function marginLogits(x: Tensor, w: Tensor, labels: Labels, options: MarginOptions): Tensor {
  const o = resolveMarginOptions(options, 'marginLogits');
  const y = checkHeadInputs('marginLogits', x, w, labels, o.subCenters);
  let cosines = clampedCosines(x, w, o);
  if (o.interclassFilteringThreshold > 0) cosines = interclassFilter(cosines, y, o.interclassFilteringThreshold);
  const target = targetLogit(pickColumns(cosines, y), o);
  return scale(normScaled(replaceColumns(cosines, target, y), x, w, o), o.s);
}

/** The fused heads' description of `options` (validated, defaults filled in) for float32 kernels. */
export function headSpec(options: MarginOptions, where = 'headSpec'): HeadSpec {
  const o = resolveMarginOptions(options, where);
  assertNoTapeOnlyOptions(o, where);
  const policy = FALLBACK_POLICIES.indexOf(o.fallback);
  return {
    s: o.s,
    eps: o.eps,
    lambda: o.lambda,
    straightThrough: o.gradient === 'straight-through',
    filterThreshold: o.interclassFilteringThreshold,
    target: {
      value: angularMarginKernel,
      valueParams: [o.m1, o.m2, o.m3, policy],
      slope: angularMarginSlopeKernel,
      slopeParams: [o.m1, o.m2, policy, unitRoundoff('float32')],
    },
  };
}

/** The margin loss as the composition of registered ops: the reference of every fused head. */
export function composedMarginLoss(x: Tensor, w: Tensor, labels: Labels, options: MarginOptions): Tensor {
  const y = checkHeadInputs('marginLoss', x, w, labels, resolveMarginOptions(options, 'marginLoss').subCenters);
  return crossEntropy(marginLogits(x, w, y, options), y);
}

/**
 * The mean margin loss over the rows whose label is not −1 (see the file header). On a backend
 * that runs the margin losses fused (`Backend.fusedHeadInLosses`: the wasm backend) with float32
 * tensors, it is `fusedMarginLoss`; elsewhere the composition of ops.
 */
export function marginLoss(x: Tensor, w: Tensor, labels: Labels, options: MarginOptions): Tensor {
  const o = resolveMarginOptions(options, 'marginLoss');
  const y = checkHeadInputs('marginLoss', x, w, labels, o.subCenters);
  // The peers' conventions (sub-centers, norm scaling, clamp ε, cap) are the composition's only.
  if (x.backend.fusedHeadInLosses === true && canFuseHead(x, w) && !usesTapeOnlyOptions(o)) return fusedMarginLoss(x, w, y, options);
  return composedMarginLoss(x, w, y, options);
}

/** Whether X and W can take the backend's fused head: it has one, both live on it, float32. */
export function canFuseHead(x: Tensor, w: Tensor): boolean {
  return x.backend.fusedMarginHead !== undefined && x.dtype === 'float32' && w.backend === x.backend && w.dtype === x.dtype;
}

/** The margin loss as the one `marginHead` op (the backend's fused head, custom VJP), `composedMarginLoss` its reference. */
export function fusedMarginLoss(x: Tensor, w: Tensor, labels: Labels, options: MarginOptions): Tensor {
  const y = checkHeadInputs('fusedMarginLoss', x, w, labels);
  return marginHead(x, w, y, headSpec(options, 'marginLoss'), (a, b, lab) => composedMarginLoss(a, b, lab, options));
}
