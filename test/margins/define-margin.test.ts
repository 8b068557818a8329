/** defineMargin and the margin registry: a margin in a few lines equals the built-in one; bad definitions and inputs fail with typed errors. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cpu } from '../../src/backend/cpu.js';
import {
  acos, addScalar, arcface, cos, cosface, defineMargin, getMargin, gradcheck, OptionError, registerMargin, registeredMargins,
  ShapeError, UnknownMarginError, valueAndGrad, type Tensor,
} from '../../src/index.js';
import { headProblem, wellConditioned } from '../support/head-samples.js';
import { uniformIn } from '../support/arbitraries.js';
import { runs } from '../support/runs.js';
import { relativeError } from '../../src/check/tolerance.js';


/** ArcFace in three lines of the public API. */
const myArc = defineMargin({
  name: 'my-arc',
  citation: 'Deng et al., ArcFace, CVPR 2019 (arXiv 1801.07698); deepinsight/insightface',
  defaults: { s: 64, m: 0.5 },
  targetLogit: (c, ctx) => cos(addScalar(acos(c), ctx.params.m)),
});
/** CosFace likewise. */
const myCos = defineMargin({
  name: 'my-cos',
  citation: 'Wang et al., CosFace, CVPR 2018 (arXiv 1801.09414)',
  defaults: { s: 64, m: 0.35 },
  targetLogit: (c, ctx) => addScalar(c, -ctx.params.m),
});

const grads = (f: (x: Tensor, w: Tensor) => Tensor, p: { n: number; d: number; c: number; X: number[]; W: number[] }) => {
  const { value, grads } = valueAndGrad(f)(cpu.fromArray(p.X, [p.n, p.d], 'float64'), cpu.fromArray(p.W, [p.c, p.d], 'float64'));
  return [value.item(), ...grads[0].toArray() as number[], ...grads[1].toArray() as number[]];
};
/** Loss, dX and dW together, normwise relative to their largest entry with a floor of 1 (the scale of unit-row cosines). */
const close = (a: number[], b: number[], tol: number) => expect(relativeError(a, b, 1)).toBeLessThanOrEqual(tol);

describe('defineMargin', () => {
  it('a user-defined ArcFace and CosFace equal the built-in heads in loss, dX and dW', () => {
    fc.assert(
      fc.property(headProblem(), uniformIn(1, 64), uniformIn(0, 0.8), (p, s, m) => {
        fc.pre(wellConditioned(p));
        const a = myArc.head({ s, m });
        close(grads((x, w) => a.loss(x, w, p.labels), p), grads((x, w) => arcface({ s, m2: m }).loss(x, w, p.labels), p), 1e-10);
        const c = myCos.head({ s, m });
        close(grads((x, w) => c.loss(x, w, p.labels), p), grads((x, w) => cosface({ s, m3: m }).loss(x, w, p.labels), p), 1e-12);
        close(c.logits(cpu.fromArray(p.X, [p.n, p.d], 'float64'), cpu.fromArray(p.W, [p.c, p.d], 'float64'), p.labels).toArray().flat() as number[],
          cosface({ s, m3: m }).logits(cpu.fromArray(p.X, [p.n, p.d], 'float64'), cpu.fromArray(p.W, [p.c, p.d], 'float64'), p.labels).toArray().flat() as number[], 1e-12);
      }),
      { numRuns: runs() },
    );
  });

  it('its gradient passes gradcheck with no hand-written derivative', () => {
    fc.assert(
      fc.property(headProblem(), (p) => {
        fc.pre(wellConditioned(p));
        const h = myArc.head({ s: 30 });
        const r = gradcheck((x: Tensor, w: Tensor) => h.loss(x, w, p.labels), [cpu.fromArray(p.X, [p.n, p.d], 'float64'), cpu.fromArray(p.W, [p.c, p.d], 'float64')], { directions: 4 });
        expect(r.ok).toBe(true);
      }),
      { numRuns: runs() },
    );
  });

  it('gives each head its own state and resolved parameters', () => {
    const counter = defineMargin<{ s: number }, { calls: number }>({
      name: 'counter', citation: 'test', defaults: { s: 2 }, initState: () => ({ calls: 0 }),
      targetLogit: (c, ctx) => { if (ctx.training) ctx.state.calls++; return c; },
    });
    const [h1, h2] = [counter.head(), counter.head({ s: 3 })];
    const x = cpu.fromArray([1, 0], [1, 2], 'float64');
    const w = cpu.fromArray([1, 0, 0, 1], [2, 2], 'float64');
    h1.loss(x, w, [0]);
    h1.training = false;
    h1.loss(x, w, [0]);
    expect([h1.state.calls, h2.state.calls, h1.params.s, h2.params.s]).toEqual([1, 0, 2, 3]);
    expect(Object.isFrozen(h1.params)).toBe(true);
  });

  it('rejects bad definitions, overrides and hook results with typed errors', () => {
    const ok = { name: 'x', citation: 'c', defaults: { s: 1 }, targetLogit: (c: Tensor) => c };
    expect(() => defineMargin({ ...ok, name: 'Bad Name' })).toThrow(OptionError);
    expect(() => defineMargin({ ...ok, citation: ' ' })).toThrow(/citation/);
    expect(() => defineMargin({ ...ok, defaults: { s: -1 } })).toThrow(/s must be/);
    expect(() => defineMargin({ ...ok, defaults: { s: 1, k: NaN } })).toThrow(OptionError);
    expect(() => defineMargin({ ...ok, targetLogit: 3 as never })).toThrow(/targetLogit/);
    expect(() => myArc.head({ m: 'big' as never })).toThrow(/'m' must be a number/);
    expect(() => myArc.head({ q: 1 } as never)).toThrow(/unknown parameter 'q'/);
    const x = cpu.fromArray([1, 0, 0, 1], [2, 2], 'float64');
    const wrong = defineMargin({ ...ok, name: 'wrong', targetLogit: (c: Tensor) => cos(acos(c)).backend.fromArray([1], [1], 'float64') });
    expect(() => wrong.head().loss(x, x, [0, 1])).toThrow(ShapeError);
    const badLogits = defineMargin({ ...ok, name: 'bad-logits', logits: (t: Tensor) => t });
    expect(() => badLogits.head().loss(x, x, [0, 1])).toThrow(ShapeError);
    expect(() => myArc.head().loss(x, cpu.fromArray([1, 0, 0], [1, 3], 'float64'), [0, 0])).toThrow(ShapeError);
  });
});

