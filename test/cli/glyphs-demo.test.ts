/**
 * `arcgrad demo --dataset glyphs --quick` end to end (the two small devDependency fonts, rendered
 * into a temporary cache): report, figures and results.json with the fields issue 15 asks for;
 * `arcgrad data glyphs --quick` then finds the same data set intact.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GLYPHS_SETTINGS, validateGlyphsSettings } from '../../src/demo/glyphs.js';
import { cli, type CliResult } from './run-cli.js';

describe('arcgrad demo --dataset glyphs --quick', () => {
  let tmp = '';
  let out = '';
  let result: CliResult;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'arcgrad-glyphs-demo-'));
    out = join(tmp, 'out');
    result = await cli(['demo', '--dataset', 'glyphs', '--quick', '--out', out, '--cache', join(tmp, 'cache')]);
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('exits 0, shows progress for rendering and for each loss, and prints the table', () => {
    expect(result.status, result.err).toBe(0);
    expect(result.err).toMatch(/render glyphs .*100% 1800\/1800/);
    expect(result.err).toMatch(/arcface seed 0 .*100% \d+\/\d+ epoch 3\/3/);
    expect(result.out).toMatch(/^Raw pixels \(no training\) /m);
  });

  it('writes results.json with the dataset and per-loss protocol fields', () => {
    const r = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    const q = GLYPHS_SETTINGS.quick;
    expect(r.dataset).toMatchObject({ name: 'glyphs', trainIdentities: q.trainIdentities, unseenIdentities: q.unseenIdentities, imageSize: q.data.size });
    expect(r.dataset.fonts).toHaveLength(1);
    expect(r.dataset.heldOutFonts).toHaveLength(1);
    expect(r.losses.map((l: { name: string }) => l.name)).toEqual(q.losses);
    for (const l of r.losses) {
      expect(l.seeds).toEqual([0]);
      for (const where of [l.unseen, l.heldOutFonts]) {
        expect(where.verification.mean).toBeGreaterThan(0.5); // better than chance on balanced pairs
        expect(where.verification.std).toBeGreaterThanOrEqual(0);
        expect(Object.keys(where.tarAtFar)).toEqual(['1e-3', '1e-4']);
        for (const v of [...Object.values(where.tarAtFar), where.rank1] as number[]) expect(v).toBeGreaterThanOrEqual(0);
        expect(where.rank1).toBeLessThanOrEqual(1);
      }
    }
  });

  it('writes each run\'s numbers to out/runs/ as it finishes, the same as results.json', () => {
    const r = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    for (const l of r.losses) {
      const run = JSON.parse(readFileSync(join(out, 'runs', `${l.name}-seed0.json`), 'utf8'));
      expect(run.unseen.rank1).toBe(l.unseen.rank1);
      expect(run.heldOutFonts.tarAtFar).toEqual(l.heldOutFonts.tarAtFar);
    }
  });

  it('writes the report with its figures', () => {
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    for (const f of ['roc-unseen.svg', 'roc-held-out-fonts.svg', 'loss-curves.svg', 'theta-y.svg']) {
      expect(md).toContain(`](${f})`);
      expect(readFileSync(join(out, f), 'utf8')).toMatch(/^\s*(<\?xml[^>]*>\s*)?<svg/);
    }
    expect(html).not.toMatch(/<img /); // figures inline
  });

  it('--settings: a file fixing every setting; a missing or unknown one is refused in one line', async () => {
    const path = join(tmp, 'settings.json');
    const settings = { ...GLYPHS_SETTINGS.quick, comment: 'why these settings' };
    writeFileSync(path, JSON.stringify({ ...settings, epochs: undefined }));
    const missing = await cli(['demo', '--settings', path, '--out', join(tmp, 'o2')]);
    expect([missing.status, missing.err.trim()]).toEqual([2, `arcgrad demo: ${path}: setting 'epochs' is missing (a settings file fixes every setting)`]);
    writeFileSync(path, JSON.stringify({ ...settings, epochz: 3 }));
    expect((await cli(['demo', '--settings', path])).err).toMatch(/unknown setting 'epochz'/);
    writeFileSync(path, JSON.stringify({ ...settings, losses: ['arcface', 'nosuchloss'] }));
    expect((await cli(['demo', '--settings', path])).err).toMatch(/unknown loss 'nosuchloss'/);
    expect((await cli(['demo', '--settings', path, '--epochs', '2'])).err).toMatch(/--settings fixes every setting; drop --epochs/);
  });

  it('the committed full-comparison settings are valid and are the default run with more losses and seeds', () => {
    const file = validateGlyphsSettings(JSON.parse(readFileSync('bench/glyphs-full.json', 'utf8')), 'bench/glyphs-full.json');
    expect({ ...file, seeds: undefined, losses: undefined }).toEqual({ ...GLYPHS_SETTINGS.full, seeds: undefined, losses: undefined });
    expect(file.seeds.length).toBeGreaterThanOrEqual(3);
    expect(file.seeds).toEqual(expect.arrayContaining([...GLYPHS_SETTINGS.full.seeds]));
    expect(file.losses).toEqual(expect.arrayContaining([...GLYPHS_SETTINGS.full.losses]));
    expect(JSON.parse(readFileSync('package.json', 'utf8')).scripts['bench:glyphs']).toContain('--settings bench/glyphs-full.json');
  });

  it('--resume reuses every recorded run bit for bit, and retrains a damaged record with a one-line reason', async () => {
    const first = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    const again = await cli(['demo', '--dataset', 'glyphs', '--quick', '--out', out, '--cache', join(tmp, 'cache'), '--resume']);
    expect(again.status, again.err).toBe(0);
    for (const loss of GLYPHS_SETTINGS.quick.losses) expect(again.err).toContain(`resume: ${loss} seed 0: reusing ${join(out, 'runs', `${loss}-seed0.json`)}`);
    expect(again.err).not.toMatch(/seed 0 .*epoch \d+\/\d+/); // nothing trained
    const second = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(second.losses).toEqual(first.losses);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/Reused from earlier records .*: softmax seed 0, normface seed 0, arcface seed 0;/);

    const damaged = join(out, 'runs', 'normface-seed0.json');
    writeFileSync(damaged, readFileSync(damaged, 'utf8').slice(0, 500)); // a half-written file
    const third = await cli(['demo', '--dataset', 'glyphs', '--quick', '--out', out, '--cache', join(tmp, 'cache'), '--resume']);
    expect(third.status, third.err).toBe(0);
    expect(third.err).toMatch(new RegExp(`resume: normface seed 0: .*normface-seed0\\.json not reused: unreadable \\(.*\\); training it`));
    expect(third.err).toMatch(/normface seed 0 .*100% \d+\/\d+ epoch 3\/3/);
    const retrained = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(retrained.losses.map((l: { unseen: unknown; heldOutFonts: unknown }) => [l.unseen, l.heldOutFonts])).toEqual(first.losses.map((l: { unseen: unknown; heldOutFonts: unknown }) => [l.unseen, l.heldOutFonts])); // deterministic
    expect((await cli(['demo', '--dataset', 'mnist', '--resume'])).err).toMatch(/--resume works with --dataset glyphs only/);
  });

  it('arcgrad data glyphs --quick then finds the data set built and intact', async () => {
    const again = await cli(['data', 'glyphs', '--quick', '--cache', join(tmp, 'cache')]);
    expect(again.status, again.err).toBe(0);
    expect(again.out).toMatch(/^glyphs: 2 fonts × 300 characters × 3 copies at 16×16 .* font download 0\.0 s, rendering 0\.0 s$/);
  });
});
