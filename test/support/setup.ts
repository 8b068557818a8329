/**
 * The vitest setup of every test file (vitest.config.ts `setupFiles`): fast-check's global
 * configuration, so that every property of the suite runs with the seed of test/support/seed.ts
 * (FIXED_SEED unless ARCGRAD_SEED says otherwise), and, when a test fails, one line with the
 * command that reproduces it — fast-check's own report (seed, path, counterexample) is in the
 * error above it.
 */
import { relative } from 'node:path';
import fc from 'fast-check';
import { beforeEach, expect } from 'vitest';
import { RUNS_ENV } from './runs.js';
import { randomSeed, seedChoice } from './seed.js';

const choice = seedChoice();
const seed = choice.kind === 'fixed' ? choice.seed : randomSeed();
const file = relative(process.cwd(), expect.getState().testPath ?? '');
if (choice.kind === 'random') console.log(`fast-check seed ${seed} for ${file}`);

fc.configureGlobal({ seed });

beforeEach(({ onTestFailed, task }) => {
  onTestFailed(() => {
    console.error(`reproduce: ${['ARCGRAD_SEED=' + seed, ...RUNS_ENV].join(' ')} npx vitest run ${file} -t ${JSON.stringify(task.name)}`);
  });
});
