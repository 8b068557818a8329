/**
 * Runs the documented examples so that documented code cannot rot: each example file is imported
 * (which runs it), its printed output and results are checked, and the README's code block must
 * stay the same program as docs/examples/arcface.ts.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { gradcheck } from '../../src/index.js';
import { runExample } from '../../src/cli/example.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');

/** Imports a module while capturing what it prints with console.log. */
async function runCapturing<T>(load: () => Promise<T>): Promise<{ module: T; printed: unknown[][] }> {
  const spy = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    const module = await load();
    return { module, printed: spy.mock.calls.map((args) => [...args]) };
  } finally {
    spy.mockRestore();
  }
}

/** The program text of a code sample: import path and TypeScript-only annotations removed. */
function normalize(code: string): string[] {
  return code
    .replace(/'\.\.\/\.\.\/src\/index\.js'/g, "'arcgrad'")
    .replace(/,\s*type Tensor/g, '')
    .replace(/: Tensor/g, '')
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line !== '');
}

afterEach(() => vi.restoreAllMocks());

describe('docs/examples/arcface.ts (the README example)', () => {
  it('runs, prints `true` for the gradient check, and gives a finite loss with gradients of the input shapes', async () => {
    const { module: ex, printed } = await runCapturing(() => import('./arcface.js'));
    expect(printed).toEqual([[true]]);
    expect(ex.value.shape).toEqual([]);
    expect(Number.isFinite(ex.value.item()) && ex.value.item() > 0).toBe(true);
    expect(ex.dX.shape).toEqual([4, 8]);
    expect(ex.dW.shape).toEqual([5, 8]);
    expect([...ex.dX.toArray(), ...ex.dW.toArray()].every(Number.isFinite)).toBe(true);
  });

  it('gradients agree with central differences to 1e-5 relative, element by element', async () => {
    const ex = await import('./arcface.js');
    const check = gradcheck(ex.arcface, [ex.x, ex.w]);
    expect(check.inputs.map((r) => r.checked)).toEqual([32, 40]);
    for (const r of check.inputs) expect(r.maxRelError).toBeLessThan(1e-5);
  });

  it('computes the ArcFace loss of the formula, recomputed here in plain arithmetic', async () => {
    const ex = await import('./arcface.js');
    const [n, d] = ex.x.shape;
    const c = ex.w.shape[0];
    const unit = (t: typeof ex.x, i: number) => {
      const row = Array.from(t.toTypedArray().subarray(i * d, (i + 1) * d));
      const r = Math.hypot(...row);
      return row.map((v) => v / r);
    };
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const xi = unit(ex.x, i);
      const logits = Array.from({ length: c }, (_, j) => {
        const cos = Math.min(1, Math.max(-1, unit(ex.w, j).reduce((s, v, k) => s + v * xi[k], 0)));
        return 64 * (j === ex.labels[i] ? Math.cos(Math.acos(cos) + 0.5) : cos);
      });
      const m = Math.max(...logits);
      loss += m + Math.log(logits.reduce((s, z) => s + Math.exp(z - m), 0)) - logits[ex.labels[i]];
    }
    expect(ex.value.item()).toBeCloseTo(loss / n, 10);
  });

  it('is the program `npx arcgrad example` runs (same loss, check passes)', async () => {
    const ex = await import('./arcface.js');
    const { module: code, printed } = await runCapturing(async () => runExample([]));
    expect(code).toBe(0);
    expect(String(printed[0][0])).toContain(`: ${ex.value.item()}`);
  });

  it("is the README's code block, up to the import path and type annotations", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block, 'README.md has a ```ts block').toBeDefined();
    const file = readFileSync(join(here, 'arcface.ts'), 'utf8');
    const program = file.slice(file.indexOf('import {'), file.lastIndexOf('\nexport {'));
    expect(normalize(program)).toEqual(normalize(block as string));
  });
});
