/**
 * The checkpoint format (see checkpoint.ts for the file header: format, encoding, atomic
 * writes): encoding and decoding, which need no file system, so that a browser bundle has them too
 * (checkpoint.browser.ts). The checksum is SHA-256 in plain TypeScript (sha256.ts).
 */
import { getBackend } from '../backend/registry.js';
import { ArcgradError } from '../tensor/errors.js';
import { DTYPES, type DType } from '../tensor/dtype.js';
import { sizeOf, type Tensor } from '../tensor/tensor.js';
import { sha256Hex } from './sha256.js';

/** A checkpoint file that cannot be read, is truncated, damaged, foreign or of another version. */
export class CheckpointError extends ArcgradError {
  constructor(message: string) {
    super('checkpoint', message);
  }
}

/** Plain JSON data (what `config` and `rng` may hold). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Everything a checkpoint holds. */
export interface Checkpoint {
  /** Optimizer steps taken. */
  step: number;
  /** Trainable parameters. */
  params: Readonly<Record<string, Tensor>>;
  /** Model buffers (batch-norm running statistics). */
  state: Readonly<Record<string, Tensor>>;
  /** Optimizer state. */
  optState: Readonly<Record<string, Tensor>>;
  /** Position of the random streams (the training loop stores its seed and epoch). */
  rng: JsonValue;
  /** Configuration the run was started with. */
  config: JsonValue;
  /** The margin head's running state (absent when the head has none). */
  headState?: JsonValue;
}

/** The `format` field of every checkpoint. */
export const CHECKPOINT_FORMAT = 'arcgrad-checkpoint';
/** The version this code writes and reads. */
export const CHECKPOINT_VERSION = 1;

interface EncodedTensor {
  dtype: DType;
  shape: number[];
  data: string;
}

const BYTES: Record<DType, number> = { float64: 8, float32: 4 };

function encodeTensor(t: Tensor, where: string): EncodedTensor {
  // Loading refuses non-finite tensors; writing one would replace a good checkpoint with a file
  // that cannot be loaded, so refuse it here, before anything is written.
  if (!t.backend.allFinite(t)) throw new CheckpointError(`${where}: contains NaN or ±Inf; not saved (the previous checkpoint is kept)`);
  const values = t.toTypedArray();
  const bytes = Buffer.alloc(values.length * BYTES[t.dtype]);
  values.forEach((v, i) => (t.dtype === 'float64' ? bytes.writeDoubleLE(v, i * 8) : bytes.writeFloatLE(v, i * 4)));
  return { dtype: t.dtype, shape: [...t.shape], data: bytes.toString('base64') };
}

function decodeTensor(e: unknown, where: string): Tensor {
  if (e === null || typeof e !== 'object') throw new CheckpointError(`${where}: not an encoded tensor`);
  const { dtype, shape, data } = e as Partial<EncodedTensor>;
  if (!DTYPES.includes(dtype as DType)) throw new CheckpointError(`${where}: unknown dtype ${JSON.stringify(dtype)}`);
  if (!Array.isArray(shape) || shape.length > 2 || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new CheckpointError(`${where}: bad shape ${JSON.stringify(shape)}`);
  }
  const bytes = typeof data === 'string' ? Buffer.from(data, 'base64') : undefined;
  // Buffer.from skips characters that are not base64; re-encoding catches them.
  if (bytes === undefined || bytes.toString('base64') !== data) throw new CheckpointError(`${where}: data is not base64`);
  const size = sizeOf(shape);
  const width = BYTES[dtype as DType];
  if (bytes.length !== size * width) {
    throw new CheckpointError(`${where}: ${bytes.length} bytes of data for shape [${shape.join(',')}] (need ${size * width})`);
  }
  const values = dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = dtype === 'float64' ? bytes.readDoubleLE(i * 8) : bytes.readFloatLE(i * 4);
  const t = getBackend().fromArray(values, shape, dtype as DType);
  // Training never produces a non-finite parameter or state (the optimizer refuses), so one here
  // means a hand-edited or foreign file; fail at load rather than at the first op.
  if (!t.backend.allFinite(t)) throw new CheckpointError(`${where}: contains NaN or ±Inf`);
  return t;
}

function encodeRecord(r: Readonly<Record<string, Tensor>>, where: string): Record<string, EncodedTensor> {
  return Object.fromEntries(Object.entries(r).map(([k, t]) => [k, encodeTensor(t, `${where}.${k}`)]));
}

