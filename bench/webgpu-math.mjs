// Accuracy of acos, cos and sin in WebGPU kernels: the driver's WGSL builtins (what gpu.js emits
// for Math.acos/cos/sin) against arcgrad's portable float32 versions (what GpujsRuntime emits on a
// GPU; src/backend/gpujs/portable-math.ts), both against float64 Math, on the adapter Dawn finds.
//   npm run build && node bench/webgpu-math.mjs
// On a machine without a GPU, run it on SwiftShader (software) as the tests do:
//   LD_LIBRARY_PATH=/usr/lib/chromium VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json node bench/webgpu-math.mjs
import { probeWebGpu } from '../dist/backend/gpujs/webgpu-probe.js';
import { GpujsRuntime, gpujs } from '../dist/backend/gpujs/runtime.js';

const probe = await probeWebGpu();
if (!probe.ok) {
  console.error(`no WebGPU adapter: ${probe.reason}`);
  process.exit(2);
}
console.log(`adapter: ${probe.adapter}${probe.software ? ' (software)' : ''}`);
const n = 400_001;
const grid = (lo, hi) => Float32Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
const angle = 4.5 * Math.PI;
const cases = [
  ['acos', Math.acos, grid(-1, 1), '[-1, 1]'],
  ['cos', Math.cos, grid(-angle, angle), '[-4.5π, 4.5π]'],
  ['sin', Math.sin, grid(-angle, angle), '[-4.5π, 4.5π]'],
];
const builtin = new (gpujs().GPU)({ mode: 'webgpu' });
const portable = new GpujsRuntime('webgpu');
const source = (fn) => `function (a) { return Math.${fn}(a[this.thread.x]); }`;
console.log('| function | range | driver builtin: max abs error | portable: max abs error | portable: max ulp (≥ 2⁻²⁴ abs) |');
console.log('| --- | --- | --- | --- | --- |');
for (const [fn, exact, xs, range] of cases) {
  const kernel = builtin.createKernel(source(fn), { output: [n], precision: 'single', tactic: 'precision' });
  const a = await (await kernel(xs)).toArray?.() ?? (await kernel(xs));
  const b = await (await portable.launchAsync(fn, () => source(fn), [n], [xs])).toArray();
  let eb = 0;
  let ep = 0;
  let ulps = 0;
  for (let i = 0; i < n; i++) {
    const want = exact(xs[i]);
    eb = Math.max(eb, Math.abs(a[i] - want));
    ep = Math.max(ep, Math.abs(b[i] - want));
    ulps = Math.max(ulps, Math.abs(b[i] - want) / 2 ** (Math.floor(Math.log2(Math.max(Math.abs(want), 0.5))) - 23));
  }
  console.log(`| ${fn} | ${range} | ${eb.toExponential(2)} | ${ep.toExponential(2)} | ${ulps.toFixed(2)} |`);
}
process.exit(0);
