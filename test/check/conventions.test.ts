/**
 * The peer-convention fields and the binary head of a case file: `--emit` writes every one, the
 * file reads back to the same values, and each field is read and matters (without it the case
 * fails); bad values are refused naming the case and the field.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CONVENTION_FIELDS, CaseFileError, parseCaseFile, runCase, type CheckCase } from '../../src/check/cases.js';
import { run } from '../../src/cli/main.js';

beforeEach(() => {
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterEach(() => vi.restoreAllMocks());

const dir = mkdtempSync(join(tmpdir(), 'arcgrad-conventions-'));
const path = join(dir, 'cases.json');
const FIELDS = [...CONVENTION_FIELDS, 'head'] as const;

describe('peer conventions in case files', () => {
  it('--emit writes each convention and the binary head, and every emitted case passes after the round trip', async () => {
    expect(await run(['check', '--emit', path])).toBe(0);
    const cases = parseCaseFile(readFileSync(path, 'utf8'));
    for (const f of FIELDS) expect(cases.some((c) => c[f] !== undefined), `no emitted case has '${f}'`).toBe(true);
    for (const c of cases) expect(runCase(c, { tol: 0, dtype: 'float64' }).pass, c.name).toBe(true); // the same values, bit for bit
  });

  it.each(FIELDS.filter((f) => f !== 'head'))("'%s' is read and matters: the emitted cases fail without it", (f) => {
    const cases = parseCaseFile(readFileSync(path, 'utf8')).filter((c) => c[f] !== undefined);
    expect(cases.length).toBeGreaterThan(0);
    for (const c of cases) {
      const without: CheckCase = { ...c, [f]: undefined };
      if (f === 'subCenters') without.C = c.C * (c.subCenters as number); // the same W read as C·K classes
      const r = runCase(without, { tol: 1e-8, dtype: 'float64' });
      expect(r.pass, `${c.name} without ${f}`).toBe(false);
    }
  });

  it('a SphereFace2 case is computed by its loss: the same file with the combined margin fails', () => {
    const c = parseCaseFile(readFileSync(path, 'utf8')).find((k) => k.head === 'sphereface2') as CheckCase;
    const asSoftmax: CheckCase = { ...c, head: undefined, s: c.r, m1: 1, m2: 0, m3: c.m };
    expect(runCase(asSoftmax, { tol: 1e-8, dtype: 'float64' }).pass).toBe(false);
  });

  const base = { name: 'k', N: 1, d: 2, C: 2, s: 64, m1: 1, m2: 0.5, m3: 0, X: [1, 0], W: [1, 0, 0, 1], labels: [0] };
  it.each([
    [{ subCenters: 0 }, /field 'subCenters' must be a positive integer/],
    [{ subCenters: 2 }, /field 'W' has 4 numbers, expected 8/],
    [{ subCenters: 2, W: [1, 0, 0, 1, 1, 1, 0, 1], scaleByWeightNorm: true }, /no single ‖w_j‖/],
    [{ cosineEpsilon: 1 }, /cosineEpsilon must be in \[0, 1\)/],
    [{ angleCap: 4 }, /angleCap must be in \(0, π\]/],
    [{ scaleByFeatureNorm: 'yes' }, /field 'scaleByFeatureNorm' must be true or false/],
    [{ head: 'sphereface3' }, /field 'head' must be 'sphereface2'/],
    [{ head: 'sphereface2' }, /field 's' is not SphereFace2's/],
    [{ head: 'sphereface2', s: undefined, m1: undefined, m2: undefined, m3: undefined, alpha: 1 }, /alpha must be in \(0, 1\)/],
    [{ margin: 'arcface-like', scaleByFeatureNorm: true }, /./],
  ])('refuses %j naming the case', (patch, message) => {
    const text = JSON.stringify({ cases: [{ ...base, ...patch }] });
    expect(() => parseCaseFile(text)).toThrow(CaseFileError);
    expect(() => parseCaseFile(text)).toThrow(message);
    expect(() => parseCaseFile(text)).toThrow(/case 'k'/);
  });
});
