/**
 * The fast path's threads in Node: how many cores there are and how a worker thread is started
 * (worker_threads, from source text). A browser bundle takes threads.browser.ts instead, where
 * the pool runs on the calling thread alone. Both files export the same names.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { PoolWorker } from './pool.js';

/** The cores this process may use. */
export function availableThreads(): number {
  return availableParallelism();
}

/**
 * A worker thread running `body` (script text that reads its inputs from a `workerData` binding),
 * given `workerData`.
 */
export function startWorker(body: string, workerData: unknown): PoolWorker {
  return new Worker(`const { workerData } = require('node:worker_threads');\n${body}`, { eval: true, workerData });
}
