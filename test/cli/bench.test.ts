/**
 * Smoke test of `arcgrad bench` (the benchmark itself is `npm run bench`, never part of the suite):
 * at a tiny head shape and the toy step, one round each, `--json` prints one JSON object with, per
 * shape, every contestant's median and its check against the float64 reference, and the peers
 * (tfjs-cpu, tfjs-wasm) agree with it. Nothing here asserts a speed.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runBench } from '../../src/cli/bench.js';

afterEach(() => vi.restoreAllMocks());

async function benchJson(argv: string[]): Promise<Record<string, any>> {
  const out: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((s: string) => void out.push(s));
  expect(await runBench(argv)).toBe(0);
  return JSON.parse(out.join('\n'));
}

describe('arcgrad bench', () => {
  it('--json prints per-shape medians and the check against the float64 reference, head and toy', async () => {
    const result = await benchJson(['--json', '--shape', '5x7x19,toy', '--rounds', '1', '--skip-memory']);
    expect(result.machine.cores).toBeGreaterThan(0);
    const head = result.shapes['5x7x19'];
    expect(head.ratioTo).toBe('fast');
    for (const name of ['fast', 'fast-1t', 'tape-cpu', 'tfjs-cpu', 'tfjs-wasm', 'tfjs-wasm-nt']) {
      const e = head.backends[name];
      expect(e.skipped).toBeUndefined();
      expect(e.medianMs).toBeGreaterThan(0);
      expect(e.gflops).toBeGreaterThan(0);
      // float32 against the float64 tape (s = 64 carries float32's rounding into the logits)
      for (const err of [e.lossError, e.dXError, e.dWError]) expect(err).toBeLessThan(1e-4);
    }
    expect(head.backends.fast.ratio).toBe(1);
    const toy = result.shapes.toy;
    expect(toy.checkedAgainst).toBe('tape-cpu-f64');
    for (const name of ['tape-cpu-f64', 'tape-cpu', 'tfjs-cpu', 'tfjs-wasm']) {
      const e = toy.backends[name];
      expect(e.medianMs).toBeGreaterThan(0);
      expect(e.lossError).toBeLessThan(1e-5);
      expect(e.gradError).toBeLessThan(1e-4);
    }
    expect(toy.backends['tape-cpu-f64'].gradError).toBe(0);
  });

  it('--backend picks contestants; --probe reports the peak memory of one', async () => {
    const picked = await benchJson(['--json', '--shape', '5x7x19', '--backend', 'fast-1t', '--rounds', '1', '--skip-memory']);
    expect(Object.keys(picked.shapes['5x7x19'].backends)).toEqual(['fast-1t']);
    const probe = await benchJson(['--probe', '--json', '--backend', 'fast-1t', '--shape', '5x7x19']);
    expect(probe.peakRssMB).toBeGreaterThan(10);
  });

  it('rejects an unknown backend and a malformed shape', async () => {
    await expect(runBench(['--backend', 'nope'])).rejects.toThrow(/unknown backend/);
    await expect(runBench(['--shape', '5x7'])).rejects.toThrow(/NxDxC/);
  });
});
