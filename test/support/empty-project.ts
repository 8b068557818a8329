/**
 * A temporary folder that Node's module resolution sees as an empty project: no node_modules in
 * it or above it (Node looks in every ancestor's, and one left in /tmp by anything else would make
 * a missing package look installed). The first such folder among the temp folders and home.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const hasNodeModulesAbove = (dir: string): boolean => existsSync(join(dir, 'node_modules')) || (dirname(dir) !== dir && hasNodeModulesAbove(dirname(dir)));

/** A fresh folder `prefix…` with no node_modules above it (the caller removes it). */
export function emptyProject(prefix: string): string {
  const base = [tmpdir(), '/var/tmp', '/dev/shm', homedir()].find((d) => existsSync(d) && !hasNodeModulesAbove(resolve(d)));
  if (base === undefined) throw new Error('no temp folder without a node_modules above it');
  return mkdtempSync(join(base, prefix));
}
