/**
 * The `--backend` option of the CLI commands: the name of a backend, resolved to one that can run
 * here (through the gpu.js selector for the gpu.js names), or a typed error that says what is
 * missing. The line saying what runs goes to stderr, so that --json output stays one object.
 */
import type { Backend } from '../backend/backend.js';
import { cpu } from '../backend/cpu.js';
import { BACKEND_NAMES, backendFromOption, defaultBackend } from '../backend/select.js';
import type { OptionSpec } from './args.js';
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

/** The `--backend` option of the commands that train (train, demo): the default is `defaultBackend()`. */
export const TRAINING_BACKEND_SPEC: OptionSpec = {
  type: 'string',
  help: `backend the training steps run on: ${BACKEND_NAMES.join(' | ')} (default: wasm, float32 on WebAssembly SIMD; cpu: the float64 reference)`,
};

/**
 * The backend a training command runs its steps on: `defaultBackend()` when no --backend was
 * given, else the named one (float32 unless it is the float64 CPU reference). Says which on stderr.
 */
export async function trainingBackend(name: string | undefined): Promise<Backend> {
  if (name === undefined) {
    const { backend, reason } = await defaultBackend();
    console.error(`backend: ${reason}`);
    return backend;
  }
  return resolveBackendOption(name, name === 'cpu' ? 'float64' : 'float32');
}
