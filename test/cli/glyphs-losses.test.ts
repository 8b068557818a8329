/**
 * `arcgrad demo --dataset glyphs --losses all --quick`: the six losses, the §2.3 variants and the
 * defineMargin examples each train and are evaluated; a settings file's labelled variants (a
 * margin warm-up, another m2) become rows under their ids and labels. The fonts are rendered
 * once into a temporary cache shared by both runs.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GLYPHS_SETTINGS } from '../../src/demo/glyphs.js';
import { EXAMPLE_MARGIN_NAMES, LOSS_NAMES, PAPER_VARIANT_NAMES } from '../../src/demo/losses.js';
import { cli, type CliResult } from './run-cli.js';

interface LossRow { name: string; id: string; label: string; meanThetaDegrees: (number | null)[]; lossCurves: number[][]; unseen: { rank1: number; verification: { mean: number } } }

describe('glyph losses from the command line', () => {
  let tmp = '';
  let all: CliResult;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'arcgrad-glyph-losses-'));
    all = await cli(['demo', '--dataset', 'glyphs', '--quick', '--losses', 'all', '--out', join(tmp, 'all'), '--cache', join(tmp, 'cache')]);
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('--losses all --quick trains and evaluates the six, the §2.3 variants and the example margins', () => {
    expect(all.status, all.err).toBe(0);
    const r = JSON.parse(readFileSync(join(tmp, 'all', 'results.json'), 'utf8')) as { losses: LossRow[] };
    expect(r.losses.map((l) => l.id)).toEqual([...LOSS_NAMES, ...PAPER_VARIANT_NAMES, ...EXAMPLE_MARGIN_NAMES]);
    for (const l of r.losses) {
      expect(l.lossCurves[0].every(Number.isFinite), l.id).toBe(true);
      expect(l.unseen.verification.mean, l.id).toBeGreaterThan(0.5); // better than chance on balanced pairs
      expect(l.meanThetaDegrees[0] === null, l.id).toBe(l.id === 'triplet'); // no class centers, no θ_y
    }
    expect(r.losses.find((l) => l.id === 'triplet')?.label).toBe('Angular triplet');
    expect(all.out).toMatch(/^Angular triplet .* — /m);
    expect(all.out).toMatch(/^NormFace \+ Intra /m);
  });

  it('a settings file\'s labelled variants train under their ids and labels', async () => {
    const path = join(tmp, 'variants.json');
    const losses = [
      'softmax',
      { name: 'arcface', id: 'arcface-warmup1', label: 'ArcFace, margin warm-up 1 epoch', marginWarmupEpochs: 1 },
      { name: 'arcface', id: 'arcface-m0.3', label: 'ArcFace, m2 = 0.3', m2: 0.3 },
    ];
    writeFileSync(path, JSON.stringify({ ...GLYPHS_SETTINGS.quick, epochs: 2, losses }));
    const out = join(tmp, 'variants');
    const run = await cli(['demo', '--settings', path, '--out', out, '--cache', join(tmp, 'cache')]);
    expect(run.status, run.err).toBe(0);
    const r = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { losses: (LossRow & { params: string })[] };
    expect(r.losses.map((l) => [l.name, l.id, l.label])).toEqual([
      ['softmax', 'softmax', 'Softmax'], ['arcface', 'arcface-warmup1', 'ArcFace, margin warm-up 1 epoch'], ['arcface', 'arcface-m0.3', 'ArcFace, m2 = 0.3'],
    ]);
    expect(r.losses[1].params).toBe('s=64, m2=0.5, margin warm-up 1 epoch');
    for (const id of ['softmax', 'arcface-warmup1', 'arcface-m0.3']) expect(existsSync(join(out, 'runs', `${id}-seed0.json`)), id).toBe(true);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('ArcFace, margin warm-up 1 epoch');
  });

  it('the §2.3 variants are refused, in one line, where only the glyphs benchmark trains them', async () => {
    const mnist = await cli(['demo', '--dataset', 'mnist', '--quick', '--losses', 'triplet', '--out', join(tmp, 'mnist')]);
    expect([mnist.status, mnist.err.trim()]).toEqual([2, "arcgrad demo: demo --dataset mnist: 'triplet' (Angular triplet) is trained by the glyphs benchmark only: arcgrad demo --dataset glyphs --losses triplet"]);
    const trained = await cli(['train', '--loss', 'intra', '--quick', '--out', join(tmp, 'train')]);
    expect(trained.status).toBe(2);
    expect(trained.err.trim()).toMatch(/^arcgrad train: --loss: 'intra' \(NormFace \+ Intra\) is trained by the glyphs benchmark only/);
  });
});
