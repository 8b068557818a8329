/**
 * The webgpu side of the backend conformance suite. The Backend interface is synchronous and
 * gpu.js's webgpu kernels are not, so a primitive cannot run on WebGPU through GpujsBackend.
 * Instead a primitive runs once on a synchronous gpu.js backend that records its kernel launches
 * (`GpujsBackend.observe`), and `replay` launches the same kernels — same sources, arguments and
 * output sizes — through `GpujsRuntime.launchAsync` in webgpu mode, feeding each launch the WebGPU
 * results of the launches before it wherever the recorded run fed it their results. Host data the
 * backend passed (inputs, labels as floats, index tables) is passed as it was.
 */
import type { BackendLaunch, GpujsBackend } from '../../../src/backend/gpujs/gpujs-backend.js';
import type { GpujsRuntime } from '../../../src/backend/gpujs/runtime.js';
import type { Tensor } from '../../../src/tensor/tensor.js';

/** What one primitive call returns: a tensor, host indices (argmaxRows) or a flag (allFinite). */
export type PrimitiveResult = Tensor | Int32Array | boolean;

/** The launches `call` makes on `backend`, and what it returned there. */
export function record<R>(backend: GpujsBackend, call: () => R): { launches: BackendLaunch[]; result: R } {
  const launches: BackendLaunch[] = [];
  const restore = backend.observe((l) => launches.push(l));
  try {
    return { launches, result: call() };
  } finally {
    restore();
  }
}

interface Deletable {
  delete?(): void;
  toArray?(): unknown;
}

/**
 * Replays `launches` on `rt` (webgpu mode) and reads back, as one flat Float32Array, the WebGPU
 * counterpart of `final` — the recorded result that the primitive returned (a tensor's storage),
 * or the last launch's when it returned host data computed from it (argmaxRows, allFinite).
 */
export async function replay(rt: GpujsRuntime, launches: readonly BackendLaunch[], final: unknown): Promise<Float32Array> {
  if (launches.length === 0) throw new Error('replay: the primitive launched no kernel');
  const onDevice = new Map<unknown, unknown>();
  try {
    for (const l of launches) {
      const args = l.args.map((a) => (onDevice.has(a) ? onDevice.get(a) : a));
      onDevice.set(l.result, await rt.launchAsync(l.name, l.source, [l.size], args, { functions: l.functions }));
    }
    const out = onDevice.get(onDevice.has(final) ? final : launches[launches.length - 1].result) as Deletable;
    const host = await out.toArray?.();
    return Float32Array.from((host ?? out) as ArrayLike<number>);
  } finally {
    for (const r of onDevice.values()) (r as Deletable).delete?.();
  }
}
