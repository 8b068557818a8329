/**
 * The commands and numbers of docs/checking-your-implementation.md: `arcgrad check` run in
 * process (the same `run` the `arcgrad` binary calls), its output captured.
 * docs/examples/checking.test.ts asserts them and checks that the page shows them.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../src/cli/main.js';

/** Runs `arcgrad ...args` and returns its exit status and what it printed. */
export async function arcgrad(...args: string[]): Promise<{ status: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const [log, error] = [console.log, console.error];
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  console.error = (...a: unknown[]) => void err.push(a.join(' '));
  try {
    const status = await run(args);
    return { status, out: out.join('\n'), err: err.join('\n') };
  } finally {
    [console.log, console.error] = [log, error];
  }
}

/** A scratch folder for case files. */
export const folder = mkdtempSync(join(tmpdir(), 'arcgrad-docs-'));

interface Case { name: string; d: number; X: number[]; W: number[]; dX?: number[]; dW?: number[]; [k: string]: unknown }

/** `arcgrad check --emit cases.json`: arcgrad's own float64 cases. */
export async function emit(): Promise<string> {
  const path = join(folder, 'cases.json');
  await arcgrad('check', '--emit', path);
  return path;
}

/**
 * The same cases as another correct float64 implementation would compute them: the d feature
 * dimensions are listed in reverse (X, W, dX, dW alike), which changes nothing mathematically and
 * only the order in which every dot product and norm is summed.
 */
export function reversedDimensions(path: string): string {
  const { cases } = JSON.parse(readFileSync(path, 'utf8')) as { cases: Case[] };
  const flip = (a: number[], d: number) => a.flatMap((_, k) => a[Math.floor(k / d) * d + (d - 1 - (k % d))]);
  const reversed = cases.map((c) => ({ ...c, X: flip(c.X, c.d), W: flip(c.W, c.d), dX: flip(c.dX!, c.d), dW: flip(c.dW!, c.d) }));
  const out = join(folder, 'reversed.json');
  writeFileSync(out, JSON.stringify({ cases: reversed }));
  return out;
}

/** The largest loss, dX and dW errors of a `--json` report, and the case names where they occur. */
export function largestErrors(json: string): { loss: number; dX: number; dW: number; worstDX: string; failed: number } {
  const report = JSON.parse(json) as { failed: number; cases: { name: string; errors: { loss: number; dX: number; dW: number } }[] };
  const max = (k: 'loss' | 'dX' | 'dW') => Math.max(...report.cases.map((c) => c.errors[k]));
  const worstDX = report.cases.reduce((a, c) => (c.errors.dX > a.errors.dX ? c : a)).name;
  return { loss: max('loss'), dX: max('dX'), dW: max('dW'), worstDX, failed: report.failed };
}

/** One case written by hand: ArcFace, N = 2, d = 2, C = 3, the second row ignored, loss only. */
export const handWritten = {
  cases: [
    {
      name: 'two-rows',
      N: 2, d: 2, C: 3,
      s: 64, m1: 1, m2: 0.5, m3: 0,
      X: [1, 0.5, 3, -1],
      W: [1, 0, 0, 1, -1, 0],
      labels: [0, -1],
      loss: 0.00037360396020776597,
    },
  ],
};

/** Writes `handWritten` and checks it. */
export async function checkHandWritten(): Promise<{ status: number; out: string }> {
  const path = join(folder, 'two-rows.json');
  writeFileSync(path, JSON.stringify(handWritten));
  return arcgrad('check', path);
}

/** The same case with the loss averaged over all N = 2 rows instead of the V = 1 labelled one. */
export async function checkDividedByN(): Promise<{ status: number; out: string }> {
  const path = join(folder, 'divided-by-n.json');
  const [c] = handWritten.cases;
  writeFileSync(path, JSON.stringify({ cases: [{ ...c, name: 'divided-by-N', loss: c.loss / 2 }] }));
  return arcgrad('check', path);
}

/** A case without its `W` field: exit status 2 and a one-line message on stderr. */
export async function checkMissingField(): Promise<{ status: number; err: string }> {
  const path = join(folder, 'missing-w.json');
  writeFileSync(path, JSON.stringify({ cases: [{ name: 'a', N: 1, d: 1, C: 1, s: 64, m1: 1, m2: 0, m3: 0, X: [1], labels: [0] }] }));
  return arcgrad('check', path);
}

/** `arcgrad check test/check/fixtures/NAME.json`: a fixture written by an executed PyTorch template. */
export async function checkFixture(name: string): Promise<{ status: number; out: string }> {
  return arcgrad('check', fileURLToPath(new URL(`../../test/check/fixtures/${name}.json`, import.meta.url)));
}
