/**
 * Arbitrary command lines for the commands that finish quickly (check, eval, example, ops, and
 * unknown commands): options known and unknown, with and without values, values that are not
 * numbers, empty, NaN or beyond the double range, stray positionals. The outcome is always a
 * documented exit status (0, 1 or 2), and a 2 is one line on stderr without a stack trace.
 * (train, demo and reliability run for minutes with some option sets; their bad options are
 * tested one by one in test/cli/train.test.ts.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './run-cli.js';
import { RUN_WEIGHTS, runs } from '../support/runs.js';

const RUNS = runs(RUN_WEIGHTS.argsFuzz);
const dir = mkdtempSync(join(tmpdir(), 'arcgrad-args-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const values = ['', '0', '-1', '1.5', 'NaN', 'Infinity', '1e999', 'float16', 'float32', 'gpu.js:cpu', 'cuda', 'auto', join(dir, 'missing.json'), '--json'];
// No --emit or --out: with an arbitrary value they write files where the test runs (--emit is
// fuzzed in check-fuzz.test.ts, into a temporary folder).
const options = ['--help', '--json', '--tol', '--dtype', '--backend', '--seed', '--pairs', '--sed', '--', '--=', '-x'];
const token = fc.oneof(
  fc.constantFrom(...options),
  fc.constantFrom(...values),
  fc.tuple(fc.constantFrom(...options), fc.constantFrom(...values)).map(([o, v]) => `${o}=${v}`),
  fc.string({ maxLength: 6 }),
);
const commandLine = fc.tuple(fc.constantFrom('check', 'eval', 'example', 'ops', 'frobnicate', ''), fc.array(token, { maxLength: 5 }));

describe('arbitrary command lines', () => {
  it('end in exit 0, 1 or 2; a 2 is one line, without a stack trace', async () => {
    await fc.assert(
      fc.asyncProperty(commandLine, async ([command, args]) => {
        const argv = command === '' ? args : [command, ...args];
        const r = await cli(argv);
        expect([0, 1, 2], `${JSON.stringify(argv)}: ${r.err}`).toContain(r.status);
        expect(r.err).not.toMatch(/\n\s+at /);
        if (r.status === 2 && argv[0] !== undefined && ['check', 'eval', 'example', 'ops'].includes(argv[0]) && !['--help', '-h'].includes(argv[0])) {
          const lines = r.err.trim().split('\n').filter((l) => !l.startsWith('backend: '));
          expect(lines, JSON.stringify(argv)).toHaveLength(1);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('ops refuses options and arguments it does not have (it listed the ops regardless)', async () => {
    expect((await cli(['ops', '--x'])).status).toBe(2);
    expect((await cli(['ops', 'extra'])).err).toMatch(/^arcgrad ops: unexpected argument 'extra'$/);
    expect((await cli(['ops'])).status).toBe(0);
  });
});
