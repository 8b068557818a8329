/**
 * The types that a module and its browser variant share (platform.ts and platform.browser.ts,
 * webgpu-probe.ts and webgpu-probe.browser.ts): kept here, in neither, because a bundler or
 * `moduleSuffixes` that resolves `./platform.js` to the browser file would make a variant that
 * imports its types from its own sibling import them from itself.
 */

/** The gpu.js module (its CommonJS exports: `GPU`, the kernel classes, …). */
export type GpujsModule = typeof import('gpu.js');

/** The answer of the WebGPU probe: an adapter (with what it says about itself) or why there is none. */
export type WebGpuProbe =
  | {
      /** An adapter was found. */
      ok: true;
      /** Its description, as the adapter reports it. */
      adapter: string;
      /** true when the adapter is a CPU (SwiftShader, lavapipe, …): its numbers count, its timings do not. */
      software: boolean;
    }
  | {
      /** No adapter. */
      ok: false;
      /** Why not, in words. */
      reason: string;
    };

/**
 * A synchronous door to gpu.js's WebGPU mode (Node: webgpu-bridge.ts, a worker thread that owns
 * the device; a browser has none). Declared here so that the browser build never sees Node's modules.
 */
export interface SyncWebGpu {
  /** The adapter the device came from, as it describes itself. */
  readonly adapter: string;
  /** Whether that adapter is a CPU (SwiftShader, lavapipe, …). */
  readonly software: boolean;
  /** Runs a kernel (compiled from `source()`, with its settings, on first use) and returns its result, left on the device. */
  launch(
    name: string,
    source: () => { text: string; functions: string[]; settings: object },
    output: readonly number[],
    args: readonly unknown[],
  ): { toArray(): Float32Array; delete(): void };
  /** How many results live on the device (pending frees done first). */
  liveResults(): number;
  /** Releases the device and everything on it. */
  close(): void;
}
