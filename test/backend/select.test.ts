/**
 * Backend selection: names, the auto reason line, typed refusals that name what is missing, and
 * the CPU path staying free of gpu.js.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cpu } from '../../src/backend/cpu.js';
import { backendFromOption, defaultBackend } from '../../src/backend/select.js';
import { gpujs } from '../../src/backend/gpujs/runtime.js';
import { selectBackend } from '../../src/backend/select.js';
import { probeWebGpu } from '../../src/backend/gpujs/webgpu-probe.js';
import { BackendUnavailableError, OptionError } from '../../src/tensor/errors.js';

const webgpu = await probeWebGpu();
const headless = gpujs().GPU.isHeadlessGLSupported;

describe('selectBackend', () => {
  it("'cpu' is the float64 reference", async () => {
    const { backend, reason } = await selectBackend('cpu');
    expect(backend).toBe(cpu);
    expect(reason).toMatch(/^cpu \(float64 reference\)/);
  });

  it.each(['gpu.js:cpu', 'gpu.js:webasm'])('%s runs in that mode and says so', async (name) => {
    const { backend, reason } = await selectBackend(name);
    expect(backend.name).toBe(name);
    expect(reason).toContain(name);
    expect(backend.fromArray([1, 2], [2], 'float32').dtype).toBe('float32');
  });

  // A software WebGPU adapter (SwiftShader, in CI) is no GPU either, and auto passes over it; a
  // hardware adapter or headless-gl would change the answer.
  it.skipIf((webgpu.ok && !webgpu.software) || headless)(`'auto' falls back to cpu and says why (no GPU here${webgpu.ok ? `; WebGPU adapter: ${webgpu.adapter}` : ''})`, async () => {
    const { backend, reason } = await selectBackend('auto');
    expect(backend).toBe(cpu);
    expect(reason).toMatch(/^auto: cpu \(float64 reference\) — .*WebGPU.*; headless-gl/);
  });

  // The same without an adapter runs in a child process with no Vulkan driver (test/cli/cli.test.ts).
  it.skipIf(webgpu.ok)('an explicit gpu.js:webgpu without an adapter throws BackendUnavailableError naming it', async () => {
    await expect(selectBackend('gpu.js:webgpu')).rejects.toThrow(BackendUnavailableError);
    await expect(selectBackend('gpu.js:webgpu')).rejects.toThrow(/gpu\.js:webgpu is not available: .*WebGPU adapter/);
  });

  it.skipIf(!webgpu.ok || !webgpu.software)("'auto' passes over a software WebGPU adapter and says so", async () => {
    const { reason } = await selectBackend('auto');
    expect(reason).toContain(`the WebGPU adapter is software (${webgpu.ok ? webgpu.adapter : ''})`);
  });

  it.skipIf(headless)('an explicit gpu.js:headlessgl without headless-gl names the gl package', async () => {
    await expect(selectBackend('gpu.js:headlessgl')).rejects.toThrow(/headless-gl not installed \(npm package 'gl'/);
  });

  it("'wasm' is the float32 WebAssembly SIMD backend, and defaultBackend (what training runs on) picks it", async () => {
    const { backend, reason } = await selectBackend('wasm');
    expect(backend.name).toBe('wasm');
    expect(reason).toMatch(/^wasm \(float32, WebAssembly SIMD, \d threads?\): asked for/);
    expect(() => backend.fromArray([1], [1], 'float64')).toThrow(/float32 only.*'cpu'/);
    const chosen = await defaultBackend();
    expect(chosen.backend).toBe(backend); // one process-wide instance
    expect(chosen.reason).toMatch(/^default: wasm \(float32/);
  });

  it('gpu.js:webgl2 needs a browser', async () => {
    await expect(selectBackend('gpu.js:webgl2')).rejects.toThrow(/WebGL2 needs a browser/);
  });

  it('an unknown name is an OptionError listing the names', async () => {
    await expect(selectBackend('cuda')).rejects.toThrow(OptionError);
    await expect(selectBackend('cuda')).rejects.toThrow(/'auto', 'cpu', 'wasm', 'gpu\.js:webgpu'/);
  });
});

describe('backendFromOption (the CLI --backend helper)', () => {
  it('defaults to cpu and prints what runs', async () => {
    const { backend, message } = await backendFromOption(undefined);
    expect(backend).toBe(cpu);
    expect(message).toMatch(/^backend: cpu/);
  });

  it('maps a gpu.js name', async () => {
    expect((await backendFromOption('gpu.js:webasm')).backend.name).toBe('gpu.js:webasm');
  });
});

describe('the CPU path does not depend on gpu.js', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));

  it("only src/backend/gpujs (and the extras table) mentions gpu.js, and in Node nothing imports it eagerly (platform.ts requires it on first use)", () => {
    for (const file of files('src')) {
      const text = readFileSync(file, 'utf8');
      const valueImport = /^import (?!type )[^;]*from 'gpu\.js'/m.test(text);
      // A .browser.ts sibling replaces its .ts file in the playground's browser bundle only.
      if (!file.endsWith('.browser.ts')) expect(valueImport, `${file} imports gpu.js eagerly`).toBe(false);
      // src/tensor/extras.ts names it in the table of optional packages (what to install), loading nothing.
      const namesIt = file.includes(join('backend', 'gpujs')) || file === join('src', 'tensor', 'extras.ts');
      if (!namesIt) expect(text.includes("'gpu.js'"), file).toBe(false);
    }
  });

  it('no file imports a .browser.ts variant directly (the browser bundler substitutes them; Node must never load one)', () => {
    for (const file of files('src')) {
      expect(/^import (?!type )[^;]*from '[^']*\.browser\.js'/m.test(readFileSync(file, 'utf8')), file).toBe(false);
    }
  });
});
