/**
 * SGD, Adam and AdamW against independent scalar re-implementations of PyTorch's update rules,
 * the weight-decay semantics, and the all-or-nothing step.
 */
import { describe, expect, it } from 'vitest';
import { UNIT_ROUNDOFF, relativeError, tolerance } from '../../src/check/tolerance.js';
import { adam, adamW } from '../../src/optim/adam.js';
import type { OptState, Optimizer } from '../../src/optim/optimizer.js';
import { sgd } from '../../src/optim/sgd.js';
import { tensor } from '../../src/tensor/create.js';
import { DomainError, OptionError, ShapeError } from '../../src/tensor/errors.js';
import type { Tensor } from '../../src/tensor/tensor.js';

const p0 = [0.5, -1.5, 2];
const gradSeq = [[0.1, -0.2, 0.3], [0.4, 0.0, -0.5], [-0.3, 0.2, 0.1], [0.05, -0.6, 0.25]];

/** Runs `opt` over gradSeq from p0 and returns the final values. */
function run(opt: Optimizer, lrs?: number[]): number[] {
  let params: Record<string, Tensor> = { p: tensor(p0) };
  let state: OptState = opt.init(params);
  gradSeq.forEach((g, i) => ({ params, state } = opt.step(params, { p: tensor(g) }, state, lrs ? { lr: lrs[i] } : {})));
  expect(state.step.item()).toBe(gradSeq.length);
  return params.p.toArray();
}

/** PyTorch's SGD, one element at a time. */
function sgdReference(lr: number, mu: number, damp: number, nesterov: boolean, wd: number): number[] {
  return p0.map((start, j) => {
    let p = start;
    let buf = 0;
    gradSeq.forEach((gs, t) => {
      let g = gs[j] + wd * p;
      if (mu !== 0) {
        buf = t === 0 ? g : mu * buf + (1 - damp) * g;
        g = nesterov ? g + mu * buf : buf;
      }
      p -= lr * g;
    });
    return p;
  });
}

/** PyTorch's Adam/AdamW, one element at a time. */
function adamReference(lr: number, b1: number, b2: number, eps: number, wd: number, decoupled: boolean): number[] {
  return p0.map((start, j) => {
    let [p, m, v] = [start, 0, 0];
    gradSeq.forEach((gs, i) => {
      let g = gs[j];
      if (decoupled) p *= 1 - lr * wd;
      else g += wd * p;
      m = b1 * m + (1 - b1) * g;
      v = b2 * v + (1 - b2) * g * g;
      const t = i + 1;
      p -= (lr / (1 - b1 ** t)) * (m / (Math.sqrt(v) / Math.sqrt(1 - b2 ** t) + eps));
    });
    return p;
  });
}

/**
 * The one rule (docs/numerics.md §8): the optimizers compute PyTorch's formulas in the same order
 * in float64, so rel is a few u, and the floor is the rounding the update can carry: operands of
 * magnitude up to 2 (p0, gradSeq), 4 steps of at most 8 roundings each: 32·u·2 ≈ 7e-15 absolute,
 * 14× tighter than the former absolute 1e-13 (the measured error is 0).
 */
const OPTIMIZER_TOLERANCE = tolerance(8 * UNIT_ROUNDOFF.float64, { u: UNIT_ROUNDOFF.float64, scale: 2, roundings: gradSeq.length * 8 });
const expectClose = (a: number[], b: number[]) =>
  expect(relativeError(a, b, OPTIMIZER_TOLERANCE.floor)).toBeLessThanOrEqual(OPTIMIZER_TOLERANCE.rel);

describe('sgd', () => {
  it('plain: p − lr·g', () => expectClose(run(sgd({ lr: 0.1 })), sgdReference(0.1, 0, 0, false, 0)));
  it('momentum (buffer = g on the first step)', () => expectClose(run(sgd({ lr: 0.1, momentum: 0.9 })), sgdReference(0.1, 0.9, 0, false, 0)));
  it('dampening', () => expectClose(run(sgd({ lr: 0.1, momentum: 0.9, dampening: 0.5 })), sgdReference(0.1, 0.9, 0.5, false, 0)));
  it('nesterov', () => expectClose(run(sgd({ lr: 0.1, momentum: 0.9, nesterov: true })), sgdReference(0.1, 0.9, 0, true, 0)));
  it('weight decay is L2 through the momentum buffer (PyTorch)', () =>
    expectClose(run(sgd({ lr: 0.1, momentum: 0.9, weightDecay: 5e-4 })), sgdReference(0.1, 0.9, 0, false, 5e-4)));

  it('decoupled weight decay shrinks p by (1 − lr·λ) outside the momentum', () => {
    const opt = sgd({ lr: 0.1, momentum: 0.9, weightDecay: 0.5, decoupled: true });
    const params = { p: tensor([2]) };
    const { params: next, state } = opt.step(params, { p: tensor([0]) }, opt.init(params));
    expect(next.p.toArray()).toEqual([2 * (1 - 0.05)]);
    expect(state['momentum.p'].toArray()).toEqual([0]);
  });

  it('uses the per-step lr when given', () => expectClose(run(sgd({ lr: 9 }), [0.1, 0.1, 0.1, 0.1]), sgdReference(0.1, 0, 0, false, 0)));

  it('rejects bad options', () => {
    expect(() => sgd({ momentum: 1.5 })).toThrow(OptionError);
    expect(() => sgd({ nesterov: true })).toThrow(OptionError);
    expect(() => sgd({ lr: Number.NaN })).toThrow(OptionError);
  });
});

