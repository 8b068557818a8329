/**
 * Which `webgpu` arcgrad loads: the pinned version, resolved from arcgrad's own folder; another
 * version (gpu.js's own 0.2.9, hoisted where a project installed gpu.js alone) is refused in one
 * line naming the install command, before Dawn is loaded (whose 0.2.9 build fails on Debian 12's
 * libstdc++); none at all is the GPU extra's MissingExtraError.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { webgpuEntry } from '../../src/backend/gpujs/webgpu-probe.js';
import { BackendUnavailableError, MissingExtraError } from '../../src/tensor/errors.js';
import { emptyProject } from '../support/empty-project.js';

// Two projects, not one changed in place: Node caches what require.resolve found.
const withOldWebgpu = emptyProject('arcgrad-webgpu-old-');
const withoutWebgpu = emptyProject('arcgrad-webgpu-none-');
afterAll(() => {
  for (const dir of [withOldWebgpu, withoutWebgpu]) rmSync(dir, { recursive: true, force: true });
});
const resolveFrom = (dir: string) => createRequire(join(dir, 'index.js')).resolve;

describe('webgpuEntry', () => {
  it("is the checkout's webgpu 0.3.10, as a file URL", () => {
    expect(webgpuEntry()).toMatch(/^file:\/\/.*\/node_modules\/webgpu\/index\.js$/);
  });

  it('refuses another version in one line naming the pinned install command', () => {
    const pkg = join(withOldWebgpu, 'node_modules', 'webgpu');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'webgpu', version: '0.2.9', main: 'index.js' }));
    writeFileSync(join(pkg, 'index.js'), "throw new Error('Dawn must not be loaded');");
    expect(() => webgpuEntry(resolveFrom(withOldWebgpu))).toThrow(BackendUnavailableError);
    expect(() => webgpuEntry(resolveFrom(withOldWebgpu))).toThrow(/^npm package 'webgpu' is 0\.2\.9, arcgrad needs 0\.3\.10: npm install webgpu@0\.3\.10$/);
  });

  it('is the GPU extra\'s MissingExtraError when webgpu is not installed', () => {
    expect(() => webgpuEntry(resolveFrom(withoutWebgpu))).toThrow(MissingExtraError);
    expect(() => webgpuEntry(resolveFrom(withoutWebgpu))).toThrow(/npm install gpu\.js webgpu@0\.3\.10$/);
  });
});
