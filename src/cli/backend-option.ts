/**
 * The `--backend` option of the CLI commands: the name of a backend, resolved to one that can run
 * here, or a BackendUnavailableError that says what is missing.
 */
import type { Backend } from '../backend/backend.js';
import { cpu } from '../backend/cpu.js';
import type { DType } from '../tensor/dtype.js';
import { BackendUnavailableError } from '../tensor/errors.js';

/** Resolves a `--backend` value for computing in `dtype`. */
export async function resolveBackendOption(name: string, _dtype: DType): Promise<Backend> {
  if (name === 'cpu' || name === 'auto') return cpu;
  throw new BackendUnavailableError(`--backend ${name}: unknown or unavailable backend (available: cpu, auto)`);
}
