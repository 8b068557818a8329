/**
 * Training on the wasm backend (float32, SIMD gemm, the fused head through the marginHead op)
 * against the float64 CPU reference: the same short run — an MLP with PReLU and a batch-normed
 * embedding, ArcFace over 9 classes, SGD with momentum, 12 steps — agrees to float32 accuracy,
 * and the caller's side (returned parameters, checkpoints) stays float64 on the CPU, so a resumed
 * wasm run ends bit-identical to an uninterrupted one.
 *
 * Tolerance: the rule of the head's conformance (`arcgrad check`'s float32 default): every step's
 * loss |ΔL| ≤ 1e-4·(1 + |L|), and every parameter by the suite's rule (src/check/tolerance.ts),
 * ‖ours − ref‖∞ / max(‖ref‖∞, floor) ≤ 1e-3, the floor 10⁻³ of the largest parameter's ‖·‖∞ (the benchmark's rule for gradients: a bias
 * in front of batch norm gets no gradient and stays at ~0, where a relative error means nothing). Twelve
 * steps at lr 0.05 with s = 16 keep the run in the regime where float32 rounding (~6e-8 per
 * operation) is not amplified past that: the losses fall smoothly, no cosine sits at ±1.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cpu } from '../../src/backend/cpu.js';
import { WasmBackend } from '../../src/backend/wasm/backend.js';
import { shutdownFastPool } from '../../src/backend/wasm/pool.js';
import { marginLoss } from '../../src/losses/margin-head.js';
import { normal } from '../../src/nn/init.js';
import { MLP } from '../../src/nn/mlp.js';
import { sgd } from '../../src/optim/sgd.js';
import { relativeError } from '../../src/check/tolerance.js';
import { train, type TrainOptions } from '../../src/train/loop.js';
import { Random } from '../../src/tensor/random.js';
import { useTempDir } from '../support/temp-dir.js';

afterAll(() => shutdownFastPool());

const maxAbs = (v: ArrayLike<number>) => Array.from(v).reduce((m, x) => Math.max(m, Math.abs(x)), 0);

function options(overrides: Partial<TrainOptions> = {}): TrainOptions {
  const rng = new Random(5);
  const rows = 96, inputs = 24, classes = 9;
  const centers = Array.from({ length: classes }, () => Array.from({ length: inputs }, () => rng.normal()));
  const labels = Array.from({ length: rows }, (_, i) => i % classes);
  const x = labels.map((c) => centers[c].map((v) => v + 0.5 * rng.normal()));
  return {
    backbone: new MLP({ inFeatures: inputs, hidden: [20], embedding: 8 }),
    head: { w: normal(0.5)([classes, 8], new Random(2)) },
    headLoss: (e, h, y) => marginLoss(e, h.w, y, { s: 16, m2: 0.5 }),
    data: { x: cpu.fromArray(x.flat(), [rows, inputs], 'float64'), labels },
    epochs: 2,
    batchSize: 16,
    optimizer: sgd({ lr: 0.05, momentum: 0.9 }),
    seed: 3,
    ...overrides,
  };
}

describe.each([1, 2])('train on the wasm backend (%i threads)', (threads) => {
  const wasm = new WasmBackend({ threads });
  const dir = useTempDir('arcgrad-train-wasm-');

  it('agrees with the float64 CPU reference to float32 accuracy, step by step', () => {
    const ref = train(options());
    const got = train(options({ backend: wasm }));
    expect(got.losses).toHaveLength(12);
    got.losses.forEach((l, i) => expect(Math.abs(l - ref.losses[i]), `step ${i + 1}: ${l} vs ${ref.losses[i]}`).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(ref.losses[i]))));
    expect(ref.losses[11]).toBeLessThan(ref.losses[0]); // it learned: the comparison is not of two idle runs
    const largest = Math.max(...(['backbone', 'head'] as const).flatMap((part) => Object.values(ref[part]).map((t) => maxAbs(t.toTypedArray()))));
    for (const part of ['backbone', 'head'] as const) {
      for (const [name, t] of Object.entries(ref[part])) {
        const mine = got[part][name];
        expect(mine.backend, `${part}.${name} comes back to the caller's backend`).toBe(cpu);
        expect(mine.dtype).toBe('float64');
        expect(relativeError(mine.toTypedArray(), t.toTypedArray(), 1e-3 * largest), `${part}.${name}`).toBeLessThanOrEqual(1e-3);
      }
    }
  });

  it('resumes from a checkpoint to bit-identical parameters, and refuses a checkpoint of another backend', () => {
    const path = join(dir(), 'ckpt.json');
    const whole = train(options({ backend: wasm }));
    expect(() => train(options({ backend: wasm, epochs: 1, checkpoint: { path }, onProgress: (p) => { if (p.step === 5) throw new Error('stop'); } }))).toThrow('stop');
    const resumed = train(options({ backend: wasm, resume: path }));
    expect(resumed.losses).toEqual(whole.losses.slice(5));
    for (const [name, t] of Object.entries(whole.backbone)) expect(Array.from(resumed.backbone[name].toTypedArray()), name).toEqual(Array.from(t.toTypedArray()));
    expect(() => train(options({ resume: path }))).toThrow(/compute/);
  });
});
