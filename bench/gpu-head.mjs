// The GPU head benchmark (src/bench/gpu-head.ts says what it measures). Needs `npm run build`.
//   node bench/gpu-head.mjs [--shape 512x512x100000] [--warmup 3 --repeats 10]
//                           [--contestants gpu.js:webgpu,tfjs-webgpu] [--out DIR | --out FILE.json]
// Prints the results; writes JSON only with --out. `--help` lists every option.
import { main } from '../dist/bench/gpu-head.js';

const code = await main(process.argv.slice(2));
// Exit explicitly: Dawn (npm `webgpu`) keeps Node alive while navigator.gpu is referenced, and
// dropping that reference crashes the process at exit (SIGSEGV/SIGABRT seen with webgpu 0.3.10).
process.exit(code);
