/**
 * Every kernel of a fused head step translates to WGSL. gpu.js translates a webgpu kernel from
 * JavaScript synchronously, before it asks for a device; compiling the WGSL (Dawn) and running it
 * need a WebGPU adapter, which only the GPU machine has (test/backend/head.test.ts, webgpu block).
 * So this file checks the part a CPU machine can: that no kernel uses a construct gpu.js cannot
 * translate, and that matrices are indexed with integers (the 2-D accessors), never through a
 * float32 flat index, and that no kernel binds more storage buffers than WebGPU's default limit
 * (8 per shader stage). Nothing here runs a kernel, and nothing here is a GPU result.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headStepPlan, uploadPlan, type Plan } from '../../src/backend/gpujs/head-plan.js';
import { gpujs } from '../../src/backend/gpujs/runtime.js';
import { headSpec } from '../../src/losses/fused-head.js';

interface BuiltKernel {
  build(...args: unknown[]): Promise<void>;
  compiledSource: string | null;
}

const require = createRequire(import.meta.url);
const { WebGPUBufferResult } = require('gpu.js/src/backend/web-gpu/buffer-result.js') as {
  WebGPUBufferResult: new (settings: { buffer: object; output: number[]; context: object; kernel: object }) => unknown;
};

let saved: PropertyDescriptor | undefined;
beforeAll(() => {
  // A navigator.gpu whose adapter never answers: gpu.js can create webgpu kernels and translate
  // them, and the device acquisition that follows stays pending (no device, no run).
  saved = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  Object.defineProperty(globalThis, 'navigator', { value: { gpu: { requestAdapter: () => new Promise(() => {}) } }, configurable: true, writable: true });
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

describe('fused head kernels in gpu.js webgpu mode (translation only: no adapter is used)', () => {
  it('every kernel of a step translates to WGSL with integer matrix indexing', () => {
    const { Input } = gpujs();
    const dims = { n: 5, d: 7, c: 11 };
    const wgsl = translate(
      (function* () {
        const x = yield* uploadPlan('X', new Input(new Float32Array(35) as never, [7, 5]), 5, 7);
        const w = yield* uploadPlan('W', new Input(new Float32Array(77) as never, [7, 11]), 11, 7);
        yield* headStepPlan(x, w, Float32Array.from([0, -1, 3, 10, 2]), 1 / 4, dims, headSpec({ s: 64, m1: 1.35, m2: 0.5, m3: 0.2, fallback: 'psi', lambda: 2, interclassFilteringThreshold: 0.3 }), true);
      })(),
    );
    expect(wgsl.size).toBeGreaterThanOrEqual(24);
    let vectorReads = 0;
    for (const [name, source] of wgsl) {
      expect(source, name).toMatch(/@compute @workgroup_size/);
      // WebGPU's default maxStorageBuffersPerShaderStage is 8 (gpu.js asks for no more).
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
});
