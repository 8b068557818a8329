/**
 * P×K batches (src/train/identity-batches.ts): the order is a function of (seed, epoch), every
 * row appears in each epoch's chunks, the repeats and drops are exactly the documented ones, and
 * a run with them resumes from a checkpoint bit-identically.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../support/temp-dir.js';
import { MLP } from '../../src/nn/mlp.js';
import type { Params } from '../../src/nn/params.js';
import { sgd } from '../../src/optim/sgd.js';
import { minedAngularTripletLoss } from '../../src/losses/triplet-mining.js';
import { identityBatchOrder, identityBatchesPerEpoch } from '../../src/train/identity-batches.js';
import { loadCheckpoint } from '../../src/train/checkpoint.js';
import { train, type TrainOptions, type TrainResult } from '../../src/train/loop.js';
import { OptionError } from '../../src/tensor/errors.js';
import { Random } from '../../src/tensor/random.js';

/** 6 identities with 1, 2, 3, 4, 5 and 8 rows, interleaved. */
const sizes = [1, 2, 3, 4, 5, 8];
const labels = sizes.flatMap((n, c) => Array.from({ length: n }, () => c)).map((_, i, all) => all[(i * 7) % all.length]);

function counts(order: number[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const i of order) m.set(i, (m.get(i) ?? 0) + 1);
  return m;
}

describe('identityBatchOrder', () => {
  it('is a function of the generator, batches hold K-row chunks of one identity, and identities < K repeat rows', () => {
    const o = { identities: 2, imagesPerIdentity: 4 };
    // chunks: ⌈1/4⌉ + ⌈2/4⌉ + ⌈3/4⌉ + ⌈4/4⌉ + ⌈5/4⌉ + ⌈8/4⌉ = 1 + 1 + 1 + 1 + 2 + 2 = 8 → 4 batches, none dropped
    expect(identityBatchesPerEpoch(labels, o)).toBe(4);
    const order = identityBatchOrder(labels, o, new Random(3));
    expect(order).toEqual(identityBatchOrder(labels, o, new Random(3)));
    expect(order).not.toEqual(identityBatchOrder(labels, o, new Random(4)));
    expect(order).toHaveLength(4 * 8);
    for (let c = 0; c < order.length; c += 4) expect(new Set(order.slice(c, c + 4).map((i) => labels[i])).size).toBe(1);
    const seen = counts(order);
    expect([...seen.keys()].sort((a, b) => a - b)).toEqual(labels.map((_, i) => i)); // every row, once per epoch at least
    // repeats: Σ(⌈n/K⌉·K − n) = 3 + 2 + 1 + 0 + 3 + 0 = 9 extra slots
    expect([...seen.values()].reduce((a, b) => a + b, 0) - labels.length).toBe(9);
  });

  it('drops exactly the last chunks mod P of the shuffled chunk order', () => {
    const o = { identities: 3, imagesPerIdentity: 4 }; // 8 chunks → 2 batches, 2 chunks dropped
    expect(identityBatchesPerEpoch(labels, o)).toBe(2);
    expect(identityBatchOrder(labels, o, new Random(3))).toHaveLength(2 * 12);
    expect(() => identityBatchesPerEpoch(labels, { identities: 9, imagesPerIdentity: 4 })).toThrow(/make no batch/);
    expect(() => identityBatchesPerEpoch(labels, { identities: 0, imagesPerIdentity: 4 })).toThrow(OptionError);
  });
});

describe('train with identityBatches', () => {
  const tempDir = useTempDir('arcgrad-pk-');
  const rng = new Random(5);
  const x = labels.map((c) => Array.from({ length: 4 }, (_, k) => (k === c % 4 ? 2 : 0) + (c >= 4 ? 1 : 0) + 0.3 * rng.normal()));
  const options = (overrides: Partial<TrainOptions> = {}): TrainOptions => ({
    backbone: new MLP({ inFeatures: 4, hidden: [6], embedding: 3 }),
    head: {},
    headLoss: (e, _h, y) => minedAngularTripletLoss(e, y, { margin: 0.35 }),
    data: { x, labels },
    epochs: 3,
    batchSize: 8,
    identityBatches: { identities: 2, imagesPerIdentity: 4 },
    optimizer: sgd({ lr: 0.05, momentum: 0.9 }),
    seed: 1,
    ...overrides,
  });
  const bits = (r: TrainResult) => Object.entries(r.backbone as Params).map(([k, t]) => [k, Array.from(t.toTypedArray())]);

  it('takes the P×K order: 4 batches an epoch, and resumes from a mid-run checkpoint bit-identically', () => {
    const reference = train(options());
    expect(reference.step).toBe(12);
    const path = join(tempDir(), 'run.ckpt');
    expect(() => train(options({ checkpoint: { path, every: 1 }, onProgress: (p) => { if (p.step === 6) throw new Error('stop'); } }))).toThrow('stop');
    expect(loadCheckpoint(path).step).toBe(6);
    const resumed = train(options({ resume: path }));
    expect(bits(resumed)).toEqual(bits(reference));
    expect(resumed.losses).toEqual(reference.losses.slice(6));
    expect(() => train(options({ identityBatches: { identities: 4, imagesPerIdentity: 2 }, resume: path }))).toThrow(/identityBatches/);
  });

  it('refuses a batch size other than P·K', () => {
    expect(() => train(options({ batchSize: 6 }))).toThrow(/batchSize 6 must be identities × imagesPerIdentity = 2 × 4/);
  });
});
