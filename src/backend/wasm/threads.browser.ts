/**
 * The browser side of threads.ts (same exports; read that file first): one thread, the caller's.
 * Node never loads this file; a bundler takes it through the package's `browser` export condition.
 */
import { BackendUnavailableError } from '../../tensor/errors.js';
import type { PoolWorker } from './pool.js';

/** One: the fused head runs on the page's own thread. */
export function availableThreads(): number {
  return 1;
}

/** No worker threads in a browser bundle. */
export function startWorker(): PoolWorker {
  throw new BackendUnavailableError('fast path: worker threads need Node; in a browser the fused head runs on one thread (threads: 1)');
}
