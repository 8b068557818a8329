/**
 * Invariants of the ops that the gradient check alone does not pin down: identities that hold
 * exactly (up to rounding) for every input, float32 agreeing with the float64 reference for every
 * registered op, and the documented values at the edges of the domains (zero rows, acos at ±1,
 * the angular margin at c = ±1).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cpu } from '../../src/backend/cpu.js';
import {
  acos, allOps, angularMargin, clamp, crossEntropy, l2Normalize, logSoftmax, matmul, mean, neg,
  pickColumns, sum,
} from '../../src/ops/index.js';
import { l2NormalizeOp } from '../../src/ops/l2-normalize.js';
import { tensor } from '../../src/tensor/create.js';
import { unitRoundoff, type DType } from '../../src/tensor/dtype.js';
import { Random } from '../../src/tensor/random.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { grad, valueAndGrad, vjp } from '../../src/tape/grad.js';
import { applyOp, sampleArbitrary, sampleTensors, uniformIn } from '../support/arbitraries.js';
import { RUN_WEIGHTS, runs } from '../support/runs.js';

const RUNS = runs(RUN_WEIGHTS.opInvariants);

/** An [n, c] matrix of values in [lo, hi] with labels in [−1, c) (−1: ignored row). */
const logitsAndLabels = (lo: number, hi: number) =>
  fc
    .record({ n: fc.integer({ min: 1, max: 5 }), c: fc.integer({ min: 1, max: 6 }) })
    .chain(({ n, c }) =>
      fc.record({
        n: fc.constant(n),
        c: fc.constant(c),
        z: fc.array(uniformIn(lo, hi), { minLength: n * c, maxLength: n * c }),
        labels: fc.array(fc.integer({ min: -1, max: c - 1 }), { minLength: n, maxLength: n }),
      }),
    );

function rows(t: Tensor): number[][] {
  return t.toNested() as number[][];
}

