/**
 * SphereFace2: the value against its formula evaluated on plain numbers (a loop written apart from
 * the ops), the exact gradient against central finite differences, the straight-through gradient
 * against the derived formula ∂L/∂c, the default bias against opensphere's, and bad options.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cpu } from '../../src/backend/cpu.js';
import { sphereFace2InitialBias } from '../../src/losses/index.js';
import { gradcheck, sphereFace2Loss, valueAndGrad, type SphereFace2Options } from '../../src/index.js';
import { OptionError } from '../../src/tensor/errors.js';
import { uniformIn } from '../support/arbitraries.js';
import { PROPERTY_RUNS } from '../support/runs.js';
import { headCosines, headProblem, wellConditioned, type HeadProblem } from '../support/head-samples.js';
import { relativeError } from '../../src/check/tolerance.js';

const runs = PROPERTY_RUNS;

const options = fc.record({
  r: uniformIn(1, 64),
  m: uniformIn(0, 0.6),
  t: fc.oneof(fc.constant(1), fc.constant(3), uniformIn(1, 5)),
  alpha: uniformIn(0.1, 0.9),
  lw: uniformIn(1, 50),
  b: fc.oneof(fc.constant(undefined), uniformIn(-20, 5)),
});

const softplus = (u: number) => Math.max(u, 0) + Math.log1p(Math.exp(-Math.abs(u)));
const sigmoid = (u: number) => 1 / (1 + Math.exp(-u));

/** The loss and ∂L/∂c_ij (straight-through or exact) from the file header's formulas, on plain numbers. */
function reference(p: HeadProblem, o: Required<Omit<SphereFace2Options, 'gradient' | 'eps' | 'b'>> & { b: number }, straight: boolean) {
  const cos = headCosines(p).map((v) => Math.min(Math.max(v, -1), 1));
  const V = p.labels.filter((l) => l >= 0).length;
  let loss = 0;
  const dc = cos.map(() => 0);
  for (let i = 0; i < p.n; i++) {
    if (p.labels[i] < 0) continue;
    for (let j = 0; j < p.c; j++) {
      const c = cos[i * p.c + j];
      const g = 2 * ((c + 1) / 2) ** o.t - 1;
      const gp = o.t * ((c + 1) / 2) ** (o.t - 1);
      const target = j === p.labels[i];
      const z = o.r * (g + (target ? -o.m : o.m)) + o.b;
      loss += (o.lw / (o.r * V)) * (target ? o.alpha * softplus(-z) : (1 - o.alpha) * softplus(z));
      dc[i * p.c + j] = (o.lw / V) * (target ? o.alpha * (sigmoid(z) - 1) : (1 - o.alpha) * sigmoid(z)) * (straight ? 1 : gp);
    }
  }
  return { loss, dc };
}

const tensors = (p: HeadProblem) => [cpu.fromArray(p.X, [p.n, p.d], 'float64'), cpu.fromArray(p.W, [p.c, p.d], 'float64')] as const;

