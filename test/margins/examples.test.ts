/**
 * The example margins (src/margins/): each one's value against its formula written out directly
 * (test/margins/plain.ts), paper defaults and reference-code overrides, and — for every example,
 * read from `exampleMargins` so that a new one cannot go unchecked — its tape gradient against
 * central finite differences over random problems, with the running statistics frozen
 * (training = false) during the check, as the built-in losses are checked in test/losses/.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cpu } from '../../src/backend/cpu.js';
import {
  adaFace, curricularFace, elasticFaceArc, elasticFaceCos, elasticFaceMargins, exampleMargins, gradcheck, l2Normalize, magFace, mul,
  OptionError, valueAndGrad, type DefinedMarginHead, type Tensor,
} from '../../src/index.js';
import { headProblem, wellConditioned, type HeadProblem } from '../support/head-samples.js';
import { uniformIn } from '../support/arbitraries.js';
import { plainCosines, plainCrossEntropy, rel } from './plain.js';
import { runs } from '../support/runs.js';


// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyHead = DefinedMarginHead<any, any>;
const tensors = (p: HeadProblem) => [cpu.fromArray(p.X, [p.n, p.d], 'float64'), cpu.fromArray(p.W, [p.c, p.d], 'float64')] as const;
const lossOf = (head: AnyHead, p: HeadProblem) => {
  const [x, w] = tensors(p);
  return head.loss(x, w, p.labels).item();
};
const arcTarget = (c: number, m: number) => Math.cos(Math.acos(c) + m);
/** Row i's cosines with the target replaced. */
const withTarget = (row: number[], y: number, f: number) => row.map((v, j) => (j === y ? f : v));
/** False when some value is within `gap` of a point where the loss jumps or has a kink. */
const away = (values: number[], at: number[], gap = 1e-3) => values.every((v) => at.every((a) => Math.abs(v - a) > gap));
const targets = (p: HeadProblem) => {
  const { cos } = plainCosines(p);
  return p.labels.flatMap((l, i) => (l >= 0 ? [cos[i][l]] : []));
};

/**
 * How each example is gradient-checked: the parameters drawn, the state frozen at, and the
 * preconditions that keep the problem off the loss's jumps and kinks (a finite difference across
 * one measures the jump, not a derivative).
 */
interface GradSetup {
  params: fc.Arbitrary<Record<string, number | boolean>>;
  freeze: (head: AnyHead) => void;
  pre: (p: HeadProblem, params: Record<string, number | boolean>) => boolean;
  /** The inputs gradcheck sees; AdaFace's detached norm needs its own (see below). */
  check?: (head: AnyHead, p: HeadProblem) => ReturnType<typeof gradcheck>;
}

const adaZ = (p: HeadProblem, h: number, mean: number, std: number, eps: number) =>
  plainCosines(p).norms.map((v) => Math.min(Math.max((h * (Math.min(Math.max(v, 0.001), 100) - mean)) / (std + eps), -1), 1));

