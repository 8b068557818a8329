/**
 * The portable acos/cos/sin of GPU kernels (src/backend/gpujs/portable-math.ts): their polynomials
 * evaluated in float64 (on any machine: a wrong coefficient shows as an error far above the
 * polynomials' own ~5e-9), and compiled to WGSL through the runtime on a WebGPU adapter, where
 * kernels say `Math.acos/cos/sin` and the runtime must substitute them (SwiftShader's own builtins
 * are off by 6.8e-5 and 1.9e-4; the float32 versions are within 1.5 ulp, at least 2⁻²⁴ absolute). The WebGPU block skips,
 * with the reason, where there is no adapter.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arcgradAcos, arcgradCos, arcgradSin, portableKernelSource } from '../../src/backend/gpujs/portable-math.js';
import { GpujsRuntime } from '../../src/backend/gpujs/runtime.js';
import { probeWebGpu } from '../../src/backend/gpujs/webgpu-probe.js';
import { RUN_WEIGHTS, runs } from '../support/runs.js';

/** The range the kernels evaluate cos and sin on: φ = m1·θ + m2 with m1 ≤ 4, |m2| ≤ π/2. */
const ANGLE = 4.5 * Math.PI;

describe('portable math, evaluated in float64', () => {
  it('acos agrees with Math.acos on [−1, 1], ±1 and ±½ (the branch points) included', () => {
    fc.assert(
      fc.property(fc.double({ min: -1, max: 1, noNaN: true }), (x) => {
        expect(Math.abs(arcgradAcos(x) - Math.acos(x))).toBeLessThanOrEqual(1e-8);
      }),
      { numRuns: runs(RUN_WEIGHTS.portableMath), examples: [[1], [-1], [0.5], [-0.5], [0], [-0], [1 - 2 ** -24], [-1 + 2 ** -24]] },
    );
    expect(arcgradAcos(1)).toBe(0);
    expect(arcgradAcos(1.5)).toBeNaN();
    expect(arcgradAcos(NaN)).toBeNaN();
  });

  it('cos and sin agree with Math on |x| ≤ 4.5π, octant boundaries included', () => {
    const boundaries = Array.from({ length: 19 }, (_, k) => [(k - 9) * (Math.PI / 4)]);
    fc.assert(
      fc.property(fc.double({ min: -ANGLE, max: ANGLE, noNaN: true }), (x) => {
        expect(Math.abs(arcgradCos(x) - Math.cos(x))).toBeLessThanOrEqual(1e-8);
        expect(Math.abs(arcgradSin(x) - Math.sin(x))).toBeLessThanOrEqual(1e-8);
      }),
      { numRuns: runs(RUN_WEIGHTS.portableMath), examples: boundaries as [number][] },
    );
    expect(arcgradCos(NaN)).toBeNaN();
    expect(arcgradSin(NaN)).toBeNaN();
  });

  it('portableKernelSource rewrites the three calls and nothing else', () => {
    const src = 'function (a) { return Math.acos(a[0]) + Math.cos (a[1]) * Math.sin(a[2]) + Math.cosh(a[3]) + Math.asin(a[4]) + Math.exp(a[5]); }';
    expect(portableKernelSource(src)).toBe(
      'function (a) { return arcgradAcos(a[0]) + arcgradCos(a[1]) * arcgradSin(a[2]) + Math.cosh(a[3]) + Math.asin(a[4]) + Math.exp(a[5]); }',
    );
  });
});

const webgpu = await probeWebGpu();

describe('portable math, compiled to WGSL', () => {
  it.skipIf(!webgpu.ok)(
    `a kernel's Math.acos, Math.cos and Math.sin are within 1.5 float32 ulp (at least 2⁻²⁴ absolute) on the adapter${webgpu.ok ? ` (${webgpu.adapter})` : ` — skipped: no WebGPU adapter: ${webgpu.reason}`}`,
    async () => {
      const rt = new GpujsRuntime('webgpu');
      const n = 100_001;
      const grid = (lo: number, hi: number) => Float32Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
      const nearOne = Float32Array.from({ length: n }, (_, i) => 1 - 2 ** (-24 + (23 * i) / n));
      const cases = [
        ['acos', Math.acos, grid(-1, 1)],
        ['acos', Math.acos, nearOne], // θ → 0, where ArcFace's exact gradient lives
        ['cos', Math.cos, grid(-ANGLE, ANGLE)],
        ['sin', Math.sin, grid(-ANGLE, ANGLE)],
      ] as const;
      for (const [fn, exact, xs] of cases) {
        const out = (await rt.launchAsync(`portable-${fn}`, () => `function (a) { return Math.${fn}(a[this.thread.x]); }`, [n], [xs])) as {
          toArray(): Promise<Float32Array>;
        };
        const got = await out.toArray();
        let worst = 0;
        let at = 0;
        for (let i = 0; i < n; i++) {
          const want = exact(xs[i]);
          // the result's ulp, but at least ulp(½) = 2⁻²⁴: near a zero of cos or sin the reduced
          // argument's rounding (absolute, ~|x|·2⁻²⁴) dominates, whatever the result's size.
          const ulp = 2 ** (Math.floor(Math.log2(Math.max(Math.abs(want), 0.5))) - 23);
          const e = Math.abs(got[i] - want) / ulp;
          if (!(e <= worst)) [worst, at] = [e, xs[i]];
        }
        expect(worst, `${fn}: worst ${worst.toFixed(2)} ulp at x = ${at}`).toBeLessThanOrEqual(1.5);
      }
      rt.destroy();
    },
  );
});
