#!/usr/bin/env node
/**
 * `npm run test:soak`: every property test file with a random fast-check seed per file (printed
 * with the file) and 20× the default runs (ARCGRAD_PROPERTY_RUNS = 20 · 30; the backend conformance
 * file, the slowest by far, 5×: ARCGRAD_CONFORMANCE_RUNS = 40). Each failure prints the ARCGRAD_SEED command that reproduces it; its
 * counterexample belongs in the property's `examples`, with the fix. Run it before resolving an
 * issue. Arguments are passed on to vitest (e.g. a file to soak only that one).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const FACTOR = 20;
const DEFAULT_RUNS = 30; // test/support/runs.ts
const DEFAULT_CONFORMANCE_RUNS = 8;
// The backend conformance file runs every op on every device mode and cannot be split across
// workers: at 20× it alone took 28 minutes (load 14 on 2 cores, 2026-12-06), so it soaks at 5×.
const CONFORMANCE_FACTOR = 5;

/** Test files that run properties: they import fast-check or the runs constant. */
function propertyFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : propertyFiles(path);
    if (!name.endsWith('.test.ts')) return [];
    const text = readFileSync(path, 'utf8');
    return /from 'fast-check'|support\/runs\.js'/.test(text) ? [path] : [];
  });
}

const args = process.argv.slice(2);
const files = args.length > 0 ? args : [...propertyFiles('test'), ...propertyFiles('docs')];
const env = {
  ...process.env,
  ARCGRAD_SEED: 'random',
  ARCGRAD_PROPERTY_RUNS: String(FACTOR * DEFAULT_RUNS),
  ARCGRAD_CONFORMANCE_RUNS: String(CONFORMANCE_FACTOR * DEFAULT_CONFORMANCE_RUNS),
};
console.log(`soak: ${files.length} property files, ARCGRAD_PROPERTY_RUNS=${env.ARCGRAD_PROPERTY_RUNS}, ARCGRAD_CONFORMANCE_RUNS=${env.ARCGRAD_CONFORMANCE_RUNS}, a random seed per file`);
const start = Date.now();
// No per-test timeout: a property at 20× its runs may take minutes; the soak's budget is the whole
// run (≤ 15 min on 2 cores). Two workers, not vitest's default of cores − 1: the conformance file
// alone is about half of the work.
const r = spawnSync('npx', ['vitest', 'run', '--testTimeout=0', '--hookTimeout=0', '--maxWorkers=2', ...files], { env, stdio: 'inherit' });
console.log(`soak: ${r.status === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - start) / 1000).toFixed(0)} s`);
process.exit(r.status ?? 1);
