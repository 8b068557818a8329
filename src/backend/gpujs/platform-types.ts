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
