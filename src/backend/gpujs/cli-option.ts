/** The CLI's `--backend <name>` option, mapped to a backend through the selector. */
import type { Backend } from '../backend.js';
import { BACKEND_NAMES, selectBackend } from './select.js';

/** The `--backend` option's help line (the names, and what `auto` does). */
export const BACKEND_OPTION_HELP =
  `backend: ${BACKEND_NAMES.join(' | ')} (auto: a real GPU if there is one, else the cpu float64 reference)`;

/** What `backendFromOption` returns. */
export interface BackendChoice {
  /** The backend that will run. */
  backend: Backend;
  /** One line saying what runs and why. */
  message: string;
}

/**
 * The backend for a `--backend` value (undefined means 'cpu'), and the line to print saying what
 * runs and why. Throws an OptionError for an unknown name and a BackendUnavailableError for a
 * backend that cannot run here.
 */
export async function backendFromOption(option: string | undefined): Promise<BackendChoice> {
  const { backend, reason } = await selectBackend(option ?? 'cpu');
  return { backend, message: `backend: ${reason}` };
}