const setups: Record<keyof typeof exampleMargins, GradSetup> = {
  curricularface: {
    params: fc.record({ s: uniformIn(1, 64), m: uniformIn(0.1, 0.8), thmm: fc.boolean() }),
    freeze: (h) => Object.assign(h.state, { t: 0.3 }),
    pre: (p, o) => {
      const { cos } = plainCosines(p);
      // The hard-negative mask jumps where cos θ_j = cos(θ_y + m); th/mm jumps at cos θ_y = cos(π − m);
      // at cos θ_y = ±1 acos turns two roundings of the cosine into ~4e-10 of loss.
      return cos.every((row, i) => p.labels[i] < 0 || (Math.abs(row[p.labels[i]]) < 1 - 1e-6 && away(row.filter((_, j) => j !== p.labels[i]), [arcTarget(row[p.labels[i]], o.m as number)]) &&
        (!o.thmm || away([row[p.labels[i]]], [Math.cos(Math.PI - (o.m as number))]))));
    },
  },
  adaface: {
    params: fc.record({ s: uniformIn(1, 64), clampAll: fc.boolean() }),
    freeze: (h) => Object.assign(h.state, { batchMean: 2, batchStd: 1 }),
    pre: (p) => {
      const { cos } = plainCosines(p);
      const z = adaZ(p, 0.333, 2, 1, 1e-3);
      return cos.every((row, i) => away(row, [-1 + 1e-3, 1 - 1e-3], 1e-4) &&
        (p.labels[i] < 0 || away([Math.acos(row[p.labels[i]]) - 0.4 * z[i]], [1e-3, Math.PI - 1e-3])));
    },
    // AdaFace detaches ‖x‖ (as its reference does), so the tape's dX is the derivative at a fixed
    // norm, which a finite difference in X does not see. Check it where the two agree:
    // X = R·normalize(U) with the row norms R held at their values, differentiated in U (the
    // radial part this leaves out is tested to be 0 below).
    check: (head, p) => {
      const [x, w] = tensors(p);
      const norms = plainCosines(p).norms;
      const R = cpu.fromArray(Array.from({ length: p.n * p.d }, (_, k) => norms[Math.floor(k / p.d)]), [p.n, p.d], 'float64');
      return gradcheck((u: Tensor, b: Tensor) => head.loss(mul(l2Normalize(u), R), b, p.labels), [x, w], { directions: 3, seed: 3, rtol: 1e-5, atol: 1e-6 });
    },
  },
  magface: {
    // Small magnitude bounds so that the random features (norms 0.3–4.5) fall inside [l_a, u_a]
    // and the gradient through ‖x‖ (margin and regularizer) is exercised.
    params: fc.record({ s: uniformIn(1, 64), la: fc.constant(0.2), ua: fc.constant(5), lambdaG: uniformIn(0, 5), easyMargin: fc.boolean() }),
    freeze: () => {},
    pre: (p, o) => away(plainCosines(p).norms, [0.2, 5]) && (!o.easyMargin || away(targets(p), [0])),
  },
  'elasticface-arc': {
    params: fc.record({ s: uniformIn(1, 64), sigma: uniformIn(0, 0.3), seed: fc.integer({ min: 0, max: 1000 }) }),
    freeze: () => {},
    pre: () => true,
  },
  'elasticface-cos': {
    params: fc.record({ s: uniformIn(1, 64), sigma: uniformIn(0, 0.3), seed: fc.integer({ min: 0, max: 1000 }) }),
    freeze: () => {},
    pre: () => true,
  },
};

describe('every example margin', () => {
  it('has a gradient setup here (a new example cannot go unchecked)', () => {
    expect(Object.keys(setups).sort()).toEqual(Object.keys(exampleMargins).sort());
  });

  it.each(Object.keys(exampleMargins) as (keyof typeof exampleMargins)[])('%s: gradient = central finite differences (state frozen)', (name) => {
    const setup = setups[name];
    fc.assert(
      fc.property(headProblem(), setup.params, (p, params) => {
        fc.pre(wellConditioned(p) && setup.pre(p, params));
        const head = exampleMargins[name].head(params as never) as AnyHead;
        head.training = false;
        setup.freeze(head);
        const before = JSON.stringify(head.saveState());
        const [x, w] = tensors(p);
        const r = setup.check ? setup.check(head, p) : gradcheck((a: Tensor, b: Tensor) => head.loss(a, b, p.labels), [x, w], { directions: 3, seed: 3, rtol: 1e-5, atol: 1e-6 });
        expect(r.ok, JSON.stringify(r.inputs.map((q) => q.worst))).toBe(true);
        expect(JSON.stringify(head.saveState())).toBe(before); // frozen: the check did not move the state
      }),
      { numRuns: runs() },
    );
  });

  it('cites its paper and reference code, and states where the code differs from the paper as overrides', () => {
    for (const m of Object.values(exampleMargins)) {
      expect(m.citation).toMatch(/arXiv \d{4}\.\d{5}/);
      expect(m.citation).toMatch(/[\w-]+\/[\w-]+ /); // owner/repo path
    }
    expect(curricularFace.reference?.overrides).toEqual({ momentum: 0.01, thmm: true });
    expect(adaFace.reference?.overrides).toEqual({ tAlpha: 0.01, clampAll: true });
    expect(magFace.reference?.overrides).toEqual({ easyMargin: true });
    expect(elasticFaceArc.reference).toBeUndefined();
  });
});

