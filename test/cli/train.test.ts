/**
 * `arcgrad train` and `arcgrad eval` on the tiniest settings (20 images per digit, a 16-wide
 * hidden layer, 8-D embeddings): the train → eval round trip, an interrupted-then-resumed run
 * ending at the same parameters as an uninterrupted one, and one-line errors for bad input.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/train/checkpoint.js';
import { useTempDir } from '../support/temp-dir.js';
import { cli } from './run-cli.js';

const TINY = ['--per-digit', '20', '--hidden', '16', '--embedding', '8', '--epochs', '2', '--batch-size', '16', '--pairs', '40'];

function params(dir: string): Record<string, number[]> {
  const ckpt = loadCheckpoint(join(dir, 'checkpoint.json'));
  return Object.fromEntries(Object.entries(ckpt.params).map(([k, t]) => [k, Array.from(t.toTypedArray())]));
}

describe('arcgrad train → eval', () => {
  const tmp = useTempDir('arcgrad-train-');

  it('trains, writes run.json and checkpoint.json, and eval reports numbers in [0, 1]', async () => {
    const dir = join(tmp(), 'run');
    const trained = await cli(['train', '--loss', 'cosface', '--m3', '0.2', ...TINY, '--out', dir]);
    expect(trained.status, trained.err).toBe(0);
    expect(trained.out).toMatch(/CosFace s=30 m1=1 m2=0 m3=0.2/);
    expect(loadCheckpoint(join(dir, 'checkpoint.json')).step).toBe(14); // 2 epochs × ⌊112 / 16⌋

    const evaluated = await cli(['eval', dir, '--json']);
    expect(evaluated.status, evaluated.err).toBe(0);
    const summary = JSON.parse(evaluated.out);
    for (const key of ['verificationAccuracy', 'tarAtFar1e3', 'tarAtFar1e2', 'auc', 'closedSetAccuracy']) {
      expect(summary[key], key).toBeGreaterThanOrEqual(0);
      expect(summary[key], key).toBeLessThanOrEqual(1);
    }
    expect(summary.pairs).toBe(40);
    expect(JSON.parse(readFileSync(join(dir, 'eval.json'), 'utf8'))).toEqual(summary);

    // The plain output names the same numbers, and a second evaluation reproduces them.
    const again = await cli(['eval', join(dir, 'checkpoint.json')]);
    expect(again.status).toBe(0);
    expect(again.out).toContain(`${(100 * summary.verificationAccuracy).toFixed(2)}%`);
    expect(JSON.parse(readFileSync(join(dir, 'eval.json'), 'utf8'))).toEqual(summary);
  });

  it('an interrupted run resumed with --resume ends at the same parameters as an uninterrupted one', async () => {
    // SphereFace: its λ depends on the iteration, which must survive the interruption too.
    const args = ['--loss', 'sphereface', ...TINY, '--checkpoint-every', '3'];
    const whole = join(tmp(), 'whole');
    const split = join(tmp(), 'split');
    expect((await cli(['train', ...args, '--out', whole])).status).toBe(0);

    const stopped = await cli(['train', ...args, '--out', split, '--stop-after', '5']);
    expect(stopped.status, stopped.err).toBe(0);
    expect(stopped.out).toMatch(/stopped at step 5/);
    expect(loadCheckpoint(join(split, 'checkpoint.json')).step).toBe(5);

    const resumed = await cli(['train', '--out', split, '--resume']);
    expect(resumed.status, resumed.err).toBe(0);
    expect(loadCheckpoint(join(split, 'checkpoint.json')).step).toBe(14);
    expect(params(split)).toEqual(params(whole));
  });
});

describe('bad input: one line, exit status 2', () => {
  const tmp = useTempDir('arcgrad-train-bad-');

  it.each([
    [['train', '--loss', 'tripletface'], /unknown loss 'tripletface' \(one of softmax, normface, sphereface, cosface, arcface, combined, adaface, curricularface, .*; a margin of your own needs --margin-module\)/],
    [['train', '--epochs', '-3'], /--epochs must be an integer ≥ 1, got -3/],
    [['train', '--loss', 'softmax', '--m2', '0.5'], /--m2 do not apply to softmax/],
    [['train', '--fallback', 'sometimes'], /unknown fallback 'sometimes'/],
    [['train', '--gradient', 'approximate'], /unknown gradient mode 'approximate'/],
    [['train', '--hidden', '12,x'], /--hidden must be comma-separated positive integers/],
    [['train', '--lr', '0'], /--lr must be a finite number > 0/],
    [['eval', 'no/such/run'], /no checkpoint at no\/such\/run/],
    [['demo', '--epochs', '0'], /--epochs must be an integer ≥ 1/],
  ])('%j', async (argv, message) => {
    // Every one fails while checking its options, before anything is written.
    const { status, err } = await cli(argv);
    expect(status).toBe(2);
    expect(err).toMatch(message);
    expect(err.trim().split('\n')).toHaveLength(1);
  });

  it('--resume needs a checkpoint, and takes its options from run.json', async () => {
    const dir = join(tmp(), 'run');
    const missing = await cli(['train', '--out', dir, '--resume']);
    expect(missing.status).toBe(2);
    expect(missing.err).toMatch(/--resume: no checkpoint at .*checkpoint\.json/);

    expect((await cli(['train', ...TINY, '--epochs', '1', '--out', dir])).status).toBe(0);
    const changed = await cli(['train', '--out', dir, '--resume', '--lr', '0.5']);
    expect(changed.status).toBe(2);
    expect(changed.err).toMatch(/--resume continues the run as .*run\.json describes it; drop --lr/);

    const again = await cli(['train', ...TINY, '--out', dir]);
    expect(again.status).toBe(2);
    expect(again.err).toMatch(/already holds a run/);
    expect(existsSync(join(dir, 'run.json'))).toBe(true);
  });
});
