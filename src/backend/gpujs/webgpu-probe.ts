/**
 * Whether a WebGPU adapter exists in this Node process, through the npm package `webgpu` (Dawn).
 * Asynchronous because `requestAdapter` is. Installs the WebGPU globals gpu.js expects
 * (`navigator.gpu`, `GPUBufferUsage`, …) only when an adapter answered.
 */
import { describeAdapter, type AdapterInfoLike } from './adapter-info.js';
import type { WebGpuProbe } from './platform-types.js';

export type { WebGpuProbe } from './platform-types.js';

let cached: Promise<WebGpuProbe> | undefined;

/** Probes once per process (Dawn instances are not free) and caches the answer. */
export function probeWebGpu(): Promise<WebGpuProbe> {
  cached ??= probe();
  return cached;
}

async function probe(): Promise<WebGpuProbe> {
  let mod: { create(options: string[]): GpuLike; globals: Record<string, unknown> };
  try {
    mod = (await import('webgpu')) as unknown as typeof mod;
  } catch (e) {
    return { ok: false, reason: `npm package 'webgpu' did not load (${firstLine(e)})` };
  }
  let gpu: GpuLike;
  try {
    gpu = mod.create([]);
  } catch (e) {
    return { ok: false, reason: `webgpu (Dawn) could not create an instance (${firstLine(e)})` };
  }
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (adapter === null) return { ok: false, reason: 'no WebGPU adapter found' };
  Object.assign(globalThis, mod.globals);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  return { ok: true, ...describeAdapter(adapter.info) };
}

interface GpuLike {
  requestAdapter(): Promise<{ info?: AdapterInfoLike } | null>;
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}
