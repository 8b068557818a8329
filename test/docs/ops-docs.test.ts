/**
 * Keeps docs/ops.md and the op registry linked, generated from `allOps`: every op's `docs` anchor
 * exists on the page (as an explicit `<a id>`), its section is headed by the op's name and links
 * to the file that defines the op, that file's header comment names the anchor, and the op table
 * repeats the op's `summary`. Adding an op without its docs section fails here. Also checks that
 * every relative link and `#anchor` in docs/*.md resolves.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { allOps } from '../../src/ops/index.js';
import type { Op } from '../../src/ops/op.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const docsDir = join(root, 'docs');
const opsDir = join(root, 'src/ops');
const page = readFileSync(join(docsDir, 'ops.md'), 'utf8');

/** The explicit anchors of a page, in order, with their offsets. */
function anchorsOf(text: string): { id: string; at: number }[] {
  return [...text.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => ({ id: m[1], at: m.index }));
}

/** The text from `<a id="id">` up to the next explicit anchor. */
function sectionOf(text: string, id: string): string {
  const anchors = anchorsOf(text);
  const k = anchors.findIndex((a) => a.id === id);
  if (k < 0) return '';
  return text.slice(anchors[k].at, k + 1 < anchors.length ? anchors[k + 1].at : text.length);
}

/** The leading block comment of a source file. */
function headerComment(source: string): string {
  return /^\s*\/\*\*([\s\S]*?)\*\//.exec(source)?.[1] ?? '';
}

/** Op files: every src/ops/*.ts except the registry, defineOp and the shared `_` helpers. */
const opFiles = readdirSync(opsDir).filter((f) => f.endsWith('.ts') && !f.startsWith('_') && f !== 'index.ts' && f !== 'op.ts');

/** Which file defines each op object, found by importing every op file. */
const definedIn = new Map<Op, string[]>();
beforeAll(async () => {
  for (const file of opFiles) {
    const mod: Record<string, unknown> = await import(pathToFileURL(join(opsDir, file)).href);
    for (const value of Object.values(mod)) {
      if (value !== null && typeof value === 'object' && 'apply' in value && 'vjp' in value && 'docs' in value) {
        const op = value as Op;
        definedIn.set(op, [...(definedIn.get(op) ?? []), file]);
      }
    }
  }
});

describe('docs/ops.md', () => {
  it('has unique explicit anchors', () => {
    const ids = anchorsOf(page).map((a) => a.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it('documents no op that is not registered (every op section is backed by the registry)', () => {
    const headed = [...page.matchAll(/^### `([^`]+)`$/gm)].map((m) => m[1]).sort();
    expect(headed).toEqual(allOps.map((op) => op.name).sort());
  });

  it('covers every op defined in src/ops (none is left out of the registry and so of the docs)', () => {
    const registered = new Set<Op>(allOps);
    const unregistered = [...definedIn.entries()].filter(([op]) => !registered.has(op)).map(([op, f]) => `${op.name} (${f.join(', ')})`);
    expect(unregistered).toEqual([]);
  });
});

describe.each(allOps.map((op) => [op.name, op] as const))('op %s', (name, op) => {
  const anchor = /^docs\/ops\.md#([a-z0-9-]+)$/.exec(op.docs)?.[1];

  it("has a `docs` field of the form 'docs/ops.md#<anchor>'", () => {
    expect(anchor, op.docs).toBeDefined();
  });

  it('has its anchor in docs/ops.md, exactly once, heading its section', () => {
    expect(anchorsOf(page).filter((a) => a.id === anchor)).toHaveLength(1);
    expect(sectionOf(page, anchor as string)).toMatch(new RegExp(`^<a id="${anchor}"></a>\\n### \`${name}\`\\n`));
  });

  it('is defined in exactly one op file', () => {
    expect(definedIn.get(op)).toHaveLength(1);
  });

  it('links its section to the file that defines it', () => {
    const file = definedIn.get(op)?.[0];
    expect(sectionOf(page, anchor as string)).toContain(`](../src/ops/${file})`);
  });

  it("names its anchor in its file's header comment", () => {
    const file = definedIn.get(op)?.[0] as string;
    expect(headerComment(readFileSync(join(opsDir, file), 'utf8'))).toContain(`docs/ops.md#${anchor}`);
  });

  it('is listed in the op table with its summary', () => {
    const file = definedIn.get(op)?.[0] as string;
    const row = `| [\`${name}\`](#${anchor}) | ${op.summary} | [${file}](../src/ops/${file}) |`;
    expect(sectionOf(page, 'op-table')).toContain(row);
  });
});

describe.each(readdirSync(docsDir).filter((f) => f.endsWith('.md')))('docs/%s links', (file) => {
  const text = readFileSync(join(docsDir, file), 'utf8');
  const targets = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((t) => !/^[a-z]+:/.test(t));

  it('every relative link points to an existing file', () => {
    const missing = targets.filter((t) => !t.startsWith('#')).filter((t) => !existsSync(resolve(docsDir, t.split('#')[0])));
    expect(missing).toEqual([]);
  });

  it('every #anchor exists on the page it points to', () => {
    const broken = targets
      .filter((t) => t.includes('#') && (t.startsWith('#') || t.split('#')[0].endsWith('.md')))
      .filter((t) => {
        const [path, id] = t.split('#');
        const target = path === '' ? text : readFileSync(resolve(docsDir, path), 'utf8');
        return !anchorsOf(target).some((a) => a.id === id);
      });
    expect(broken).toEqual([]);
  });
});