describe('CurricularFace', () => {
  const plainLoss = (p: HeadProblem, s: number, m: number, t: number, thmm: boolean) => {
    const { cos } = plainCosines(p);
    return plainCrossEntropy(p, s, (i) => {
      const y = p.labels[i];
      const c = cos[i][y];
      const phi = arcTarget(c, m);
      const f = thmm && !(c > Math.cos(Math.PI - m)) ? c - m * Math.sin(Math.PI - m) : phi;
      return cos[i].map((v, j) => (j === y ? f : v > phi ? v * (t + v) : v));
    });
  };

  it('matches the formula written out, with t ← α·mean cos θ_y + (1 − α)·t before use; thmm as the reference', () => {
    fc.assert(
      fc.property(headProblem(), uniformIn(0.1, 0.8), uniformIn(0, 1), fc.boolean(), (p, m, momentum, thmm) => {
        // Off the jumps (the hard-negative mask, th/mm): there the head's and the plain loop's
        // cosines, rounded differently, may fall on opposite sides.
        fc.pre(p.labels.some((l) => l >= 0) && setups.curricularface.pre(p, { m, thmm }));
        const head = curricularFace.head({ s: 30, m, momentum, thmm });
        const r = targets(p).reduce((a, b) => a + b, 0) / targets(p).length;
        const t1 = momentum * r;
        expect(rel(lossOf(head, p), plainLoss(p, 30, m, t1, thmm), p)).toBeLessThan(1e-10);
        expect(head.state.t).toBeCloseTo(t1, 14);
        const t2 = momentum * r + (1 - momentum) * t1;
        expect(rel(lossOf(head, p), plainLoss(p, 30, m, t2, thmm), p)).toBeLessThan(1e-10);
      }),
      { numRuns: runs() },
    );
  });

  it('defaults to the paper (α = 0.99, no th/mm); the reference overrides give the code (α = 0.01, th/mm)', () => {
    expect(curricularFace.defaults).toMatchObject({ s: 64, m: 0.5, momentum: 0.99, thmm: false });
    const p: HeadProblem = { n: 2, d: 2, c: 3, X: [1, 0, 0, 1], W: [0.6, 0.8, 1, 0.1, -1, 0.2], labels: [0, 2] };
    const paper = curricularFace.head();
    const code = curricularFace.head(curricularFace.reference!.overrides);
    lossOf(paper, p);
    lossOf(code, p);
    const r = targets(p).reduce((a, b) => a + b, 0) / 2;
    expect(paper.state.t).toBeCloseTo(0.99 * r, 15);
    expect(code.state.t).toBeCloseTo(0.01 * r, 15);
  });

  it('hard negatives really change the loss (t ≠ 0 matters)', () => {
    const p: HeadProblem = { n: 1, d: 2, c: 2, X: [1, 0], W: [Math.cos(1.2), Math.sin(1.2), Math.cos(0.9), Math.sin(0.9)], labels: [0] };
    const h = curricularFace.head({ s: 10 });
    h.training = false;
    const at0 = lossOf(h, p);
    h.state.t = 0.5;
    expect(lossOf(h, p)).toBeGreaterThan(at0 + 1e-3);
  });

  it('rejects a momentum outside [0, 1] and unknown parameters with an OptionError', () => {
    expect(() => curricularFace.head({ momentum: 2 })).toThrow(OptionError);
    expect(() => curricularFace.head({ mm: 1 } as never)).toThrow(/unknown parameter 'mm'/);
  });
});

describe('ElasticFace', () => {
  const variants = [
    { margin: elasticFaceArc, f: (c: number, m: number) => arcTarget(c, m), m: 0.5 },
    { margin: elasticFaceCos, f: (c: number, m: number) => c - m, m: 0.35 },
  ];

  it.each(variants)('$margin.name: the formula with step k\'s seeded N(m, σ) draws; new draws per training step, the same when frozen', ({ margin, f }) => {
    fc.assert(
      fc.property(headProblem(), fc.integer({ min: 0, max: 1000 }), (p, seed) => {
        fc.pre(p.labels.some((l) => l >= 0));
        const { cos } = plainCosines(p);
        const head = margin.head({ s: 64, seed });
        const plain = (step: number) => {
          const m = elasticFaceMargins({ ...head.params }, step, p.n);
          return plainCrossEntropy(p, 64, (i) => withTarget(cos[i], p.labels[i], f(cos[i][p.labels[i]], m[i])));
        };
        const first = lossOf(head, p);
        expect(rel(first, plain(1), p)).toBeLessThan(1e-10);
        expect(rel(lossOf(head, p), plain(2), p)).toBeLessThan(1e-10);
        expect(head.state.step).toBe(2);
        expect(lossOf(margin.head({ s: 64, seed }), p)).toBe(first); // same seed, same draws
        head.training = false;
        const frozen = lossOf(head, p);
        expect(lossOf(head, p)).toBe(frozen);
        expect(head.state.step).toBe(2);
      }),
      { numRuns: runs() },
    );
  });

  it.each(variants)('$margin.name: draws margins with the published mean and σ = 0.05, different per step', ({ margin, m }) => {
    expect(margin.defaults).toMatchObject({ s: 64, m, sigma: 0.05 });
    const draws = elasticFaceMargins(margin.defaults, 1, 4000);
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    const sd = Math.sqrt(draws.reduce((a, b) => a + (b - mean) ** 2, 0) / (draws.length - 1));
    expect(Math.abs(mean - m)).toBeLessThan(4 * 0.05 / Math.sqrt(4000));
    expect(Math.abs(sd - 0.05) / 0.05).toBeLessThan(0.05);
    expect(elasticFaceMargins(margin.defaults, 2, 3)).not.toEqual(elasticFaceMargins(margin.defaults, 1, 3));
  });
});

