/**
 * The GPU head benchmark's command line and adapter labelling (src/bench/gpu-head.ts); the
 * benchmark itself runs in bench/gpu-run.sh, never in the suite, and nothing here asserts a speed.
 */
import { describe, expect, it } from 'vitest';
import { isSoftwareAdapter, parseGpuHeadArgs } from '../../src/bench/gpu-head.js';
import { OptionError } from '../../src/tensor/errors.js';

describe('parseGpuHeadArgs', () => {
  it("defaults to issue 4's size and writes nowhere", () => {
    const { options, out } = parseGpuHeadArgs([]);
    expect([options.n, options.d, options.c, options.warmup, options.repeats]).toEqual([512, 512, 100_000, 3, 10]);
    expect(options.contestants).toEqual(['gpu.js:webgpu', 'tfjs-webgpu']);
    expect(out).toBeUndefined();
  });

  it('--shape sets all three sizes, --N/--d/--C one each, and --warmup 0 is allowed', () => {
    const { options, out } = parseGpuHeadArgs(['--shape', '64x128x1000', '--C', '777', '--warmup', '0', '--repeats', '2', '--out', 'o.json']);
    expect([options.n, options.d, options.c, options.warmup, options.repeats]).toEqual([64, 128, 777, 0, 2]);
    expect(out).toBe('o.json');
    expect(options.budgetS).toBeUndefined();
    expect(parseGpuHeadArgs(['--budget', '90']).options.budgetS).toBe(90);
  });

  it.each([
    [['--shape', '64x128']], [['--shape', '0x1x1']], [['--shape', '2x3x1e3']], [['--N', '-1']], [['--repeats', '0']],
    [['--warmup', '1.5']], [['--budget', '0']], [['--rounds', '3']], [['--out']], [['--shape', '--out', 'x']],
  ])('refuses %j with an OptionError', (argv) => {
    expect(() => parseGpuHeadArgs(argv)).toThrow(OptionError);
  });
});

describe('isSoftwareAdapter', () => {
  it.each([
    ['google swiftshader swiftshader-device-subzero- SwiftShader driver 5.0.0', true],
    ['mesa llvmpipe (LLVM 15.0.6, 256 bits)', true],
    ['Mesa lavapipe', true],
    ['nvidia hopper NVIDIA H100 80GB HBM3', false],
  ])('%s → %s by its name', (adapter, software) => {
    expect(isSoftwareAdapter({ ok: true, adapter })).toBe(software);
  });

  it("believes the probe's software flag, and no adapter is no software adapter", () => {
    expect(isSoftwareAdapter({ ok: true, adapter: 'some adapter', software: true })).toBe(true);
    expect(isSoftwareAdapter({ ok: true, adapter: 'some adapter', software: false })).toBe(false);
    expect(isSoftwareAdapter({ ok: false, reason: 'no WebGPU adapter found' })).toBe(false);
  });
});