describe('a defined head\'s state and curve', () => {
  const counter = defineMargin<{ s: number; m: number }, { calls: number; seen: number[] }>({
    name: 'state-test', citation: 'test', defaults: { s: 2, m: 0.1 }, initState: () => ({ calls: 0, seen: [] }),
    targetLogit: (c, ctx) => {
      if (ctx.training) { ctx.state.calls++; ctx.state.seen.push(c.shape[0]); }
      return addScalar(c, -ctx.params.m);
    },
  });

  it('saveState is a deep copy; loadState restores it in place and refuses other keys or non-JSON values', () => {
    const h = counter.head();
    const x = cpu.fromArray([1, 0, 0, 1], [2, 2], 'float64');
    h.loss(x, x, [0, 1]);
    const saved = h.saveState();
    expect(saved).toEqual({ calls: 1, seen: [2] });
    h.loss(x, x, [0, 1]);
    expect(h.state).toEqual({ calls: 2, seen: [2, 2] });
    const state = h.state;
    h.loadState(saved);
    expect(h.state).toBe(state);
    expect(h.state).toEqual({ calls: 1, seen: [2] });
    expect(() => h.loadState({ calls: 1 })).toThrow(/keys \[calls\]/);
    expect(() => h.loadState({ calls: NaN, seen: [] })).toThrow(OptionError);
    const bad = defineMargin({ name: 'bad-state', citation: 'c', defaults: { s: 1 }, initState: () => ({ rng: new Map() }), targetLogit: (c: Tensor) => c });
    expect(() => bad.head()).toThrow(/plain JSON/);
  });

  it('targetLogit evaluates f at given cosines without touching the state', () => {
    const h = counter.head({ m: 0.25 });
    expect(h.targetLogit([0.5, -0.5]).toArray()).toEqual([0.25, -0.75]);
    expect(h.state.calls).toBe(0);
    expect(() => h.targetLogit([0.5], { featureNorms: [1, 2] })).toThrow(ShapeError);
  });

  it('validates reference overrides and lists the differences', () => {
    const ok = { name: 'with-ref', citation: 'c', defaults: { s: 1, k: 1 }, targetLogit: (c: Tensor) => c };
    const m = defineMargin({ ...ok, reference: { overrides: { k: 2 }, differences: ['the code uses k = 2'] } });
    expect(m.reference).toEqual({ overrides: { k: 2 }, differences: ['the code uses k = 2'] });
    expect(() => defineMargin({ ...ok, reference: { overrides: { q: 2 } as never, differences: ['x'] } })).toThrow(/unknown parameter 'q'/);
    expect(() => defineMargin({ ...ok, reference: { overrides: {}, differences: [] } })).toThrow(/differences/);
  });
});

