/**
 * The angular triplet loss (src/losses/angular-triplet.ts, L7) on triplets mined inside a batch of
 * P identities × K images (src/train/identity-batches.ts).
 *
 * Mining: FaceNet's semi-hard rule as insightface's legacy triplet iterator applies it
 * (deepinsight/insightface recognition/ArcFace/triplet_image_iter.py, `pick_triplets`: every
 * anchor–positive pair (a, p) of one identity, a before p; negatives with
 * d(a,p) < d(a,n) < d(a,p) + α; a pair without one gives no triplet), here with angles for
 * distances (the loss is angular, α = m). insightface draws one of the semi-hard negatives at
 * random; this takes the nearest one (the smallest θ_an, ties to the first row), as TensorFlow's
 * `triplet_semihard_loss` does, so the loss is a function of the batch alone (no generator to
 * checkpoint). The selection reads the embeddings' values and is constant under small
 * perturbations, so the gradient is the tape's through `takeRows` and the registered ops of L7.
 *
 * A positive pair at an angle that is rounding noise (1 − cos θ_ap ≤ 16·u of the dtype: the same
 * image twice, which the P×K order repeats for identities with fewer than K images) gives no
 * triplet: acos' derivative is unbounded there. With no triplet the loss is 0 (with zero gradient).
 */
import { scale, sum, takeRows } from '../ops/index.js';
import { assertTensor } from '../tape/tape.js';
import { unitRoundoff } from '../tensor/dtype.js';
import { ShapeError, formatShape } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Labels } from '../ops/_labels.js';
import { toLabels } from '../ops/_labels.js';
import { angularTripletLoss } from './angular-triplet.js';

/** Mined triplets as batch row indices. */
export interface Triplets {
  /** Anchor rows. */
  anchor: number[];
  /** Positive rows (same label as the anchor). */
  positive: number[];
  /** Negative rows (another label). */
  negative: number[];
}

/**
 * The semi-hard triplets of row-major `values` (N × `dim`) under `labels` (see the file header);
 * `u` is the unit roundoff of the values' dtype.
 */
export function semiHardTriplets(values: ArrayLike<number>, dim: number, labels: ArrayLike<number>, margin: number, u: number): Triplets {
  const n = labels.length;
  const unit = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let k = 0; k < dim; k++) norm += values[i * dim + k] ** 2;
    const r = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let k = 0; k < dim; k++) unit[i * dim + k] = values[i * dim + k] * r;
  }
  const cos = (i: number, j: number) => {
    let d = 0;
    for (let k = 0; k < dim; k++) d += unit[i * dim + k] * unit[j * dim + k];
    return Math.min(1, Math.max(-1, d));
  };
  const out: Triplets = { anchor: [], positive: [], negative: [] };
  for (let a = 0; a < n; a++) {
    const negatives: { row: number; angle: number }[] = [];
    for (let j = 0; j < n; j++) if (labels[j] !== labels[a]) negatives.push({ row: j, angle: Math.acos(cos(a, j)) });
    for (let p = a + 1; p < n; p++) {
      if (labels[p] !== labels[a]) continue;
      const c = cos(a, p);
      if (1 - c <= 16 * u) continue;
      const ap = Math.acos(c);
      let best = -1;
      let bestAngle = Infinity;
      for (const { row, angle } of negatives) {
        if (angle > ap && angle < ap + margin && angle < bestAngle) {
          best = row;
          bestAngle = angle;
        }
      }
      if (best < 0) continue;
      out.anchor.push(a);
      out.positive.push(p);
      out.negative.push(best);
    }
  }
  return out;
}

/** L7 on the semi-hard triplets mined in the batch `x` [N, d] with `labels` (see the file header). */
export function minedAngularTripletLoss(x: Tensor, labels: Labels, { margin = 0.35 }: { margin?: number } = {}): Tensor {
  assertTensor(x, 'minedAngularTripletLoss: embeddings');
  if (x.rank !== 2 || x.shape[0] === 0) throw new ShapeError(`minedAngularTripletLoss: need embeddings [N, d], got ${formatShape(x.shape)}`);
  const y = toLabels('minedAngularTripletLoss', labels, x.shape[0], Number.MAX_SAFE_INTEGER, false);
  const t = semiHardTriplets(x.toTypedArray(), x.shape[1], y, margin, unitRoundoff(x.dtype));
  if (t.anchor.length === 0) return scale(sum(x), 0);
  return angularTripletLoss(takeRows(x, t.anchor), takeRows(x, t.positive), takeRows(x, t.negative), { margin });
}