describe('AdaFace', () => {
  const plainLoss = (p: HeadProblem, o: { s: number; m: number; h: number; eps: number; clampAll: boolean }, mean: number, std: number) => {
    const { cos } = plainCosines(p);
    const z = adaZ(p, o.h, mean, std, o.eps);
    return plainCrossEntropy(p, o.s, (i) => {
      const y = p.labels[i];
      const theta = Math.acos(Math.min(Math.max(cos[i][y], -1 + o.eps), 1 - o.eps));
      const f = Math.cos(Math.min(Math.max(theta - o.m * z[i], o.eps), Math.PI - o.eps)) - (o.m + o.m * z[i]);
      const row = o.clampAll ? cos[i].map((v) => Math.min(Math.max(v, -1 + o.eps), 1 - o.eps)) : cos[i];
      return withTarget(row, y, f);
    });
  };

  it('matches the formula written out, with μ and σ updated from the batch norms before use', () => {
    fc.assert(
      fc.property(headProblem(), fc.boolean(), uniformIn(0, 1), (p, clampAll, tAlpha) => {
        fc.pre(p.labels.some((l) => l >= 0));
        const o = { s: 64, m: 0.4, h: 0.333, eps: 1e-3, clampAll, tAlpha };
        const head = adaFace.head(o);
        const norms = plainCosines(p).norms;
        const mean = norms.reduce((a, b) => a + b, 0) / norms.length;
        const std = norms.length > 1 ? Math.sqrt(norms.reduce((a, b) => a + (b - mean) ** 2, 0) / (norms.length - 1)) : undefined;
        const mu = tAlpha * mean + (1 - tAlpha) * 20;
        const sigma = std === undefined ? 100 : tAlpha * std + (1 - tAlpha) * 100;
        expect(rel(lossOf(head, p), plainLoss(p, o, mu, sigma), p)).toBeLessThan(1e-10);
        expect(head.state.batchMean).toBeCloseTo(mu, 12);
        expect(head.state.batchStd).toBeCloseTo(sigma, 12);
      }),
      { numRuns: runs() },
    );
  });

  it('defaults to the paper (α = 0.99); the reference overrides are the code\'s t_alpha 0.01 and clamp of every cosine', () => {
    expect(adaFace.defaults).toMatchObject({ s: 64, m: 0.4, h: 0.333, tAlpha: 0.99, clampAll: false });
    const p: HeadProblem = { n: 2, d: 2, c: 2, X: [3, 0, 0, 1], W: [1, 0, 0, 1], labels: [0, 1] };
    const paper = adaFace.head();
    const code = adaFace.head(adaFace.reference!.overrides);
    lossOf(paper, p);
    lossOf(code, p);
    expect(paper.state.batchMean).toBeCloseTo(0.99 * 2 + 0.01 * 20, 12);
    expect(code.state.batchMean).toBeCloseTo(0.01 * 2 + 0.99 * 20, 12);
  });

  it('gives low-norm samples a different margin than high-norm ones (the margin adapts)', () => {
    const head = adaFace.head({ s: 10 });
    head.training = false;
    Object.assign(head.state, { batchMean: 1, batchStd: 0.5 });
    const p = (r: number): HeadProblem => ({ n: 1, d: 2, c: 2, X: [r * Math.cos(0.7), r * Math.sin(0.7)], W: [1, 0, 0, 1], labels: [0] });
    expect(Math.abs(lossOf(head, p(0.4)) - lossOf(head, p(2)))).toBeGreaterThan(1e-3);
  });

  it('detaches the norm: the radial part of dX is 0, and a finite difference along x itself sees the statistics move', () => {
    fc.assert(
      fc.property(headProblem(), (p) => {
        fc.pre(wellConditioned(p));
        const head = adaFace.head({ s: 64 });
        head.training = false;
        Object.assign(head.state, { batchMean: 2, batchStd: 1 });
        const [x, w] = tensors(p);
        const dX = valueAndGrad((a: Tensor) => head.loss(a, w, p.labels))(x).grads[0].toArray() as number[];
        for (let i = 0; i < p.n; i++) {
          let radial = 0, size = 0;
          for (let k = 0; k < p.d; k++) { radial += dX[i * p.d + k] * p.X[i * p.d + k]; size += Math.abs(dX[i * p.d + k] * p.X[i * p.d + k]); }
          expect(Math.abs(radial)).toBeLessThanOrEqual(1e-12 * Math.max(size, 1));
        }
      }),
      { numRuns: runs() },
    );
    const head = adaFace.head({ s: 10 });
    head.training = false;
    Object.assign(head.state, { batchMean: 1, batchStd: 0.5 });
    const p: HeadProblem = { n: 1, d: 2, c: 2, X: [Math.cos(0.7), Math.sin(0.7)], W: [1, 0, 0, 1], labels: [0] };
    const [x, w] = tensors(p);
    const r = gradcheck((a: Tensor, b: Tensor) => head.loss(a, b, p.labels), [x, w], { directions: 4, seed: 1 });
    expect(r.inputs[0].ok).toBe(false); // the detached norm is visible to finite differences
    expect(r.inputs[1].ok).toBe(true);
  });
});

