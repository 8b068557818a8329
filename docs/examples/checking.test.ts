/** docs/checking-your-implementation.md: its outputs, errors and exit codes are what `arcgrad check` produces. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as ex from './checking.js';
import { codeBlocks, exp, page, tsBlocksNotFromExamples } from './pages.js';

const doc = page('checking-your-implementation.md');
const text = codeBlocks(doc, 'text');

describe('docs/checking-your-implementation.md', () => {
  it('shows only code that is in docs/examples; the PyTorch scripts are dump_case.py, dump_conventions.py and dump_npz.py as they are', () => {
    expect(tsBlocksNotFromExamples(doc)).toEqual([]);
    const script = (name: string) => readFileSync(fileURLToPath(new URL(`./${name}`, import.meta.url)), 'utf8').trimEnd();
    expect(codeBlocks(doc, 'python')).toEqual(['dump_case.py', 'dump_conventions.py', 'dump_npz.py'].map(script));
  });

  it('the executed templates: what arcgrad check prints for their fixtures is on the page', async () => {
    for (const name of ['dump_case', 'dump_conventions']) {
      const r = await ex.checkFixture(name);
      expect(r.status).toBe(0);
      expect(text).toContain(r.out);
    }
  });

  it('the hand-written case is the one checked, and passes; dividing by N fails with error 1', async () => {
    expect(JSON.parse(codeBlocks(doc, 'json')[0])).toEqual(ex.handWritten);
    const pass = await ex.checkHandWritten();
    expect(pass.status).toBe(0);
    expect(text).toContain(pass.out);
    const fail = await ex.checkDividedByN();
    expect(fail.status).toBe(1);
    expect(text).toContain(fail.out);
  });

  it('the float32 table is what `check --dtype float32` prints for the emitted cases', async () => {
    const path = await ex.emit();
    const r = await ex.arcgrad('check', path, '--dtype', 'float32');
    expect(r.status).toBe(0);
    expect(text).toContain(r.out);
  });

  it('the measured tolerances', async () => {
    const path = await ex.emit();
    const self = await ex.arcgrad('check', path, '--json');
    expect(ex.largestErrors(self.out)).toMatchObject({ loss: 0, dX: 0, dW: 0, failed: 0 });
    const reversed = ex.largestErrors((await ex.arcgrad('check', ex.reversedDimensions(path), '--json')).out);
    const f32 = ex.largestErrors((await ex.arcgrad('check', path, '--dtype', 'float32', '--json')).out);
    const row = (e: { loss: number; dX: number; dW: number }) => `| ${exp(e.loss, 1)} | ${exp(e.dX, 1)} | ${exp(e.dW, 1)} |`;
    expect(row(reversed)).toBe('| 3.1e-16 | 1.2e-15 | 9.5e-16 |');
    expect(row(f32)).toBe('| 5.4e-7 | 8.9e-7 | 8.8e-7 |');
    expect(doc).toContain(`(feature dimensions reversed) ${row(reversed)}`);
    expect(doc).toContain(`\`arcgrad check cases.json --dtype float32\` ${row(f32).slice(0, -2)} (worst dX: \`${f32.worstDX}\`) |`);
    expect(f32.failed).toBe(0);
  });

  it('exit status 2 with a one-line message; a case with nothing to compare passes', async () => {
    const r = await ex.checkMissingField();
    expect(r.status).toBe(2);
    expect(doc).toContain(`e.g. \`${r.err}\``);
    const { loss: _loss, ...nothing } = ex.handWritten.cases[0];
    void _loss;
    const { writeFileSync } = await import('node:fs');
    const path = `${ex.folder}/nothing.json`;
    writeFileSync(path, JSON.stringify({ cases: [nothing] }));
    expect((await ex.arcgrad('check', path)).status).toBe(0);
  });

  it('--json prints one object with the documented fields', async () => {
    const r = await ex.arcgrad('check', await ex.emit(), '--dtype', 'float32', '--json');
    const report = JSON.parse(r.out);
    expect(Object.keys(report)).toEqual(['backend', 'dtype', 'tol', 'passed', 'failed', 'skipped', 'cases', 'skippedCases']);
    expect(report.skipped).toBe(0); // the CPU tape computes every case
    expect(Object.keys(report.cases[0])).toEqual(['name', 'loss', 'errors', 'pass']);
    expect(Object.keys(report.cases[0].errors)).toEqual(['loss', 'dX', 'dW']);
  });
});
