// The GPU head benchmark (src/bench/gpu-head.ts says what it measures). Needs `npm run build`.
//   node bench/gpu-head.mjs [--N 512 --d 512 --C 100000 --contestants gpu.js:webgpu,tfjs-webgpu --out DIR]
import { main } from '../dist/bench/gpu-head.js';

process.exitCode = await main(process.argv.slice(2));
