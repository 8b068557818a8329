/**
 * The angular triplet loss on semi-hard triplets mined in the batch (src/losses/triplet-mining.ts):
 * the mining rule on a hand-made batch, the value against the triplets written out, the skipped
 * duplicate pair, and the tape's gradient through the mining against central differences.
 */
import { describe, expect, it } from 'vitest';
import { UNIT_ROUNDOFF, acosCondition, tolerance, withinTolerance } from '../../src/check/tolerance.js';
import { minedAngularTripletLoss, semiHardTriplets } from '../../src/losses/triplet-mining.js';
import { valueAndGrad } from '../../src/tape/grad.js';
import { gradcheck } from '../../src/tape/gradcheck.js';
import { tensor } from '../../src/tensor/create.js';
import { Random } from '../../src/tensor/random.js';

/** Unit vectors at these angles (radians) in the plane, scaled by 2 (the loss normalizes). */
const atAngles = (angles: number[]) => angles.flatMap((a) => [2 * Math.cos(a), 2 * Math.sin(a)]);

describe('semi-hard mining', () => {
  // rows: 0 @ 0 and 1 @ 0.2 (identity 0); 2 @ 0.3, 3 @ 0.1, 4 @ 0.5 (identity 1); m = 0.35
  const angles = [0, 0.2, 0.3, 0.1, 0.5];
  const labels = [0, 0, 1, 1, 1];

  it('pairs each anchor with its later positives and the nearest negative in (θ_ap, θ_ap + m)', () => {
    // (0,1): θ_ap 0.2, negatives at 0.3, 0.1, 0.5 → semi-hard 0.3 and 0.5 → row 2 (the nearer)
    // (2,3), (2,4): θ_ap 0.2, negatives from row 2 at 0.3 (row 0) and 0.1 (row 1) → row 0
    // (3,4): θ_ap 0.4, negatives at 0.1 and 0.1 → none semi-hard: no triplet
    expect(semiHardTriplets(atAngles(angles), 2, labels, 0.35, UNIT_ROUNDOFF.float64)).toEqual({ anchor: [0, 2, 2], positive: [1, 3, 4], negative: [2, 0, 0] });
  });

  it('the loss is the mean hinge of those triplets: (0.2 + 0.35 − 0.3) for each', () => {
    const value = minedAngularTripletLoss(tensor(atAngles(angles), [5, 2]), labels).item();
    // three hinges of order 1, each from two arccos at θ = 0.2 and 0.3 (condition 1/sin θ), a 2-term dot product
    const t = tolerance(1e-12, { u: UNIT_ROUNDOFF.float64, scale: 1, condition: acosCondition(Math.cos(0.2)), roundings: 2 * (2 + 4) });
    expect(withinTolerance(value, 0.25, t)).toBe(true);
  });

  it('a positive pair of one image twice gives no triplet, and a batch without triplets a zero loss with a zero gradient', () => {
    const twice = atAngles([0, 0, 0.1]);
    expect(semiHardTriplets(twice, 2, [0, 0, 1], 0.35, UNIT_ROUNDOFF.float32).anchor).toEqual([]);
    // (gradcheck cannot be used here: its ±ε perturbations part the two copies, which then mine a triplet)
    const { value, grads } = valueAndGrad((x) => minedAngularTripletLoss(x, [0, 0, 1]))(tensor(twice, [3, 2]));
    expect(value.item()).toBe(0);
    expect(Array.from(grads[0].toTypedArray())).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('the gradient through the mining is the tape\'s: central differences agree on a 3 × 3 batch', () => {
    const rng = new Random(7);
    const labels9 = [0, 0, 0, 1, 1, 1, 2, 2, 2];
    const centers = [[1, 0, 0, 0], [0, 1, 0, 0], [0.7, 0.7, 0, 0]];
    const x = tensor(labels9.flatMap((c) => centers[c].map((v) => v + 0.4 * rng.normal())), [9, 4]);
    const mined = semiHardTriplets(x.toTypedArray(), 4, labels9, 0.35, UNIT_ROUNDOFF.float64);
    expect(mined.anchor.length).toBeGreaterThan(0); // the check is of a loss with triplets
    expect(gradcheck((e) => minedAngularTripletLoss(e, labels9), [x], { atol: 1e-5 }).ok).toBe(true);
  });
});
