/**
 * The API reference's examples: every main entry (the presets, combinedMargin, valueAndGrad,
 * gradcheck, defineMargin, the check and train functions) has an `@example` and a link to the
 * page that derives it, and every example runs against the sources as written (its
 * `from 'arcgrad'` import bound to src/index.ts) and prints what its `// → …` comments say.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import * as arcgrad from '../../src/index.js';

const root = new URL('../../', import.meta.url);

/** The main entries, by the file that defines them. */
const MAIN_ENTRIES: Record<string, string[]> = {
  'src/losses/presets.ts': ['combinedMargin', 'normface', 'sphereface', 'cosface', 'arcface', 'combined', 'softmaxLoss'],
  'src/tape/grad.ts': ['valueAndGrad'],
  'src/tape/gradcheck.ts': ['gradcheck'],
  'src/losses/define-margin.ts': ['defineMargin'],
  'src/check/cases.ts': ['parseCaseFile', 'runCase', 'emitCases'],
  'src/train/loop.ts': ['train'],
  'src/train/checkpoint.ts': ['saveCheckpoint', 'loadCheckpoint'],
};

/** The doc comment right above `export function|const name`, without its ` * ` margins. */
function docComment(text: string, name: string): string | undefined {
  const at = text.search(new RegExp(`\\nexport (?:async )?(?:function|const) ${name}\\b`));
  if (at < 0) return undefined;
  const before = text.slice(0, at);
  if (!before.endsWith('*/')) return undefined;
  return before.slice(before.lastIndexOf('/**')).split('\n').map((l) => l.replace(/^\s*\*? ?/, '')).join('\n');
}

/** The ```ts blocks after `@example` in a comment. */
function examples(comment: string): string[] {
  return [...comment.matchAll(/@example[^\n]*\n```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
}

/** Runs an example: its arcgrad import bound to the sources; returns its console.log lines. */
async function run(code: string, cwd: string): Promise<string[]> {
  const body = code.replace(/^import \{([^}]*)\} from 'arcgrad';$/gm, (_, names: string) => `const {${names.replace(/\btype \w+,?/g, '')}} = arcgrad;`);
  expect(body, 'examples import only from arcgrad').not.toMatch(/^import /m);
  const printed: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void printed.push(a.map(String).join(' ')));
  const previous = process.cwd();
  process.chdir(cwd);
  try {
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<void>;
    await new AsyncFunction('arcgrad', body)(arcgrad);
  } finally {
    process.chdir(previous);
    log.mockRestore();
  }
  return printed;
}

const scratch = mkdtempSync(join(tmpdir(), 'arcgrad-api-examples-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('API examples', () => {
  for (const [file, names] of Object.entries(MAIN_ENTRIES)) {
    const text = readFileSync(new URL(file, root), 'utf8');
    for (const name of names) {
      it(`${name} (${file}) has a runnable @example and a link to its derivation`, async () => {
        const comment = docComment(text, name);
        expect(comment, `${name} has a doc comment`).toBeDefined();
        expect(comment, `${name} links to the page deriving it`).toMatch(/\]\((?:\.\.\/)+docs\/[\w-]+\.md(#[\w-]+)?\)/);
        const blocks = examples(comment!);
        expect(blocks.length, `${name} has an @example`).toBeGreaterThan(0);
        for (const code of blocks) {
          const expected = [...code.matchAll(/console\.log\(.*\);\s*\/\/ → (.*)$/gm)].map((m) => m[1].trim());
          expect(expected.length, `${name}'s example says what it prints`).toBeGreaterThan(0);
          expect(await run(code, scratch)).toEqual(expected);
        }
      });
    }
  }
});
