/**
 * Conformance of the fused margin head (src/backend/gpujs/head.ts): loss, dX and dW from the gpu.js
 * kernels against `marginHeadStep` on the float64 CPU reference (the tape through `marginLoss`),
 * at float32 tolerance, over random problems whose sizes are multiples of no tile or chunk size
 * (N, d ≤ 13 and C ≤ 47 in the CPU modes, N, d ≤ 20 and C ≤ 150 on WebGPU: the 8×8 and 64-thread
 * workgroups and the ⌈√C⌉ class chunks all end ragged), every margin option, both drivers
 * (synchronous `run`; asynchronous `step` with the class centers kept on the device), in gpu.js's
 * cpu and webasm modes, and the wasm backend's head (src/backend/wasm/head.ts, one and two threads,
 * N ≤ 13, d ≤ 21, C ≤ 70: rows pad to 4, features to 8, classes to the chunk). The webgpu block runs the same property on a WebGPU adapter and is
 * skipped, with the reason, where there is none.
 *
 * Tolerance (docs/numerics.md §8): normwise 1e-3 (`arcgrad check`'s float32 default) for dX and
 * dW above the floor of float32GradientTolerance (terms of scale s/V that may cancel), 1e-4
 * for the loss above the floor of a log-sum-exp of logits of scale s. Preconditions (as in test/support/head-samples.ts): the
 * target cosines keep 1e-3 from ±1, where the margin's slope ∝ 1/sin θ turns a float32 rounding
 * of cos θ into a large change of the gradient, and every cosine keeps 1e-4 from the jumps of the
 * 'easy' and 'thmm' policies and of the interclass filter, where two correct implementations may
 * round to opposite sides.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { WasmBackend } from '../../src/backend/wasm/backend.js';
import { shutdownFastPool } from '../../src/backend/wasm/pool.js';
import { cpu } from '../../src/backend/cpu.js';
import type { HeadSpec } from '../../src/backend/head.js';
import { GpujsMarginHead } from '../../src/backend/gpujs/head.js';
import { GpujsRuntime } from '../../src/backend/gpujs/runtime.js';
import { probeWebGpu } from '../../src/backend/gpujs/webgpu-probe.js';
import { headSpec, marginHeadStep } from '../../src/losses/fused-head.js';
import type { MarginOptions } from '../../src/losses/options.js';
import { DomainError } from '../../src/tensor/errors.js';
import { uniformIn } from '../support/arbitraries.js';
import { relativeError } from '../../src/check/tolerance.js';
import { headTolerance, headCosines, marginOptions, type HeadProblem } from '../support/head-samples.js';
import { CI_MODES, gpujsBackend } from './support/conformance.js';
import { CONFORMANCE_RUNS } from '../support/runs.js';

const RUNS = CONFORMANCE_RUNS;

type Problem = HeadProblem;

/** Random problems up to the given sizes, values rounded to float32 (both sides see the same numbers). */
const problemUpTo = (maxN: number, maxD: number, maxC: number): fc.Arbitrary<Problem> =>
  fc
    .record({ n: fc.integer({ min: 1, max: maxN }), d: fc.integer({ min: 2, max: maxD }), c: fc.integer({ min: 2, max: maxC }) })
    .chain(({ n, d, c }) =>
      fc.record({
        n: fc.constant(n),
        d: fc.constant(d),
        c: fc.constant(c),
        X: fc.array(uniformIn(-2, 2).map(Math.fround), { minLength: n * d, maxLength: n * d }),
        W: fc.array(uniformIn(-2, 2).map(Math.fround), { minLength: c * d, maxLength: c * d }),
        labels: fc.array(fc.integer({ min: -1, max: c - 1 }), { minLength: n, maxLength: n }),
      }),
    );
const problem = problemUpTo(13, 13, 47);

