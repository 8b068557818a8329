import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OptionError, ShapeError } from '../../src/tensor/errors.js';
import { formatNumber, renderReport, writeReport, type ReportInput } from '../../src/report/report.js';

const svg = (label: string) => `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>${label}</text></svg>`;

const input: ReportInput = {
  title: 'Open-set MNIST <digits 7–9>',
  table: {
    columns: ['loss', 'LFW-style acc', '± std', 'TAR@FAR=1e-3', 'closed-set acc'],
    rows: [
      ['Softmax', 0.91234, 0.0123, 0.4, 0.975],
      ['ArcFace m2=0.5 | none', 0.98765, 0.00456, 0.8125, 1],
    ],
  },
  figures: [
    { file: 'roc.svg', title: 'ROC', svg: svg('roc-figure'), caption: 'TAR against FAR on unseen digits' },
    { file: 'logit.svg', title: 'Target logits', svg: `<?xml version="1.0"?>\n${svg('logit-figure')}` },
  ],
  notes: ['TAR@FAR is the largest TAR with FAR ≤ target & no interpolation.'],
};

describe('formatNumber', () => {
  it('prints 4 significant digits without trailing zeros or binary noise', () => {
    expect(formatNumber(0.98765)).toBe('0.9877');
    expect(formatNumber(0.9873)).toBe('0.9873');
    expect(formatNumber(0.5)).toBe('0.5');
    expect(formatNumber(12345.6)).toBe('12350');
    expect(formatNumber(0.000123456)).toBe('0.0001235');
    expect(formatNumber(1.23456e-7)).toBe('1.235e-7');
    expect(formatNumber(42)).toBe('42');
    expect(formatNumber(NaN)).toBe('NaN');
  });
});

describe('renderReport', () => {
  const { markdown, html } = renderReport(input);

  it('Markdown: a table with the numbers, figures as files, notes', () => {
    expect(markdown.startsWith('# Open-set MNIST <digits 7–9>\n')).toBe(true);
    expect(markdown).toContain('| loss | LFW-style acc | ± std | TAR@FAR=1e-3 | closed-set acc |');
    expect(markdown).toContain('| Softmax | 0.9123 | 0.0123 | 0.4 | 0.975 |');
    expect(markdown).toContain('| ArcFace m2=0.5 \\| none | 0.9877 | 0.00456 | 0.8125 | 1 |');
    expect(markdown).toContain('![ROC](roc.svg)');
    expect(markdown).toContain('*TAR against FAR on unseen digits*');
    expect(markdown).not.toContain('<svg');
    expect(markdown).toContain('no interpolation.');
  });

  it('HTML: self-contained, numbers in cells, SVG inline without the XML prolog, text escaped', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<h1>Open-set MNIST &lt;digits 7–9&gt;</h1>');
    for (const n of ['0.9123', '0.0123', '0.4', '0.975', '0.9877', '0.00456', '0.8125']) expect(html).toContain(`<td>${n}</td>`);
    expect(html).toContain('<text>roc-figure</text>');
    expect(html).toContain('<text>logit-figure</text>');
    expect(html).not.toContain('<?xml');
    expect(html).not.toContain('src=');
    expect(html).toContain('FAR ≤ target &amp; no interpolation.');
  });

  it('HTML: the ids of inlined figures are made unique per figure, references included (every vega figure starts at clip1)', () => {
    const clipped = (label: string) =>
      `<svg xmlns="http://www.w3.org/2000/svg"><defs><clipPath id="clip1"><rect/></clipPath></defs><g clip-path="url(#clip1)"><text>${label}</text></g><a href="#clip1"/><text>url(#clip9)</text></svg>`;
    const page = renderReport({
      title: 't',
      figures: [
        { file: 'a.svg', title: 'a', svg: clipped('a') },
        { file: 'b.svg', title: 'b', svg: clipped('b') },
      ],
    }).html;
    const ids = [...page.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(ids).toEqual(['figure1-clip1', 'figure2-clip1']);
    expect(page).toContain('clip-path="url(#figure1-clip1)"><text>a</text>');
    expect(page).toContain('clip-path="url(#figure2-clip1)"><text>b</text>');
    expect(page).toContain('<a href="#figure2-clip1"/>');
    expect(page).toContain('<text>url(#clip9)</text>'); // not an id of the figure: left alone
  });

  it('rejects ragged tables, unsafe file names, duplicate files and non-SVG figures', () => {
    expect(() => renderReport({ title: 't', table: { columns: ['a', 'b'], rows: [[1]] } })).toThrow(ShapeError);
    const fig = { file: 'a.svg', title: 'a', svg: svg('a') };
    expect(() => renderReport({ title: 't', figures: [{ ...fig, file: '../a.svg' }] })).toThrow(OptionError);
    expect(() => renderReport({ title: 't', figures: [fig, fig] })).toThrow(OptionError);
    expect(() => renderReport({ title: 't', figures: [{ ...fig, svg: '<div/>' }] })).toThrow(OptionError);
  });
});

describe('writeReport', () => {
  it('writes report.md, report.html and the figure files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'arcgrad-report-'));
    try {
      const paths = writeReport(join(dir, 'out'), input);
      expect(paths.map((p) => p.slice(dir.length + 5))).toEqual(['report.md', 'report.html', 'roc.svg', 'logit.svg']);
      expect(readFileSync(join(dir, 'out', 'roc.svg'), 'utf8')).toBe(svg('roc-figure'));
      expect(readFileSync(join(dir, 'out', 'report.md'), 'utf8')).toBe(renderReport(input).markdown);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
