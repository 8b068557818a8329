/**
 * The playground's vite config (`npm run playground` serves it, `npm run playground:build` writes
 * out/playground/). Two rules make arcgrad's sources browser-safe here:
 *
 * - a module `src/…/x.ts` with a sibling `x.browser.ts` is replaced by that sibling (how the gpu.js
 *   backend loads gpu.js and probes WebGPU differs between Node and a browser: see
 *   src/backend/gpujs/platform.ts);
 * - resolving a Node built-in (`fs`, `node:module`, `worker_threads`, …) from anything the page
 *   imports is an error, so a Node-only module cannot slip into the bundle as an empty stub that
 *   fails at run time.
 */
import { existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const src = resolve(here, '../src');
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** The `.browser.ts` sibling of a source file, or the file itself. */
export function browserVariant(file: string): string {
  if (!file.startsWith(src) || !file.endsWith('.ts') || file.endsWith('.browser.ts')) return file;
  const variant = `${file.slice(0, -'.ts'.length)}.browser.ts`;
  return existsSync(variant) ? variant : file;
}

/** The two rules of the file header, as one vite plugin. */
export function browserSafe(): Plugin {
  return {
    name: 'arcgrad-browser-safe',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (builtins.has(source) || source.startsWith('node:')) {
        this.error(`${importer ?? 'the page'} imports the Node built-in '${source}': it cannot run in a browser`);
      }
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      if (resolved === null || resolved.external) return resolved;
      const file = resolved.id.split('?')[0];
      const variant = browserVariant(file);
      return variant === file ? resolved : { ...resolved, id: variant };
    },
  };
}

export default defineConfig({
  root: here,
  base: './',
  plugins: [browserSafe()],
  build: {
    outDir: resolve(here, '../out/playground'),
    emptyOutDir: true,
    target: 'es2022',
    // gpu.js compiles kernels from their JavaScript source (Function.prototype.toString), and
    // minified source is outside the subset it parses: arcgrad's kernels must reach it as written.
    minify: false,
    // gpu.js's browser build is ~640 kB minified and loads only when training starts.
    chunkSizeWarningLimit: 1000,
  },
  server: { port: 5173 },
  preview: { port: 4173 },
});
