/**
 * A synchronous door to gpu.js's WebGPU mode, in Node: the Backend interface is synchronous, and
 * gpu.js's webgpu kernels are not (building a pipeline, waiting for the queue and mapping a buffer
 * for reading all return Promises). So a worker thread owns Dawn, the gpu.js `GPU` and every
 * device buffer, and awaits there; the calling thread posts one request, sleeps on Atomics.wait
 * until the worker says the answer is posted, and takes it with `receiveMessageOnPort` — an
 * ordinary function call to the caller. Results stay in the worker: the caller holds a
 * `BridgedArray` (an id) and passes it to later kernels, reads it with `toArray()` or frees it.
 *
 * Cost: one round trip between threads per kernel launch (tens of microseconds), on top of the
 * kernel. The fused head's asynchronous driver (GpujsMarginHead.create('webgpu')) runs in-process
 * without it, and is what the GPU benchmark times.
 *
 * Node only (platform.ts creates it): a browser's main thread may not block on Atomics.wait.
 * The worker is started from source text (`eval: true`, as the fast path's pool is), so it runs
 * the same under vitest and from dist/; it loads the gpu.js and `webgpu` packages that this module
 * resolves, never others.
 */
import { createRequire } from 'node:module';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { BackendUnavailableError } from '../../tensor/errors.js';
import { requireExtra } from '../../tensor/extras.js';
import { describeAdapter, type AdapterInfoLike } from './adapter-info.js';
import { DeviceLostError, KernelError } from './errors.js';
import type { SyncWebGpu } from './platform-types.js';
import { webgpuEntry } from './webgpu-probe.js';

/** How long a request may take before the bridge gives up on the worker (compiling a kernel takes most). */
const ANSWER_TIMEOUT_MS = 300_000;

/** What a kernel argument travels as: a number, host data, a gpu.js Input, or a result left in the worker. */
type WireArg = number | Float32Array | { input: Float32Array; size: number[] } | { id: number };

/** A kernel result that lives in the worker (a device buffer); `toArray` reads it back. */
export class BridgedArray {
  /**
   * An untouched host buffer as large as the device buffer: V8 counts it as external memory, so
   * the garbage collector — whose finalizers free device buffers — runs as device memory grows,
   * not only as the (tiny) handles pile up. Untouched pages cost address space, not memory.
   */
  private readonly weight: ArrayBuffer;

  /** @hidden */
  constructor(
    private readonly bridge: WebGpuBridge,
    /** The worker's id of the result. */
    readonly id: number,
    bytes: number,
  ) {
    this.weight = new ArrayBuffer(bytes);
  }

  /** The values, flat, read back from the device (blocks until they are). */
  toArray(): Float32Array {
    return this.bridge.read(this.id);
  }

  /** Frees the device buffer (with the next request: freeing needs no answer). */
  delete(): void {
    this.bridge.free(this.id);
  }
}

interface Answer {
  error?: { name: string; message: string };
  id?: number;
  values?: Float32Array;
  live?: number;
  adapter?: AdapterInfoLike;
}

/** The bridge: one worker, one Dawn device, one request at a time. */
export class WebGpuBridge implements SyncWebGpu {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  /** Word 0: the last request answered; word 1: nonzero once the worker has ended. */
  private readonly control = new Int32Array(new SharedArrayBuffer(8));
  private seq = 0;
  private readonly compiled = new Set<string>();
  private pendingFrees: number[] = [];
  private closed = false;
  /** The adapter the worker's Dawn device came from, as it describes itself. */
  readonly adapter: string;
  /** Whether that adapter is a CPU (SwiftShader, lavapipe, …). */
  readonly software: boolean;

  /** Starts the worker and its WebGPU device; throws a BackendUnavailableError saying why it could not. */
  constructor() {
    const require = createRequire(import.meta.url);
    const paths = { gpujs: requireExtra('gpu', () => require.resolve('gpu.js')), webgpu: webgpuEntry() };
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(workerSource(), {
      eval: true,
      workerData: { control: this.control.buffer, port: port2, paths },
      transferList: [port2],
    });
    this.worker.unref();
    this.worker.on('error', () => {}); // a worker that dies is reported by the next request's timeout
    try {
      ({ adapter: this.adapter, software: this.software } = describeAdapter(this.request({ op: 'init' }, 'starting WebGPU').adapter));
    } catch (e) {
      this.close();
      throw new BackendUnavailableError(`gpu.js:webgpu could not start its device: ${(e as Error).message}`);
    }
  }

