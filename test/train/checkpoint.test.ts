/** Checkpoints: exact round trip, atomic writes under simulated crashes, typed errors on bad files. */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../support/temp-dir.js';
import { CheckpointError, decodeCheckpoint, encodeCheckpoint, loadCheckpoint, saveCheckpoint, type Checkpoint } from '../../src/train/checkpoint.js';
import { scalar, tensor } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';

const awkward = [0.1, -0, 5e-324, Number.MAX_VALUE, -Number.MIN_VALUE, 1 / 3, Math.PI * 1e-300, 2 ** 53 + 2];

function sample(step: number, seed = 0): Checkpoint {
  return {
    step,
    params: { 'fc0.w': tensor(seed === 0 ? awkward : awkward.map((v) => v + seed), [2, 4]), 'fc0.b': tensor([seed]) },
    state: { 'bn.mean': tensor([1e-17, -2.5]) },
    optState: { step: scalar(step), 'm.fc0.b': tensor([0.25], undefined, { dtype: 'float32' }) },
    rng: { seed: 7, epoch: 2 },
    config: { batchSize: 4, lr: 0.1, name: 'mlp', nested: [1, { a: true }] },
  };
}

const bits = (t: Tensor) => Array.from(t.toTypedArray(), (v) => (Object.is(v, -0) ? '-0' : String(v)));

describe('checkpoint encoding', () => {
  it('round-trips every double exactly (−0, subnormals, extremes) and float32', () => {
    const c = sample(3);
    const back = decodeCheckpoint(encodeCheckpoint(c));
    expect(back.step).toBe(3);
    expect(back.rng).toEqual(c.rng);
    expect(back.config).toEqual(c.config);
    for (const rec of ['params', 'state', 'optState'] as const) {
      expect(Object.keys(back[rec])).toEqual(Object.keys(c[rec]));
      for (const [k, t] of Object.entries(c[rec])) {
        expect(back[rec][k].shape).toEqual(t.shape);
        expect(back[rec][k].dtype).toEqual(t.dtype);
        expect(bits(back[rec][k])).toEqual(bits(t));
      }
    }
    expect(bits(back.params['fc0.w'])[1]).toBe('-0');
  });

  it('rejects configuration that JSON cannot hold', () => {
    expect(() => encodeCheckpoint({ ...sample(1), config: { lr: Number.NaN } })).toThrow(CheckpointError);
    expect(() => encodeCheckpoint({ ...sample(1), config: { f: (() => 1) as never } })).toThrow(CheckpointError);
  });

  it('rejects damaged, foreign, truncated and other-version text with a CheckpointError', () => {
    const text = encodeCheckpoint(sample(1));
    const cases: [string, RegExp][] = [
      [text.slice(0, Math.floor(text.length / 2)), /truncated/],
      ['', /truncated/],
      ['{"name":"arcgrad","version":"0.1.0"}', /not an arcgrad checkpoint/],
      ['[1,2,3]', /not an arcgrad checkpoint/],
      ['null', /not an arcgrad checkpoint/],
      [text.replace('"version":1', '"version":2'), /version 2/],
      [text.replace('"step":1', '"step":2'), /checksum/],
      // edited, checksum recomputed (the damaged-run fuzzer found null: a TypeError before)
      ...['null', '[]', '7'].map((body): [string, RegExp] => [
        `{"format":"arcgrad-checkpoint","version":1,"sha256":"${createHash('sha256').update(body).digest('hex')}","body":${body}}`,
        body === '7' ? /checksum/ : /not a checkpoint's fields/,
      ]),
    ];
    for (const [bad, message] of cases) expect(() => decodeCheckpoint(bad, 'x.ckpt')).toThrow(message);
    for (const [bad] of cases) expect(() => decodeCheckpoint(bad)).toThrow(CheckpointError);
  });
});

