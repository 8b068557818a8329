/**
 * `.npz` cases: numpy's own files (written by docs/examples/dump_npz.py with numpy 1.24, stored and
 * deflated) are read and pass; the class-block computation equals `computeCase` on every emitted
 * combined-margin case whatever the block size; damaged and foreign archives are typed errors.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CaseFileError, computeCase, defaultTolerance, emitCases, normwiseError } from '../../src/check/cases.js';
import { wellConditioned } from '../support/head-samples.js';
import { NpzFile } from '../../src/check/npz.js';
import { computeArrayCase, readNpzCase, runArrayCase, type ArrayCase } from '../../src/check/npz-case.js';
import { run } from '../../src/cli/main.js';
import { ArcgradError } from '../../src/tensor/errors.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const script = fileURLToPath(new URL('../../docs/examples/dump_npz.py', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'arcgrad-npz-'));

let out: string[] = [];
let err: string[] = [];
beforeEach(() => {
  [out, err] = [[], []];
  vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true); // the progress bar
});
afterEach(() => vi.restoreAllMocks());

describe('.npz cases', () => {
  it.each(['dump_npz.npz', 'dump_npz_compressed.npz'])('%s (numpy, from docs/examples/dump_npz.py as it is now) passes arcgrad check', async (name) => {
    const path = join(fixtures, name);
    const c = await readNpzCase(path);
    expect([c.options.N, c.options.d, c.options.C]).toEqual([4, 8, 6]);
    expect(c.labels.at(-1)).toBe(-1);
    expect(await run(['check', path])).toBe(0);
    expect(out.at(-1)).toBe('1 passed, 0 failed');
  });

  it('the fixtures record the SHA-256 of docs/examples/dump_npz.py as it is now', async () => {
    const sha = createHash('sha256').update(readFileSync(script)).digest('hex');
    for (const name of ['dump_npz.npz', 'dump_npz_compressed.npz']) {
      // parseCase keeps only the fields it knows: the producer is read from the 'case' string itself.
      const npz = NpzFile.open(join(fixtures, name));
      const producer = JSON.parse(await npz.string('case')).producer;
      npz.close();
      expect(producer.script).toBe('dump_npz.py');
      expect(producer.sha256, 'docs/examples/dump_npz.py changed since it wrote the fixtures: run it again (see its header)').toBe(sha);
    }
  });

  it('a wrong dW (one entry off by 1e-6 relative) fails', async () => {
    const c = await readNpzCase(join(fixtures, 'dump_npz.npz'));
    const dW = Float64Array.from(c.dW!);
    const k = dW.reduce((best, v, i) => (Math.abs(v) > Math.abs(dW[best]) ? i : best), 0);
    dW[k] *= 1 + 1e-6;
    const r = runArrayCase({ ...c, dW }, { tol: 1e-8, dtype: 'float64' });
    expect(r.pass).toBe(false);
    expect(r.errors.dW).toBeGreaterThan(5e-7);
  });

  it('block by block equals the whole computation on every emitted combined-margin case, for any block size', () => {
    const cases = emitCases(2).filter((c) => c.margin === undefined && c.head === undefined);
    expect(cases.length).toBeGreaterThan(15);
    for (const c of cases) {
      const whole = computeCase(c);
      const asArrays: ArrayCase = { options: c, X: Float64Array.from(c.X), W: Float64Array.from(c.W), labels: Int32Array.from(c.labels) };
      for (const blockClasses of [1, 3, c.C]) {
        const dW = new Float64Array(c.W.length);
        const got = computeArrayCase(asArrays, { dtype: 'float64', blockClasses }, (at, block) => dW.set(block, at));
        const where = `${c.name}, blocks of ${blockClasses}`;
        // A block's matmul may round cos θ differently in the last bit. Where emitCases planted a
        // target at cos θ = ±1 the exact gradient amplifies that by up to u/sin²θ (numerics.md §7),
        // so those cases are held to the check's float64 tolerance; the others to 1e-12.
        const bound = wellConditioned({ n: c.N, d: c.d, c: c.C * (c.subCenters ?? 1), X: c.X, W: c.W }) ? 1e-12 : defaultTolerance('float64');
        expect(normwiseError([got.loss], [whole.loss]), where).toBeLessThan(1e-13);
        expect(normwiseError(got.dX, whole.dX), where).toBeLessThan(bound);
        expect(normwiseError(dW, whole.dW), where).toBeLessThan(bound);
      }
    }
  });

  const damaged = (name: string, edit: (b: Buffer) => Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, edit(readFileSync(join(fixtures, 'dump_npz.npz'))));
    return path;
  };
  /** Every occurrence of `from` replaced (a member's name is in its local header and in the central directory). */
  const swap = (from: string, to: string) => (b: Buffer) => {
    const copy = Buffer.from(b);
    let at = copy.indexOf(from, 0, 'latin1');
    expect(at).toBeGreaterThan(0);
    for (; at >= 0; at = copy.indexOf(from, at + 1, 'latin1')) copy.write(to, at, 'latin1');
    return copy;
  };
  it.each([
    ['not a zip', () => join(dir, 'text.npz'), /not a zip archive/],
    ['truncated', () => damaged('cut.npz', (b) => b.subarray(0, b.length - 200)), /not a zip|damaged|truncated/],
    ['big-endian floats', () => damaged('be.npz', swap("'<f8'", "'>f8'")), /dtype '>f8'; arrays must be little-endian/],
    ['Fortran order', () => damaged('fortran.npz', swap("'fortran_order': False", "'fortran_order': True ")), /Fortran order/],
    ['no options', () => damaged('nocase.npz', swap('case.npy', 'kase.npy')), /no member 'case'/],
  ])('%s: a typed error naming the file (exit 2, one line)', async (_what, make, message) => {
    writeFileSync(join(dir, 'text.npz'), 'X,W\n1,2\n');
    const path = make();
    await expect(readNpzCase(path)).rejects.toThrow(message);
    await expect(readNpzCase(path)).rejects.toBeInstanceOf(ArcgradError);
    expect(await run(['check', path])).toBe(2);
    expect(err.join('\n')).toMatch(message);
    expect(err.join('\n')).not.toMatch(/\n\s+at /);
  });

  it('arrays written into the options instead of the archive are refused, naming the field', async () => {
    const utf32 = (t: string) => Buffer.from([...t].flatMap((ch) => [ch.charCodeAt(0), 0, 0, 0]));
    const path = damaged('inline.npz', (b) => {
      const at = b.indexOf(utf32('"m1": 1.0'));
      expect(at).toBeGreaterThan(0);
      const copy = Buffer.from(b);
      utf32('"X": 1.00').copy(copy, at);
      return copy;
    });
    await expect(readNpzCase(path)).rejects.toThrow(CaseFileError);
    await expect(readNpzCase(path)).rejects.toThrow(/field 'X' belongs in the .npz as an array/);
  });
});
