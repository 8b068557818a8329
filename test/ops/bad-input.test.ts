/**
 * Bad input, generated from the op registry wherever possible (so a new op gets these checks
 * without writing them): non-finite values in each input, mixed dtypes, wrong ranks,
 * mismatched shared dimensions, bad labels and empty tensors — each must throw the typed error
 * that names the op (and the input). Then the classic domain errors, one by one.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cpu } from '../../src/backend/cpu.js';
import { allOps } from '../../src/ops/index.js';
import { acos, angularMargin, crossEntropy, div, log, logSoftmax, maxRows, mean, sqrt } from '../../src/ops/index.js';
import type { DomainCase, Op } from '../../src/ops/op.js';
import { tensor } from '../../src/tensor/create.js';
import { ArcgradError, DTypeError, DomainError, LabelError, ShapeError } from '../../src/tensor/errors.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { vjp } from '../../src/tape/grad.js';
import { applyOp, sampleArbitrary, sampleTensors, sampleWithDims, symbolsOf } from '../support/arbitraries.js';
import { RUN_WEIGHTS, runs } from '../support/runs.js';

const RUNS = runs(RUN_WEIGHTS.badInput);
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const namesOp = (op: Op) => new RegExp(`^${escape(op.name)}: `);

/** Every (op, case) pair, for describe.each. */
const opCases = allOps.flatMap((op) => op.domain.map((c) => [`${op.name} / ${c.name}`, op, c] as const));

/** Runs `f` and returns what it threw (or fails the test when it did not throw). */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error, but none was thrown');
}

function expectTyped(e: unknown, type: new (...args: never[]) => Error, op: Op): void {
  expect(e).toBeInstanceOf(type);
  expect((e as Error).message).toMatch(namesOp(op));
}

