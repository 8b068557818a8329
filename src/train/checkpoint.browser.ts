/**
 * The browser side of checkpoint.ts (same exports; read that file first): the format, encoding
 * and decoding as in Node, but no file to write or read: a bundler takes this file through the
 * package's `browser` export condition, and Node never loads it.
 */
import { CheckpointError, type Checkpoint, type SaveOptions } from './checkpoint-format.js';

export * from './checkpoint-format.js';

const NO_FILES = "needs Node's file system; in a browser, keep encodeCheckpoint(checkpoint)'s text yourself and read it back with decodeCheckpoint";

/** No files in a browser: throws a CheckpointError saying what to use instead. */
export function saveCheckpoint(path: string, _checkpoint: Checkpoint, _options: SaveOptions = {}): void {
  throw new CheckpointError(`saveCheckpoint(${JSON.stringify(path)}) ${NO_FILES}`);
}

/** No files in a browser: throws a CheckpointError saying what to use instead. */
export function loadCheckpoint(path: string): Checkpoint {
  throw new CheckpointError(`loadCheckpoint(${JSON.stringify(path)}) ${NO_FILES}`);
}
