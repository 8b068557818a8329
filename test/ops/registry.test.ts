/**
 * The registry lock: every op file in src/ops is registered in `allOps` (and so is gradient
 * checked by test/ops/gradcheck.test.ts, invariant-checked and bad-input-checked), every op is
 * named after its exported function, and every op points at its derivation in the docs.
 * Adding an op file without registering it fails here.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { allOps, opRegistry } from '../../src/ops/index.js';
import type { Op } from '../../src/ops/op.js';

const opsDir = fileURLToPath(new URL('../../src/ops/', import.meta.url));
const opFiles = readdirSync(opsDir)
  .filter((f) => f.endsWith('.ts') && !f.startsWith('_') && f !== 'op.ts' && f !== 'index.ts')
  .sort();

function isOp(v: unknown): v is Op {
  return (
    typeof v === 'object' && v !== null && typeof (v as Op).apply === 'function' &&
    typeof (v as Op).vjp === 'function' && Array.isArray((v as Op).domain)
  );
}

const modules = await Promise.all(
  opFiles.map(async (file) => [file, (await import(pathToFileURL(opsDir + file).href)) as Record<string, unknown>] as const),
);

describe('op registry', () => {
  it('finds the op files', () => {
    expect(opFiles.length).toBeGreaterThan(0);
  });

  it.each(modules)('%s exports at least one Op, each registered, named after an exported function', (_file, mod) => {
    const ops = Object.values(mod).filter(isOp);
    expect(ops.length, 'exports no Op').toBeGreaterThan(0);
    for (const op of ops) {
      expect(allOps, `op '${op.name}' is not in allOps (src/ops/index.ts)`).toContain(op);
      expect((opRegistry as Record<string, Op>)[op.name], `opRegistry.${op.name} is not this op`).toBe(op);
      expect(typeof mod[op.name], `no exported function named '${op.name}'`).toBe('function');
    }
  });

  it('op names are unique', () => {
    const names = allOps.map((op) => op.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('every registered op comes from an op file', () => {
    const exported = new Set(modules.flatMap(([, mod]) => Object.values(mod).filter(isOp)));
    for (const op of allOps) expect(exported.has(op), `${op.name} is not exported by any src/ops file`).toBe(true);
  });

  it.each(allOps.map((op) => [op.name, op] as const))('%s declares docs/ops.md#<lowercase name>', (name, op) => {
    expect(op.docs).toBe(`docs/ops.md#${name.toLowerCase()}`);
    expect(op.summary.length).toBeGreaterThan(0);
    expect(op.inputs.length).toBeGreaterThan(0);
  });
});