describe.each(opCases)('%s', (_label, op, domainCase) => {
  it.each(op.inputs.map((n) => [n]))("NaN or ±Inf in input '%s' throws DomainError naming the op and input", (name) => {
    fc.assert(
      fc.property(sampleArbitrary(domainCase), fc.nat(), fc.constantFrom(NaN, Infinity, -Infinity), (s, k, bad) => {
        const v = s.values[name];
        const data = v.data.slice();
        data[k % data.length] = bad;
        const inputs = { ...sampleTensors(s), [name]: cpu.fromArray(data, v.shape, 'float64') };
        const e = thrown(() => applyOp(op, inputs, s.attrs));
        expectTyped(e, DomainError, op);
        expect((e as Error).message).toContain(`input '${name}'`);
      }),
      { numRuns: RUNS },
    );
  });

  if (op.inputs.length > 1) it.each(op.inputs.map((n) => [n]))("float32 '%s' among float64 inputs throws DTypeError", (name) => {
    fc.assert(
      fc.property(sampleArbitrary(domainCase), (s) => {
        const inputs = sampleTensors(s);
        inputs[name] = cpu.cast(inputs[name], 'float32');
        expectTyped(thrown(() => applyOp(op, inputs, s.attrs)), DTypeError, op);
      }),
      { numRuns: runs(RUN_WEIGHTS.badInputDType) },
    );
  });

  const shared = sharedDims(domainCase);
  if (shared.length > 0) it.each(shared)("a mismatched dimension '%s' in input '%s' throws ShapeError", (symbol, name) => {
    // Every dimension is 2 and the mismatched one 3, so no mismatch can hide behind broadcasting.
    const s = sampleWithDims(domainCase, {}, 2);
    const shape = domainCase.inputs[name].shape.map((d) => (d === symbol ? 3 : typeof d === 'number' ? d : 2));
    const inputs = { ...sampleTensors(s), [name]: cpu.fill(shape, 0.5, 'float64') };
    expectTyped(thrown(() => applyOp(op, inputs, s.attrs)), ShapeError, op);
  });

  const labelAttrs = Object.entries(domainCase.attrs ?? {}).filter(([, a]) => a.kind === 'labels' || a.kind === 'rowIndex');
  if (labelAttrs.length > 0) it('bad labels or row indices throw LabelError naming the op', () => {
    const s = sampleWithDims(domainCase, {}, 3);
    for (const [attr, a] of labelAttrs) {
      const good = s.attrs[attr] as number[];
      const limit = a.kind === 'labels' ? s.dims[a.classes] : a.kind === 'rowIndex' ? s.dims[a.rows] : 0;
      const bad: number[][] = [
        [limit, ...good.slice(1)], // one past the last class (or row)
        [-2, ...good.slice(1)], // negative, and not the −1 that marks an ignored row
        [0.5, ...good.slice(1)], // not an integer
        [NaN, ...good.slice(1)],
      ];
      if (a.kind === 'rowIndex') bad.push([-1, ...good.slice(1)]); // rows cannot be ignored
      if (a.kind === 'labels') bad.push([...good, 0], good.slice(1)); // one label too many or too few
      for (const labels of bad) {
        const e = thrown(() => applyOp(op, sampleTensors(s), { ...s.attrs, [attr]: labels }));
        expectTyped(e, LabelError, op);
      }
    }
  });

  it.each(symbolsOf(domainCase).map((sym) => [sym]))(
    "dimension '%s' = 0: a finite result and gradient of the right shapes, or a ShapeError naming the op",
    (symbol) => {
      const zero: Record<string, number> = { [symbol]: 0 };
      for (const a of Object.values(domainCase.attrs ?? {})) if (a.kind === 'rowIndex' && a.rows === symbol) zero[a.count] = 0;
      const s = sampleWithDims(domainCase, zero, 2);
      const inputs = sampleTensors(s);
      const xs = op.inputs.map((n) => inputs[n]);
      const f = (...args: Tensor[]) => applyOp(op, Object.fromEntries(op.inputs.map((n, i) => [n, args[i]])), s.attrs);
      let y: Tensor;
      try {
        y = f(...xs);
      } catch (e) {
        expectTyped(e, ShapeError, op);
        return;
      }
      expect(cpu.allFinite(y)).toBe(true);
      const { grads } = vjp(f, xs, cpu.fill(y.shape, 1, 'float64'));
      grads.forEach((g, i) => expect(g.shape).toEqual(xs[i].shape));
    },
  );
});

/** [symbol, input] pairs where the symbol also sizes another tensor input of the case. */
function sharedDims(c: DomainCase<string>): (readonly [string, string])[] {
  const entries = Object.entries(c.inputs);
  return entries.flatMap(([name, d]) =>
    d.shape
      .filter((s): s is string => typeof s === 'string')
      .filter((s) => entries.some(([other, od]) => other !== name && od.shape.includes(s)))
      .map((s) => [s, name] as const),
  );
}

/** Ops whose tensor inputs accept any rank ≤ 2, beyond the ranks their domain draws from. */
const RANK_POLYMORPHIC: Record<string, string> = {
  angularMargin: 'elementwise in the cosines; the domain draws vectors because the losses pass one cosine per row',
  reshape: 'takes any shape of the right size',
};

/** [op, input] pairs where every domain case draws the input at one rank: other ranks are wrong. */
const fixedRankInputs = allOps
  .filter((op) => RANK_POLYMORPHIC[op.name] === undefined)
  .flatMap((op) =>
    op.inputs
      .filter((n) => new Set(op.domain.map((c) => c.inputs[n].shape.length)).size === 1)
      .map((n) => [op.name, n, op] as const),
  );

