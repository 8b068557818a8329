/**
 * Defined margins in the demo: `--losses` (all, or a list) adds a table row per margin — an
 * example and the user's `--margin-module` — with their target-logit figure and a note on where
 * the reference code differs from the paper; the default demo's losses stay the six.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoLosses } from '../../src/cli/demo.js';
import { DEMO_SETTINGS } from '../../src/demo/demo.js';
import { EXAMPLE_MARGIN_NAMES, LOSS_NAMES } from '../../src/demo/losses.js';
import { magFace, registerMargin } from '../../src/index.js';
import { definedMarginCurves } from '../../src/report/index.js';
import { softArc } from './fixtures/user-margin.js';
import { cli, type CliResult } from '../cli/run-cli.js';

describe('--losses', () => {
  it('defaults to the six built-in losses; all adds the examples, then the loaded user margins', () => {
    expect(DEMO_SETTINGS.full.losses).toEqual([...LOSS_NAMES]);
    expect(DEMO_SETTINGS.quick.losses).toEqual([...LOSS_NAMES]);
    expect(demoLosses(undefined)).toEqual([...LOSS_NAMES]);
    expect(EXAMPLE_MARGIN_NAMES).toEqual(['curricularface', 'adaface', 'magface', 'elasticface-arc', 'elasticface-cos']);
    registerMargin(softArc);
    expect(demoLosses('all', ['soft-arc'])).toEqual([...LOSS_NAMES, ...EXAMPLE_MARGIN_NAMES, 'soft-arc']);
    expect(demoLosses('arcface, magface')).toEqual(['arcface', 'magface']);
    expect(() => demoLosses('arcface,nope')).toThrow(/unknown loss 'nope'/);
    expect(() => demoLosses('arcface,arcface')).toThrow(/names 'arcface' twice/);
  });

  it('the figure draws MagFace at l_a, the middle and u_a, with the margins m(a) of the formula', () => {
    const curves = definedMarginCurves(magFace, {}, 5);
    expect(curves.map((c) => c.name)).toEqual(['MagFace a = 10: m = 0.45', 'MagFace a = 60: m = 0.625', 'MagFace a = 110: m = 0.8']);
    const theta = curves[0].theta[1]; // π/4
    curves.forEach((c, k) => expect(c.value[1]).toBeCloseTo(Math.cos(theta + [0.45, 0.625, 0.8][k]), 14));
  });
});

describe('arcgrad demo --losses with defined margins', () => {
  let tmp = '';
  let out = '';
  let result: CliResult;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'arcgrad-demo-margins-'));
    out = join(tmp, 'out');
    result = await cli(['demo', '--dataset', 'mnist', '--quick', '--epochs', '1', '--losses', 'arcface,curricularface,magface,soft-arc', '--margin-module', 'test/margins/fixtures/user-margin.ts', '--out', out]);
  }, 300_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('has a table row per loss, the defined margins\' figure and the paper-vs-code note', () => {
    expect(result.status, result.err).toBe(0);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    for (const label of ['ArcFace', 'CurricularFace', 'MagFace', 'SoftArc']) expect(md).toMatch(new RegExp(`^\\| ${label} \\| [^\\n]*\\d`, 'm'));
    expect(md).toMatch(/\| MagFace \| s=30, la=2.5, ua=27.5 \|/);
    expect(md).toContain('target-logit-defined.svg');
    expect(readFileSync(join(out, 'target-logit-defined.svg'), 'utf8')).toContain('MagFace a = 2.5');
    expect(md).toContain("CurricularFace (made with defineMargin): Huang et al., CurricularFace, CVPR 2020 (arXiv 2004.00288); HuangYG123/CurricularFace head/metrics.py. Trained with the paper's formula; the reference code differs — t ← α·r + (1 − α)·t with α = 0.99 in the paper");
    expect(md).toContain('SoftArc (made with defineMargin): a test margin');
    expect(md).toContain('except s = 30 and MagFace la = 2.5, ua = 27.5');
    expect(md).toMatch(/Feature norms ‖x‖ of the training embeddings at the end of training .*: ArcFace \d+\.\d \(\d+\.\d–\d+\.\d\), CurricularFace/);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.losses.map((l: { loss: string }) => l.loss)).toEqual(['arcface', 'curricularface', 'magface', 'soft-arc']);
  });

  it('saves each model so that arcgrad eval reproduces its row', async () => {
    expect(existsSync(join(out, 'models', 'soft-arc', 'checkpoint.json'))).toBe(true);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    const evaluated = await cli(['eval', join(out, 'models', 'curricularface'), '--json']);
    expect(evaluated.status, evaluated.err).toBe(0);
    expect(JSON.parse(evaluated.out).verificationAccuracy).toBe(results.losses[1].verificationAccuracy);
  });
});
