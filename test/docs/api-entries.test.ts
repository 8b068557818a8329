/**
 * The package's entries are one list seen three ways: package.json's `exports` (what a dependent
 * can import), typedoc's entryPoints (what the API reference documents) and each entry file's
 * `@module` name (what the reference calls it). They must agree, and every entry is built for
 * Node and, unless it reads or writes files, for browsers.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const json = (file: string) => JSON.parse(readFileSync(new URL(file, root), 'utf8'));
const pkg = json('package.json') as { exports: Record<string, string | { types: string; browser: string | null; default: string }> };
const typedoc = json('typedoc.json') as { entryPoints: string[] };

/** The source file a dist/ path is compiled from. */
const sourceOf = (distPath: string) => distPath.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts');

const entries = Object.entries(pkg.exports).filter(([key]) => key !== './package.json') as [string, { types: string; browser: string | null; default: string }][];

describe('package entries', () => {
  it('typedoc documents exactly the entries package.json exports', () => {
    expect(entries.map(([, e]) => sourceOf(e.default)).sort()).toEqual([...typedoc.entryPoints].sort());
  });

  for (const [key, entry] of entries) {
    it(`${key}: types, Node and browser targets agree, and the file names its module 'arcgrad${key.slice(1)}'`, () => {
      expect(entry.types).toBe(entry.default.replace(/\.js$/, '.d.ts'));
      if (entry.browser !== null) expect(entry.browser).toBe(entry.default.replace('./dist/', './dist/browser/'));
      const text = readFileSync(new URL(sourceOf(entry.default), root), 'utf8');
      expect(text).toMatch(new RegExp(`^ \\* @module arcgrad${key.slice(1).replace('/', '\\/')}$`, 'm'));
    });
  }

  it('only the entries that read or write files (data, report) are withheld from browsers', () => {
    expect(entries.filter(([, e]) => e.browser === null).map(([key]) => key)).toEqual(['./data', './report']);
  });
});
