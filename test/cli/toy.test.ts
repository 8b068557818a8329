/**
 * `arcgrad toy --quick` end to end (the two small devDependency fonts, rendered into a temporary
 * cache): the figure (a panel per loss and set, rays, arcs, degrees), the Markdown table and
 * toy.json; a second run gives the same numbers (only the times differ).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOY_SETTINGS } from '../../src/demo/glyphs-toy.js';
import { lossLabel } from '../../src/demo/losses.js';
import { cli, type CliResult } from './run-cli.js';

describe('arcgrad toy --quick', () => {
  let tmp = '';
  let result: CliResult;
  const q = TOY_SETTINGS.quick;
  const read = (dir: string, f: string) => readFileSync(join(tmp, dir, f), 'utf8');

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'arcgrad-toy-'));
    result = await cli(['toy', '--quick', '--out', join(tmp, 'out'), '--cache', join(tmp, 'cache')]);
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('exits 0 with progress for rendering and for each loss, and prints the table', () => {
    expect(result.status, result.err).toBe(0);
    expect(result.err).toMatch(/render glyphs .*100% 192\/192/); // 8 characters × 2 fonts × 12 copies
    for (const loss of q.losses) expect(result.err).toMatch(new RegExp(`toy ${loss} .*100% 12/12 epoch 4/4`));
    expect(result.out).toMatch(/^ArcFace +s=30, m2=0.5 /m);
  });

  it('writes the figure: a panel per loss for the training and the held-out fonts, rays, arcs and degrees, no NaN', () => {
    const svg = read('out', 'glyphs-toy.svg');
    expect(svg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect(svg).not.toContain('NaN');
    for (const loss of q.losses) {
      for (const where of ['training fonts', 'held-out fonts']) expect(svg).toMatch(new RegExp(`>${lossLabel(loss)} \\(${where}\\): min gap -?[\\d.]+°<`));
    }
    const panels = 2 * q.losses.length;
    const marks = (role: string) => svg.split(`aria-roledescription="${role}"`).length - 1;
    expect(marks('rule mark')).toBe(panels * 8); // one ray per class centre Wⱼ
    expect(marks('line mark')).toBe(panels * 8); // one measured arc per class
    expect(svg.split('>135°</text>').length - 1).toBe(panels);
    expect(svg.split('d="M2.739,0A2.739').length - 1).toBe(panels * 8 * q.drawPerClass);
  });

  it('writes toy.json: the picked characters, the font split, and per loss every gap and the misassigned shares', () => {
    const r = JSON.parse(read('out', 'toy.json'));
    expect(r.settings).toEqual(q);
    expect(r.characters).toHaveLength(8);
    expect(r.fonts.train).toHaveLength(1);
    expect(r.fonts.test).toHaveLength(1);
    expect(r.images).toEqual({ train: 8 * 12, test: 8 * 12 });
    expect(r.losses.map((l: { name: string }) => l.name)).toEqual(q.losses);
    for (const l of r.losses) {
      expect(l.lossCurve).toHaveLength(q.epochs);
      expect(l.centresDegrees).toHaveLength(8);
      for (const set of [l.train, l.test]) {
        expect(set.gaps).toHaveLength(8);
        expect(set.arcs).toHaveLength(8);
        expect(set.minGap).toBe(Math.min(...set.gaps.map((g: { degrees: number }) => g.degrees)));
        expect(set.closerToOther).toBeGreaterThanOrEqual(0);
        expect(set.closerToOther).toBeLessThanOrEqual(1);
      }
    }
    const md = read('out', 'toy.md');
    expect(md).toContain('| Loss | Hyper-parameters | Train: min gap (°) |');
    expect(md).toContain('](glyphs-toy.svg)');
  });

  it('is deterministic: a second run (same cache) writes the same numbers', async () => {
    const again = await cli(['toy', '--quick', '--out', join(tmp, 'again'), '--cache', join(tmp, 'cache')]);
    expect(again.status, again.err).toBe(0);
    expect(again.err).not.toMatch(/render glyphs/); // the cached data set is reused
    const numbers = (dir: string) => {
      const { context: _context, losses, ...rest } = JSON.parse(read(dir, 'toy.json'));
      return { ...rest, losses: losses.map(({ trainSeconds: _t, ...l }: { trainSeconds: number }) => l) };
    };
    expect(numbers('again')).toEqual(numbers('out'));
    expect(read('again', 'glyphs-toy.svg')).toBe(read('out', 'glyphs-toy.svg'));
  });

  it('--seed changes the training seed only: the same data, pick and font split, other numbers', async () => {
    const other = await cli(['toy', '--quick', '--seed', '1', '--out', join(tmp, 'seed1'), '--cache', join(tmp, 'cache')]);
    expect(other.status, other.err).toBe(0);
    const [a, b] = ['out', 'seed1'].map((dir) => JSON.parse(read(dir, 'toy.json')));
    expect([a.settings.seed, b.settings.seed]).toEqual([0, 1]);
    expect(b.characters).toEqual(a.characters);
    expect(b.fonts).toEqual(a.fonts);
    expect(b.losses.map((l: { lossCurve: number[] }) => l.lossCurve)).not.toEqual(a.losses.map((l: { lossCurve: number[] }) => l.lossCurve));
    expect((await cli(['toy', '--seed', '-1'])).err.trim()).toBe('arcgrad toy: --seed must be an integer ≥ 0, got -1');
  });

  it('a bad option is one line and status 2', async () => {
    const bad = await cli(['toy', '--epochs', '3']);
    expect([bad.status, bad.err.trim()]).toEqual([2, 'arcgrad toy: unknown option --epochs (see arcgrad toy --help)']);
    const help = await cli(['toy', '--help']);
    expect(help.status).toBe(0);
    expect(help.out).toMatch(/^Usage: arcgrad toy/);
  });
});
