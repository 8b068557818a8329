/**
 * The experiment report: a title, a results table, figures and notes, rendered as Markdown (figures
 * referenced as SVG files next to it) and as one self-contained HTML page (figures inline), so the
 * HTML can be mailed or archived alone and the Markdown reads well in a repository.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { OptionError, ShapeError } from '../tensor/errors.js';

/** A results table; numbers are printed with `formatNumber`. */
export interface ReportTable {
  /** Column headers. */
  columns: readonly string[];
  /** One array of cells per row, as long as `columns`. */
  rows: readonly (readonly (string | number)[])[];
}

/** A figure of the report. */
export interface ReportFigure {
  /** File name for the Markdown version (a plain name ending in .svg, e.g. 'roc.svg'). */
  file: string;
  /** Figure title (the image's alt text and heading). */
  title: string;
  /** The SVG markup, e.g. from `rocFigure`. */
  svg: string;
  /** Optional caption under the figure. */
  caption?: string;
}

/** Everything a report holds. */
export interface ReportInput {
  /** Report title. */
  title: string;
  /** The results table (optional). */
  table?: ReportTable;
  /** Figures, in order. */
  figures?: readonly ReportFigure[];
  /** Notes as paragraphs of plain text (conventions, caveats, what was measured how). */
  notes?: readonly string[];
}

/** The rendered report. */
export interface RenderedReport {
  /** Markdown; figures as `![title](file)`. */
  markdown: string;
  /** A self-contained HTML page; figures inline. */
  html: string;
}

/**
 * A table number as text: integers as they are, others to 4 significant digits without trailing
 * zeros (0.98733 → "0.9873", 0.5 → "0.5", 12345.6 → "12350", 1.23456e-7 → "1.235e-7"),
 * non-finite as "NaN"/"Infinity".
 */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v) || Number.isInteger(v)) return String(v);
  const s = v.toPrecision(4);
  if (s.includes('e')) return String(Number(s)); // 1.235e+4 → 12350; tiny numbers keep the exponent
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

const cell = (v: string | number) => (typeof v === 'number' ? formatNumber(v) : v);

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function escapeMarkdownCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/**
 * The SVG with every element id prefixed by `prefix`, and the references to them (`url(#id)`,
 * `href="#id"`) rewritten to match: ids are document-wide in HTML, and every vega figure numbers
 * its clip paths from clip1 (see renderVegaLite), so two inlined figures would clip each other.
 */
function namespaceIds(svg: string, prefix: string): string {
  const ids = new Set([...svg.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]));
  return svg.replace(/(\sid="|url\(#|href="#)([^")]+)/g, (whole, lead: string, id: string) => (ids.has(id) ? `${lead}${prefix}${id}` : whole));
}

function validate(input: ReportInput): void {
  if (input.table) {
    const { columns, rows } = input.table;
    if (columns.length === 0) throw new ShapeError('renderReport: the table has no columns');
    rows.forEach((r, i) => {
      if (r.length !== columns.length) {
        throw new ShapeError(`renderReport: table row ${i} has ${r.length} cells for ${columns.length} columns`);
      }
    });
  }
  const files = new Set<string>();
  for (const f of input.figures ?? []) {
    // A plain name: the Markdown links to it relatively and writeReport writes it next to the report.
    if (!/^[\w.-]+\.svg$/.test(f.file) || basename(f.file) !== f.file) {
      throw new OptionError(`renderReport: figure file '${f.file}' must be a plain name ending in .svg`);
    }
    if (files.has(f.file)) throw new OptionError(`renderReport: two figures share the file '${f.file}'`);
    files.add(f.file);
    if (!/^\s*(<\?xml[^>]*>\s*)?<svg[\s>]/.test(f.svg)) {
      throw new OptionError(`renderReport: figure '${f.title}' is not SVG markup`);
    }
  }
}

/** The report as Markdown and as self-contained HTML. */
export function renderReport(input: ReportInput): RenderedReport {
  validate(input);
  const md: string[] = [`# ${input.title}`, ''];
  const html: string[] = [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(input.title)}</title>`,
    '<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}' +
      'table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:right}' +
      'th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}figure{margin:2em 0}' +
      'figure svg{max-width:100%;height:auto}figcaption{color:#444}</style>',
    '</head><body>',
    `<h1>${escapeHtml(input.title)}</h1>`,
  ];
  if (input.table) {
    const { columns, rows } = input.table;
    md.push(`| ${columns.map(escapeMarkdownCell).join(' | ')} |`);
    md.push(`| ${columns.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`);
    for (const r of rows) md.push(`| ${r.map((v) => escapeMarkdownCell(cell(v))).join(' | ')} |`);
    md.push('');
    html.push('<table>', `<tr>${columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>`);
    for (const r of rows) html.push(`<tr>${r.map((v) => `<td>${escapeHtml(cell(v))}</td>`).join('')}</tr>`);
    html.push('</table>');
  }
  for (const [k, f] of (input.figures ?? []).entries()) {
    md.push(`## ${f.title}`, '', `![${f.title.replace(/[[\]]/g, '')}](${f.file})`, '');
    if (f.caption) md.push(`*${f.caption}*`, '');
    // The SVG goes in as markup (it comes from vega, which escapes its text); an XML prolog is
    // not allowed inside HTML, so it is dropped.
    const svg = namespaceIds(f.svg.replace(/^\s*<\?xml[^>]*>\s*/, ''), `figure${k + 1}-`);
    html.push(`<figure><h2>${escapeHtml(f.title)}</h2>`, svg);
    if (f.caption) html.push(`<figcaption>${escapeHtml(f.caption)}</figcaption>`);
    html.push('</figure>');
  }
  if (input.notes?.length) {
    md.push('## Notes', '');
    html.push('<h2>Notes</h2>');
    for (const note of input.notes) {
      md.push(note, '');
      html.push(`<p>${escapeHtml(note)}</p>`);
    }
  }
  html.push('</body></html>', '');
  return { markdown: md.join('\n'), html: html.join('\n') };
}

/**
 * Writes `report.md`, `report.html` and each figure's SVG file into `dir` (created if missing) and
 * returns the paths written.
 */
export function writeReport(dir: string, input: ReportInput): string[] {
  const { markdown, html } = renderReport(input);
  mkdirSync(dir, { recursive: true });
  const written: [string, string][] = [
    [join(dir, 'report.md'), markdown],
    [join(dir, 'report.html'), html],
    ...(input.figures ?? []).map((f): [string, string] => [join(dir, f.file), f.svg]),
  ];
  for (const [path, text] of written) writeFileSync(path, text);
  return written.map(([path]) => path);
}