  /**
   * Runs kernel `name` (compiled from `source()`'s text, helper functions and settings the first
   * time; later calls send only the name) over `output`, and returns its result, left on the device.
   */
  launch(name: string, source: () => { text: string; functions: string[]; settings: object }, output: readonly number[], args: readonly unknown[]): BridgedArray {
    const code = this.compiled.has(name) ? undefined : source();
    const answer = this.request({ op: 'launch', name, code, output, args: args.map((a) => this.wire(a, name)) }, `kernel '${name}'`);
    this.compiled.add(name);
    return new BridgedArray(this, answer.id!, 4 * output.reduce((a, b) => a * b, 1));
  }

  /** The values of result `id`, flat. */
  read(id: number): Float32Array {
    return this.request({ op: 'read', id }, 'read back').values!;
  }

  /** How many results the worker holds (after freeing the pending ones): what a leak would grow. */
  liveResults(): number {
    return this.request({ op: 'stats' }, 'stats').live!;
  }

  /** Frees result `id` with the next request. */
  free(id: number): void {
    if (!this.closed) this.pendingFrees.push(id);
  }

  /** Stops the worker; its device and buffers go with it. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    // Not worker.terminate(): tearing down a thread that holds a Dawn instance aborts the whole
    // process (napi_throw in Dawn's finalizers). The worker releases its device and ends itself.
    this.worker.postMessage({ op: 'close', seq: 0, frees: [] });
    this.port.close();
  }

  private wire(a: unknown, name: string): WireArg {
    if (typeof a === 'number' || a instanceof Float32Array) return a;
    if (a instanceof BridgedArray) {
      if ((a as unknown as { bridge: unknown }).bridge !== this) throw new KernelError(`gpu.js (webgpu) kernel '${name}': an argument lives on another WebGPU device`);
      return { id: a.id };
    }
    const input = a as { value?: unknown; size?: number[] };
    if (input?.value instanceof Float32Array && Array.isArray(input.size)) return { input: input.value, size: input.size };
    if (ArrayBuffer.isView(a) || Array.isArray(a)) return Float32Array.from(a as ArrayLike<number>);
    throw new KernelError(`gpu.js (webgpu) kernel '${name}': cannot pass ${Object.prototype.toString.call(a)} to the WebGPU worker`);
  }

  private request(message: Record<string, unknown>, what: string): Answer {
    if (this.closed) throw new DeviceLostError(`gpu.js (webgpu): the WebGPU device was closed (${what}); create the backend again`);
    const seq = ++this.seq;
    const frees = this.pendingFrees;
    this.pendingFrees = [];
    this.worker.postMessage({ ...message, seq, frees });
    // Wait until the worker has posted answer `seq` (word 0), or has ended (word 1), or time is up.
    const deadline = Date.now() + ANSWER_TIMEOUT_MS;
    let received: { message: unknown } | undefined;
    let ended = false;
    for (;;) {
      const answered = Atomics.load(this.control, 0);
      ended = Atomics.load(this.control, 1) !== 0;
      if (answered === seq) received = receiveMessageOnPort(this.port);
      const left = deadline - Date.now();
      if (received !== undefined || ended || left <= 0) break;
      // the answer's word is set after its message is posted, so a short wait covers the gap
      Atomics.wait(this.control, 0, answered, answered === seq ? 1 : left);
    }
    if (received === undefined) {
      this.close();
      throw new DeviceLostError(
        `gpu.js (webgpu): the WebGPU worker ${ended ? 'ended' : `gave no answer in ${ANSWER_TIMEOUT_MS / 1000} s`} (${what}); ` +
          'its device and every tensor on it are gone — create the backend again and continue from the last checkpoint',
      );
    }
    const answer = received.message as Answer;
    if (answer.error !== undefined) throw new KernelError(`gpu.js (webgpu) ${what} failed: ${answer.error.message}`);
    return answer;
  }
}

/** The worker: Dawn, gpu.js in webgpu mode, the compiled kernels and the results, by id. */
function workerSource(): string {
  return `'use strict';
const { workerData, parentPort } = require('node:worker_threads');
const { control, port, paths } = workerData;
const ctl = new Int32Array(control);
const kernels = new Map();
const results = new Map();
let nextId = 1;
let gpujs, gpu;
// Word 1 tells the waiting thread that no answer will come (the waiting thread cannot see events).
function ended() { Atomics.store(ctl, 1, 1); Atomics.notify(ctl, 0); }
process.on('exit', ended);
process.on('uncaughtException', (e) => { console.error('arcgrad WebGPU worker:', e); ended(); process.exit(1); });
process.on('unhandledRejection', (e) => { console.error('arcgrad WebGPU worker:', e); ended(); process.exit(1); });
function answer(seq, message) {
  port.postMessage(message);
  Atomics.store(ctl, 0, seq);
  Atomics.notify(ctl, 0);
}
async function flat(value) {
  if (value instanceof Float32Array) return value;
  if (value && typeof value.toArray === 'function') value = await value.toArray();
  if (value instanceof Float32Array) return value;
  if (Array.isArray(value)) {
    const rows = await Promise.all(value.map(flat));
    const out = new Float32Array(rows.reduce((n, r) => n + r.length, 0));
    let at = 0;
    for (const r of rows) { out.set(r, at); at += r.length; }
    return out;
  }
  if (ArrayBuffer.isView(value)) return Float32Array.from(value);
  throw new Error('the device returned something that is not numbers');
}
function arg(a) {
  if (typeof a === 'number' || a instanceof Float32Array) return a;
  if (a.input !== undefined) return new gpujs.Input(a.input, a.size);
  const r = results.get(a.id);
  if (r === undefined) throw new Error('argument ' + a.id + ' was freed or never made');
  return r;
}
async function handle(m) {
  for (const id of m.frees) { const r = results.get(id); results.delete(id); if (r && r.delete) r.delete(); }
  switch (m.op) {
    case 'init': {
      const { create, globals } = await import(paths.webgpu);
      Object.assign(globalThis, globals);
      const navigatorGpu = create([]);
      const adapter = await navigatorGpu.requestAdapter();
      if (adapter === null) throw new Error('no WebGPU adapter found');
      Object.defineProperty(globalThis, 'navigator', { value: { gpu: navigatorGpu }, configurable: true, writable: true });
      gpujs = require(paths.gpujs);
      gpu = new gpujs.GPU({ mode: 'webgpu' });
      if (gpu.mode !== 'webgpu') throw new Error("gpu.js chose mode '" + gpu.mode + "'");
      const i = adapter.info || {};
      return { adapter: { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description, isFallbackAdapter: i.isFallbackAdapter } };
    }
    case 'launch': {
      let kernel = kernels.get(m.name);
      if (kernel === undefined) {
        kernel = gpu.createKernel(m.code.text, Object.assign({}, m.code.settings, { functions: m.code.functions }));
        kernels.set(m.name, kernel);
      }
      kernel.setOutput(m.output);
      const out = await kernel(...m.args.map(arg));
      if (kernel.kernel.constructor !== gpu.Kernel) throw new Error('gpu.js fell back to another kernel type' + (kernel.kernel.fallbackReason ? ': ' + kernel.kernel.fallbackReason : ''));
      const id = nextId++;
      results.set(id, out);
      return { id };
    }
    case 'stats':
      return { live: results.size };
    case 'read':
      if (!results.has(m.id)) throw new Error('result ' + m.id + ' was freed or never made');
      return { values: await flat(results.get(m.id)) };
    default:
      throw new Error('unknown request ' + m.op);
  }
}
parentPort.on('message', (m) => {
  if (m.op === 'close') {
    for (const r of results.values()) if (r && r.delete) r.delete();
    results.clear();
    kernels.clear();
    try { if (gpu) gpu.destroy(); } catch (e) {}
    port.close();
    parentPort.close();
    return;
  }
  handle(m).then(
    (a) => answer(m.seq, a),
    (e) => answer(m.seq, { error: { name: (e && e.name) || 'Error', message: String((e && e.message) || e).split('\\n').slice(0, 8).join('\\n') } }),
  );
});
`;
}