describe('adam / adamW', () => {
  it('adam matches PyTorch', () => expectClose(run(adam({ lr: 0.01 })), adamReference(0.01, 0.9, 0.999, 1e-8, 0, false)));
  it('adam with L2 weight decay', () =>
    expectClose(run(adam({ lr: 0.01, weightDecay: 0.1 })), adamReference(0.01, 0.9, 0.999, 1e-8, 0.1, false)));
  it('adamW with decoupled weight decay', () =>
    expectClose(run(adamW({ lr: 0.01, beta1: 0.8, beta2: 0.99 })), adamReference(0.01, 0.8, 0.99, 1e-8, 0.01, true)));

  it('first adam step moves each element by about lr, against the gradient', () => {
    const opt = adam({ lr: 0.01 });
    const params = { p: tensor([1, 1]) };
    const { params: next } = opt.step(params, { p: tensor([3, -1e-3]) }, opt.init(params));
    expectClose(next.p.toArray(), [1 - 0.01 * (3 / (3 + 1e-8)), 1 + 0.01 * (1e-3 / (1e-3 + 1e-8))]);
  });

  it('with zero gradients, L2 decay moves p by ~lr but decoupled decay by lr·λ·p', () => {
    const params = { p: tensor([2]) };
    const zero = { p: tensor([0]) };
    const l2 = adam({ lr: 0.01, weightDecay: 0.1 });
    const dec = adamW({ lr: 0.01, weightDecay: 0.1 });
    expect(Math.abs(l2.step(params, zero, l2.init(params)).params.p.item() - (2 - 0.01))).toBeLessThan(1e-9);
    expect(dec.step(params, zero, dec.init(params)).params.p.item()).toBe(2 * (1 - 0.001));
  });
});

describe('a failed step changes nothing', () => {
  const opts: Optimizer[] = [sgd({ lr: 0.1, momentum: 0.9 }), adam({ lr: 0.01 }), adamW({ lr: 0.01 })];

  function snapshot(r: Readonly<Record<string, Tensor>>): Record<string, { id: number; values: number[] }> {
    return Object.fromEntries(Object.entries(r).map(([k, t]) => [k, { id: t.id, values: t.toArray() }]));
  }

  for (const opt of opts) {
    it(`${opt.name}: non-finite, misshapen, missing or extra gradients throw and leave params and state as they were`, () => {
      let params: Record<string, Tensor> = { a: tensor([1, 2]), b: tensor([[3, 4]]) };
      let state: OptState = opt.init(params);
      ({ params, state } = opt.step(params, { a: tensor([0.1, 0.2]), b: tensor([[0.3, 0.4]]) }, state)); // non-trivial state
      const before = { params: snapshot(params), state: snapshot(state), keys: [Object.keys(params), Object.keys(state)] };
      const good = { a: tensor([0.5, -0.5]), b: tensor([[1, -1]]) };
      // The bad gradient is the *last* one, so a step that updated parameters one by one would
      // already have changed 'a' when it met 'b'.
      const bad: [Record<string, Tensor>, new (m: string) => Error][] = [
        [{ a: good.a, b: tensor([[Number.NaN, 1]], undefined, { allowNonFinite: true }) }, DomainError],
        [{ a: good.a, b: tensor([[Number.POSITIVE_INFINITY, 1]], undefined, { allowNonFinite: true }) }, DomainError],
        [{ a: good.a, b: tensor([1, 2]) }, ShapeError],
        [{ a: good.a }, ShapeError],
        [{ ...good, c: tensor([1]) }, ShapeError],
      ];
      for (const [grads, Err] of bad) {
        expect(() => opt.step(params, grads, state)).toThrow(Err);
        expect({ params: snapshot(params), state: snapshot(state), keys: [Object.keys(params), Object.keys(state)] }).toEqual(before);
      }
      expect(() => opt.step(params, good, state, { lr: -1 })).toThrow(OptionError);
      expect(() => opt.step(params, good, opt.init({ a: tensor([1]) }))).toThrow(ShapeError); // state of another model
      // And the failures left no trace: the next good step equals one taken without them.
      const clean = opt.step(params, good, state);
      expect(snapshot(params)).toEqual(before.params);
      expect(clean.state.step.item()).toBe(2);
    });
  }

  it('an update that overflows throws and returns nothing', () => {
    const opt = sgd({ lr: 10 });
    const params = { a: tensor([1]), b: tensor([1e308]) };
    const state = opt.init(params);
    expect(() => opt.step(params, { a: tensor([1]), b: tensor([-1e308]) }, state)).toThrow(DomainError);
    expect(params.a.toArray()).toEqual([1]);
    expect(state.step.item()).toBe(0);
  });
});
