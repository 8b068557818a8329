/**
 * The training loop on a tiny problem: determinism, learning, progress reports, and resume from
 * a checkpoint reaching bit-identical parameters to an uninterrupted run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../support/temp-dir.js';
import { normal } from '../../src/nn/init.js';
import { MLP } from '../../src/nn/mlp.js';
import type { Params } from '../../src/nn/params.js';
import { crossEntropy } from '../../src/ops/cross-entropy.js';
import { l2Normalize } from '../../src/ops/l2-normalize.js';
import { matmul } from '../../src/ops/matmul.js';
import { scale } from '../../src/ops/scale.js';
import { adam } from '../../src/optim/adam.js';
import { cosine, warmup } from '../../src/optim/schedule.js';
import { sgd } from '../../src/optim/sgd.js';
import { CheckpointError, decodeCheckpoint, loadCheckpoint } from '../../src/train/checkpoint.js';
import { train, type HeadLoss, type Progress, type TrainOptions, type TrainResult } from '../../src/train/loop.js';
import { DomainError, LabelError, OptionError } from '../../src/tensor/errors.js';
import { Random } from '../../src/tensor/random.js';
import type { Tensor } from '../../src/tensor/tensor.js';

/** A NormFace-style head from existing ops: s·cos(x̂, ŵ) into softmax cross-entropy. */
const normFace: HeadLoss = (e, head, labels) =>
  crossEntropy(scale(matmul(l2Normalize(e), l2Normalize(head.w), { transB: true }), 8), labels);

/** 14 rows of 3 classes around separated centers (14 with batch 4: a dropped short batch). */
function problem(): { x: number[][]; labels: number[] } {
  const rng = new Random(11);
  const centers = [[2, 0, 0, 1], [0, 2, 0, -1], [0, 0, 2, 1]];
  const labels = Array.from({ length: 14 }, (_, i) => i % 3);
  return { x: labels.map((c) => centers[c].map((v) => v + 0.3 * rng.normal())), labels };
}

function options(overrides: Partial<TrainOptions> = {}): TrainOptions {
  return {
    backbone: new MLP({ inFeatures: 4, hidden: [6], embedding: 3 }),
    head: { w: normal(0.5)([3, 3], new Random(2)) },
    headLoss: normFace,
    data: problem(),
    epochs: 4,
    batchSize: 4,
    optimizer: sgd({ lr: 0.05, momentum: 0.9, weightDecay: 5e-4 }),
    seed: 1,
    ...overrides,
  };
}

/** Every parameter, buffer and optimizer slot as exact bit strings. */
function fingerprint(r: TrainResult): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const add = (prefix: string, rec: Params) => {
    for (const [k, t] of Object.entries(rec)) {
      out[`${prefix}.${k}`] = Array.from(new Uint8Array((t.toTypedArray() as Float64Array).slice().buffer), (b) => b.toString(16));
    }
  };
  add('backbone', r.backbone);
  add('head', r.head);
  add('state', r.state);
  add('opt', r.optState as Record<string, Tensor>);
  return out;
}

