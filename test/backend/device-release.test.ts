/**
 * Device memory in synchronous loops (Backend.markDevice / releaseSince, on the webgpu backend,
 * whose worker counts its live results): without a release every intermediate result stays on
 * the device until the loop returns — the finalizers that would free them cannot run while it
 * does — and with one per step the count stays flat; empty tensors and tensors past 2^24 elements
 * on the webgpu backend. Skipped, with the reason, without an adapter.
 */
import { describe, expect, it } from 'vitest';
import { GpujsBackend } from '../../src/backend/gpujs/gpujs-backend.js';
import { probeWebGpu } from '../../src/backend/gpujs/webgpu-probe.js';
import type { Tensor } from '../../src/tensor/tensor.js';

const webgpu = await probeWebGpu();
const STEPS = 200;

describe('device buffers in a synchronous loop (gpu.js:webgpu)', () => {
  const where = webgpu.ok ? ` (${webgpu.adapter})` : ` — skipped: no WebGPU adapter: ${webgpu.reason}`;

  it.skipIf(!webgpu.ok)(`grow by one per step without releaseSince, stay flat with it, and a freed tensor refuses to be used${where}`, () => {
    const b = new GpujsBackend('webgpu');
    const start = b.deviceResults()!;
    let y: Tensor = b.fromArray([1, -2, 3], [3], 'float32');
    for (let i = 0; i < STEPS; i++) y = b.unary('neg', y);
    const leaked = b.deviceResults()! - start;
    expect(leaked).toBeGreaterThanOrEqual(STEPS);

    const mark = b.markDevice();
    const before = b.deviceResults()!;
    const first = b.unary('neg', y);
    y = first;
    for (let i = 0; i < STEPS; i++) {
      y = b.unary('neg', b.unary('abs', b.unary('neg', y)));
      b.releaseSince(mark, [y]);
    }
    expect(b.deviceResults()! - before).toBeLessThanOrEqual(2);
    expect(Array.from(b.read(y))).toEqual([-1, -2, -3]);
    expect(() => b.read(first)).toThrow(/freed by releaseSince/);
    expect(() => b.unary('exp', first)).toThrow(/freed by releaseSince/);
    b.releaseSince(mark, [y], true);
    expect(Array.from(b.read(y))).toEqual([-1, -2, -3]);
  });

  it.skipIf(!webgpu.ok)(`an empty tensor reaches a kernel as a device stand-in: matmul with k = 0 is zeros, after other kernels ran${where}`, () => {
    // gpu.js's webgpu kernels fix an argument's kind at their first call: an empty host array after
    // device buffers failed ("Cannot read properties of undefined") before the stand-in.
    const b = new GpujsBackend('webgpu');
    const a = b.fromArray([1, 2, 3, 4], [2, 2], 'float32');
    expect(Array.from(b.read(b.matmul(a, a, false, false)))).toEqual([7, 10, 15, 22]);
    const empty = b.matmul(b.fromArray([], [2, 0], 'float32'), b.fromArray([], [0, 3], 'float32'), false, false);
    expect(Array.from(b.read(empty))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it.skipIf(!webgpu.ok)(`a flat tensor past 2^24 elements is refused with a ShapeError, not indexed wrongly${where}`, () => {
    const b = new GpujsBackend('webgpu');
    expect(() => b.fill([4097, 4097], 0, 'float32')).toThrow(/flat kernels on a GPU index in float32, exact only up to 2\^24/);
    expect(b.fill([4096, 4096], 1, 'float32').size).toBe(2 ** 24);
  });
});