describe('sphereFace2Loss', () => {
  it('equals its formula on plain numbers (opensphere’s binary cross-entropy, mean over labelled rows)', () => {
    fc.assert(
      fc.property(headProblem(), options, (p, o) => {
        const [x, w] = tensors(p);
        const b = o.b ?? sphereFace2InitialBias(p.c, o);
        const got = sphereFace2Loss(x, w, p.labels, o).item();
        const want = reference(p, { ...o, b }, false).loss;
        expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(want)));
      }),
      { numRuns: runs },
    );
  });

  it('exact gradients agree with central finite differences', () => {
    fc.assert(
      fc.property(headProblem(), options, (p, o) => {
        fc.pre(wellConditioned(p));
        const [x, w] = tensors(p);
        const result = gradcheck((a, b) => sphereFace2Loss(a, b, p.labels, { ...o, gradient: 'exact' }), [x, w], { directions: 3, seed: 3, rtol: 1e-5, atol: 1e-6 });
        if (!result.ok) throw new Error(JSON.stringify(result.inputs));
      }),
      { numRuns: runs },
    );
  });

  it('the straight-through gradient is the derived ∂L/∂c with g′ taken as 1 (pulled back through the cosine matrix)', () => {
    fc.assert(
      fc.property(headProblem(), options, fc.boolean(), (p, o, straight) => {
        fc.pre(wellConditioned(p));
        const [x, w] = tensors(p);
        const gradient = straight ? 'straight-through' as const : 'exact' as const;
        const { grads } = valueAndGrad((a, b) => sphereFace2Loss(a, b, p.labels, { ...o, gradient }))(x, w);
        const { dc } = reference(p, { ...o, b: o.b ?? sphereFace2InitialBias(p.c, o) }, straight);
        // dX_i = Σ_j dc_ij · ∂cos_ij/∂x_i with ∂cos/∂x = (ŵ − cos·x̂)/‖x‖ (and symmetrically for W).
        const norm = (v: number[], i: number, d: number) => Math.hypot(...v.slice(i * d, (i + 1) * d));
        const cos = headCosines(p);
        const dX = new Array(p.n * p.d).fill(0);
        const dW = new Array(p.c * p.d).fill(0);
        for (let i = 0; i < p.n; i++) {
          for (let j = 0; j < p.c; j++) {
            const nx = norm(p.X, i, p.d);
            const nw = norm(p.W, j, p.d);
            for (let k = 0; k < p.d; k++) {
              const xh = p.X[i * p.d + k] / nx;
              const wh = p.W[j * p.d + k] / nw;
              dX[i * p.d + k] += (dc[i * p.c + j] * (wh - cos[i * p.c + j] * xh)) / nx;
              dW[j * p.d + k] += (dc[i * p.c + j] * (xh - cos[i * p.c + j] * wh)) / nw;
            }
          }
        }
        expect(relativeError(grads[0].toArray(), dX)).toBeLessThan(1e-10);
        expect(relativeError(grads[1].toArray(), dW)).toBeLessThan(1e-10);
      }),
      { numRuns: runs },
    );
  });

  it("the default bias is opensphere's initialization (alpha 0.7, r 40, m 0.4, t 3, C = 10: the value its formula gives)", () => {
    // z = 0.7/(0.3·9), a_p = 40·(2·0.125 − 1 − 0.4), a_n = 40·(2·0.125 − 1 + 0.4), evaluated by hand below.
    const zeta = 0.7 / (0.3 * 9);
    const ap = 40 * (0.25 - 1.4);
    const an = 40 * (0.25 - 0.6);
    const want = Math.log(2 * zeta) - an - Math.log(1 - zeta + Math.sqrt((1 - zeta) ** 2 + 4 * zeta * Math.exp(ap - an)));
    expect(sphereFace2InitialBias(10, { r: 40, m: 0.4, t: 3, alpha: 0.7 })).toBe(want);
  });

  it('the default bias stays finite where the formula cancels (ζ > 1: few classes, r·m large) and agrees where it does not', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 1000 }), options, (classes, o) => {
        const b = sphereFace2InitialBias(classes, o);
        expect(Number.isFinite(b)).toBe(true);
        const zeta = o.alpha / ((1 - o.alpha) * (classes - 1));
        const ap = o.r * (2 * 0.5 ** o.t - 1 - o.m);
        const an = o.r * (2 * 0.5 ** o.t - 1 + o.m);
        const direct = Math.log(2 * zeta) - an - Math.log(1 - zeta + Math.sqrt((1 - zeta) ** 2 + 4 * zeta * Math.exp(ap - an)));
        // Where the direct form does not cancel (ζ ≤ 1, or e^{a_p − a_n} not negligible next to (ζ − 1)²), both agree.
        if (zeta <= 1 || 4 * zeta * Math.exp(ap - an) > 1e-3 * (zeta - 1) ** 2) expect(Math.abs(b - direct)).toBeLessThan(1e-9 * Math.max(1, Math.abs(b)));
      }),
      { numRuns: runs },
    );
  });

  it('refuses bad options with an OptionError naming the field', () => {
    const x = cpu.fromArray([1, 0, 0, 1], [2, 2], 'float64');
    const w = cpu.fromArray([1, 0, 0, 1], [2, 2], 'float64');
    for (const [o, field] of [[{ t: 0.5 }, 't'], [{ alpha: 1 }, 'alpha'], [{ r: 0 }, 'r'], [{ lw: -1 }, 'lw'], [{ b: Number.NaN }, 'b'], [{ gradient: 'nope' }, 'gradient']] as const) {
      expect(() => sphereFace2Loss(x, w, [0, 1], o as SphereFace2Options)).toThrow(OptionError);
      expect(() => sphereFace2Loss(x, w, [0, 1], o as SphereFace2Options)).toThrow(new RegExp(field));
    }
    const one = cpu.fromArray([1, 0], [1, 2], 'float64');
    expect(() => sphereFace2Loss(x, one, [0, 0])).toThrow(/C ≥ 2/);
    expect(sphereFace2Loss(x, one, [0, 0], { b: 0 }).item()).toBeGreaterThan(0);
  });
});
