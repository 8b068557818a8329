/**
 * The PyTorch templates of docs/checking-your-implementation.md, executed: the case files they
 * wrote with Debian's PyTorch 1.13 (test/check/fixtures) pass `arcgrad check`, and each records
 * the SHA-256 of the script that wrote it, which must be the script in docs/examples (the page
 * shows those files verbatim: docs/examples/checking.test.ts). Where a PyTorch is installed the
 * templates are run again and their output checked; elsewhere that test says it skipped.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CONVENTION_FIELDS, parseCaseFile, runCase, type CheckCase } from '../../src/check/cases.js';
import { run } from '../../src/cli/main.js';

const examples = fileURLToPath(new URL('../../docs/examples/', import.meta.url));
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const TEMPLATES = ['dump_case', 'dump_conventions'] as const;

let out: string[] = [];
beforeEach(() => {
  out = [];
  vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterEach(() => vi.restoreAllMocks());

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** The first Python that imports torch (Debian's python3-torch installs into /usr/bin/python3), or why none does. */
function findTorch(): { python: string; version: string } | { reason: string } {
  for (const python of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
    if (r.status === 0) return { python, version: r.stdout.trim() };
  }
  return { reason: 'no Python here imports torch (apt-get install --no-install-recommends python3-torch)' };
}
const torch = findTorch();

describe('the executed PyTorch templates', () => {
  it.each(TEMPLATES)('the fixture %s.json passes arcgrad check, and was written by the docs/examples script of that name as it is now', async (name) => {
    const path = join(fixtures, `${name}.json`);
    const { producer } = JSON.parse(readFileSync(path, 'utf8')) as { producer: { script: string; sha256: string; torch: string } };
    expect(producer.script).toBe(`${name}.py`);
    expect(producer.sha256, `docs/examples/${name}.py changed since it wrote the fixture: run it again (see the file's header)`).toBe(sha256(join(examples, `${name}.py`)));
    expect(await run(['check', path])).toBe(0);
    const cases = parseCaseFile(readFileSync(path, 'utf8'));
    expect(out.at(-1)).toBe(`${cases.length} passed, 0 failed`);
  });

  it("the conventions fixture's fields matter: without them (each case as a plain softmax margin) every case fails", () => {
    const cases = parseCaseFile(readFileSync(join(fixtures, 'dump_conventions.json'), 'utf8'));
    for (const c of cases) {
      const plain: CheckCase = c.head === 'sphereface2'
        ? { ...c, head: undefined, s: c.r, m1: 1, m2: 0, m3: c.m }
        : { ...c, ...Object.fromEntries(CONVENTION_FIELDS.map((f) => [f, undefined])) };
      if (c.subCenters !== undefined) plain.C = c.C * c.subCenters;
      expect(runCase(plain, { tol: 1e-8, dtype: 'float64' }).pass, c.name).toBe(false);
    }
  });

  it.skipIf(!('python' in torch))(
    `re-run with PyTorch: each template writes a file that passes arcgrad check${'python' in torch ? ` (${torch.python}, torch ${torch.version})` : ` — skipped: ${(torch as { reason: string }).reason}`}`,
    async () => {
      const python = (torch as { python: string }).python;
      const dir = mkdtempSync(join(tmpdir(), 'arcgrad-torch-'));
      for (const name of TEMPLATES) {
        const path = join(dir, `${name}.json`);
        const r = spawnSync(python, [join(examples, `${name}.py`), path], { encoding: 'utf8', cwd: dir });
        expect(r.status, r.stderr).toBe(0);
        const written = JSON.parse(readFileSync(path, 'utf8'));
        expect(written.producer.sha256).toBe(sha256(join(examples, `${name}.py`)));
        expect(await run(['check', path]), out.join('\n')).toBe(0);
      }
    },
    60_000,
  );
});
