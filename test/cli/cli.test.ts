/**
 * The command line: in-process through `run`, and once end to end through bin/arcgrad.js on a
 * fresh build of dist/ (built in beforeAll, so the test never runs a stale build).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { allOps } from '../../src/ops/index.js';
import { cli } from './run-cli.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

afterEach(() => {
  vi.restoreAllMocks();
});

describe('run()', () => {
  it.each([['--help'], ['-h'], ['help']])('%s returns 0 and lists the commands', async (flag) => {
    const { status, out } = await cli([flag]);
    expect(status).toBe(0);
    expect(out).toMatch(/Usage: arcgrad <command>/);
    expect(out).toMatch(/^\s+example\s/m);
    expect(out).toMatch(/^\s+ops\s/m);
  });

  it.each([['--version'], ['-v'], ['version']])("%s returns 0 and prints package.json's version alone", async (flag) => {
    const { status, out } = await cli([flag]);
    expect(status).toBe(0);
    expect(out).toBe((createRequire(import.meta.url)('../../package.json') as { version: string }).version);
  });

  it('no arguments prints the help', async () => {
    expect((await cli([])).status).toBe(0);
  });

  it('an unknown command returns 2 and says so', async () => {
    const { status, err } = await cli(['frobnicate']);
    expect(status).toBe(2);
    expect(err).toMatch(/unknown command 'frobnicate'/);
  });

  it('example returns 0: the gradient check of the worked example passes', async () => {
    const { status, out } = await cli(['example']);
    expect(status).toBe(0);
    expect(out).toMatch(/ArcFace loss/);
    expect(out).not.toMatch(/FAILED/);
  });

  it('an unknown option returns 2 with a one-line message', async () => {
    const { status, err } = await cli(['example', '--sed', '3']);
    expect(status).toBe(2);
    expect(err).toBe('arcgrad example: unknown option --sed (see arcgrad example --help)');
  });

  it('ops lists every registered op', async () => {
    const { status, out } = await cli(['ops']);
    expect(status).toBe(0);
    for (const op of allOps) expect(out).toContain(op.docs);
  });
});

describe('bin/arcgrad.js', () => {
  beforeAll(() => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'pipe' });
  });

  it('--help exits 0 and lists the commands', () => {
    const r = spawnSync(process.execPath, ['bin/arcgrad.js', '--help'], { cwd: root, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Commands:\n\s+example/);
  });

  it('check --backend gpu.js:webgpu with no Vulkan driver exits 2 naming what is missing, never running on the CPU', () => {
    const cases = join(mkdtempSync(join(tmpdir(), 'arcgrad-cli-')), 'cases.json');
    expect(spawnSync(process.execPath, ['bin/arcgrad.js', 'check', '--emit', cases], { cwd: root }).status).toBe(0);
    // A driver list naming no file: the Vulkan loader (if any) finds no driver, so Dawn no adapter.
    const env = { ...process.env, VK_ICD_FILENAMES: '/nonexistent/icd.json', VK_DRIVER_FILES: '/nonexistent/icd.json' };
    const r = spawnSync(process.execPath, ['bin/arcgrad.js', 'check', cases, '--backend', 'gpu.js:webgpu', '--dtype', 'float32'], { cwd: root, encoding: 'utf8', env });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/arcgrad check: gpu\.js:webgpu margin head: no WebGPU adapter found/);
    expect(r.stdout).not.toMatch(/passed/);
  });

  it('check - reads the case file from standard input (python dump.py | arcgrad check -)', () => {
    const cases = join(mkdtempSync(join(tmpdir(), 'arcgrad-cli-')), 'cases.json');
    expect(spawnSync(process.execPath, ['bin/arcgrad.js', 'check', '--emit', cases], { cwd: root }).status).toBe(0);
    const text = readFileSync(cases, 'utf8');
    const n = JSON.parse(text).cases.length;
    const ok = spawnSync(process.execPath, ['bin/arcgrad.js', 'check', '-'], { cwd: root, encoding: 'utf8', input: text });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout.trim().split('\n').at(-1)).toBe(`${n} passed, 0 failed`);
    const broken = text.replace(/"loss": [^,]+/, '"loss": 1');
    expect(spawnSync(process.execPath, ['bin/arcgrad.js', 'check', '-'], { cwd: root, encoding: 'utf8', input: broken }).status).toBe(1);
    const empty = spawnSync(process.execPath, ['bin/arcgrad.js', 'check', '-'], { cwd: root, encoding: 'utf8', input: '' });
    expect(empty.status).toBe(2);
    expect(empty.stderr).toMatch(/^arcgrad check: not valid JSON/);
  });

  it('an unknown command exits 2', () => {
    const r = spawnSync(process.execPath, ['bin/arcgrad.js', 'frobnicate'], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(2);
  });
});
