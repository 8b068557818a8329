/**
 * docs/reliability.md shows what `arcgrad reliability` produces: the scenario table and the
 * precision table are regenerated here (the same code the command runs) and compared with the
 * page; every scenario's outcome is the expected one, every float32 result finite, and the
 * precision bounds the page states hold for every cell.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { extractBlock, reliabilityReport, renderBlocks, type ReliabilityReport } from '../../src/reliability/report.js';

const page = readFileSync(new URL('../../docs/reliability.md', import.meta.url), 'utf8');
let report: ReliabilityReport;
beforeAll(async () => {
  report = await reliabilityReport(run);
});

describe('docs/reliability.md', () => {
  it.each(['scenarios', 'precision', 'device'] as const)('shows the %s table `arcgrad reliability --write` produces', (name) => {
    expect(extractBlock(page, name), `no ${name} block in the page`).toBeDefined();
    expect(extractBlock(page, name)).toBe(renderBlocks(report)[name]);
  });

  it('every scenario ends as expected (a value, a typed error, the documented exit status, a reported fallback)', () => {
    const bad = report.scenarios.filter((r) => !r.ok).map((r) => `${r.scenario.area}: ${r.scenario.input} → ${r.outcome.kind}: ${r.outcome.text}`);
    expect(bad).toEqual([]);
    expect(report.scenarios.length).toBeGreaterThan(40);
    // Every kind of outcome the page promises is represented.
    for (const kind of ['value', 'typed error', 'exit 0', 'exit 1', 'exit 2', 'fallback reported']) {
      expect(report.scenarios.some((r) => r.scenario.expected === kind), kind).toBe(true);
    }
  });

  it('float32 is finite in every cell (every preset and fallback, s up to 1024, targets at θ_y = 0 and π)', () => {
    expect([...report.precision, ...report.device].filter((c) => !c.finite)).toEqual([]);
    expect(report.device.length).toBeGreaterThan(20);
  });

  it('the precision bounds the page states hold in every cell, on the CPU reference and on gpu.js', () => {
    for (const c of [...report.precision, ...report.device.map((d) => ({ ...d, head: `${d.head} (gpu.js)` }))]) {
      const where = `${c.head}, ${c.stratum}, s = ${c.s}`;
      if (c.stratum === 'random') {
        expect(c.loss, where).toBeLessThan(1e-6);
        expect(c.grad, where).toBeLessThan(1e-5);
      }
      expect(c.loss, where).toBeLessThan(5e-2);
      expect(c.grad, where).toBeLessThan(1e-2);
    }
    // Near θ_y = π the exact ArcFace gradient is ill-conditioned (1/sin θ); straight-through is not.
    const nearPi = (head: string) => report.precision.filter((c) => c.head === head && c.stratum === 'θ_y ≈ π');
    for (const c of nearPi('ArcFace')) expect(c.grad).toBeGreaterThan(1e-4);
    for (const c of nearPi('ArcFace straight-through')) expect(c.grad).toBeLessThan(1e-5);
  });
});
