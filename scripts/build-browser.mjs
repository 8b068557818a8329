#!/usr/bin/env node
// The browser tree of the package (`npm run build` runs this after tsc): dist/browser/ is dist/'s
// JavaScript with every module that has a `.browser.js` sibling replaced by that sibling (same
// folder, so relative imports stay right). package.json's `browser` export condition points each
// entry into it, so bundlers take the browser variants and Node never sees them. Then every
// module reachable from an entry is read, and the build fails if one imports a Node built-in
// (`node:x` or a bare built-in name): the browser bundle must not reference them. An entry whose
// `browser` target is null (arcgrad/data, arcgrad/report: they read and write files) is not
// offered to browsers at all: a bundler says so instead of bundling Node code.
import { builtinModules } from 'node:module';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(root, 'dist');
const out = join(dist, 'browser');
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

function jsFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return path === out ? [] : jsFiles(path);
    return e.name.endsWith('.js') ? [path] : [];
  });
}

rmSync(out, { recursive: true, force: true });
for (const file of jsFiles(dist)) {
  if (file.endsWith('.browser.js')) continue;
  const variant = file.replace(/\.js$/, '.browser.js');
  const source = existsSync(variant) ? variant : file;
  const target = join(out, relative(dist, file));
  mkdirSync(dirname(target), { recursive: true });
  // Source maps stay with dist/'s files; the browser copies drop the comment that points to them.
  writeFileSync(target, readFileSync(source, 'utf8').replace(/\n\/\/# sourceMappingURL=.*\n?$/, '\n'));
}

// Every module reachable from the package's browser entries: no Node built-in.
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const entries = Object.values(pkg.exports).flatMap((e) => (typeof e === 'object' && e.browser ? [resolve(root, e.browser)] : []));
const seen = new Set();
const problems = [];
const importPattern = /(?:^|[;\n}])\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[;\n}])\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;
const stack = [...entries];
while (stack.length > 0) {
  const file = stack.pop();
  if (seen.has(file)) continue;
  seen.add(file);
  if (!existsSync(file)) {
    problems.push(`${relative(root, file)} is missing`);
    continue;
  }
  for (const m of readFileSync(file, 'utf8').matchAll(importPattern)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (builtins.has(spec)) problems.push(`${relative(root, file)} imports the Node built-in '${spec}'`);
    else if (spec.startsWith('.')) stack.push(resolve(dirname(file), spec));
  }
}
if (entries.length === 0) problems.push("package.json's exports name no `browser` entry");
if (problems.length > 0) {
  console.error(`build-browser: the browser tree is not browser-safe:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`build-browser: dist/browser/ (${seen.size} modules reachable from ${entries.length} entries, none imports a Node built-in)`);
