/**
 * What a WebGPU adapter says about itself, in one line, and whether it is a CPU: shared by the
 * Node probe (Dawn, webgpu-probe.ts) and the browser probe (webgpu-probe.browser.ts), and by the
 * selector's test of GL renderers (select.ts). A software adapter runs the same kernels, so it
 * is a fair place to check their numbers, and a meaningless one to time them.
 */

/** Mesa's llvmpipe, softpipe and lavapipe and Google's SwiftShader: renderers that are a CPU. */
export const SOFTWARE_RENDERER = /llvmpipe|softpipe|lavapipe|swiftshader|software/i;

/** `GPUAdapterInfo` as far as the probes read it. */
export interface AdapterInfoLike {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly device?: string;
  readonly description?: string;
  /** WebGPU's own flag for an adapter that trades speed for availability (SwiftShader, in Chromium and Dawn). */
  readonly isFallbackAdapter?: boolean;
}

/** The adapter's name from its info, and whether it is a software (CPU) adapter. */
export function describeAdapter(info: AdapterInfoLike | undefined): { adapter: string; software: boolean } {
  const i = info ?? {};
  const name = [i.vendor, i.architecture, i.device, i.description].filter((s) => s).join(' ') || 'unnamed adapter';
  return { adapter: name, software: i.isFallbackAdapter === true || SOFTWARE_RENDERER.test(name) };
}

/** The adapter's name, marked when it is software: how the backend and the margin head name their device. */
export function adapterLine(a: { readonly adapter: string; readonly software: boolean }): string {
  return `${a.adapter}${a.software ? ' (software: a CPU, not a GPU)' : ''}`;
}
