/**
 * GPU faults on the gpu.js backend, injected through the runtime's test seam with a fake GPU
 * (src/backend/gpujs/fake-gpu.ts, which `arcgrad reliability` ships: gpu.js's CPU kernels dressed as headless-gl, failing on demand):
 *
 * - no adapter / no GL context, and a GPU that cannot be created: an explicit backend is a
 *   BackendUnavailableError naming why; 'auto' falls back to the CPU reference and says why;
 * - a device lost in the middle of a training step (after any kernel run, or during any read
 *   back; a lost GL context reads back zeros without an error): a DeviceLostError, or — when the
 *   loss comes after the last read — exactly the numbers of a healthy run; never other numbers;
 * - a kernel that fails to compile: a KernelError naming the kernel.
 *
 * And the CLI on top: exit 2 with one line for each, `auto` reporting its fallback.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import { cpu } from '../../src/backend/cpu.js';
import { DeviceLostError, KernelError } from '../../src/backend/gpujs/errors.js';
import { injectGpu } from '../../src/backend/gpujs/runtime.js';
import { selectBackend } from '../../src/backend/select.js';
import { arcface } from '../../src/losses/presets.js';
import { sgd } from '../../src/optim/sgd.js';
import { Random } from '../../src/tensor/random.js';
import { BackendUnavailableError } from '../../src/tensor/errors.js';
import { valueAndGrad } from '../../src/tape/grad.js';
import { cli } from '../cli/run-cli.js';
import { fakeSeam, type Faults } from '../../src/backend/gpujs/fake-gpu.js';
import { RUN_WEIGHTS, runs } from '../support/runs.js';

const RUNS = runs(RUN_WEIGHTS.faults);

const restores: (() => void)[] = [];
afterEach(() => restores.splice(0).reverse().forEach((r) => r()));
function install(faults: Faults = {}, options: { unavailable?: string; createFails?: string } = {}) {
  const seam = fakeSeam(faults, options);
  restores.push(injectGpu(seam));
  return seam;
}

/** One training step of an ArcFace head on `be`: loss, gradients, an SGD update; all read back. */
function trainingStep(be: Backend): number[] {
  const rng = new Random(3);
  const normal = (n: number) => Array.from({ length: n }, () => rng.normal());
  const x = be.fromArray(normal(4 * 5), [4, 5], 'float32');
  const w = be.fromArray(normal(6 * 5), [6, 5], 'float32');
  const labels = [0, 3, -1, 5];
  const { value, grads } = valueAndGrad((a, b) => arcface({ s: 64 }).loss(a, b, labels))(x, w);
  const opt = sgd({ lr: 0.1, momentum: 0.9 });
  const params = { w };
  const { params: next } = opt.step(params, { w: grads[1] }, opt.init(params));
  return [value.item(), ...grads[0].toArray(), ...next.w.toArray()];
}

let healthy: { values: number[]; runs: number; reads: number };
beforeAll(async () => {
  const seam = fakeSeam();
  const restore = injectGpu(seam);
  try {
    const { backend } = await selectBackend('gpu.js:headlessgl');
    healthy = { values: trainingStep(backend), runs: seam.last().runs, reads: seam.last().reads };
  } finally {
    restore();
  }
});

describe('no adapter, no context', () => {
  it('an explicit backend without an adapter is a BackendUnavailableError naming why; auto falls back and says why', async () => {
    install({}, { unavailable: 'no GL context (injected)' });
    await expect(selectBackend('gpu.js:headlessgl')).rejects.toThrow(BackendUnavailableError);
    await expect(selectBackend('gpu.js:headlessgl')).rejects.toThrow(/gpu\.js:headlessgl is not available: no GL context \(injected\)/);
    const auto = await selectBackend('auto');
    expect(auto.backend).toBe(cpu);
    expect(auto.reason).toMatch(/^auto: cpu \(float64 reference\) — no GL context \(injected\)/);
  });

  it('a GPU that cannot be created (the adapter vanished between probe and use): explicit throws, auto falls back and reports it', async () => {
    install({}, { createFails: 'Error creating WebGL context (injected)' });
    await expect(selectBackend('gpu.js:headlessgl')).rejects.toThrow(/gpu\.js mode 'headlessgl' is not supported here: Error creating WebGL context \(injected\)/);
    const auto = await selectBackend('auto');
    expect(auto.backend).toBe(cpu);
    expect(auto.reason).toMatch(/auto: cpu \(float64 reference\) — .*Error creating WebGL context \(injected\)/);
  });
});

