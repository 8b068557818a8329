/**
 * Checkpoints: parameters, model buffers, optimizer state, step, RNG position and configuration
 * in one JSON file.
 *
 * Format (version 1):
 *
 *   { "format": "arcgrad-checkpoint", "version": 1, "sha256": "<hex of JSON.stringify(body)>",
 *     "body": { "step": 12, "rng": …, "config": …, "headState"?: …,
 *               "params" | "state" | "optState": { "<name>": { "dtype": "float64", "shape": [3, 2],
 *                                                             "data": "<base64>" } } } }
 *
 * `headState` (optional, plain JSON) is the margin head's own running state — CurricularFace's
 * t, AdaFace's norm statistics, ElasticFace's step — when the head has one.
 *
 * Tensor data is the little-endian IEEE-754 bytes of the elements, base64-encoded: exact for every
 * double (−0, subnormals and all; JSON numbers would lose −0), compact, and independent of the
 * machine's byte order. The hash covers the body, so a file that parses but was damaged is
 * still rejected.
 *
 * Writes are atomic: the text goes to a fresh temporary file in the same folder, which is
 * fsync'ed and then renamed over the target (rename within one file system is atomic on POSIX),
 * and the folder is fsync'ed so the rename itself survives a power loss. A crash at any point
 * leaves either the previous checkpoint or the new one, never a mix; at worst a stray
 * `<name>.tmp-*` file remains, which loading ignores.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ArcgradError } from '../tensor/errors.js';
import { CheckpointError, decodeCheckpoint, encodeCheckpoint, type Checkpoint, type SaveOptions } from './checkpoint-format.js';

export * from './checkpoint-format.js';

let tempCounter = 0;

/**
 * Writes `c` to `path` atomically (see the file header).
 *
 * Crashes, truncation and damaged files, tried: [reliability.md](../../docs/reliability.md#inputs-tried-and-faults-injected).
 *
 * @example
 * ```ts
 * import { Random, randomNormal, saveCheckpoint, loadCheckpoint } from 'arcgrad';
 * const params = { w: randomNormal([3, 2], new Random(0)) };
 * saveCheckpoint('model.ckpt.json', { step: 7, rng: null, config: { loss: 'arcface' }, params, state: {}, optState: {} });
 * const back = loadCheckpoint('model.ckpt.json');
 * console.log(back.step, back.params.w.toArray().join() === params.w.toArray().join()); // → 7 true
 * ```
 */
export function saveCheckpoint(path: string, c: Checkpoint, options: SaveOptions = {}): void {
  const text = encodeCheckpoint(c);
  const dir = dirname(path);
  const temp = join(dir, `${basename(path)}.tmp-${process.pid}-${tempCounter++}`);
  try {
    const fd = openSync(temp, 'wx'); // 'x': never reuse a stray file of the same name
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    options.beforeRename?.(temp);
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    if (e instanceof ArcgradError) throw e;
    throw new CheckpointError(`saveCheckpoint: cannot write ${path}: ${(e as Error).message}`);
  }
  syncDirectory(dir);
}

/** fsync of the folder so the rename is durable; not supported everywhere (Windows), hence best effort. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // The rename has happened; only its durability across a power loss is not guaranteed here.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Reads a checkpoint file; throws a CheckpointError naming the file for anything wrong with it.
 *
 * What each kind of damage gives: [reliability.md](../../docs/reliability.md#inputs-tried-and-faults-injected).
 *
 * @example
 * ```ts
 * import { loadCheckpoint } from 'arcgrad';
 * try {
 *   loadCheckpoint('no-such-file.json');
 * } catch (e) {
 *   console.log(e.name); // → CheckpointError
 * }
 * ```
 */
export function loadCheckpoint(path: string): Checkpoint {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CheckpointError(`loadCheckpoint: cannot read ${path}: ${(e as Error).message}`);
  }
  return decodeCheckpoint(text, path);
}
