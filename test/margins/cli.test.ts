/**
 * Defined margins through the command line: `arcgrad check` case files that name an example or a
 * margin from the user's `--margin-module`, on the CPU and on gpu.js.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../cli/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'arcgrad-margin-cli-'));
const userModule = 'test/margins/fixtures/user-margin.ts';
const MARGINS = ['adaface', 'curricularface', 'elasticface-arc', 'elasticface-cos', 'magface', 'soft-arc'];

/** Emits one case per margin (examples and the user's), once. */
let emitted: Promise<string> | undefined;
const emit = () =>
  (emitted ??= (async () => {
    const path = join(dir, 'cases.json');
    const r = await cli(['check', '--emit', path, '--margins', 'all', '--margin-module', userModule]);
    expect(r.status, r.err).toBe(0);
    return path;
  })());

describe('arcgrad check with defined margins', () => {
  it('emits one case per registered margin with its parameters and initial state, and passes them back', async () => {
    const path = await emit();
    const cases = JSON.parse(readFileSync(path, 'utf8')).cases as { name: string; margin?: string; params?: object; state?: object; training?: boolean; m1?: number }[];
    const margin = cases.filter((c) => c.margin !== undefined);
    expect(margin.map((c) => c.margin)).toEqual(MARGINS);
    expect(cases.map((c) => c.name)).toEqual(MARGINS); // only the margins' cases, named after them
    expect(margin.find((c) => c.margin === 'curricularface')).toMatchObject({ params: { s: 64, m: 0.5, momentum: 0.99, thmm: false }, state: { t: 0 }, training: true });
    expect(margin.every((c) => c.m1 === undefined)).toBe(true);
    const r = await cli(['check', path, '--margin-module', userModule, '--json']);
    expect(r.status, r.err).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.failed).toBe(0);
    expect(report.cases.length).toBe(cases.length);
  });

  it('a wrong loss or gradient in a margin case fails with exit 1; a state given in the file is used', async () => {
    const cases = JSON.parse(readFileSync(await emit(), 'utf8')).cases;
    const curricular = cases.find((c: { margin?: string }) => c.margin === 'curricularface');
    const wrong = { ...curricular, name: 'wrong-dW', dW: curricular.dW.map((v: number) => v * 1.001) };
    const otherState = { ...curricular, name: 'other-t', state: { t: 0.7 } };
    const path = join(dir, 'wrong.json');
    writeFileSync(path, JSON.stringify({ cases: [curricular, wrong, otherState] }));
    const r = await cli(['check', path, '--json']);
    expect(r.status).toBe(1);
    const byName = Object.fromEntries(JSON.parse(r.out).cases.map((c: { name: string }) => [c.name, c]));
    expect(byName.curricularface).toMatchObject({ pass: true });
    expect(byName['wrong-dW'].pass).toBe(false);
    expect(byName['wrong-dW'].errors.dW).toBeGreaterThan(5e-4);
    expect(byName['other-t'].pass).toBe(false); // t = 0.7 before the update is another loss
  });

  it('refuses unknown margins, the combined margin\'s fields and bad params with exit 2, naming the case', async () => {
    const base = { name: 'm', N: 1, d: 2, C: 2, X: [1, 0], W: [1, 0, 0, 1], labels: [0] };
    const bad = async (c: object) => {
      const path = join(dir, 'bad.json');
      writeFileSync(path, JSON.stringify({ cases: [{ ...base, ...c }] }));
      return cli(['check', path]);
    };
    let r = await bad({ margin: 'nope' });
    expect([r.status, r.err]).toEqual([2, expect.stringMatching(/case 'm': unknown margin 'nope' \(registered: .*curricularface/)]);
    r = await bad({ margin: 'arc', m1: 1 });
    expect(r.err).toMatch(/field 'm1' is the combined margin's/);
    r = await bad({ margin: 'magface', params: { la: 'x' } });
    expect(r.err).toMatch(/case 'm': magface: parameter 'la' must be a number/);
    r = await bad({ margin: 'curricularface', state: { q: 1 } });
    expect(r.err).toMatch(/state has keys \[q, t\]/);
    r = await bad({ margin: 'magface', training: 'yes' });
    expect(r.err).toMatch(/field 'training' must be true or false/);
    expect((await cli(['check', join(dir, 'x.json'), '--margins', 'all'])).err).toMatch(/--margins goes with --emit/);
  });

  it('--margin-module refuses a missing file and a module that defines no margin', async () => {
    expect((await cli(['check', '--emit', join(dir, 'e.json'), '--margin-module', 'nope.js'])).err).toMatch(/no file nope\.js/);
    const empty = join(dir, 'empty.mjs');
    writeFileSync(empty, 'export const x = 1;\n');
    const r = await cli(['check', '--emit', join(dir, 'e.json'), '--margin-module', empty]);
    expect([r.status, r.err]).toEqual([2, expect.stringMatching(/defines no margin/)]);
  });

  it('runs the margin cases on gpu.js (webasm, float32) within the float32 tolerance', async () => {
    const cases = JSON.parse(readFileSync(await emit(), 'utf8')).cases.filter((c: { margin?: string }) => c.margin !== undefined);
    const path = join(dir, 'margins-only.json');
    writeFileSync(path, JSON.stringify({ cases }));
    const r = await cli(['check', path, '--margin-module', userModule, '--backend', 'gpu.js:webasm', '--dtype', 'float32', '--json']);
    expect(r.status, r.out + r.err).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.backend).toBe('gpu.js:webasm');
    for (const c of report.cases) for (const e of Object.values(c.errors) as number[]) expect(e, c.name).toBeLessThan(1e-3);
  }, 60_000);
});
