/**
 * The commands' check of their optional packages: `demo`, `train` and `eval` need the MNIST
 * digits (and `demo` the figure libraries) only after parsing, loading and sometimes minutes of
 * training, so they ask first and fail in one line naming the install command (tensor/extras.ts).
 */
import { createRequire } from 'node:module';
import { assertExtras, type ExtraName } from '../tensor/extras.js';

/** Throws a MissingExtraError naming every package of `names` that is not installed. */
export function assertInstalled(...names: ExtraName[]): void {
  // Resolved from this file, that is from arcgrad's own folder, as the loads themselves are.
  assertExtras(names, createRequire(import.meta.url).resolve);
}
