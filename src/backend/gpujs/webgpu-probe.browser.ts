/**
 * The browser side of webgpu-probe.ts (same exports): asks the page's own `navigator.gpu` for an
 * adapter. Node never loads this file; the playground's bundler substitutes it for
 * webgpu-probe.ts, whose Node probe loads Dawn through the npm package `webgpu`.
 */
import { describeAdapter, type AdapterInfoLike } from './adapter-info.js';
import type { WebGpuProbe } from './platform-types.js';

export type { WebGpuProbe } from './platform-types.js';

interface AdapterLike {
  info?: AdapterInfoLike;
}

let cached: Promise<WebGpuProbe> | undefined;

/** Probes once per page and caches the answer. */
export function probeWebGpu(): Promise<WebGpuProbe> {
  cached ??= probe();
  return cached;
}

async function probe(): Promise<WebGpuProbe> {
  const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<AdapterLike | null> } } }).navigator?.gpu;
  if (gpu === undefined) return { ok: false, reason: 'this browser has no WebGPU (navigator.gpu is missing)' };
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (adapter === null) return { ok: false, reason: 'no WebGPU adapter found' };
  return { ok: true, ...describeAdapter(adapter.info) };
}