describe('saveCheckpoint / loadCheckpoint', () => {
  const tempDir = useTempDir('arcgrad-ckpt-');

  it('saves and loads, replacing the previous file and leaving no temporary files', () => {
    const path = join(tempDir(), 'run.ckpt');
    saveCheckpoint(path, sample(1));
    saveCheckpoint(path, sample(2, 1));
    expect(loadCheckpoint(path).step).toBe(2);
    expect(bits(loadCheckpoint(path).params['fc0.b'])).toEqual(['1']);
    expect(readdirSync(tempDir())).toEqual(['run.ckpt']);
  });

  it('refuses to save NaN or ±Inf (loading would refuse the file) and keeps the previous checkpoint', () => {
    const path = join(tempDir(), 'run.ckpt');
    saveCheckpoint(path, sample(1));
    const before = readFileSync(path, 'utf8');
    for (const bad of [Number.NaN, Infinity, -Infinity]) {
      const c = sample(2);
      const poisoned = { ...c, optState: { ...c.optState, 'm.fc0.b': tensor([bad], undefined, { dtype: 'float32', allowNonFinite: true }) } };
      expect(() => saveCheckpoint(path, poisoned)).toThrow(CheckpointError);
      expect(() => saveCheckpoint(path, poisoned)).toThrow(/checkpoint optState\.m\.fc0\.b: contains NaN or ±Inf; not saved/);
    }
    expect(readFileSync(path, 'utf8')).toBe(before);
    expect(readdirSync(tempDir())).toEqual(['run.ckpt']);
  });

  it('a crash between write and rename keeps the previous checkpoint', () => {
    const path = join(tempDir(), 'run.ckpt');
    saveCheckpoint(path, sample(1));
    const before = readFileSync(path, 'utf8');
    let temp = '';
    expect(() =>
      saveCheckpoint(path, sample(2, 1), {
        beforeRename: (t) => {
          temp = t;
          expect(loadCheckpoint(t).step).toBe(2); // the new one was complete on disk …
          throw new Error('simulated crash');
        },
      }),
    ).toThrow(/simulated crash/);
    expect(temp.startsWith(join(tempDir(), 'run.ckpt.tmp-'))).toBe(true); // … in the same folder
    expect(readFileSync(path, 'utf8')).toBe(before);
    expect(loadCheckpoint(path).step).toBe(1);
  });

  it('a truncated temporary file from a crash mid-write is ignored and does not block the next save', () => {
    const path = join(tempDir(), 'run.ckpt');
    saveCheckpoint(path, sample(1));
    const partial = encodeCheckpoint(sample(2));
    const stray = join(tempDir(), `run.ckpt.tmp-${process.pid}-999999`);
    writeFileSync(stray, partial.slice(0, 100)); // what a kill during writeSync leaves
    expect(loadCheckpoint(path).step).toBe(1);
    expect(() => loadCheckpoint(stray)).toThrow(CheckpointError);
    saveCheckpoint(path, sample(3));
    expect(loadCheckpoint(path).step).toBe(3);
  });

  it('loading a truncated file, a foreign file or a missing file throws a CheckpointError naming it', () => {
    const path = join(tempDir(), 'run.ckpt');
    writeFileSync(path, encodeCheckpoint(sample(1)).slice(0, 500));
    expect(() => loadCheckpoint(path)).toThrow(new RegExp(`${path}.*truncated`));
    writeFileSync(path, readFileSync(new URL('../../package.json', import.meta.url)));
    expect(() => loadCheckpoint(path)).toThrow(/not an arcgrad checkpoint/);
    expect(() => loadCheckpoint(join(tempDir(), 'nope.ckpt'))).toThrow(CheckpointError);
  });

  it('rejects tensors whose data does not fit the shape, or is not finite', () => {
    const file = JSON.parse(encodeCheckpoint(sample(1)));
    const forge = (mutate: (body: any) => void) => {
      const body = structuredClone(file.body);
      mutate(body);
      const text = JSON.stringify(body);
      const sha = createHash('sha256').update(text).digest('hex');
      return `{"format":"arcgrad-checkpoint","version":1,"sha256":"${sha}","body":${text}}`;
    };
    expect(() => decodeCheckpoint(forge((b) => (b.params['fc0.b'].shape = [2])))).toThrow(/bytes of data/);
    expect(() => decodeCheckpoint(forge((b) => (b.params['fc0.b'].data = Buffer.from(new Float64Array([Number.NaN]).buffer).toString('base64'))))).toThrow(/NaN/);
    expect(() => decodeCheckpoint(forge((b) => (b.params['fc0.b'].data = '!!!')))).toThrow(/base64/);
    expect(() => decodeCheckpoint(forge((b) => (b.params['fc0.b'].dtype = 'int8')))).toThrow(/dtype/);
  });
});
