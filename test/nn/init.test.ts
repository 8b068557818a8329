/** Initializers: seeded determinism, the published scales, and option checks. */
import { describe, expect, it } from 'vitest';
import { constant, fans, kaimingNormal, kaimingUniform, normal, xavierNormal, xavierUniform } from '../../src/nn/init.js';
import { OptionError } from '../../src/tensor/errors.js';
import { Random } from '../../src/tensor/random.js';

function stats(values: number[]): { mean: number; std: number; maxAbs: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  return { mean, std: Math.sqrt(variance), maxAbs: Math.max(...values.map(Math.abs)) };
}

describe('fans', () => {
  it('follows PyTorch: [out, in] has fanIn = in, fanOut = out', () => {
    expect(fans([3, 5])).toEqual({ fanIn: 5, fanOut: 3 });
    expect(fans([7])).toEqual({ fanIn: 7, fanOut: 7 });
    expect(fans([])).toEqual({ fanIn: 1, fanOut: 1 });
  });
});

describe('initializers', () => {
  // 120×200 = 24 000 draws: the sample std is within ~1% of σ; 4% leaves room without hiding a
  // wrong formula (the candidates differ by factors like √2 or √3).
  const shape = [120, 200] as const;
  const tol = 0.04;

  it('are deterministic in the seed', () => {
    for (const init of [xavierUniform(), xavierNormal(), kaimingNormal(), kaimingUniform(), normal(0.01)]) {
      expect(init(shape, new Random(3)).toArray()).toEqual(init(shape, new Random(3)).toArray());
      expect(init(shape, new Random(3)).toArray()).not.toEqual(init(shape, new Random(4)).toArray());
    }
  });

  it('xavierUniform draws in ±gain·√(6/(in+out)) with std a/√3', () => {
    const a = 2 * Math.sqrt(6 / 320);
    const s = stats(xavierUniform({ gain: 2 })(shape, new Random(1)).toArray());
    expect(s.maxAbs).toBeLessThanOrEqual(a);
    expect(s.maxAbs).toBeGreaterThan(0.99 * a);
    expect(Math.abs(s.std / (a / Math.sqrt(3)) - 1)).toBeLessThan(tol);
  });

  it('xavierNormal has std gain·√(2/(in+out))', () => {
    const s = stats(xavierNormal()(shape, new Random(1)).toArray());
    expect(Math.abs(s.std / Math.sqrt(2 / 320) - 1)).toBeLessThan(tol);
    expect(Math.abs(s.mean)).toBeLessThan(0.01 * s.std * 10);
  });

  it('kaimingNormal has std √(2/(1+a²))/√fan, fan by mode', () => {
    const fanIn = stats(kaimingNormal()(shape, new Random(1)).toArray());
    expect(Math.abs(fanIn.std / Math.sqrt(2 / 200) - 1)).toBeLessThan(tol);
    const fanOut = stats(kaimingNormal({ mode: 'fanOut', a: 0.25 })(shape, new Random(1)).toArray());
    expect(Math.abs(fanOut.std / (Math.sqrt(2 / 1.0625) / Math.sqrt(120)) - 1)).toBeLessThan(tol);
  });

  it('kaimingUniform matches kaimingNormal in variance', () => {
    const s = stats(kaimingUniform()(shape, new Random(1)).toArray());
    expect(s.maxAbs).toBeLessThanOrEqual(Math.sqrt(6 / 200));
    expect(Math.abs(s.std / Math.sqrt(2 / 200) - 1)).toBeLessThan(tol);
  });

  it('normal(std, mean) and constant', () => {
    const s = stats(normal(0.01, 3)(shape, new Random(1)).toArray());
    expect(Math.abs(s.std / 0.01 - 1)).toBeLessThan(tol);
    expect(Math.abs(s.mean - 3)).toBeLessThan(0.001);
    expect(constant(0.25)([2], new Random(0)).toArray()).toEqual([0.25, 0.25]);
  });

  it('reject bad options with an OptionError', () => {
    expect(() => normal(-1)).toThrow(OptionError);
    expect(() => normal(Number.NaN)).toThrow(OptionError);
    expect(() => xavierUniform({ gain: 0 })).toThrow(OptionError);
    expect(() => kaimingNormal({ a: Number.POSITIVE_INFINITY })).toThrow(OptionError);
    expect(() => kaimingNormal({ mode: 'sideways' as 'fanIn' })([2, 2], new Random(0))).toThrow(OptionError);
    expect(() => constant(Number.NaN)).toThrow(OptionError);
    expect(() => xavierNormal()([0, 0], new Random(0))).toThrow(OptionError);
  });
});
