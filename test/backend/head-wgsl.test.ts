/**
 * The fused head's kernels as WebGPU sees them, on a machine without a GPU:
 *
 *  1. gpu.js translates every kernel of a step to WGSL, with integer indexing of every matrix
 *     (never a float32 flat index) and at most 8 storage buffers per kernel (WebGPU's default
 *     maxStorageBuffersPerShaderStage; gpu.js asks for no more);
 *  2. Dawn's WGSL compiler (Tint) accepts every kernel, and a whole step's pipelines, bind groups,
 *     dispatches and read-back pass WebGPU validation — on Dawn's Null backend
 *     (`create(['backend=null'])` of the npm package `webgpu`), which validates and compiles but
 *     computes nothing. Its "results" are whatever its buffers hold, so the step must end in the
 *     DomainError of the on-device finite flag, never in numbers.
 *
 * Nothing here is a GPU result: numbers come from a WebGPU adapter only in test/backend/head.test.ts
 * (its webgpu block) and bench/gpu-run.sh, on a GPU machine.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { headStepPlan, uploadPlan, type Plan } from '../../src/backend/gpujs/head-plan.js';
import { GpujsMarginHead } from '../../src/backend/gpujs/head.js';
import { GpujsRuntime, gpujs } from '../../src/backend/gpujs/runtime.js';
import { headSpec } from '../../src/losses/fused-head.js';
import { DomainError } from '../../src/tensor/errors.js';

interface BuiltKernel {
  build(...args: unknown[]): Promise<void>;
  compiledSource: string | null;
}

const require = createRequire(import.meta.url);
const { WebGPUBufferResult } = require('gpu.js/src/backend/web-gpu/buffer-result.js') as {
  WebGPUBufferResult: new (settings: { buffer: object; output: number[]; context: object; kernel: object }) => unknown;
};

let saved: PropertyDescriptor | undefined;
let nullAdapter: unknown = null;
beforeAll(async () => {
  saved = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  const { create, globals } = (await import('webgpu')) as unknown as { create(o: string[]): { requestAdapter(): Promise<unknown> }; globals: object };
  Object.assign(globalThis, globals);
  const gpu = create(['backend=null']);
  nullAdapter = await gpu.requestAdapter();
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
});
afterAll(() => {
  if (saved) Object.defineProperty(globalThis, 'navigator', saved);
  else delete (globalThis as { navigator?: unknown }).navigator;
});

/** Walks a plan, translating each launch to WGSL; results are stand-in device buffers of the right dimensions. */
function translate(plan: Plan<unknown>): Map<string, string> {
  const gpu = new (gpujs().GPU)({ mode: 'webgpu' as never });
  const wgsl = new Map<string, string>();
  let next = plan.next();
  while (!next.done) {
    const step = next.value;
    let sent: unknown;
    if (step.kind === 'launch') {
      const shortcut = gpu.createKernel(step.source(), {
        output: [...step.output], functions: [...(step.functions ?? [])], pipeline: true, dynamicOutput: true, dynamicArguments: true, precision: 'single',
      } as never) as unknown as { kernel: BuiltKernel };
      shortcut.kernel.build(...step.args).catch(() => {});
      wgsl.set(step.name, shortcut.kernel.compiledSource ?? '');
      sent = new WebGPUBufferResult({ buffer: {}, output: [...step.output], context: {}, kernel: {} });
    } else {
      sent = new Float32Array(0);
    }
    next = plan.next(sent);
  }
  return wgsl;
}

/** The index expressions of every 1-D read `get_user_a(0, 0, <index>)` in a WGSL source. */
function vectorIndices(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/get_user_\w+\(0, 0, /g)) {
    let depth = 1;
    let end = m.index + m[0].length;
    for (; end < source.length && depth > 0; end++) depth += source[end] === '(' ? 1 : source[end] === ')' ? -1 : 0;
    out.push(source.slice(m.index + m[0].length, end - 1));
  }
  return out;
}

const spec = headSpec({ s: 64, m1: 1.35, m2: 0.5, m3: 0.2, fallback: 'psi', lambda: 2, interclassFilteringThreshold: 0.3 });

describe('fused head kernels in gpu.js webgpu mode, without a GPU', () => {
  it('every kernel of a step translates to WGSL with integer matrix indexing and ≤ 8 storage buffers', () => {
    const { Input } = gpujs();
    const dims = { n: 5, d: 7, c: 11 };
    const wgsl = translate(
      (function* () {
        const x = yield* uploadPlan('X', new Input(new Float32Array(35) as never, [7, 5]), 5, 7);
        const w = yield* uploadPlan('W', new Input(new Float32Array(77) as never, [7, 11]), 11, 7);
        yield* headStepPlan(x, w, Float32Array.from([0, -1, 3, 10, 2]), 1 / 4, dims, spec, true);
      })(),
    );
    expect(wgsl.size).toBeGreaterThanOrEqual(24);
    let vectorReads = 0;
    for (const [name, source] of wgsl) {
      expect(source, name).toMatch(/@compute @workgroup_size/);
      expect(source.match(/var<storage/g)?.length ?? 0, `${name}: storage buffers`).toBeLessThanOrEqual(8);
      // Matrices are read as get_user_a(0, row, col); a 1-D read (row 0) indexes a vector
      // directly, never with a product (a flat row·cols + col index computed in float32).
      for (const index of vectorIndices(source)) {
        expect(index, name).not.toMatch(/\*/);
        vectorReads++;
      }
    }
    expect(vectorReads).toBeGreaterThan(20); // the pattern does match the vector reads
    expect(wgsl.get('head:targets:angularMarginValue')).toMatch(/fn fn_angularMarginValue/);
    expect(wgsl.get('head:slopes:angularMarginSlope')).toMatch(/fn fn_angularMarginSlope/);
  });

  it("Dawn compiles every kernel and validates a whole step on its Null backend, and the step's unreal numbers end in the finite flag's DomainError", async () => {
    expect(nullAdapter, "Dawn's Null backend (create(['backend=null'])) gave no adapter").not.toBeNull();
    const logged: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...a) => void logged.push(a.join(' ')));
    try {
      const head = new GpujsMarginHead(new GpujsRuntime('webgpu'));
      expect(head.name).toBe('gpu.js:webgpu');
      const [n, d, c] = [13, 37, 150]; // several 8×8 and 64-thread workgroups, ragged
      await head.setClassCenters(Float32Array.from({ length: c * d }, (_, k) => Math.sin(k)), c, d);
      const step = head.step(Float32Array.from({ length: n * d }, (_, k) => Math.cos(k)), Int32Array.from({ length: n }, (_, i) => (i * 7) % c), spec, { readGradW: true });
      // A KernelError here would be a WGSL compile or pipeline error (Dawn's message included).
      await expect(step).rejects.toThrow(DomainError);
      await expect(step).rejects.toThrow(/not finite \(checked on the device\)/);
    } finally {
      spy.mockRestore();
    }
    expect(logged.filter((l) => /webgpu|WGSL|validation/i.test(l))).toEqual([]); // no uncaptured WebGPU error
  });
});
