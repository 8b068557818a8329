/**
 * Sub-center ArcFace (Deng et al., ECCV 2020): each class has K sub-centers (W is (C·K)×d, the K
 * sub-centers of class j in rows j·K … j·K + K − 1), and a feature's cosine to class j is its
 * largest cosine to one of them:
 *
 *   cos θ_ij = max_k cos(x_i, w_{j,k})
 *
 * then the usual margin head (ArcFace by default) on these C cosines. The max is the registered
 * maxRows op over a [N·C, K] view of the N×(C·K) cosine matrix, so the gradient reaches only the
 * dominant sub-center of each class (K = 3 as insightface and PML). It is the margin head with
 * the `subCenters` option (losses/margin-head.ts).
 */
import { OptionError } from '../tensor/errors.js';
import type { Labels } from '../ops/_labels.js';
import type { Tensor } from '../tensor/tensor.js';
import { marginLoss, subCenterCosines } from './margin-head.js';
import type { MarginOptions } from './options.js';

export { subCenterCosines };

/** Sub-center ArcFace: the margin loss with `subCenters: k` (ArcFace s = 64, m2 = 0.5 unless given). */
export function subCenterArcFaceLoss(
  x: Tensor,
  w: Tensor,
  labels: Labels,
  { k = 3, ...options }: Partial<MarginOptions> & { k?: number } = {},
): Tensor {
  if (!Number.isInteger(k) || k < 1) throw new OptionError(`subCenterArcFaceLoss: K must be a positive integer, got ${k}`);
  return marginLoss(x, w, labels, { s: 64, m2: 0.5, ...options, subCenters: k });
}
