/**
 * Whether a WebGPU adapter exists in this Node process, through the npm package `webgpu` (Dawn).
 * Asynchronous because `requestAdapter` is. Installs the WebGPU globals gpu.js expects
 * (`navigator.gpu`, `GPUBufferUsage`, …) only when an adapter answered.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BackendUnavailableError, MissingExtraError } from '../../tensor/errors.js';
import { requireExtra } from '../../tensor/extras.js';
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
    mod = (await import(webgpuEntry())) as unknown as typeof mod;
  } catch (e) {
    if (e instanceof MissingExtraError || e instanceof BackendUnavailableError) return { ok: false, reason: e.message };
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

/** The version of the npm package `webgpu` that arcgrad's WebGPU is built and tested against. */
export const WEBGPU_VERSION = '0.3.10';

/**
 * The file URL of the installed `webgpu` entry (resolved from arcgrad's own folder, as the
 * WebGPU bridge's worker loads it). A MissingExtraError when it is not installed, a
 * BackendUnavailableError naming the install command when it is another version than
 * WEBGPU_VERSION (gpu.js depends on 0.2.9, whose Dawn needs a newer libstdc++ than Debian 12's:
 * a project that installs gpu.js alone gets that one). `resolve` is Node's resolution from this
 * file; the tests pass another folder's.
 */
export function webgpuEntry(resolve: (specifier: string) => string = createRequire(import.meta.url).resolve): string {
  const entry = requireExtra('gpu', () => resolve('webgpu'));
  const version = packageVersion(entry, 'webgpu');
  if (version !== WEBGPU_VERSION) {
    throw new BackendUnavailableError(`npm package 'webgpu' is ${version ?? 'of an unknown version'}, arcgrad needs ${WEBGPU_VERSION}: npm install webgpu@${WEBGPU_VERSION}`);
  }
  return pathToFileURL(entry).href;
}

/** The `version` of the package named `name` that holds `file` (undefined when no package.json says). */
function packageVersion(file: string, name: string): string | undefined {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name) return pkg.version;
    } catch {
      // no package.json here: look in the parent folder
    }
  }
  return undefined;
}

interface GpuLike {
  requestAdapter(): Promise<{ info?: AdapterInfoLike } | null>;
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}
