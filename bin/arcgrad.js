#!/usr/bin/env node
// The `arcgrad` command. The TypeScript sources are compiled to dist/ by `npm ci` (the `prepare`
// script); this file only hands over to the compiled CLI.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(main)) {
  console.error('arcgrad: dist/ is missing; run `npm ci` (or `npm run build`) in the arcgrad folder first.');
  process.exit(2);
}
const { run } = await import(main);
process.exitCode = await run(process.argv.slice(2));
// Dawn (npm `webgpu`, installed by the WebGPU probe as navigator.gpu) keeps Node alive after the
// command is done, and dropping it crashes the process at exit (webgpu 0.3.10): exit explicitly then.
if (globalThis.navigator?.gpu) process.exit();