describe('wrong ranks', () => {
  it.each(fixedRankInputs)("%s: input '%s' of another rank throws ShapeError naming the op", (_op, name, op) => {
    const c = op.domain[0];
    const rank = c.inputs[name].shape.length;
    const s = sampleWithDims(c, {}, 2);
    for (const other of [0, 1, 2].filter((r) => r !== rank)) {
      const inputs = { ...sampleTensors(s), [name]: cpu.fill(Array(other).fill(2), 0.5, 'float64') };
      const e = thrown(() => applyOp(op, inputs, s.attrs));
      expectTyped(e, ArcgradError, op);
      expect(e, (e as Error).message).toBeInstanceOf(ShapeError);
    }
  });
});

describe('domain errors', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['log(0)', () => log(tensor([1, 0])), /^log: x must be > 0/],
    ['log(−1)', () => log(tensor([-1])), /^log: /],
    ['sqrt(−1)', () => sqrt(tensor([4, -1])), /^sqrt: x must be ≥ 0/],
    ['acos(1.5)', () => acos(tensor([1.5])), /^acos: x must lie in \[−1, 1\]/],
    ['acos(−1.0000001)', () => acos(tensor([-1.0000001])), /^acos: /],
    ['div by 0', () => div(tensor([1, 2]), tensor([1, 0])), /^div: the divisor 'b' contains zeros/],
    ['div by −0', () => div(tensor([1]), tensor([-0])), /^div: /],
    ['angularMargin of 1.5', () => angularMargin(tensor([1.5]), { m1: 1, m2: 0.5, m3: 0 }), /^angularMargin: cosines/],
  ];
  it.each(cases)('%s throws DomainError naming the op', (_n, f, message) => {
    const e = thrown(f);
    expect(e).toBeInstanceOf(DomainError);
    expect((e as Error).message).toMatch(message);
  });

  it('tensors with NaN built through tensor(…, {allowNonFinite}) are rejected by the ops', () => {
    const x = tensor([1, NaN], [2], { allowNonFinite: true });
    expect(() => log(x)).toThrow(DomainError);
    expect(() => log(x)).toThrow(/^log: input 'x' contains NaN/);
  });

  it('an overflowing result throws DomainError naming the op', () => {
    expect(() => div(tensor([1e308]), tensor([1e-308]))).toThrow(/^div: the result is not finite/);
  });
});

describe('empty tensors where an op cannot take them', () => {
  const cases: [string, () => unknown][] = [
    ['mean of an empty vector', () => mean(tensor([]))],
    ['mean over an empty axis', () => mean(cpu.fill([2, 0], 0, 'float64'), { axis: 1 })],
    ['maxRows of rows without columns', () => maxRows(cpu.fill([2, 0], 0, 'float64'))],
    ['logSoftmax of rows without columns', () => logSoftmax(cpu.fill([2, 0], 0, 'float64'))],
    ['crossEntropy with no classes', () => crossEntropy(cpu.fill([2, 0], 0, 'float64'), [-1, -1])],
  ];
  it.each(cases)('%s throws ShapeError', (_n, f) => {
    expect(f).toThrow(ShapeError);
  });
});

describe('index and mask arguments that are not what they claim', () => {
  it('takeRows rejects a non-array index with a LabelError (not a TypeError or an empty result)', async () => {
    const { takeRows, tensor, LabelError } = await import('../../src/index.js');
    const x = tensor([[1, 2], [3, 4]]);
    expect(() => takeRows(x, null as unknown as number[])).toThrow(LabelError);
    expect(() => takeRows(x, 5 as unknown as number[])).toThrow(LabelError);
  });

  it('select rejects a mask that is not 0/1 (NaN, 0.5) with a DomainError', async () => {
    const { select, tensor, DomainError } = await import('../../src/index.js');
    const a = tensor([1, 2]);
    const b = tensor([3, 4]);
    expect(() => select(tensor([0.5, 1]), a, b)).toThrow(DomainError);
    expect(() => select(tensor([Number.NaN, 1], undefined, { allowNonFinite: true }), a, b)).toThrow(DomainError);
    expect(select(tensor([1, 0]), a, b).toArray()).toEqual([1, 4]);
  });
});
