/**
 * The playground's bundle is browser-safe: its vite plugin swaps in `.browser.ts` siblings and
 * fails the build on any Node built-in, and the real playground builds under it with gpu.js's
 * browser build and nothing Node-only in the output. (The end-to-end test then runs that bundle
 * in Chromium; this file needs no browser.)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Rolldown } from 'vite';
import { afterAll, describe, expect, it } from 'vitest';
import { browserSafe, browserVariant } from '../../playground/vite.config.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const tmp = mkdtempSync(join(tmpdir(), 'arcgrad-browser-safe-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The output chunks of a build result. */
function chunksOf(result: Awaited<ReturnType<typeof build>>): Rolldown.OutputChunk[] {
  const outputs = (Array.isArray(result) ? result : [result]) as Rolldown.RolldownOutput[];
  return outputs.flatMap((o) => o.output).filter((o): o is Rolldown.OutputChunk => o.type === 'chunk');
}

/** Bundles `entry` (a file) with the playground's plugin alone, in memory. */
async function bundle(entry: string): Promise<Rolldown.OutputChunk[]> {
  return chunksOf(
    await build({
      configFile: false,
      root: tmp,
      logLevel: 'silent',
      plugins: [browserSafe()],
      build: { write: false, minify: false, rollupOptions: { input: entry } },
    }),
  );
}

describe('browserVariant', () => {
  it('picks the .browser.ts sibling of a source file that has one, and leaves every other file alone', () => {
    const platform = join(root, 'src/backend/gpujs/platform.ts');
    expect(browserVariant(platform)).toBe(join(root, 'src/backend/gpujs/platform.browser.ts'));
    expect(browserVariant(join(root, 'src/backend/gpujs/webgpu-probe.ts'))).toBe(join(root, 'src/backend/gpujs/webgpu-probe.browser.ts'));
    expect(browserVariant(join(root, 'src/backend/select.ts'))).toBe(join(root, 'src/backend/select.ts'));
    expect(browserVariant(join(root, 'playground/toy.ts'))).toBe(join(root, 'playground/toy.ts'));
  });
});

describe('the browserSafe plugin', () => {
  it('fails a build that imports a Node built-in, naming the importer', async () => {
    const entry = join(tmp, 'uses-fs.js');
    writeFileSync(entry, "import { readFileSync } from 'node:fs';\nconsole.log(readFileSync);\n");
    await expect(bundle(entry)).rejects.toThrow(/uses-fs\.js imports the Node built-in 'node:fs'/);
  });

  it('fails a build that reaches a Node-only arcgrad module (the report writes files)', async () => {
    const entry = join(tmp, 'uses-report.js');
    writeFileSync(entry, `import { writeReport } from ${JSON.stringify(join(root, 'src/report/report.ts'))};\nconsole.log(writeReport);\n`);
    await expect(bundle(entry)).rejects.toThrow(/report\.ts imports the Node built-in 'node:/);
  });

  it('takes the browser sibling of a module that has one (checkpoints: encoded, never written to a file)', async () => {
    const entry = join(tmp, 'uses-checkpoint.js');
    writeFileSync(entry, `import { saveCheckpoint } from ${JSON.stringify(join(root, 'src/train/checkpoint.ts'))};\nconsole.log(saveCheckpoint);\n`);
    const code = (await bundle(entry)).map((c) => c.code).join('\n');
    expect(code).toContain("needs Node's file system");
    expect(code).not.toMatch(/from ['"]node:/);
  });

  it("builds the playground: gpu.js's browser build in, the Node loader and probe out", async () => {
    const chunks = chunksOf(await build({ configFile: join(root, 'playground/vite.config.ts'), logLevel: 'silent', build: { write: false } }));
    const code = chunks.map((c) => c.code).join('\n');
    expect(code).not.toMatch(/\bcreateRequire\b|from ['"]node:|require\(['"]gpu\.js['"]\)|import\(['"]webgpu['"]\)/);
    expect(code).toContain("GL_MODE = \"webgl2\"");
    expect(code).toContain('this browser has no WebGPU'); // webgpu-probe.browser.ts
    // gpu.js is split off and loaded on first use of a backend, not with the page.
    const entry = chunks.find((c) => c.isEntry);
    expect(entry?.code).not.toContain('GPU Accelerated JavaScript');
    expect(chunks.some((c) => !c.isEntry && c.code.includes('WebGL2Kernel'))).toBe(true);
  });
});
