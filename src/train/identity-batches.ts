/**
 * P×K batches: each batch holds P identities with K images each, the order a triplet loss needs
 * (every anchor has K − 1 positives and (P − 1)·K negatives in its batch; Hermans et al. 2017,
 * "In Defense of the Triplet Loss", and insightface's legacy `images_per_identity` iterator,
 * recognition/ArcFace/triplet_image_iter.py).
 *
 * One epoch, from one seeded generator (so the order is a function of (seed, epoch) only and a
 * resumed run re-creates it):
 *   1. identities in ascending label order; each identity's rows shuffled;
 *   2. each identity cut into ⌈n/K⌉ chunks of K rows; the last chunk, when n is not a multiple of
 *      K, is filled by cycling the identity's shuffled rows from its start (so an identity with
 *      n < K images repeats some of them, as insightface's `_list[i % len(_list)]` does) —
 *      every row appears at least once in the chunks, Σ(⌈n/K⌉·K − n) rows twice;
 *   3. the chunks shuffled, and P consecutive chunks make a batch; the last (chunks mod P) chunks
 *      are dropped (as `dropLast`), so the rows only they held are not seen that epoch.
 * Two chunks of one identity can fall into one batch (then it holds 2K of its images).
 */
import { OptionError } from '../tensor/errors.js';
import type { Random } from '../tensor/random.js';

/** P×K batching: `identities` (P) identities × `imagesPerIdentity` (K) images per batch. */
export interface IdentityBatches {
  /** P: identities per batch. */
  identities: number;
  /** K: images of each identity per batch. */
  imagesPerIdentity: number;
}

function rowsByIdentity(labels: ArrayLike<number>): number[][] {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const rows = groups.get(labels[i]);
    if (rows === undefined) groups.set(labels[i], [i]);
    else rows.push(i);
  }
  return [...groups.keys()].sort((a, b) => a - b).map((k) => groups.get(k) as number[]);
}

function checkIdentityBatches(o: IdentityBatches): void {
  for (const [name, v] of [['identities', o.identities], ['imagesPerIdentity', o.imagesPerIdentity]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new OptionError(`identity batches: ${name} must be an integer ≥ 1, got ${String(v)}`);
  }
}

/** Batches per epoch of `o` on `labels`: ⌊Σ⌈n/K⌉ / P⌋ (the same every epoch); an OptionError when none. */
export function identityBatchesPerEpoch(labels: ArrayLike<number>, o: IdentityBatches): number {
  checkIdentityBatches(o);
  const chunks = rowsByIdentity(labels).reduce((sum, rows) => sum + Math.ceil(rows.length / o.imagesPerIdentity), 0);
  const batches = Math.floor(chunks / o.identities);
  if (batches === 0) throw new OptionError(`identity batches: ${chunks} chunks of ${o.imagesPerIdentity} images make no batch of ${o.identities} identities`);
  return batches;
}

/** One epoch's row order (batches × P × K rows; see the file header), drawn from `rng`. */
export function identityBatchOrder(labels: ArrayLike<number>, o: IdentityBatches, rng: Random): number[] {
  const batches = identityBatchesPerEpoch(labels, o);
  const k = o.imagesPerIdentity;
  const chunks: number[][] = [];
  for (const rows of rowsByIdentity(labels)) {
    const shuffled = rng.shuffle(rows);
    const count = Math.ceil(shuffled.length / k);
    for (let c = 0; c < count; c++) chunks.push(Array.from({ length: k }, (_, j) => shuffled[(c * k + j) % shuffled.length]));
  }
  return rng.shuffle(chunks).slice(0, batches * o.identities).flat();
}