describe('identities (float64)', () => {
  it('l2Normalize: every row has norm 1 to 1e-12', () => {
    fc.assert(
      fc.property(sampleArbitrary(l2NormalizeOp.domain[0]), (s) => {
        for (const r of rows(l2Normalize(sampleTensors(s).x))) {
          expect(Math.abs(Math.hypot(...r) - 1)).toBeLessThanOrEqual(1e-12);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('logSoftmax: every row has logsumexp 0 (logits up to ±64, the scale s of the losses)', () => {
    fc.assert(
      fc.property(logitsAndLabels(-64, 64), ({ n, c, z }) => {
        const y = logSoftmax(tensor(z, [n, c]));
        for (const r of rows(y)) {
          const m = Math.max(...r);
          const lse = m + Math.log(r.reduce((acc, v) => acc + Math.exp(v - m), 0));
          expect(Math.abs(lse)).toBeLessThanOrEqual(1e-12);
          expect(m).toBeLessThanOrEqual(0);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('crossEntropy: ∂L/∂z = (softmax − onehot)/V on kept rows, 0 on ignored rows, each row sums to 0', () => {
    fc.assert(
      fc.property(logitsAndLabels(-10, 10), ({ n, c, z, labels }) => {
        const [g] = grad((zz) => crossEntropy(zz, labels))(tensor(z, [n, c]));
        const v = labels.filter((y) => y !== -1).length;
        rows(g).forEach((row, i) => {
          const zi = z.slice(i * c, (i + 1) * c);
          const m = Math.max(...zi);
          const e = zi.map((t) => Math.exp(t - m));
          const total = e.reduce((a, b) => a + b, 0);
          row.forEach((gij, j) => {
            const expected = labels[i] === -1 ? 0 : (e[j] / total - (j === labels[i] ? 1 : 0)) / v;
            expect(Math.abs(gij - expected)).toBeLessThanOrEqual(1e-14);
          });
          expect(Math.abs(row.reduce((a, b) => a + b, 0))).toBeLessThanOrEqual(1e-14);
          if (labels[i] === -1) expect(row.every((t) => t === 0)).toBe(true);
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('crossEntropy = −mean over kept rows of pickColumns(logSoftmax(z), y)', () => {
    fc.assert(
      fc.property(logitsAndLabels(-10, 10), ({ n, c, z, labels }) => {
        const zt = tensor(z, [n, c]);
        const v = labels.filter((y) => y !== -1).length;
        const picked = pickColumns(logSoftmax(zt), labels); // 0 on ignored rows
        const expected = v === 0 ? 0 : -sum(picked).item() / v;
        expect(Math.abs(crossEntropy(zt, labels).item() - expected)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(expected)));
        if (v === n) expect(crossEntropy(zt, labels).item()).toBeCloseTo(neg(mean(picked)).item(), 12);
      }),
      { numRuns: RUNS },
    );
  });
});

/**
 * float32 against float64: the same sample in both dtypes, forward and VJP (with one random
 * cotangent). Tolerance: the float32 inputs are the float64 ones rounded (relative error
 * u = 2⁻²⁴ ≈ 6e-8), and every op result is rounded again. Within the declared domains the ops
 * chain at most a dozen roundings through condition numbers of at most ~100 (acos and the
 * angular margin near |c| = 0.99, log and div near 0.1, a sum of up to 16 products), so the
 * error is at most a few thousand u ≈ 1e-4 relative to the magnitude of the result. We compare
 * each element against 1e-4·(1 + max|reference|) — scaled by the tensor's magnitude, not the
 * element's, because sums may cancel to near 0 — which is loose enough not to flake and tight
 * enough to catch a float32 path that loses digits (e.g. 1 − x² for (1 − x)(1 + x) near |x| = 1
 * would lose all of them) or a result in the wrong dtype.
 */
const F32_RTOL = 1e-4;

function expectClose32(actual: Tensor, reference: Tensor, what: string): void {
  expect(actual.dtype, what).toBe('float32');
  expect(actual.shape, what).toEqual(reference.shape);
  const a = actual.toArray();
  const r = reference.toArray();
  const tol = F32_RTOL * (1 + Math.max(0, ...r.map(Math.abs)));
  a.forEach((v, i) => {
    if (!(Math.abs(v - r[i]) <= tol)) throw new Error(`${what}[${i}]: float32 ${v} vs float64 ${r[i]} (tolerance ${tol})`);
  });
}

describe.each(allOps.flatMap((op) => op.domain.map((c) => [`${op.name} / ${c.name}`, op, c] as const)))(
  'float32 agrees with float64: %s',
  (_label, op, domainCase) => {
    it('forward and VJP', () => {
      fc.assert(
        fc.property(sampleArbitrary(domainCase), fc.integer(), (s, seed) => {
          const run = (dtype: DType) => {
            const inputs = sampleTensors(s, dtype);
            const xs = op.inputs.map((n) => inputs[n]);
            const f = (...args: Tensor[]) => applyOp(op, Object.fromEntries(op.inputs.map((n, i) => [n, args[i]])), s.attrs);
            const shape = f(...xs).shape;
            const rng = new Random(seed);
            const dy = cpu.fromArray(Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => rng.normal()), shape, dtype);
            return vjp(f, xs, dy);
          };
          const r64 = run('float64');
          const r32 = run('float32');
          expectClose32(r32.value, r64.value, `${op.name} forward`);
          r32.grads.forEach((g, i) => expectClose32(g, r64.grads[i], `${op.name} gradient of '${op.inputs[i]}'`));
        }),
        { numRuns: runs(RUN_WEIGHTS.opFloat32) },
      );
    });
  },
);

describe('edges of the domains', () => {
  it('l2Normalize of a zero row gives zeros and gradient dy/ε', () => {
    for (const eps of [1e-12, 1e-3]) {
      const x = tensor([[0, 0, 0], [3, 4, 0]]);
      const dy = tensor([[1, -2, 0.5], [0, 0, 0]]);
      const { value, grads } = vjp((t) => l2Normalize(t, eps), [x], dy);
      expect(rows(value)[0]).toEqual([0, 0, 0]);
      expect(rows(value)[1]).toEqual([0.6, 0.8, 0]);
      expect(rows(grads[0])[0]).toEqual([1 / eps, -2 / eps, 0.5 / eps]);
    }
  });

  it.each(['float64', 'float32'] as const)('acos at exactly ±1 (%s): 0 and π, derivative −1/√(2u − u²)', (dtype) => {
    const u = unitRoundoff(dtype);
    const round = dtype === 'float32' ? Math.fround : (v: number) => v;
    const x = tensor([1, -1], [2], { dtype });
    const { value, grads } = vjp((t) => acos(t), [x], tensor([1, 1], [2], { dtype }));
    expect(value.toArray()).toEqual([0, round(Math.PI)]);
    const d = round(-1 / Math.sqrt(2 * u - u * u));
    expect(grads[0].toArray()).toEqual([d, d]);
    expect(Number.isFinite(d)).toBe(true);
  });

  it('angularMargin at c = 1 with m2 = 0: value 1 − m3, slope exactly m1² (the limit m1²·cos φ/cos θ)', () => {
    fc.assert(
      fc.property(uniformIn(0.5, 4), uniformIn(0, 0.5), fc.constantFrom('none', 'clamp', 'psi' as const), (m1, m3, fallback) => {
        const { value, grads } = valueAndGrad((c) => sum(angularMargin(c, { m1, m2: 0, m3, fallback })))(tensor([1]));
        expect(value.item()).toBeCloseTo(1 - m3, 14);
        expect(grads[0].item()).toBeCloseTo(m1 * m1, 12);
      }),
      { numRuns: RUNS },
    );
  });

  it.each([1, 2, 3, 4])('angularMargin at c = −1 with m1 = %i, m2 = 0: slope m1²·cos(m1π)/cos π (Chebyshev T′(−1))', (m1) => {
    // cos(m1·arccos c) is the Chebyshev polynomial T_m1(c), whose derivative at −1 is (−1)^(m1+1)·m1².
    const [g] = grad((c) => sum(angularMargin(c, { m1, m2: 0, m3: 0.35 })))(tensor([-1]));
    const expected = (-1) ** (m1 + 1) * m1 * m1;
    expect(Math.abs(g.item() - expected)).toBeLessThanOrEqual(1e-9 * m1 * m1);
  });

  it.each([
    ['NormFace (m2 = 0)', 0],
    ['ArcFace (m2 = 0.5)', 0.5],
  ])('angularMargin(pickColumns(x̂·ŵᵀ)) at x ∥ w (%s) has a finite gradient', (_name, m2) => {
    const labels = [0, 1];
    const loss = (x: Tensor, w: Tensor) => {
      const cosines = clamp(matmul(l2Normalize(x), l2Normalize(w), { transB: true }), -1, 1);
      return sum(angularMargin(pickColumns(cosines, labels), { m1: 1, m2, m3: 0 }));
    };
    // Row 0 of x points exactly along w's row 0 (cosine exactly 1); row 1 along w's row 1 up to rounding.
    const x = tensor([[3, 0, 0], [1, 2, 2]]);
    const w = tensor([[2, 0, 0], [2, 4, 4]]);
    const { value, grads } = valueAndGrad(loss)(x, w);
    expect(Number.isFinite(value.item())).toBe(true);
    for (const g of grads) {
      expect(cpu.allFinite(g)).toBe(true);
      // At x ∥ w the cosine is stationary (its gradient is the tangential projection, 0), so the
      // margin's large-but-finite slope multiplies (nearly) 0.
      expect(Math.max(...g.toArray().map(Math.abs))).toBeLessThan(1e-6);
    }
  });
});
