/**
 * The fast-check seed of the test suite, in one place. `npm test` runs every property with
 * FIXED_SEED, so CI is a function of the code; ARCGRAD_SEED=<n> runs them with seed n (what a
 * failure prints to reproduce it), ARCGRAD_SEED=random with a new seed per test file, printed with
 * the file (what `npm run test:soak` does). Read by vitest.config.ts (the first line of `npm test`)
 * and by test/support/setup.ts (fast-check's global configuration in every test file).
 */

/** The seed every property runs with unless ARCGRAD_SEED says otherwise. */
export const FIXED_SEED = 20261206;

/** What ARCGRAD_SEED asks for: a seed, or a random one per test file. */
export type SeedChoice = { kind: 'fixed'; seed: number } | { kind: 'random' };

/** Reads ARCGRAD_SEED (unset: FIXED_SEED); throws on anything but an integer or 'random'. */
export function seedChoice(env: NodeJS.ProcessEnv = process.env): SeedChoice {
  const raw = env.ARCGRAD_SEED;
  if (raw === undefined || raw === '') return { kind: 'fixed', seed: FIXED_SEED };
  if (raw === 'random') return { kind: 'random' };
  const seed = Number(raw);
  // fast-check takes a 32-bit integer seed (it keeps seed | 0).
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(seed) || seed !== (seed | 0)) {
    throw new Error(`ARCGRAD_SEED must be a 32-bit integer or 'random', got '${raw}'`);
  }
  return { kind: 'fixed', seed };
}

/** A fresh 32-bit seed (for ARCGRAD_SEED=random). */
export function randomSeed(): number {
  return (Math.random() * 2 ** 32) | 0;
}

/** The first line of `npm test`: which seed the properties run with, and how to change it. */
export function seedLine(choice: SeedChoice): string {
  return choice.kind === 'fixed'
    ? `fast-check seed: ${choice.seed}${choice.seed === FIXED_SEED ? ' (fixed; ARCGRAD_SEED=<n> or ARCGRAD_SEED=random overrides)' : ' (ARCGRAD_SEED)'}`
    : 'fast-check seed: random, one per test file, printed with it (ARCGRAD_SEED=random)';
}
