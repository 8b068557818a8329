/**
 * `arcgrad eval DIR` and `arcgrad train --out DIR --resume` on run folders that were damaged:
 * checkpoint.json truncated, with a byte changed, replaced by a foreign file or by another run's
 * checkpoint of the same shapes, or edited consistently (checksum recomputed) into something
 * train never writes; run.json truncated or edited. Each command must end with exit 0 (the damage
 * did not matter, and the numbers are sane) or exit 2 with one line naming what is wrong — never a
 * stack trace — and a refused resume must leave the checkpoint file as it was.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/train/checkpoint.js';
import { cli } from './run-cli.js';
import { RUN_WEIGHTS, runs } from '../support/runs.js';

const RUNS = runs(RUN_WEIGHTS.damagedRuns);
const TINY = ['--per-digit', '20', '--hidden', '16', '--embedding', '8', '--epochs', '2', '--batch-size', '16', '--pairs', '40'];

let root = '';
let base = ''; // an arcface run stopped at step 3
let ckptText = '';
let runText = '';
let otherCkpt = ''; // a cosface run of the same shapes, stopped at step 3
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'arcgrad-damaged-'));
  base = join(root, 'base');
  expect((await cli(['train', ...TINY, '--out', base, '--stop-after', '3'])).status).toBe(0);
  const other = join(root, 'other');
  expect((await cli(['train', ...TINY, '--loss', 'cosface', '--out', other, '--stop-after', '3'])).status).toBe(0);
  ckptText = readFileSync(join(base, 'checkpoint.json'), 'utf8');
  runText = readFileSync(join(base, 'run.json'), 'utf8');
  otherCkpt = readFileSync(join(other, 'checkpoint.json'), 'utf8');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every path (list of keys) into a JSON value, the root included. */
function paths(v: unknown, prefix: string[] = []): string[][] {
  const out = [prefix];
  if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...prefix, k]));
  return out;
}

/** `v` with the value at `path` replaced by `value`, or deleted when `value` is undefined. */
function edited(v: unknown, path: string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(v) as Record<string, unknown>;
  let at = copy;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string, unknown>;
  if (value === undefined) delete at[path[path.length - 1]];
  else at[path[path.length - 1]] = value;
  return copy;
}

/** A JSON edit: a path (by index into all paths), and a new value or a deletion. */
const jsonEdit = fc.record({
  at: fc.nat(),
  value: fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(0, -1, 1e9, 2.5, 'x', null, [], {})),
});
function applyEdit(text: string, e: { at: number; value: unknown }): unknown {
  const json = JSON.parse(text);
  const all = paths(json);
  return edited(json, all[e.at % all.length], e.value);
}
function rehashed(body: unknown): string {
  const text = JSON.stringify(body) ?? 'null'; // an edit that removed the body: JSON writes null
  return `{"format":"arcgrad-checkpoint","version":1,"sha256":"${createHash('sha256').update(text).digest('hex')}","body":${text}}`;
}

/** The checkpoint's body with parameter `name` stored as float32 (its values rounded). */
function withFloat32(name: string): unknown {
  const body = JSON.parse(ckptText).body;
  const p = body.params[name];
  const doubles = Buffer.from(p.data, 'base64');
  const floats = Buffer.alloc(doubles.length / 2);
  for (let i = 0; i < doubles.length / 8; i++) floats.writeFloatLE(doubles.readDoubleLE(i * 8), i * 4);
  body.params[name] = { ...p, dtype: 'float32', data: floats.toString('base64') };
  return body;
}

/** Damage to checkpoint.json. */
const checkpointDamage = fc.oneof(
  fc.nat().map((n) => ({ what: 'truncated', text: () => ckptText.slice(0, n % ckptText.length) })),
  fc.tuple(fc.nat(), fc.string({ minLength: 1, maxLength: 1 })).map(([n, ch]) => ({
    what: 'one character changed',
    text: () => ckptText.slice(0, n % ckptText.length) + ch + ckptText.slice((n % ckptText.length) + 1),
  })),
  jsonEdit.map((e) => ({ what: `body edited, checksum recomputed (${JSON.stringify(e)})`, text: () => rehashed(applyEdit(JSON.stringify(JSON.parse(ckptText).body), e)) })),
  fc.jsonValue({ maxDepth: 2 }).map((v) => ({ what: 'a foreign JSON file', text: () => JSON.stringify(v) ?? '' })),
  fc.string().map((s) => ({ what: 'a foreign text file', text: () => s })),
  fc.constant({ what: "another run's checkpoint (CosFace, same shapes)", text: () => otherCkpt }),
);