describe('MagFace', () => {
  const small = { s: 32, la: 0.2, ua: 5, lm: 0.45, um: 0.8, lambdaG: 3 };
  const plainLoss = (p: HeadProblem, o: typeof small & { easyMargin: boolean }) => {
    const { cos, norms } = plainCosines(p);
    const a = norms.map((v) => Math.min(Math.max(v, o.la), o.ua));
    const m = a.map((v) => ((o.um - o.lm) / (o.ua - o.la)) * (v - o.la) + o.lm);
    const ce = plainCrossEntropy(p, o.s, (i) => {
      const c = cos[i][p.labels[i]];
      return withTarget(cos[i], p.labels[i], o.easyMargin && !(c > 0) ? c : arcTarget(c, m[i]));
    });
    const rows = p.labels.flatMap((l, i) => (l >= 0 ? [i] : []));
    return ce + o.lambdaG * (rows.length ? rows.reduce((s, i) => s + a[i] / (o.ua * o.ua) + 1 / a[i], 0) / rows.length : 0);
  };

  it('matches CE with cos(θ + m(a)) plus λ_g·mean g(a), written out (paper and easy-margin option)', () => {
    fc.assert(
      fc.property(headProblem(), fc.boolean(), fc.boolean(), (p, easyMargin, defaults) => {
        if (easyMargin) fc.pre(away(targets(p), [0], 1e-9)); // the easy margin jumps at cos θ_y = 0
        const o = defaults ? { ...magFace.defaults, easyMargin } : { ...small, easyMargin };
        expect(rel(lossOf(magFace.head(o), p), plainLoss(p, o as typeof small & { easyMargin: boolean }), p)).toBeLessThan(1e-10);
      }),
      // Found by the soak: θ_y = 1.6e-6 (x and its center both near (−1, 0)), 2e-10 off.
      { numRuns: runs(), examples: [[{ n: 1, d: 2, c: 6, X: [-1.6183929443359375, -0.000026702880859375], W: [-1.284494400024414, 0.3109569549560547, -1.2666168212890625, -0.00002288818359375, 1.15, 1.15, 1.15, 1.15, 1.15, 1.15, 1.15, 1.15], labels: [1] }, false, false]] },
    );
  });

  it('defaults to the paper\'s l_a, u_a, l_m, u_m, λ_g and no easy margin; the reference override is easy_margin', () => {
    expect(magFace.defaults).toEqual({ s: 64, la: 10, ua: 110, lm: 0.45, um: 0.8, lambdaG: 35, easyMargin: false });
    expect(magFace.head(magFace.reference!.overrides).params.easyMargin).toBe(true);
  });

  it('rejects la ≥ ua', () => {
    expect(() => magFace.head({ la: 5, ua: 5 })).toThrow(OptionError);
  });
});
