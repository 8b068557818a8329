/** Learning-rate schedules and SphereFace's λ annealing with the published Caffe constants. */
import { describe, expect, it } from 'vitest';
import { constantSchedule, cosine, multiStep, sphereFaceLambdaSchedule, stepDecay, warmup } from '../../src/optim/schedule.js';
import { OptionError } from '../../src/tensor/errors.js';

describe('learning-rate schedules', () => {
  it('constantSchedule', () => expect([0, 7].map(constantSchedule(0.1))).toEqual([0.1, 0.1]));

  it('stepDecay multiplies by γ every `every` steps', () => {
    expect([0, 9, 10, 19, 20].map(stepDecay({ base: 1, every: 10, gamma: 0.5 }))).toEqual([1, 1, 0.5, 0.5, 0.25]);
  });

  it('multiStep multiplies by γ at each milestone', () => {
    const s = multiStep({ base: 0.1, milestones: [3, 5], gamma: 0.1 });
    expect([0, 2, 3, 4, 5, 100].map((t) => Number(s(t).toPrecision(12)))).toEqual([0.1, 0.1, 0.01, 0.01, 0.001, 0.001]);
  });

  it('cosine goes from base to min over `steps`, then stays at min', () => {
    const s = cosine({ base: 1, steps: 4, min: 0.2 });
    expect(s(0)).toBe(1);
    expect(s(2)).toBeCloseTo(0.6, 15);
    expect(s(4)).toBe(0.2);
    expect(s(9)).toBe(0.2);
  });

  it('warmup ramps linearly to inner(0), then runs inner from its start', () => {
    const s = warmup(stepDecay({ base: 1, every: 2, gamma: 0.5 }), { steps: 4, startFactor: 0 });
    expect([0, 1, 2, 3, 4, 5, 6].map(s)).toEqual([0, 0.25, 0.5, 0.75, 1, 1, 0.5]);
    expect(warmup(constantSchedule(0.3), { steps: 3 })(0)).toBeCloseTo(0.1, 15); // PyTorch LinearLR's 1/3
  });

  it('rejects bad steps and options', () => {
    expect(() => constantSchedule(0.1)(-1)).toThrow(OptionError);
    expect(() => cosine({ base: 1, steps: 4 })(1.5)).toThrow(OptionError);
    expect(() => multiStep({ base: 1, milestones: [5, 3] })).toThrow(OptionError);
    expect(() => cosine({ base: 1, steps: 0 })).toThrow(OptionError);
    expect(() => warmup(constantSchedule(1), { steps: 2, startFactor: 2 })).toThrow(OptionError);
  });
});

describe('sphereFaceLambdaSchedule', () => {
  const lambda = sphereFaceLambdaSchedule();

  it('matches the published Caffe schedule: base 1000, γ 0.12, power 1, λmin 5, from iter 1', () => {
    expect(lambda(1)).toBeCloseTo(1000 / 1.12, 10);
    expect(lambda(1).toFixed(3)).toBe('892.857');
    expect(lambda(1658).toFixed(4)).toBe('5.0010');
    expect(lambda(1658)).toBeGreaterThan(5);
    expect(lambda(1659)).toBe(5);
    expect(lambda(1_000_000)).toBe(5);
  });

  it('decreases monotonically', () => {
    for (let t = 1; t < 1700; t++) expect(lambda(t + 1)).toBeLessThanOrEqual(lambda(t));
  });

  it('honours other constants and counts from 1', () => {
    expect(sphereFaceLambdaSchedule({ base: 100, gamma: 1, power: 2, min: 0 })(3)).toBe(100 / 16);
    expect(() => lambda(0)).toThrow(OptionError);
  });
});
