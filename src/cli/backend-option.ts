/**
 * The `--backend` option of the CLI commands: the name of a backend, resolved to one that can run
 * here (through the gpu.js selector for the gpu.js names), or a typed error that says what is
 * missing. The line saying what runs goes to stderr, so that --json output stays one object.
 */
import type { Backend } from '../backend/backend.js';
import { cpu } from '../backend/cpu.js';
import { backendFromOption } from '../backend/gpujs/cli-option.js';
import type { DType } from '../tensor/dtype.js';
import { DTypeError } from '../tensor/errors.js';

/** Resolves a `--backend` value for computing in `dtype`. */
export async function resolveBackendOption(name: string, dtype: DType): Promise<Backend> {
  if (name === 'cpu') return cpu;
  const { backend, message } = await backendFromOption(name);
  console.error(message);
  if (backend !== cpu && dtype === 'float64') {
    throw new DTypeError(`--backend ${backend.name} computes in float32; add --dtype float32 (float64 runs on 'cpu')`);
  }
  return backend;
}