/** Damage to run.json. */
const runDamage = fc.oneof(
  fc.nat().map((n) => ({ what: 'truncated', text: () => runText.slice(0, n % runText.length) })),
  jsonEdit.map((e) => ({ what: `edited (${JSON.stringify(e)})`, text: () => JSON.stringify(applyEdit(runText, e)) ?? '' })),
);

/** Copies the base run, applies the damage, runs eval and train --resume, checks the outcomes. */
async function check(file: 'checkpoint.json' | 'run.json', text: string): Promise<void> {
  const dir = mkdtempSync(join(root, 'case-'));
  try {
    cpSync(base, dir, { recursive: true });
    writeFileSync(join(dir, file), text);
    const ckptBefore = readFileSync(join(dir, 'checkpoint.json'), 'utf8');

    const evaluated = await cli(['eval', dir, '--json']);
    expectOutcome(evaluated, 'eval');
    if (evaluated.status === 0) {
      const summary = JSON.parse(evaluated.out);
      for (const k of ['verificationAccuracy', 'auc', 'closedSetAccuracy']) expect(summary[k]).toBeGreaterThanOrEqual(0);
    }

    // A run.json edited to train for very long (epochs is allowed to grow) would only be slow.
    const epochs = (() => { try { return JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'))?.optim?.epochs; } catch { return undefined; } })();
    if (typeof epochs === 'number' && epochs > 4) return;
    const resumed = await cli(['train', '--out', dir, '--resume']);
    expectOutcome(resumed, 'train');
    if (resumed.status === 0) expect(loadCheckpoint(join(dir, 'checkpoint.json')).step).toBeGreaterThanOrEqual(3);
    else expect(readFileSync(join(dir, 'checkpoint.json'), 'utf8')).toBe(ckptBefore); // refused: untouched
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function expectOutcome(r: { status: number; err: string }, command: string): void {
  expect([0, 2], r.err).toContain(r.status);
  expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
  if (r.status === 2) expect(r.err.trim().split('\n').at(-1)).toMatch(new RegExp(`^arcgrad ${command}: \\S`));
}

describe('damaged run folders: exit 0 with sane numbers, or exit 2 with one line', () => {
  it('checkpoint.json truncated, changed, foreign, from another run, or consistently edited', async () => {
    await fc.assert(fc.asyncProperty(checkpointDamage, async (d) => check('checkpoint.json', d.text())), { numRuns: RUNS });
  });

  it('run.json truncated or edited', async () => {
    await fc.assert(fc.asyncProperty(runDamage, async (d) => check('run.json', d.text())), { numRuns: RUNS });
  });

  it.each([
    ['truncated checkpoint', 'checkpoint.json', () => ckptText.slice(0, 1000), /checkpoint\.json: not valid JSON \(1000 characters\): truncated, or not a checkpoint/],
    ["another run's checkpoint", 'checkpoint.json', () => otherCkpt, /checkpoint\.json was written by another run: run\.loss\.margin\.m2 = 0 there, 0\.5 in run\.json|cannot resume: the checkpoint was written with run\.loss/],
    ['a float32 parameter in a float64 model', 'checkpoint.json', () => rehashed(withFloat32('head.w')), /float32 \[7,8\]/],
    ['run.json without its data section', 'run.json', () => JSON.stringify({ ...JSON.parse(runText), data: undefined }), /run\.json: 'data' must be an object, got nothing/],
    ['run.json with hidden widths that are not a list', 'run.json', () => JSON.stringify({ ...JSON.parse(runText), model: { hidden: 16, embedding: 8 } }), /--hidden must be a list of widths, got 16/],
    ['run.json naming an unknown loss', 'run.json', () => JSON.stringify({ ...JSON.parse(runText), loss: { name: 'tripletface' } }), /unknown loss "tripletface"/],
  ] as const)('%s: exit 2 naming it', async (_what, file, text, message) => {
    const dir = mkdtempSync(join(root, 'named-'));
    cpSync(base, dir, { recursive: true });
    writeFileSync(join(dir, file), text());
    for (const argv of [['eval', dir], ['train', '--out', dir, '--resume']]) {
      const r = await cli(argv);
      expect(r.status, r.err).toBe(2);
      expect(r.err).toMatch(message);
    }
  });
});
