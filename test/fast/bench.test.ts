/** `arcgrad bench --json` prints one JSON object with, per shape, each contestant's median and check. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runBench } from '../../src/cli/bench.js';

afterEach(() => vi.restoreAllMocks());

describe('arcgrad bench', () => {
  it('--json prints per-shape medians and the check against the float64 reference', async () => {
    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((s: string) => void out.push(s));
    const status = await runBench(['--json', '--shape', '5x7x19', '--backend', 'fast,fast-1t,tape-cpu', '--rounds', '2', '--skip-memory']);
    expect(status).toBe(0);
    const result = JSON.parse(out.join('\n'));
    const shape = result.shapes['5x7x19'];
    for (const name of ['fast', 'fast-1t', 'tape-cpu']) {
      expect(shape.backends[name].medianMs).toBeGreaterThan(0);
      expect(shape.backends[name].dWError).toBeLessThan(1e-4);
    }
    expect(result.machine.cores).toBeGreaterThan(0);
  });

  it('rejects an unknown backend and a malformed shape', async () => {
    await expect(runBench(['--backend', 'nope'])).rejects.toThrow(/unknown backend/);
    await expect(runBench(['--shape', '5x7'])).rejects.toThrow(/NxDxC/);
  });
});
