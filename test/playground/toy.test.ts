/** The playground's toy trainer, in Node: it learns, it is deterministic, and float32 gpu.js follows the float64 reference. */
import { describe, expect, it } from 'vitest';
import { GpujsBackend } from '../../src/backend/gpujs/gpujs-backend.js';
import { OptionError } from '../../src/tensor/errors.js';
import { PLAYGROUND_TOY, ToyTrainer } from '../../playground/toy.js';

const arcface = { s: 16, m2: 0.5 };

describe('ToyTrainer', () => {
  it('learns the clusters: the loss falls by more than 4× in 60 steps and most samples sit nearest their own center', () => {
    const t = new ToyTrainer({ ...PLAYGROUND_TOY, margin: arcface });
    const before = t.accuracy();
    for (let k = 0; k < 60; k++) t.step();
    expect(t.losses).toHaveLength(60);
    expect(t.loss()).toBeLessThan(t.losses[0] / 4);
    expect(t.accuracy()).toBeGreaterThan(Math.max(0.9, before));
    expect(t.embeddings()).toHaveLength(2 * PLAYGROUND_TOY.classes * PLAYGROUND_TOY.perClass);
    expect(t.centers()).toHaveLength(2 * PLAYGROUND_TOY.classes);
  });

  it('is a function of its seed', () => {
    const run = (seed: number) => {
      const t = new ToyTrainer({ ...PLAYGROUND_TOY, seed, margin: arcface });
      for (let k = 0; k < 3; k++) t.step();
      return t.losses;
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  it('trains the same on gpu.js (float32) as on the CPU reference (float64), to float32 accuracy', () => {
    const reference = new ToyTrainer({ ...PLAYGROUND_TOY, margin: arcface });
    const device = new ToyTrainer({ ...PLAYGROUND_TOY, margin: arcface, backend: new GpujsBackend('cpu') });
    for (let k = 0; k < 10; k++) {
      reference.step();
      device.step();
    }
    expect(device.backend.name).toBe('gpu.js:cpu');
    device.losses.forEach((l, k) => expect(Math.abs(l - reference.losses[k])).toBeLessThan(1e-4 * reference.losses[k]));
  });

  it('rejects a bad size or margin with an OptionError', () => {
    expect(() => new ToyTrainer({ margin: arcface, classes: 1 })).toThrow(OptionError);
    expect(() => new ToyTrainer({ margin: arcface, perClass: 2.5 })).toThrow(/perClass must be a positive integer/);
    expect(() => new ToyTrainer({ margin: { s: -1 } })).toThrow(/s must be > 0/);
  });
});
