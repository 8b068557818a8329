/**
 * `--margin-module PATH[,PATH…]` of `arcgrad check`, `train` and `demo`: loads the user's own
 * margins, written with `defineMargin`, so that case files, `--loss` and `--losses` can name them.
 *
 * A module makes its margins known either by calling `registerMargin` or by exporting them (any
 * export, default included, that `defineMargin` returned is registered here). It must import
 * arcgrad from the same install that runs the command (`import { defineMargin } from 'arcgrad'`
 * in a project that depends on arcgrad): a margin made by a second copy is refused, because its
 * ops would record on that copy's tape and get no gradient (see src/losses/define-margin.ts).
 * The module is imported once per process; importing it again returns the cached module.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isDefinedMargin, registerMargin, registeredMargins } from '../losses/define-margin.js';
import '../margins/index.js'; // the example margins, registered on import
import { ArcgradError, OptionError } from '../tensor/errors.js';
import type { OptionSpec } from './args.js';

/** The option's spec, shared by the commands that take it. */
export const MARGIN_MODULE_SPEC: OptionSpec = {
  type: 'string',
  help: 'JS module(s), comma-separated, that define margins with defineMargin (exported or registered); their names become valid losses',
};

/** The absolute path of a margin module as the user named it (relative to the working folder). */
export function marginModulePath(path: string): string {
  return resolve(path);
}

/** Loads one margin module; returns the names of the margins it defines, sorted. */
export async function loadMarginModule(path: string): Promise<string[]> {
  const file = marginModulePath(path);
  if (!existsSync(file)) throw new OptionError(`--margin-module: no file ${path}`);
  const before = new Set(registeredMargins());
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof ArcgradError) throw e;
    throw new OptionError(`--margin-module ${path}: cannot load it: ${(e as Error).message}`);
  }
  const exported = Object.values(module).filter(isDefinedMargin);
  for (const margin of exported) registerMargin(margin);
  const names = new Set([...exported.map((m) => m.name), ...registeredMargins().filter((n) => !before.has(n))]);
  if (names.size === 0) {
    throw new OptionError(`--margin-module ${path} defines no margin: export what defineMargin returns, or pass it to registerMargin`);
  }
  return [...names].sort();
}

/**
 * Loads every module of a comma-separated `--margin-module` value (none when undefined); returns
 * each margin name with the absolute path of the module that defines it.
 */
export async function loadMarginModules(value: string | number | boolean | undefined): Promise<Map<string, string>> {
  const modules = new Map<string, string>();
  if (value === undefined) return modules;
  const paths = String(value).split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (paths.length === 0) throw new OptionError('--margin-module needs a path');
  for (const path of paths) for (const name of await loadMarginModule(path)) modules.set(name, marginModulePath(path));
  return modules;
}