/** The preconditions of the file header. */
function wellPosed(p: Problem, o: MarginOptions): boolean {
  const cos = headCosines(p);
  const norms = (m: number[], rows: number) => Array.from({ length: rows }, (_, r) => Math.hypot(...m.slice(r * p.d, (r + 1) * p.d)));
  if ([...norms(p.X, p.n), ...norms(p.W, p.c)].some((r) => r < 0.1)) return false;
  for (let i = 0; i < p.n; i++) {
    for (let j = 0; j < p.c; j++) {
      const v = cos[i * p.c + j];
      const near = (at: number) => Math.abs(v - at) < 1e-4;
      if (j === p.labels[i]) {
        if (Math.abs(v) > 1 - 1e-3) return false;
        if (o.fallback === 'easy' && near(0)) return false;
        if (o.fallback === 'thmm' && near(Math.cos(Math.PI - (o.m2 ?? 0)))) return false;
      } else if ((o.interclassFilteringThreshold ?? 0) > 0 && near(o.interclassFilteringThreshold!)) return false;
    }
  }
  return true;
}

function reference(p: Problem, o: MarginOptions) {
  const r = marginHeadStep(cpu.fromArray(p.X, [p.n, p.d], 'float64'), cpu.fromArray(p.W, [p.c, p.d], 'float64'), p.labels, o);
  return { loss: r.loss, dX: r.dX.toTypedArray(), dW: r.dW.toTypedArray() };
}

function expectAgrees(got: { loss: number; dX: ArrayLike<number>; dW?: ArrayLike<number> }, want: ReturnType<typeof reference>, what: string, p: Problem, o: MarginOptions): void {
  const l = headTolerance(1e-4, p, o.s, 'loss', 'float32');
  expect(relativeError(got.loss, want.loss, l.floor), `${what}: loss ${got.loss} vs ${want.loss}`).toBeLessThanOrEqual(l.rel);
  const t = headTolerance(1e-3, p, o.s, 'gradient', 'float32');
  expect(relativeError(got.dX, want.dX, t.floor), `${what}: dX`).toBeLessThanOrEqual(t.rel);
  expect(got.dW, `${what}: dW read back`).toBeDefined();
  expect(relativeError(got.dW!, want.dW, t.floor), `${what}: dW`).toBeLessThanOrEqual(t.rel);
}

const i32 = (labels: number[]) => Int32Array.from(labels);

