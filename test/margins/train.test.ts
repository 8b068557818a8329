/**
 * Defined margins in training: `arcgrad train --loss <margin>` for an example and for the user's
 * `--margin-module`, run.json recording the margin, its running state carried in the checkpoint
 * so that an interrupted run resumes bit-identically, and `arcgrad eval` of the run. The
 * loop's head state is tested in test/train/loop.test.ts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/train/checkpoint.js';
import { useTempDir } from '../support/temp-dir.js';
import { cli } from '../cli/run-cli.js';

const TINY = ['--per-digit', '20', '--hidden', '16', '--embedding', '8', '--epochs', '2', '--batch-size', '16', '--pairs', '40'];
const userModule = 'test/margins/fixtures/user-margin.ts';

const checkpoint = (dir: string) => loadCheckpoint(join(dir, 'checkpoint.json'));
const params = (dir: string) => Object.fromEntries(Object.entries(checkpoint(dir).params).map(([k, t]) => [k, Array.from(t.toTypedArray())]));
const runJson = (dir: string) => JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));

describe('arcgrad train with a defined margin', () => {
  const tmp = useTempDir('arcgrad-margin-train-');

  it('trains an example margin, records every parameter, carries its state in the checkpoint, and eval reads the run', async () => {
    const dir = join(tmp(), 'run');
    const r = await cli(['train', '--loss', 'curricularface', '--margin-params', '{"m": 0.4}', ...TINY, '--out', dir]);
    expect(r.status, r.err).toBe(0);
    expect(r.out).toMatch(/CurricularFace s=30 m=0.4 momentum=0.99 thmm=false/);
    expect(runJson(dir).loss).toEqual({ name: 'curricularface', defined: { params: { s: 30, m: 0.4, momentum: 0.99, thmm: false } } });
    const t = (checkpoint(dir).headState as { t: number }).t;
    expect(Number.isFinite(t) && t !== 0).toBe(true);
    const evaluated = await cli(['eval', dir, '--json']);
    expect(evaluated.status, evaluated.err).toBe(0);
    expect(JSON.parse(evaluated.out).loss).toMatch(/^CurricularFace /);
  });

  it('an interrupted run of a stateful margin resumes to the same parameters and state as an uninterrupted one', async () => {
    for (const loss of ['curricularface', 'elasticface-arc']) {
      const args = ['--loss', loss, ...TINY, '--checkpoint-every', '3'];
      const whole = join(tmp(), `${loss}-whole`);
      const split = join(tmp(), `${loss}-split`);
      expect((await cli(['train', ...args, '--out', whole])).status).toBe(0);
      expect((await cli(['train', ...args, '--out', split, '--stop-after', '5'])).status).toBe(0);
      expect(checkpoint(split).step).toBe(5);
      const resumed = await cli(['train', '--out', split, '--resume']);
      expect(resumed.status, resumed.err).toBe(0);
      expect(params(split), loss).toEqual(params(whole));
      expect(checkpoint(split).headState, loss).toEqual(checkpoint(whole).headState);
    }
  });

  it('trains the user\'s margin from --margin-module, recording the module\'s path for --resume', async () => {
    const dir = join(tmp(), 'user');
    const r = await cli(['train', '--margin-module', userModule, '--loss', 'soft-arc', ...TINY, '--out', dir, '--stop-after', '4']);
    expect(r.status, r.err).toBe(0);
    expect(r.out).toMatch(/SoftArc s=30 m=0.5/);
    expect(runJson(dir).loss.defined.module).toBe(resolve(userModule));
    expect((await cli(['train', '--out', dir, '--resume'])).status).toBe(0);
    expect(checkpoint(dir).step).toBe(14);
    // A run.json naming a margin that is not loaded makes --resume load the recorded module.
    const config = runJson(dir);
    writeFileSync(join(dir, 'run.json'), JSON.stringify({ ...config, loss: { ...config.loss, name: 'not-loaded', defined: { ...config.loss.defined, module: '/no/such/margin.js' } } }));
    const moved = await cli(['train', '--out', dir, '--resume']);
    expect([moved.status, moved.err]).toEqual([2, expect.stringMatching(/--margin-module: no file \/no\/such\/margin\.js/)]);
  });

  it.each([
    [['--loss', 'curricularface', '--m2', '0.5'], /--m2 do not apply to margin 'curricularface' \(set its parameters with --margin-params\)/],
    [['--loss', 'magface', '--margin-params', '{"la": 5, "ua": 5}'], /magface: need 0 < la < ua/],
    [['--loss', 'adaface', '--margin-params', '[1]'], /--margin-params must be a JSON object/],
    [['--loss', 'adaface', '--margin-params', '{m: 1}'], /--margin-params must be a JSON object, e.g./],
    [['--loss', 'arcface', '--margin-params', '{"m": 1}'], /--margin-params is for margins made with defineMargin; 'arcface' is built in/],
  ])('refuses %j with one line, exit 2', async (argv, message) => {
    const r = await cli(['train', ...argv, ...TINY, '--out', join(tmp(), 'bad')]);
    expect(r.status).toBe(2);
    expect(r.err).toMatch(message);
  });
});

