import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { OptionError } from '../../src/tensor/errors.js';
import {
  KNOWN_DIGITS,
  MNIST_PIXELS,
  QUICK_PER_DIGIT,
  UNSEEN_DIGITS,
  mnistBytes,
  openSetMnist,
  type ImageSet,
} from '../../src/data/mnist.js';

const digitsOf = (set: ImageSet) => [...new Set(set.labels)].sort((a, b) => a - b);
const keys = (set: ImageSet) => Array.from(set.labels, (d, i) => `${d}:${set.sourceIndex[i]}`);

describe('mnist package', () => {
  it('ships 10,000 digits of 784 pixels, each pixel p/255 rounded to 3 decimals', () => {
    const bytes = mnistBytes();
    expect(bytes.reduce((n, b) => n + b.length / MNIST_PIXELS, 0)).toBe(10_000);
    // The recovery p = round(255·v) is exact only if the package really stores round(p/255, 3):
    // check it against the package's raw values for a whole digit.
    const raw = (createRequire(import.meta.url)('mnist') as { raw: number[] }[])[3].raw;
    for (let i = 0; i < raw.length; i++) {
      if (Math.round((bytes[3][i] / 255) * 1000) / 1000 !== raw[i]) throw new Error(`pixel ${i}: ${raw[i]}`);
    }
  });
});

describe('openSetMnist', () => {
  const quick = openSetMnist({ quick: true, seed: 1 });

  it('keeps known and unseen digits apart', () => {
    expect(digitsOf(quick.train)).toEqual(KNOWN_DIGITS);
    expect(digitsOf(quick.closedTest)).toEqual(KNOWN_DIGITS);
    expect(digitsOf(quick.unseen)).toEqual(UNSEEN_DIGITS);
  });

  it('quick: 60 per digit, 12 of each known digit held out, no image in two splits', () => {
    expect(quick.unseen.count).toBe(3 * QUICK_PER_DIGIT);
    expect(quick.closedTest.count).toBe(7 * 12);
    expect(quick.train.count).toBe(7 * 48);
    const all = [...keys(quick.train), ...keys(quick.closedTest), ...keys(quick.unseen)];
    expect(new Set(all).size).toBe(all.length);
    expect(quick.train.images.length).toBe(quick.train.count * MNIST_PIXELS);
  });

  it('is deterministic in the seed and changes with it', () => {
    const again = openSetMnist({ quick: true, seed: 1 });
    expect(again.train.images).toEqual(quick.train.images);
    expect(keys(again.unseen)).toEqual(keys(quick.unseen));
    expect(keys(openSetMnist({ quick: true, seed: 2 }).train)).not.toEqual(keys(quick.train));
  });

  it('the full split uses every image once', () => {
    const full = openSetMnist({ seed: 0 });
    expect(full.train.count + full.closedTest.count + full.unseen.count).toBe(10_000);
    expect(full.unseen.count).toBe(1070 + 944 + 978);
    // digit 0 has 1001 images: ⌊0.2·1001⌋ = 200 held out
    expect(full.closedTest.labels.filter((d) => d === 0).length).toBe(200);
  });

  it('scales pixels to [0, 1] or to [−1, 1] (insightface)', () => {
    const sym = openSetMnist({ quick: true, seed: 1, scaling: 'symmetric' });
    const u = quick.train.images;
    const s = sym.train.images;
    expect(u.reduce((a, b) => Math.min(a, b))).toBe(0);
    expect(u.reduce((a, b) => Math.max(a, b))).toBe(1);
    for (let i = 0; i < u.length; i += 97) expect(s[i]).toBeCloseTo(2 * u[i] - 1, 12);
  });

  it('rejects bad options with OptionError', () => {
    expect(() => openSetMnist({ testFraction: 1 })).toThrow(OptionError);
    expect(() => openSetMnist({ perDigit: -1 })).toThrow(OptionError);
    expect(() => openSetMnist({ perDigit: 2, testFraction: 0.2 })).toThrow(OptionError); // ⌊0.4⌋ = 0 test images
    expect(() => openSetMnist({ scaling: 'bytes' as never })).toThrow(OptionError);
  });
});