describe('a device lost in the middle of a step', () => {
  it('the healthy fake computes what the CPU computes in float32 (so the comparisons below mean something)', () => {
    const reference = trainingStep(cpu);
    healthy.values.forEach((v, i) => expect(Math.abs(v - reference[i])).toBeLessThan(1e-4 * Math.max(1, Math.abs(reference[i]))));
    expect(healthy.runs).toBeGreaterThan(20);
  });

  it('lost after any kernel run: DeviceLostError, or the healthy numbers exactly; the old tensors cannot be read either', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: healthy.runs + 3 }), async (k) => {
        install({ loseAfterRuns: k });
        const { backend } = await selectBackend('gpu.js:headlessgl');
        const probe = backend.fromArray([1, 2], [2], 'float32');
        let values: number[];
        try {
          values = trainingStep(backend);
        } catch (e) {
          expect(e, String(e)).toBeInstanceOf(DeviceLostError);
          expect((e as Error).message).toMatch(/the GPU device was lost/);
          expect(k).toBeLessThanOrEqual(healthy.runs);
          expect(() => backend.read(probe)).toThrow(DeviceLostError); // nothing on the device is trusted
          return;
        }
        expect(values).toEqual(healthy.values);
      }),
      { numRuns: RUNS },
    );
  });

  it('lost during any read back (that read returns zeros): DeviceLostError, never the zeros', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: healthy.reads + 2 }), async (k) => {
        install({ loseOnRead: k });
        const { backend } = await selectBackend('gpu.js:headlessgl');
        let values: number[];
        try {
          values = trainingStep(backend);
        } catch (e) {
          expect(e, String(e)).toBeInstanceOf(DeviceLostError);
          return;
        }
        expect(k).toBeGreaterThan(healthy.reads);
        expect(values).toEqual(healthy.values);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('a kernel that fails to compile', () => {
  it('is a KernelError naming the kernel, not a wrong number or a silent CPU fallback', async () => {
    install({ failCompile: (source) => source.includes('angularMarginValue') });
    const { backend } = await selectBackend('gpu.js:headlessgl');
    expect(() => trainingStep(backend)).toThrow(KernelError);
    expect(() => trainingStep(backend)).toThrow(/could not compile kernel 'mapScalar:angularMarginValue': ERROR: 0:12/);
  });
});

describe('the CLI under faults: exit 2 and one line, or a reported fallback', () => {
  let dir = '';
  let cases = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'arcgrad-faults-'));
    cases = join(dir, 'cases.json');
    expect((await cli(['check', '--emit', cases])).status).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const onGpu = () => ['check', cases, '--backend', 'gpu.js:headlessgl', '--dtype', 'float32'];

  it('healthy: the cases pass on the fake GPU', async () => {
    install();
    const r = await cli(onGpu());
    expect(r.status, r.err + r.out).toBe(0);
  });

  it.each([
    ['no adapter', {}, { unavailable: 'no GL context (injected)' }, /^arcgrad check: gpu\.js:headlessgl is not available: no GL context \(injected\)$/m],
    ['a kernel that does not compile', { failCompile: (s: string) => s.includes('angularMarginValue') }, {}, /^arcgrad check: case '[\w-]+': gpu\.js \(headlessgl\) could not compile kernel 'mapScalar:angularMarginValue'/m],
    ['the device lost mid-run', { loseAfterRuns: 200 }, {}, /^arcgrad check: case '[\w-]+': gpu\.js \(headlessgl\): the GPU device was lost/m],
  ] as const)('%s: exit 2, one line', async (_what, faults, options, message) => {
    install(faults as Faults, options);
    const r = await cli(onGpu());
    expect(r.status, r.out).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('--backend auto without a usable GPU runs on the CPU reference and says why on stderr', async () => {
    install({}, { createFails: 'Error creating WebGL context (injected)' });
    const r = await cli(['check', cases, '--backend', 'auto']);
    expect(r.status, r.err).toBe(0);
    expect(r.err).toMatch(/^backend: auto: cpu \(float64 reference\) — .*Error creating WebGL context \(injected\)/m);
    expect(r.out).toMatch(/on cpu in float64/);
  });
});