describe.each(CI_MODES.map((m) => [m]))('fused margin head, gpu.js:%s', (mode) => {
  const backend = gpujsBackend(mode);
  const head = new GpujsMarginHead(new GpujsRuntime(mode));

  it('run (synchronous, X and W uploaded per call) agrees with the float64 tape', () => {
    fc.assert(
      fc.property(problem, marginOptions, (p, o) => {
        fc.pre(wellPosed(p, o));
        const r = head.run(p.X, p.W, i32(p.labels), p, headSpec(o));
        expectAgrees(r, reference(p, o), `run ${JSON.stringify(o)}`, p, o);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('step (asynchronous, class centers kept on the device across two steps) agrees with the float64 tape', async () => {
    await fc.assert(
      fc.asyncProperty(problem, marginOptions, fc.integer(), async (p, o, seed) => {
        fc.pre(wellPosed(p, o));
        const second = { ...p, X: fc.sample(fc.array(uniformIn(-2, 2).map(Math.fround), { minLength: p.n * p.d, maxLength: p.n * p.d }), { numRuns: 1, seed })[0] };
        fc.pre(wellPosed(second, o));
        await head.setClassCenters(p.W, p.c, p.d);
        for (const q of [p, second]) {
          const r = await head.step(q.X, i32(q.labels), headSpec(o), { readGradW: true });
          expectAgrees(r, reference(q, o), `step ${JSON.stringify(o)}`, q, o);
        }
        const withoutDW = await head.step(p.X, i32(p.labels), headSpec(o));
        expect(withoutDW.dW).toBeUndefined(); // dW stays on the device unless asked for
        expect(withoutDW.loss).toBe((await head.step(p.X, i32(p.labels), headSpec(o), { readGradW: true })).loss);
      }),
      { numRuns: RUNS },
    );
  });

  it('marginHeadStep takes the fused path on the gpu.js backend (float32) and the tape elsewhere', () => {
    const p: Problem = { n: 3, d: 4, c: 5, X: [1, 2, 0, -1, 0.5, -1, 2, 1, -2, 0, 1, 1].map(Math.fround), W: Array.from({ length: 20 }, (_, k) => Math.fround(Math.sin(k + 1))), labels: [1, -1, 4] };
    const o = { s: 30, m2: 0.5 };
    const x = backend.fromArray(p.X, [3, 4], 'float32');
    const w = backend.fromArray(p.W, [5, 4], 'float32');
    let fusedCalls = 0;
    const fused = backend.fusedMarginHead;
    Object.assign(backend, { fusedMarginHead: (...a: Parameters<typeof fused>) => (fusedCalls++, fused.apply(backend, a)) });
    let r;
    try {
      r = marginHeadStep(x, w, p.labels, o);
    } finally {
      delete (backend as { fusedMarginHead?: unknown }).fusedMarginHead; // back to the prototype's method
    }
    expect(fusedCalls).toBe(1);
    expect(r.dX.backend).toBe(backend);
    expectAgrees({ loss: r.loss, dX: r.dX.toTypedArray(), dW: r.dW.toTypedArray() }, reference(p, o), 'marginHeadStep', p, o);
    const onCpu = marginHeadStep(cpu.fromArray(p.X, [3, 4], 'float64'), cpu.fromArray(p.W, [5, 4], 'float64'), p.labels, o);
    expect(onCpu.dX.backend).toBe(cpu); // no fused head on the reference: the tape
  });

  it('rows with ‖x‖ or ‖w‖ ≤ ε follow l2Normalize’s ε branch (x/ε, gradient dx̂/ε)', () => {
    const p: Problem = { n: 3, d: 3, c: 4, X: [0, 0, 0, 1, -0.5, 0.25, 0.3, 0.2, -1], W: [1, 0, 0, 0, 0, 0, 0.2, 0.9, -0.3, -1, 0.4, 0.1], labels: [0, 2, 3] };
    const o: MarginOptions = { s: 16, m2: 0.3, eps: 1e-3 };
    expectAgrees(head.run(p.X, p.W, i32(p.labels), p, headSpec(o)), reference(p, o), 'ε rows', p, o);
  });

  it('a row norm past float32 is reported as not finite, never returned as a number', () => {
    const p: Problem = { n: 2, d: 2, c: 3, X: [3e38, 3e38, 1, 0], W: [1, 0, 0, 1, -1, 1], labels: [0, 1] };
    expect(() => head.run(p.X, p.W, i32(p.labels), p, headSpec({ s: 8 }))).toThrow(DomainError);
    expect(() => head.run(p.X, p.W, i32(p.labels), p, headSpec({ s: 8 }))).toThrow(/row norms of X or W .* not finite \(checked on the device\)/);
    const q = { ...p, X: [1, 0, 0, 1], W: [1, 0, 3e38, -3e38, -1, 1] };
    expect(() => head.run(q.X, q.W, i32(q.labels), q, headSpec({ s: 8 }))).toThrow(/not finite \(checked on the device\)/);
  });

  it('refuses non-finite inputs, bad labels and shapes with typed errors naming the head', async () => {
    const spec: HeadSpec = headSpec({ s: 8 });
    expect(() => head.run([NaN, 1], [1, 0, 0, 1], i32([0]), { n: 1, d: 2, c: 2 }, spec)).toThrow(/X\[0\] is NaN; inputs must be finite/);
    expect(() => head.run([1, 1], [1, 0, 0, Infinity], i32([0]), { n: 1, d: 2, c: 2 }, spec)).toThrow(/W\[3\] is Infinity/);
    expect(() => head.run([1, 1], [1, 0, 0, 1], i32([2]), { n: 1, d: 2, c: 2 }, spec)).toThrow(expect.objectContaining({ name: 'LabelError' }));
    expect(() => head.run([1, 1, 1], [1, 0, 0, 1], i32([0]), { n: 1, d: 2, c: 2 }, spec)).toThrow(expect.objectContaining({ name: 'ShapeError' }));
    await expect(new GpujsMarginHead(new GpujsRuntime(mode)).step([1, 1], i32([0]), spec)).rejects.toThrow(/setClassCenters before step/);
  });
});

describe.each([1, 2])('fused margin head, wasm backend (%i threads)', (threads) => {
  const backend = new WasmBackend({ threads });
  afterAll(() => shutdownFastPool());

  it('fusedMarginHead agrees with the float64 tape, and marginHeadStep takes it (the marginHead op)', () => {
    fc.assert(
      fc.property(problemUpTo(13, 21, 70), marginOptions, (p, o) => {
        fc.pre(wellPosed(p, o));
        const x = backend.fromArray(p.X, [p.n, p.d], 'float32');
        const w = backend.fromArray(p.W, [p.c, p.d], 'float32');
        const r = backend.fusedMarginHead(x, w, i32(p.labels), headSpec(o));
        expectAgrees({ loss: r.loss, dX: r.dX.toTypedArray(), dW: r.dW.toTypedArray() }, reference(p, o), `wasm ${JSON.stringify(o)}`, p, o);
        const step = marginHeadStep(x, w, p.labels, o);
        expect(step.dX.backend).toBe(backend);
        expectAgrees({ loss: step.loss, dX: step.dX.toTypedArray(), dW: step.dW.toTypedArray() }, reference(p, o), `wasm marginHeadStep ${JSON.stringify(o)}`, p, o);
      }),
      { numRuns: RUNS * 2 },
    );
  });
});

const webgpu = await probeWebGpu();
describe('fused margin head, gpu.js:webgpu', () => {
  it.skipIf(!webgpu.ok)(
    `agrees with the float64 tape on a WebGPU adapter${webgpu.ok ? ` (${webgpu.adapter})` : ` — skipped: no WebGPU adapter: ${webgpu.reason}`}`,
    async () => {
      const head = await GpujsMarginHead.create('webgpu');
      expect(head.name).toBe('gpu.js:webgpu');
      await fc.assert(
        // Larger than the CPU modes' problems: several 64-thread and 8×8 workgroups per kernel.
        fc.asyncProperty(problemUpTo(20, 20, 150), marginOptions, async (p, o) => {
          fc.pre(wellPosed(p, o));
          await head.setClassCenters(p.W, p.c, p.d);
          const r = await head.step(p.X, i32(p.labels), headSpec(o), { readGradW: true });
          expectAgrees(r, reference(p, o), `webgpu ${JSON.stringify(o)}`, p, o);
        }),
        { numRuns: RUNS * 2 },
      );
    },
  );

  it.skipIf(!webgpu.ok)(
    `run (synchronous: the kernels in a worker that owns the device, webgpu-bridge.ts) agrees with the float64 tape${webgpu.ok ? '' : ` — skipped: no WebGPU adapter: ${webgpu.reason}`}`,
    () => {
      const rt = new GpujsRuntime('webgpu', { synchronous: true });
      const head = new GpujsMarginHead(rt);
      expect(head.isAsync).toBe(false);
      try {
        fc.assert(
          fc.property(problemUpTo(20, 20, 150), marginOptions, (p, o) => {
            fc.pre(wellPosed(p, o));
            const r = head.run(p.X, p.W, i32(p.labels), p, headSpec(o));
            expectAgrees(r, reference(p, o), `webgpu run ${JSON.stringify(o)}`, p, o);
          }),
          { numRuns: RUNS },
        );
      } finally {
        rt.destroy();
      }
    },
  );
});
