/**
 * Which backend new tensors are created on. Backends other than the CPU reference register
 * themselves here when their module is loaded (see src/backend/gpujs once it exists), so the CPU
 * path never depends on them.
 */
import type { Backend } from './backend.js';
import { cpu } from './cpu.js';
import { BackendUnavailableError } from '../tensor/errors.js';

let current: Backend = cpu;
const known = new Map<string, Backend>([[cpu.name, cpu]]);

/** The backend that `tensor`, `zeros`, … create tensors on (the CPU reference unless changed). */
export function getBackend(): Backend {
  return current;
}

/** Makes `backend` (an instance, or the name of a registered one) the default. */
export function setBackend(backend: Backend | string): Backend {
  if (typeof backend === 'string') {
    const found = known.get(backend);
    if (found === undefined) {
      throw new BackendUnavailableError(
        `setBackend: no backend named '${backend}' is registered (registered: ${[...known.keys()].join(', ')})`,
      );
    }
    backend = found;
  }
  known.set(backend.name, backend);
  current = backend;
  return backend;
}

/** Runs `f` with `backend` as the default, then restores the previous default. */
export function withBackend<T>(backend: Backend, f: () => T): T {
  const previous = current;
  current = backend;
  try {
    return f();
  } finally {
    current = previous;
  }
}
