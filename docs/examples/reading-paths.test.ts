/**
 * The two named reading paths are the same in README.md's "Learn" and in docs/README.md: the same
 * names, and the same pages in the same order.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { page } from './pages.js';

const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
const docsReadme = page('README.md');

const LEARNER = "The learner's path: losses → figures and playground → the ops along the data flow → numerics";
const CONTRIBUTOR = "The contributor's path: tape → ops → backends";

/** The text between `from` and the first of `to` after it (or the end). */
function between(text: string, from: string, to: string): string {
  const start = text.indexOf(from);
  expect(start, from).toBeGreaterThanOrEqual(0);
  const end = text.indexOf(to, start + from.length);
  return text.slice(start, end < 0 ? undefined : end);
}

/** The pages a block links, in the order of their first link, without folders or anchors. */
function pagesIn(block: string, keep: readonly string[]): string[] {
  const seen: string[] = [];
  for (const [, target] of block.matchAll(/\]\(([^)]+)\)/g)) {
    const name = target.split('#')[0].split('/').pop() as string;
    if (keep.includes(name) && !seen.includes(name)) seen.push(name);
  }
  return seen;
}

describe('the reading paths', () => {
  it("name the learner's path the same way in both READMEs, with the same pages in the same order", () => {
    const pages = ['losses.md', 'playground.md', 'ops.md', 'numerics.md'];
    const a = pagesIn(between(readme, LEARNER, CONTRIBUTOR), pages);
    const b = pagesIn(between(docsReadme, LEARNER, CONTRIBUTOR), pages);
    expect(a).toEqual(pages);
    expect(b).toEqual(pages);
  });

  it("name the contributor's path the same way in both, tape before ops before backends", () => {
    for (const text of [readme, docsReadme]) {
      const block = between(text, CONTRIBUTOR, '\n## ');
      const [tape, ops, backends] = ['ops.md#tape', 'ops.md#op-table', 'reliability.md'].map((t) => block.indexOf(t));
      expect(tape).toBeGreaterThanOrEqual(0);
      expect(ops).toBeGreaterThan(tape);
      expect(backends).toBeGreaterThan(ops);
    }
  });
});

/** losses.md's derivations: each section links the code that implements it, and that code links back. */
const DERIVATIONS: Record<string, string[]> = {
  pipeline: ['src/losses/margin-head.ts'],
  'sphereface-lambda': ['src/losses/sphereface-lambda.ts'],
  gradients: ['src/ops/angular-margin.ts', 'src/tape/surgery.ts'],
  'paper-loss-gradients': ['src/losses/intra-inter.ts', 'src/losses/angular-triplet.ts'],
};

describe("losses.md's derivations and their code", () => {
  const losses = page('losses.md');
  /** From `<a id="id">` to the next explicit anchor. */
  const section = (id: string) => {
    const start = losses.indexOf(`<a id="${id}"></a>`);
    expect(start, id).toBeGreaterThanOrEqual(0);
    const next = losses.indexOf('<a id="', start + 1);
    return losses.slice(start, next < 0 ? undefined : next);
  };
  for (const [id, files] of Object.entries(DERIVATIONS)) {
    it(`#${id} links ${files.join(', ')}, and each links back`, () => {
      for (const file of files) {
        expect(section(id)).toContain(`](../${file})`);
        expect(readFileSync(fileURLToPath(new URL(`../../${file}`, import.meta.url)), 'utf8')).toContain(`docs/losses.md#${id}`);
      }
    });
  }
});
