/**
 * The all-or-nothing step, fuzzed: several parameters of random shapes, a random history of good
 * steps, then one step whose gradients hold NaN or ±Inf in one entry of one parameter (any of
 * them, first, middle or last), or whose update overflows. The step must throw a DomainError and
 * leave the parameters AND the optimizer state exactly as they were (same tensors, same values),
 * and a good step taken afterwards must equal the one taken without the failure, bit for bit.
 * Then the arguments that are not what they claim (not records, not tensors, buffers of another
 * dtype): typed errors, not TypeErrors.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adam, adamW } from '../../src/optim/adam.js';
import type { OptState, Optimizer } from '../../src/optim/optimizer.js';
import { sgd } from '../../src/optim/sgd.js';
import { tensor } from '../../src/tensor/create.js';
import { DTypeError, DomainError, OptionError, TapeError } from '../../src/tensor/errors.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { uniformIn } from '../support/arbitraries.js';
import { RUN_WEIGHTS, runs } from '../support/runs.js';

const RUNS = runs(RUN_WEIGHTS.optimAtomic);

const OPTIMIZERS: [string, () => Optimizer][] = [
  ['sgd', () => sgd({ lr: 0.1 })],
  ['sgd momentum nesterov, L2 decay', () => sgd({ lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-3 })],
  ['sgd momentum dampening, decoupled decay', () => sgd({ lr: 0.1, momentum: 0.5, dampening: 0.3, weightDecay: 1e-2, decoupled: true })],
  ['adam', () => adam({ lr: 0.01, weightDecay: 1e-4 })],
  ['adamW', () => adamW({ lr: 0.01 })],
];

type Rec = Record<string, Tensor>;
const snapshot = (r: Readonly<Rec>) => Object.fromEntries(Object.entries(r).map(([k, t]) => [k, { id: t.id, dtype: t.dtype, values: t.toArray() }]));

/** 2–5 parameters of random shapes (scalar, vector or matrix) with values and a few gradient sets. */
const setup = fc
  .array(fc.constantFrom<number[]>([], [1], [3], [2, 2], [1, 4], [3, 1]), { minLength: 2, maxLength: 5 })
  .chain((shapes) => {
    const size = (s: number[]) => s.reduce((p, d) => p * d, 1);
    const valuesFor = fc.tuple(...shapes.map((s) => fc.array(uniformIn(-2, 2), { minLength: size(s), maxLength: size(s) })));
    return fc.record({
      shapes: fc.constant(shapes),
      params: valuesFor,
      history: fc.array(valuesFor, { maxLength: 3 }),
      next: valuesFor,
      dtype: fc.constantFrom('float64' as const, 'float32' as const),
      /** Which parameter gets the bad gradient, which entry, and what. */
      victim: fc.nat(),
      entry: fc.nat(),
      bad: fc.constantFrom(Number.NaN, Infinity, -Infinity, 'overflow' as const),
      optimizer: fc.constantFrom(...OPTIMIZERS),
    });
  });

describe('a failed step changes nothing (fuzzed)', () => {
  it('NaN/±Inf in one entry of one of several gradients, or an overflowing update: DomainError, params and state untouched, the next step as if it never happened', () => {
    fc.assert(
      fc.property(setup, (c) => {
        const names = c.shapes.map((_, i) => `p${i}`);
        const rec = (values: number[][]): Rec => Object.fromEntries(names.map((n, i) => [n, tensor(values[i], c.shapes[i], { dtype: c.dtype })]));
        const opt = c.optimizer[1]();
        let params = rec(c.params);
        let state: OptState = opt.init(params);
        for (const g of c.history) ({ params, state } = opt.step(params, rec(g), state));
        const before = { params: snapshot(params), state: snapshot(state) };
        const expected = opt.step(params, rec(c.next), state); // the next step, with no failure before it

        const victim = c.victim % names.length;
        const badValues = c.next.map((v) => v.slice());
        let lr: number | undefined;
        if (c.bad === 'overflow') {
          badValues[victim][c.entry % badValues[victim].length] = c.dtype === 'float64' ? 1e308 : 3e38;
          lr = c.dtype === 'float64' ? 1e300 : 1e30; // p − lr·g (or Adam's m/√v·lr) leaves the range
        } else badValues[victim][c.entry % badValues[victim].length] = c.bad;
        const badGrads = Object.fromEntries(
          names.map((n, i) => [n, tensor(badValues[i], c.shapes[i], { dtype: c.dtype, allowNonFinite: true })]),
        );
        expect(() => opt.step(params, badGrads, state, lr === undefined ? {} : { lr })).toThrow(DomainError);
        expect({ params: snapshot(params), state: snapshot(state) }).toEqual(before);

        const after = opt.step(params, rec(c.next), state);
        const values = (r: Readonly<Rec>) => Object.fromEntries(Object.entries(r).map(([k, t]) => [k, t.toArray()]));
        expect(values(after.params)).toEqual(values(expected.params)); // no hidden state changed either
        expect(values(after.state)).toEqual(values(expected.state));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('arguments that are not what they claim', () => {
  const opt = adam();
  const params = { a: tensor([1, 2]), b: tensor([3]) };
  const grads = { a: tensor([0.1, 0.2]), b: tensor([0.3]) };
  const state = opt.init(params);

  it.each([
    ['params null', () => opt.step(null as never, grads, state), OptionError, /adam: params must be a record of tensors by name, got null/],
    ['grads an array', () => opt.step(params, [grads.a] as never, state), OptionError, /adam: grads must be a record/],
    ['a gradient that is a plain array', () => opt.step(params, { ...grads, b: [0.3] as never }, state), TapeError, /adam: grads 'b': expected a Tensor/],
    ['a state entry that is a number', () => opt.step(params, grads, { ...state, step: 0 as never }), TapeError, /adam: state 'step': expected a Tensor/],
    ['moment buffers of another dtype', () => opt.step(params, grads, opt.init({ a: tensor([1, 2], undefined, { dtype: 'float32' }), b: tensor([3], undefined, { dtype: 'float32' }) })), DTypeError, /adam: the m buffer of 'a' is float32 on cpu, the parameter float64 on cpu/],
  ] as const)('%s: a typed error naming it', (_name, f, type, message) => {
    expect(f).toThrow(type);
    expect(f).toThrow(message);
  });
});
