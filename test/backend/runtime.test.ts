/** The gpu.js runtime refuses to pass off a kernel of another type as the mode it was asked for. */
import { describe, expect, it } from 'vitest';
import { GpujsRuntime } from '../../src/backend/gpujs/runtime.js';
import { KernelError } from '../../src/backend/gpujs/errors.js';
import { BackendUnavailableError } from '../../src/tensor/errors.js';

const double = () => 'function (a) { return a[this.thread.x] * 2; }';

describe('GpujsRuntime', () => {
  it('runs a kernel in the mode asked for', () => {
    const rt = new GpujsRuntime('webasm');
    expect(Array.from(rt.run('double', double, 3, [Float32Array.from([1, 2, 3])]) as Float32Array)).toEqual([2, 4, 6]);
  });

  it('throws BackendUnavailableError when the kernel that ran is not the mode’s kernel type', () => {
    const rt = new GpujsRuntime('webasm');
    rt.run('double', double, 3, [Float32Array.from([1, 2, 3])]); // compiled and cached as a webasm kernel
    // Stand-in for gpu.js swapping in its CPUKernel after a fallback: the expected type differs.
    (rt.gpu as unknown as { Kernel: unknown }).Kernel = class NotTheKernelThatRuns {};
    expect(() => rt.run('double', double, 3, [Float32Array.from([1, 2, 3])])).toThrow(BackendUnavailableError);
    expect(() => rt.run('double', double, 3, [Float32Array.from([1, 2, 3])])).toThrow(/fell back/);
  });

  it('reports a kernel gpu.js cannot compile as a KernelError naming it', () => {
    const rt = new GpujsRuntime('cpu');
    expect(() => rt.run('broken', () => 'function (a) { return missingHelper(a[this.thread.x]); }', 2, [Float32Array.from([1, 2])])).toThrow(KernelError);
  });
});