describe('margin registry', () => {
  it('registers by name, finds it, lists it; re-registering the same margin is a no-op', () => {
    registerMargin(myArc);
    registerMargin(myArc);
    expect(getMargin('my-arc')).toBe(myArc);
    expect(registeredMargins()).toEqual(expect.arrayContaining(['my-arc', 'curricularface', 'adaface', 'magface', 'elasticface-arc', 'elasticface-cos']));
  });

  it('refuses a different margin under a taken name, anything that is not a defined margin, and a margin of another arcgrad copy', () => {
    registerMargin(myArc);
    expect(() => registerMargin(defineMargin({ ...myCos, name: 'my-arc', targetLogit: (c) => c }))).toThrow(/already registered/);
    expect(() => registerMargin({ name: 'x' } as never)).toThrow(OptionError);
    // What defineMargin of a second install returns looks the same but is not this copy's.
    expect(() => registerMargin({ ...myCos, name: 'look-alike' } as never)).toThrow(/another copy of arcgrad/);
  });

  it('names the registered margins when asked for an unknown one', () => {
    expect(() => getMargin('nope')).toThrow(UnknownMarginError);
    expect(() => getMargin('nope')).toThrow(/unknown margin 'nope' \(registered: .*curricularface/);
  });
});

describe('the example margins use the public API only', () => {
  it('every name src/margins imports from arcgrad is exported by src/index.ts', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const dir = new URL('../../src/margins/', import.meta.url);
    const publicApi = await import('../../src/index.js');
    const indexText = readFileSync(new URL('../../src/index.ts', import.meta.url), 'utf8') + readFileSync(new URL('../../src/losses/index.ts', import.meta.url), 'utf8');
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const file of files) {
      const text = readFileSync(new URL(file, dir), 'utf8');
      for (const [, names, from] of text.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'([^']+)'/g)) {
        if (from.startsWith('./')) continue; // another example file
        for (const raw of names.split(',').map((n) => n.trim()).filter(Boolean)) {
          const name = raw.replace(/^type\s+/, '');
          const isType = raw.startsWith('type ') || /import\s+type/.test(text.slice(0, text.indexOf(names)).split('\n').pop() ?? '');
          if (isType) expect(indexText, `${file}: type ${name} from ${from}`).toMatch(new RegExp(`\\b${name}\\b`));
          else expect(publicApi, `${file}: ${name} from ${from}`).toHaveProperty(name);
        }
      }
    }
  });
});

describe('a defined head under bad hooks and failing forwards', () => {
  const x = cpu.fromArray([-1, 0, 0, 0, 0, 1, 0, 0], [2, 4], 'float64');
  const w = cpu.fromArray([1, 0, 0, 0, 0, 1, 0, 0, 0.6, 0.8, 0, 0], [3, 4], 'float64');

  it('a hook that returns something other than a tensor is a TapeError naming the margin and the hook (a TypeError before)', () => {
    const ok = { citation: 'c', defaults: { s: 1 }, targetLogit: (c: Tensor) => c };
    for (const [hook, def] of [
      ['targetLogit', { ...ok, name: 'returns-number', targetLogit: () => 3 as unknown as Tensor }],
      ['logits', { ...ok, name: 'returns-null', logits: () => null as unknown as Tensor }],
      ['regularizer', { ...ok, name: 'returns-undefined', regularizer: () => undefined as unknown as Tensor }],
    ] as const) {
      const head = defineMargin(def).head();
      expect(() => head.loss(x, w, [0, 1]), hook).toThrow(new RegExp(`^${def.name}: the ${hook} hook's result: expected a Tensor`));
    }
  });

  it('a forward pass that throws after the hooks updated the state leaves the state as it was (it moved before)', async () => {
    const { exampleMargins } = await import('../../src/margins/index.js');
    for (const margin of Object.values(exampleMargins)) {
      // s = 1.5e308: the hooks run (and update their running statistics), then the logits overflow.
      const head = margin.head({ s: 1.5e308 } as never);
      const before = JSON.stringify(head.saveState());
      expect(() => head.loss(x, w, [0, 0]), margin.name).toThrow(/not finite/);
      expect(JSON.stringify(head.saveState()), margin.name).toBe(before);
      // …and a successful forward still updates it.
      const ok = margin.head();
      const fresh = JSON.stringify(ok.saveState());
      ok.loss(x, w, [0, 2]);
      if (fresh !== '{}') expect(JSON.stringify(ok.saveState()), margin.name).not.toBe(fresh);
    }
  });
});