describe('train', () => {
  const tempDir = useTempDir('arcgrad-train-');

  it('is deterministic in the seed, and the seed matters', () => {
    const a = train(options());
    expect(fingerprint(train(options()))).toEqual(fingerprint(a));
    expect(fingerprint(train(options({ seed: 2 })))).not.toEqual(fingerprint(a));
    expect(a.step).toBe(4 * 3);
  });

  it('learns: the last epoch\'s loss is well below the first\'s', () => {
    const r = train(options({ epochs: 10 }));
    const first = r.losses.slice(0, 3).reduce((p, q) => p + q) / 3;
    const last = r.losses.slice(-3).reduce((p, q) => p + q) / 3;
    expect(last).toBeLessThan(0.5 * first);
  });

  it('reports progress after every step', () => {
    const seen: Progress[] = [];
    train(options({ epochs: 2, schedule: (t) => 0.01 * (t + 1), onProgress: (p) => seen.push(p) }));
    expect(seen.map((p) => [p.epoch, p.batch, p.step, p.lr])).toEqual([
      [0, 0, 1, 0.01], [0, 1, 2, 0.02], [0, 2, 3, 0.03], [1, 0, 4, 0.04], [1, 1, 5, 0.05], [1, 2, 6, 0.06],
    ]);
    expect(seen.every((p) => p.totalSteps === 6 && p.batchesPerEpoch === 3 && p.epochs === 2 && Number.isFinite(p.loss))).toBe(true);
  });

  const setups: [string, Partial<TrainOptions>][] = [
    ['sgd with momentum', {}],
    ['adam with a warm-up + cosine schedule', { optimizer: adam({ lr: 0.01 }), schedule: warmup(cosine({ base: 0.01, steps: 9 }), { steps: 3 }) }],
  ];

  for (const [name, setup] of setups) {
    it(`${name}: resuming after a crash (from the last periodic checkpoint) is bit-identical`, () => {
      const path = join(tempDir(), 'run.ckpt');
      const reference = train(options(setup));
      // A run that crashes right after step 5, whose last periodic checkpoint (every 2) is step 4,
      // mid-epoch: the snapshot of the file taken at step 4 is what a crash would have left.
      let atFour = '';
      expect(() =>
        train(options({
          ...setup,
          checkpoint: { path, every: 2 },
          onProgress: (p) => {
            if (p.step === 4) atFour = readFileSync(path, 'utf8');
            if (p.step === 5) throw new Error('killed');
          },
        })),
      ).toThrow('killed');
      const snapshot = decodeCheckpoint(atFour);
      expect(snapshot.step).toBe(4);
      expect(snapshot.rng).toEqual({ kind: 'per-epoch', seed: 1, epoch: 1, batch: 1 });
      const resumed = train(options({ ...setup, resume: snapshot }));
      expect(resumed.step).toBe(reference.step);
      expect(fingerprint(resumed)).toEqual(fingerprint(reference));
      expect(resumed.losses).toEqual(reference.losses.slice(4));
    });
  }

  it('an interrupted run saves its finished steps, and resuming from the file is bit-identical', () => {
    const path = join(tempDir(), 'run.ckpt');
    const reference = train(options({ checkpoint: { path: join(tempDir(), 'ref.ckpt') } }));
    expect(() => train(options({ checkpoint: { path }, onProgress: (p) => { if (p.step === 7) throw new Error('stop'); } }))).toThrow('stop');
    expect(loadCheckpoint(path).step).toBe(7);
    const resumed = train(options({ resume: path, checkpoint: { path } }));
    expect(fingerprint(resumed)).toEqual(fingerprint(reference));
    expect(loadCheckpoint(path).step).toBe(12);
    // The final checkpoint holds the final model.
    const final = loadCheckpoint(path);
    expect(final.params['head.w'].toArray()).toEqual(reference.head.w.toArray());
  });

  it('refuses to resume a checkpoint written by a different run', () => {
    const path = join(tempDir(), 'run.ckpt');
    train(options({ epochs: 1, checkpoint: { path } }));
    expect(() => train(options({ batchSize: 2, resume: path }))).toThrow(/batchSize/);
    expect(() => train(options({ seed: 5, resume: path }))).toThrow(CheckpointError);
    expect(() => train(options({ optimizer: adam(), resume: path }))).toThrow(/optimizer/);
    expect(() => train(options({ backbone: new MLP({ inFeatures: 4, hidden: [5], embedding: 3 }), resume: path }))).toThrow(CheckpointError);
  });

  it('extends a finished run to more epochs exactly as if it had been planned', () => {
    const path = join(tempDir(), 'run.ckpt');
    train(options({ epochs: 2, checkpoint: { path } }));
    expect(fingerprint(train(options({ resume: path })))).toEqual(fingerprint(train(options())));
  });

  it('a step whose gradient is not finite stops training; the checkpoint holds the last good step, and a run with the foreign run tag is refused', () => {
    const path = join(tempDir(), 'run.ckpt');
    // From step 6 on, the head's loss is scaled by 1e308: its gradients overflow to ±Inf.
    let step = 0;
    const poisoned: HeadLoss = (e, head, labels) => scale(normFace(e, head, labels), step >= 6 ? 1e308 : 1);
    const onProgress = (p: Progress) => void (step = p.step);
    expect(() => train(options({ headLoss: poisoned, onProgress, checkpoint: { path, every: 100 }, run: { tag: 'a' } }))).toThrow(DomainError);
    const saved = loadCheckpoint(path);
    expect(saved.step).toBe(6);
    // Bit for bit the parameters of a clean run after 6 steps (nothing half-updated).
    const clean = train(options({ epochs: 2 })); // 2 epochs × 3 batches = 6 steps
    expect(Object.fromEntries(Object.entries(saved.params).map(([k, t]) => [k, t.toArray()]))).toEqual(
      Object.fromEntries([...Object.entries(clean.backbone).map(([k, t]) => [`backbone.${k}`, t.toArray()]), ['head.w', clean.head.w.toArray()]]),
    );
    expect(() => train(options({ resume: path, run: { tag: 'b' } }))).toThrow(/cannot resume: the checkpoint was written with run\.tag = "a", this run has "b"/);
    expect(train(options({ resume: path, run: { tag: 'a' } })).step).toBe(12);
  });

  it('rejects bad data and options', () => {
    expect(() => train(options({ data: { x: problem().x, labels: [0, 1] } }))).toThrow(LabelError);
    expect(() => train(options({ batchSize: 20 }))).toThrow(OptionError);
    expect(() => train(options({ epochs: 0 }))).toThrow(OptionError);
    expect(() => train(options({ seed: 0.5 }))).toThrow(OptionError);
  });

  it('a head state is restored when its step fails, saved in checkpoints and loaded on resume', () => {
    const state = { calls: 0 };
    const headState = { save: () => ({ ...state }), load: (v: unknown) => void Object.assign(state, v) };
    const headLoss: TrainOptions['headLoss'] = (e, h, y) => { state.calls++; return normFace(e, h, y); };
    const inner = sgd({ lr: 0.05 });
    let steps = 0;
    const failsThird = { ...inner, step: (...a: Parameters<typeof inner.step>) => { if (++steps === 3) throw new Error('refused'); return inner.step(...a); } };
    const path = join(tempDir(), 'head.json');
    expect(() => train(options({ headLoss, headState, optimizer: failsThird, checkpoint: { path } }))).toThrow('refused');
    expect(state.calls).toBe(2); // the third forward counted, then its step failed and the count was restored
    expect(loadCheckpoint(path)).toMatchObject({ step: 2, headState: { calls: 2 } });
    state.calls = 99;
    train(options({ headLoss, headState, optimizer: inner, resume: path, epochs: 1 }));
    expect(state.calls).toBe(3); // 2 from the checkpoint, then the one batch left of epoch 0 (3 batches of 4 among 14 rows)
    expect(() => train(options({ optimizer: inner, resume: path }))).toThrow(/the checkpoint has a head state, this run's head has none/);
  });
});

describe('device memory', () => {
  it('asks a backend with device storage to free each step’s intermediates, keeping data, parameters, buffers and optimizer slots, and to stop tracking at the end', async () => {
    const { cpu } = await import('../../src/backend/cpu.js');
    const calls: { mark: number; keep: Tensor[]; done: boolean }[] = [];
    const device = cpu as unknown as { markDevice?: () => number; releaseSince?: (m: number, keep: Iterable<Tensor>, done?: boolean) => void };
    device.markDevice = () => 41;
    device.releaseSince = (mark, keep, done = false) => void calls.push({ mark, keep: [...keep], done });
    try {
      const r = train(options({ optimizer: adam({ lr: 0.01 }) }));
      expect(calls).toHaveLength(r.step + 1); // 3 batches × 4 epochs, then the final call
      expect(calls.every((c) => c.mark === 41)).toBe(true);
      expect(calls.map((c) => c.done)).toEqual([...Array(r.step).fill(false), true]);
      const last = new Set(calls.at(-1)!.keep);
      for (const t of [...Object.values(r.backbone), ...Object.values(r.head), ...Object.values(r.state), ...Object.values(r.optState)]) {
        expect(last.has(t)).toBe(true);
      }
      expect(Object.keys(r.optState).length).toBeGreaterThan(0);
    } finally {
      delete device.markDevice;
      delete device.releaseSince;
    }
  });
});
