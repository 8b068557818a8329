/**
 * Run records (src/demo/glyphs-record.ts): a run read back is bit-identical (typed arrays, ±Infinity),
 * and a record made under other settings, for another run or damaged is refused with its reason.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GLYPHS_SETTINGS, glyphsRunConfig, type GlyphsRun } from '../../src/demo/glyphs.js';
import { glyphsRecordKey, glyphsRunRecord, readGlyphsRunRecord } from '../../src/demo/glyphs-record.js';

const tmp = mkdtempSync(join(tmpdir(), 'arcgrad-glyphs-record-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const s = GLYPHS_SETTINGS.quick;
const config = glyphsRunConfig(s, 'arcface', 1);
const report = (rank1: number) => ({
  verification: { accuracy: { mean: 0.8, std: 0.01, foldAccuracies: [0.8, 0.81] }, scores: Float64Array.of(0.5, -0.25), threshold: -Infinity },
  allPairs: { genuine: 3, impostor: 12, points: [{ target: 1e-3, tar: 0.25, far: 0, threshold: Infinity }], roc: { far: Float64Array.of(0, 0.5, 1), tar: Float64Array.of(0, 0.75, 1) }, auc: 0.9 },
  identification: { rank1, predictions: Int32Array.of(0, 2, -1) },
});
const run = { loss: 'arcface', seed: 1, config, lossCurve: [3.5, 1.25], angles: Float64Array.of(0.1, Math.PI / 3, 1 / 3), steps: 12, trainSeconds: 1.5, unseen: report(0.5), heldOut: report(0.75) } as unknown as GlyphsRun;
const key = glyphsRecordKey(s, 'a'.repeat(64), '1.2.3');
const write = (name: string, body: unknown) => {
  const path = join(tmp, name);
  writeFileSync(path, typeof body === 'string' ? body : JSON.stringify(body, null, 2));
  return path;
};

describe('glyphs run records', () => {
  it('read back bit for bit: typed arrays keep their type and bytes, ±Infinity stay infinite', () => {
    const path = write('ok.json', { summary: 'anything', record: glyphsRunRecord(run, key) });
    const found = readGlyphsRunRecord(path, key, 'arcface', 1, config);
    expect(found !== undefined && 'run' in found ? found.run : found).toEqual(run);
    const back = (found as { run: GlyphsRun }).run as unknown as typeof run & { unseen: ReturnType<typeof report> };
    expect(back.angles).toBeInstanceOf(Float64Array);
    expect(back.unseen.identification.predictions).toBeInstanceOf(Int32Array);
    expect(back.unseen.allPairs.points[0].threshold).toBe(Infinity);
    expect(back.unseen.verification.threshold).toBe(-Infinity);
  });

  it('the key ignores only which seeds and losses run', () => {
    expect(glyphsRecordKey({ ...s, seeds: [5, 6], losses: ['softmax'] }, 'a'.repeat(64), '1.2.3')).toBe(key);
    for (const other of [glyphsRecordKey({ ...s, epochs: s.epochs + 1 }, 'a'.repeat(64), '1.2.3'), glyphsRecordKey(s, 'b'.repeat(64), '1.2.3'), glyphsRecordKey(s, 'a'.repeat(64), '1.2.4'), glyphsRecordKey({ ...s, backbone: 'conv' }, 'a'.repeat(64), '1.2.3')]) {
      expect(other).not.toBe(key);
    }
  });

  it("keeps the key of records made before the backbone setting existed (MLP runs) for backbone 'mlp'", () => {
    const { backbone: _backbone, ...before } = s;
    expect(s.backbone).toBe('mlp');
    expect(glyphsRecordKey(before as typeof s, 'a'.repeat(64), '1.2.3')).toBe(key);
  });

  it('refuses, with a reason, what is not the same run', () => {
    const path = write('r.json', { record: glyphsRunRecord(run, key) });
    const reason = (p: string, k = key, loss = 'arcface', seed = 1, c: unknown = config) => {
      const found = readGlyphsRunRecord(p, k, loss, seed, c);
      return found !== undefined && 'reason' in found ? found.reason : found;
    };
    expect(readGlyphsRunRecord(join(tmp, 'none.json'), key, 'arcface', 1, config)).toBeUndefined();
    expect(reason(path, 'other key')).toBe('made with other settings, data or arcgrad version');
    expect(reason(path, key, 'arcface', 2)).toBe('records another run (arcface seed 1)');
    expect(reason(path, key, 'arcface', 1, glyphsRunConfig(s, 'cosface', 1))).toBe('made with another run configuration');
    expect(reason(path, key, 'arcface', 1, { ...config, pairs: 1 })).toBe('made with another run configuration');
    expect(reason(write('old.json', { loss: 'arcface', seed: 1 }))).toBe('holds no run record (written by an older arcgrad)');
    expect(reason(write('fmt.json', { record: { format: 'x/9' } }))).toBe('record format "x/9", not arcgrad-glyphs-run/1');
    expect(reason(write('cut.json', JSON.stringify({ record: glyphsRunRecord(run, key) }).slice(0, 80)))).toMatch(/^unreadable \(/);
    const { angles: _angles, ...noAngles } = run;
    expect(reason(write('part.json', { record: glyphsRunRecord(noAngles as GlyphsRun, key) }))).toBe('damaged record (fields missing)');
    expect(reason(write('type.json', { record: { ...(glyphsRunRecord(run, key) as object), run: { $typed: 'BigInt64Array', base64: '' } } }))).toBe('damaged record (unknown typed array BigInt64Array)');
  });
});
