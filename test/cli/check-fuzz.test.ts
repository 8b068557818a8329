/**
 * `arcgrad check FILE.json` on case files that were damaged or written by other tools: truncated,
 * a character changed, a field replaced by any JSON value or deleted, NaN/Infinity tokens as
 * Python's json.dump writes them, a byte-order mark, foreign files. The documented exit statuses
 * are the only outcomes: 0 (every case passed), 1 (a case failed: the table says which) or 2 (the
 * file or an option cannot be used: one line saying why, no stack trace).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './run-cli.js';
import { RUN_WEIGHTS, runs } from '../support/runs.js';
import { jsonNumber } from '../../src/cli/check.js';

const RUNS = runs(RUN_WEIGHTS.checkFuzz);

let dir = '';
let emitted = '';
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'arcgrad-check-fuzz-'));
  expect((await cli(['check', '--emit', join(dir, 'cases.json')])).status).toBe(0);
  emitted = readFileSync(join(dir, 'cases.json'), 'utf8');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
async function check(text: string, ...extra: string[]) {
  const path = join(dir, `case-${counter++}.json`);
  writeFileSync(path, text);
  const r = await cli(['check', path, ...extra]);
  rmSync(path, { force: true });
  return r;
}

function expectDocumentedOutcome(r: { status: number; out: string; err: string }): void {
  expect([0, 1, 2], r.err).toContain(r.status);
  expect(r.err).not.toMatch(/\n\s+at /);
  if (r.status === 2) {
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/^arcgrad check: \S/);
  } else expect(r.out.split('\n').at(-1)).toMatch(/^\d+ passed, \d+ failed$/);
}

/** Every path (list of keys) into a JSON value. */
function paths(v: unknown, prefix: string[] = []): string[][] {
  const out = [prefix];
  if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...prefix, k]));
  return out;
}

/** The text with the value at one path replaced by `value` (a JSON text) or deleted (undefined). */
function edited(text: string, at: number, value: string | undefined): string {
  const json = JSON.parse(text);
  const all = paths(json).slice(1);
  const path = all[at % all.length];
  let parent = json;
  for (const k of path.slice(0, -1)) parent = parent[k];
  const key = path[path.length - 1];
  const marker = '"@@edited@@"';
  if (value === undefined) {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
    return JSON.stringify(json);
  }
  parent[key] = JSON.parse(marker);
  return JSON.stringify(json).replace(marker, value); // raw, so NaN and Infinity can be planted
}

const damage = fc.oneof(
  fc.nat().map((n) => () => emitted.slice(0, n % emitted.length)),
  fc.tuple(fc.nat(), fc.string({ minLength: 1, maxLength: 1 })).map(([n, ch]) => () => emitted.slice(0, n % emitted.length) + ch + emitted.slice((n % emitted.length) + 1)),
  fc
    .tuple(
      fc.nat(),
      fc.oneof(
        fc.constant(undefined),
        fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
        fc.constantFrom('NaN', 'Infinity', '-Infinity', '0', '-1', '1e308', '1e-320', '2.5', '[]', '{}', 'null', '"x"', '[NaN, 1]'),
      ),
    )
    .map(([at, value]) => () => edited(emitted, at, value)),
  fc.jsonValue({ maxDepth: 3 }).map((v) => () => JSON.stringify(v)),
  fc.string().map((s) => () => s),
);

describe('arcgrad check on damaged and foreign case files', () => {
  it('exit 0, 1 or 2, as documented, with one line and no stack trace for 2', async () => {
    await fc.assert(fc.asyncProperty(damage, async (text) => expectDocumentedOutcome(await check(text()))), { numRuns: RUNS });
  });

  it("NaN or ±Infinity in the implementation's dX, dW or loss (Python's json.dump writes them) is a failed case, not an unreadable file", async () => {
    for (const [field, token] of [['dX', 'NaN'], ['dW', 'Infinity'], ['loss', '-Infinity']] as const) {
      const { cases } = JSON.parse(emitted);
      const one = { cases: [cases[4]] };
      const text = JSON.stringify(one).replace(field === 'loss' ? /"loss":[^,]+/ : new RegExp(`"${field}":\\[[^,]+`), field === 'loss' ? `"loss":${token}` : `"${field}":[${token}`);
      const r = await check(text);
      expect(r.status, r.err).toBe(1);
      expect(r.out).toMatch(new RegExp(`^${cases[4].name} .* NaN .*FAIL$`, 'm'));
      expect(r.out.split('\n').at(-1)).toBe('0 passed, 1 failed');
    }
  });

  it('--json writes a NaN or infinite error as the string "NaN", "Infinity" or "-Infinity" (JSON has no such numbers)', async () => {
    const { cases } = JSON.parse(emitted);
    const text = JSON.stringify({ cases: [cases[4]] }).replace(/"dX":\[[^,]+/, '"dX":[NaN');
    const r = await check(text, '--json');
    expect(r.status, r.err).toBe(1);
    const report = JSON.parse(r.out);
    expect(report.cases[0].errors.dX).toBe('NaN');
    expect(typeof report.cases[0].errors.dW).toBe('number');
    expect(jsonNumber('', Infinity)).toBe('Infinity');
    expect(jsonNumber('', -Infinity)).toBe('-Infinity');
    expect(jsonNumber('', 1.5)).toBe(1.5);
  });

  it.each([
    ['NaN in the inputs X', (t: string) => t.replace(/"X":\[[^,]+/, '"X":[NaN'), /case 'normface': field 'X' has a non-finite or non-number entry at index 0: NaN/],
    ['s = 0', (t: string) => t.replace('"s":64', '"s":0'), /case 'normface': combinedMargin: s must be > 0, got 0/],
    ['a margin whose logits overflow', (t: string) => t.replace('"m3":0', '"m3":1e308'), /case 'normface': scale: the result is not finite/],
    ['loss given as a list', (t: string) => t.replace(/"loss":[^,]+/, '"loss":[1]'), /case 'normface': field 'loss' must be a number, got \[1\]/],
  ])('%s: exit 2 naming the case and the field', async (_what, edit, message) => {
    const { cases } = JSON.parse(emitted);
    const r = await check(edit(JSON.stringify({ cases: [cases[0]] })));
    expect(r.status, r.out).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('a byte-order mark (Windows editors write one) is not an error', async () => {
    const r = await check(`\uFEFF${emitted}`);
    expect(r.status, r.err).toBe(0);
  });

  it('bad options and an unwritable --emit path: exit 2, one line', async () => {
    for (const argv of [['--tol', '-1'], ['--tol', '1e400']]) {
      const r = await check(emitted, ...argv);
      expect(r.status).toBe(2);
      expect(r.err).toMatch(/--tol must/);
    }
    const emit = await cli(['check', '--emit', join(dir, 'no', 'such', 'folder', 'x.json')]);
    expect(emit.status).toBe(2);
    expect(emit.err).toMatch(/^arcgrad check: cannot write .*x\.json: its folder does not exist$/);
    const seed = await cli(['check', '--emit', join(dir, 'y.json'), '--seed', '1.5']);
    expect(seed.status).toBe(2);
    expect(seed.err).toMatch(/--seed must be an integer/);
  });
});
