/**
 * Sub-center ArcFace (Deng et al., ECCV 2020): each class has K sub-centers (W is (C·K)×d, the K
 * sub-centers of class j in rows j·K … j·K + K − 1), and a feature's cosine to class j is its
 * largest cosine to one of them:
 *
 *   cos θ_ij = max_k cos(x_i, w_{j,k})
 *
 * then the usual margin head (ArcFace by default) on these C cosines. The max is the registered
 * maxRows op over a [N·C, K] view of the N×(C·K) cosine matrix, so the gradient reaches only the
 * dominant sub-center of each class (K = 3 as insightface and PML).
 */
import { crossEntropy, maxRows, pickColumns, replaceColumns, reshape, scale } from '../ops/index.js';
import type { Labels } from '../ops/_labels.js';
import { toLabels } from '../ops/_labels.js';
import { assertTensor } from '../tape/tape.js';
import { OptionError, ShapeError, formatShape } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { cosineMatrix, interclassFilter, targetLogit } from './margin-head.js';
import { resolveMarginOptions, type MarginOptions } from './options.js';

/** The N×C cosines of sub-center ArcFace: the max over each class's K sub-centers. */
export function subCenterCosines(x: Tensor, w: Tensor, k: number, eps = 1e-12): Tensor {
  if (!Number.isInteger(k) || k < 1) throw new OptionError(`subCenterCosines: K must be a positive integer, got ${k}`);
  assertTensor(x, 'subCenterCosines: features X');
  assertTensor(w, 'subCenterCosines: class centers W');
  if (w.rank !== 2 || w.shape[0] % k !== 0) {
    throw new ShapeError(`subCenterCosines: W ${formatShape(w.shape)} does not hold C·K rows for K = ${k}`);
  }
  const n = x.shape[0];
  const c = w.shape[0] / k;
  return reshape(maxRows(reshape(cosineMatrix(x, w, eps), [n * c, k])), [n, c]);
}

/** Sub-center ArcFace: the margin loss on the sub-center cosines (ArcFace s = 64, m2 = 0.5 unless given). */
export function subCenterArcFaceLoss(
  x: Tensor,
  w: Tensor,
  labels: Labels,
  { k = 3, ...options }: Partial<MarginOptions> & { k?: number } = {},
): Tensor {
  const o = resolveMarginOptions({ s: 64, m2: 0.5, ...options }, 'subCenterArcFaceLoss');
  assertTensor(x, 'subCenterArcFaceLoss: features X');
  assertTensor(w, 'subCenterArcFaceLoss: class centers W');
  if (x.rank !== 2 || w.rank !== 2 || x.shape[1] !== w.shape[1]) {
    throw new ShapeError(`subCenterArcFaceLoss: X ${formatShape(x.shape)} and W ${formatShape(w.shape)} need the same d`);
  }
  let cosines = subCenterCosines(x, w, k, o.eps);
  const y = toLabels('subCenterArcFaceLoss', labels, x.shape[0], cosines.shape[1]);
  if (o.interclassFilteringThreshold > 0) cosines = interclassFilter(cosines, y, o.interclassFilteringThreshold);
  const logits = scale(replaceColumns(cosines, targetLogit(pickColumns(cosines, y), o), y), o.s);
  return crossEntropy(logits, y);
}