function decodeRecord(r: unknown, where: string): Record<string, Tensor> {
  if (r === null || typeof r !== 'object' || Array.isArray(r)) throw new CheckpointError(`${where}: missing or not an object`);
  return Object.fromEntries(Object.entries(r).map(([k, e]) => [k, decodeTensor(e, `${where}.${k}`)]));
}

/** Throws unless `v` is plain JSON data that survives a round trip unchanged (no NaN, undefined, …). */
function assertJson(v: unknown, where: string): void {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new CheckpointError(`${where} is ${v}, which JSON cannot hold`);
    return;
  }
  if (Array.isArray(v)) return v.forEach((x, i) => assertJson(x, `${where}[${i}]`));
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    for (const [k, x] of Object.entries(v)) assertJson(x, `${where}.${k}`);
    return;
  }
  throw new CheckpointError(`${where} is a ${typeof v}, not plain JSON data`);
}

/** The checkpoint as the text of a checkpoint file. */
export function encodeCheckpoint(c: Checkpoint): string {
  if (!Number.isInteger(c.step) || c.step < 0) throw new CheckpointError(`checkpoint step must be an integer ≥ 0, got ${c.step}`);
  assertJson(c.rng, 'checkpoint rng');
  assertJson(c.config, 'checkpoint config');
  if (c.headState !== undefined) assertJson(c.headState, 'checkpoint headState');
  const body = JSON.stringify({
    step: c.step,
    rng: c.rng,
    config: c.config,
    ...(c.headState === undefined ? {} : { headState: c.headState }),
    params: encodeRecord(c.params, 'checkpoint params'),
    state: encodeRecord(c.state, 'checkpoint state'),
    optState: encodeRecord(c.optState, 'checkpoint optState'),
  });
  return `{"format":"${CHECKPOINT_FORMAT}","version":${CHECKPOINT_VERSION},"sha256":"${sha256Hex(body)}","body":${body}}\n`;
}

/** Parses the text of a checkpoint file; `source` names it in errors. */
export function decodeCheckpoint(text: string, source = 'checkpoint'): Checkpoint {
  let file: unknown;
  try {
    file = JSON.parse(text);
  } catch {
    throw new CheckpointError(`${source}: not valid JSON (${text.length} characters): truncated, or not a checkpoint`);
  }
  const f = (file ?? {}) as Record<string, unknown>;
  if (typeof file !== 'object' || f.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(`${source}: not an arcgrad checkpoint (no "format": "${CHECKPOINT_FORMAT}")`);
  }
  if (f.version !== CHECKPOINT_VERSION) {
    throw new CheckpointError(`${source}: checkpoint version ${JSON.stringify(f.version)}; this arcgrad reads version ${CHECKPOINT_VERSION}`);
  }
  const body = f.body as Record<string, unknown> | null | undefined;
  if (body === undefined || typeof body !== 'object' || f.sha256 !== sha256Hex(JSON.stringify(body))) {
    throw new CheckpointError(`${source}: checksum mismatch: the file is damaged`);
  }
  // A body edited with its checksum recomputed passes the check above: its shape is checked too.
  if (body === null || Array.isArray(body)) throw new CheckpointError(`${source}: the body is ${JSON.stringify(body)}, not a checkpoint's fields`);
  if (!Number.isInteger(body.step) || (body.step as number) < 0) throw new CheckpointError(`${source}: bad step ${JSON.stringify(body.step)}`);
  return {
    step: body.step as number,
    rng: (body.rng ?? null) as JsonValue,
    config: (body.config ?? null) as JsonValue,
    ...(body.headState === undefined ? {} : { headState: body.headState as JsonValue }),
    params: decodeRecord(body.params, `${source}: params`),
    state: decodeRecord(body.state, `${source}: state`),
    optState: decodeRecord(body.optState, `${source}: optState`),
  };
}

/** Test and instrumentation seams of `saveCheckpoint`. */
export interface SaveOptions {
  /**
   * Called after the temporary file is written and fsync'ed, before the rename. Throwing from it
   * aborts the save (the temporary file is removed and the previous checkpoint kept); the tests
   * use it to simulate a crash between write and rename.
   */
  beforeRename?: (tempPath: string) => void;
}
