/**
 * The ArcFace paper's §2.3 losses that add an angle term to NormFace (L2, logits s·cos θ):
 *
 *   Intra-Loss  L5 = L2 + (1/(π·V))·Σ_i θ_{i,y_i}
 *               pulls each feature towards its class center (θ_y is the target angle);
 *   Inter-Loss  L6 = L2 − (1/(π·V·(C − 1)))·Σ_i Σ_{j≠y_i} arccos(ŵ_{y_i}ᵀ ŵ_j)
 *               pushes class centers apart (the angles between normalized centers);
 *
 * sums over the V rows whose label is not −1. Both are compositions of registered ops, so their
 * gradients are the tape's (written out, with the Intra-Loss's cone at θ_y = 0:
 * docs/losses.md#paper-loss-gradients). Duplicate class centers (ŵ_j = ŵ_y) are fine: arccos is evaluated at
 * exactly 1 with acos's finite derivative, and the derivative of ŵ_yᵀŵ_j there is 0.
 * (insightface's legacy MXNet code ships other variants: Intra as mean θ_y/π with weight 0.2 on
 * top of ArcFace, Inter as mean cosine; these are the paper's formulas.)
 */
import { acos, add, clamp, matmul, mul, pickColumns, scale, select, sub, sum, takeRows } from '../ops/index.js';
import type { Labels } from '../ops/_labels.js';
import { ShapeError } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { l2Normalize } from '../ops/index.js';
import { checkHeadInputs, cosineMatrix, marginLoss } from './margin-head.js';

function keptMask(t: Tensor, y: Int32Array): Tensor {
  return t.backend.fromArray(Array.from(y, (l) => (l < 0 ? 0 : 1)), [y.length], t.dtype);
}

function keptCount(y: Int32Array): number {
  return y.reduce((v, l) => v + (l < 0 ? 0 : 1), 0);
}

/** ArcFace §2.3 Intra-Loss: NormFace plus the mean target angle over π. */
export function intraLoss(x: Tensor, w: Tensor, labels: Labels, { s = 64 }: { s?: number } = {}): Tensor {
  const y = checkHeadInputs('intraLoss', x, w, labels);
  const v = keptCount(y);
  const theta = mul(acos(pickColumns(cosineMatrix(x, w), y)), keptMask(x, y)); // ignored rows: 0
  return add(marginLoss(x, w, y, { s }), scale(sum(theta), v === 0 ? 0 : 1 / (Math.PI * v)));
}

/** ArcFace §2.3 Inter-Loss: NormFace minus the mean angle between each target center and the others, over π. */
export function interLoss(x: Tensor, w: Tensor, labels: Labels, { s = 64 }: { s?: number } = {}): Tensor {
  const y = checkHeadInputs('interLoss', x, w, labels);
  const c = w.shape[0];
  if (c < 2) throw new ShapeError('interLoss: needs at least 2 classes (it averages over the other classes)');
  const v = keptCount(y);
  const wHat = l2Normalize(w);
  const kept = Int32Array.from(y.filter((l) => l >= 0));
  if (kept.length === 0) return marginLoss(x, w, y, { s });
  const centerCos = clamp(matmul(takeRows(wHat, kept), wHat, { transB: true }), -1, 1); // V×C
  const others = new Float64Array(kept.length * c).fill(1);
  kept.forEach((l, i) => (others[i * c + l] = 0));
  const mask = x.backend.fromArray(others, [kept.length, c], x.dtype);
  const angles = select(mask, acos(centerCos), scale(centerCos, 0)); // j = y_i contributes 0
  return sub(marginLoss(x, w, y, { s }), scale(sum(angles), 1 / (Math.PI * v * (c - 1))));
}
