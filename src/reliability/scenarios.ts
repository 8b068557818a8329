/**
 * The inputs tried and the faults injected for docs/reliability.md: one deterministic scenario per
 * row, each run for real by `arcgrad reliability` — through the library, the optimizer, the
 * checkpoint files, the CLI (in this process) and the gpu.js backend with a fake GPU — and its
 * outcome compared with the one expected: a correct value, a typed error, a documented exit
 * status, or a reported fallback. The property tests (test/**\/fuzz*.test.ts and others) draw
 * thousands of such inputs at random; these rows are the representatives a reader can check.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { Backend } from '../backend/backend.js';
import { cpu } from '../backend/cpu.js';
import { fakeSeam, type Faults } from '../backend/gpujs/fake-gpu.js';
import { injectGpu } from '../backend/gpujs/runtime.js';
import { selectBackend } from '../backend/select.js';
import { arcface, combinedMargin, cosface, normface, sphereface, type MarginLossHead } from '../losses/presets.js';
import type { MarginOptions } from '../losses/options.js';
import { defineMargin } from '../losses/define-margin.js';
import { adaFace } from '../margins/adaface.js';
import { adam } from '../optim/adam.js';
import { sgd } from '../optim/sgd.js';
import { valueAndGrad } from '../tape/grad.js';
import { tensor } from '../tensor/create.js';
import type { DType } from '../tensor/dtype.js';
import { ArcgradError } from '../tensor/errors.js';
import { Random } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { decodeCheckpoint, loadCheckpoint, saveCheckpoint } from '../train/checkpoint.js';
import { capture } from './capture.js';

/** What a scenario may end in. */
export type OutcomeKind = 'value' | 'wrong value' | 'typed error' | 'crash' | 'exit 0' | 'exit 1' | 'exit 2' | 'fallback reported';

/** What happened, in one line. */
export interface Outcome {
  /** The class of outcome, compared with the scenario's expectation. */
  kind: OutcomeKind;
  /** The value, the error's class and message, or the command's last line. */
  text: string;
}

/** What a scenario needs: the CLI (injected: this module sits below it) and a scratch folder. */
export interface ScenarioContext {
  /** src/cli/main.ts's `run`. */
  cli: (argv: string[]) => Promise<number>;
  /** A scratch folder, removed afterwards. */
  dir: string;
}

/** One row of the table. */
export interface Scenario {
  /** What is exercised: 'loss', 'optimizer', 'arcgrad check', 'GPU faults', … */
  area: string;
  /** The input tried or the fault injected. */
  input: string;
  /** The outcome that is correct. */
  expected: OutcomeKind;
  /** Runs it. */
  run(ctx: ScenarioContext): Promise<Outcome> | Outcome;
}

// ─── outcome helpers ─────────────────────────────────────────────────────────────────────────

const g4 = (v: number) => Number(v.toPrecision(6)).toString();

/** The outcome of `f`: its thrown error classified, or what `describe` says of its value. */
function outcomeOf<T>(f: () => T, describe: (v: T) => Outcome): Outcome {
  let v: T;
  try {
    v = f();
  } catch (e) {
    if (e instanceof ArcgradError) return { kind: 'typed error', text: `${e.name}: ${e.message}` };
    return { kind: 'crash', text: `${(e as Error).name}: ${(e as Error).message}` };
  }
  return describe(v);
}

/** A loss and its gradients, described: finite and passing `check`, or a wrong value. */
function lossValue(r: { loss: number; grads: number[] }, check: (loss: number, grads: number[]) => string | null = () => null): Outcome {
  if (!Number.isFinite(r.loss) || !r.grads.every(Number.isFinite)) return { kind: 'wrong value', text: `loss ${r.loss}, gradients not finite` };
  const wrong = check(r.loss, r.grads);
  const maxGrad = Math.max(...r.grads.map(Math.abs));
  const text = `loss ${g4(r.loss)}, gradients finite (largest ${g4(maxGrad)})`;
  return wrong === null ? { kind: 'value', text } : { kind: 'wrong value', text: `${text}: ${wrong}` };
}

/** Loss and gradients (X and W) of `head` on the given rows. */
function headRun(head: MarginLossHead, X: number[][], W: number[][], labels: unknown, dtype: DType = 'float64', be: Backend = cpu): { loss: number; grads: number[] } {
  const x = be.fromArray(X.flat(), [X.length, X[0]?.length ?? 0], dtype);
  const w = be.fromArray(W.flat(), [W.length, W[0]?.length ?? 0], dtype);
  const { value, grads } = valueAndGrad((a: Tensor, b: Tensor) => head.loss(a, b, labels as number[]))(x, w);
  return { loss: value.item(), grads: [...grads[0].toArray(), ...grads[1].toArray()] };
}

/** The last line a command printed (stderr for exit 2, stdout otherwise), with its exit status. */
async function exitOf(ctx: ScenarioContext, argv: string[]): Promise<Outcome> {
  const r = await capture(() => ctx.cli(argv));
  if (r.status instanceof Error) return { kind: 'crash', text: `${r.status.name}: ${r.status.message}` };
  const lines = (r.status === 2 ? r.err : r.out).trim().split('\n');
  if (r.status === 2 && /\n\s+at /.test(r.err)) return { kind: 'crash', text: 'a stack trace' };
  return { kind: `exit ${r.status}` as OutcomeKind, text: lines[lines.length - 1] };
}

// ─── fixed inputs ────────────────────────────────────────────────────────────────────────────

const W3 = [[1, 0, 0, 0], [0, 1, 0, 0], [0.6, 0.8, 0, 0]];
const X2 = [[0.3, 0.9, 0.2, -0.1], [0.8, -0.2, 0.4, 0.1]];
const at = (row: number[], k: number) => row.map((v) => v * k);

function poisoned(values: number[], shape?: number[]): Tensor {
  return tensor(values, shape, { allowNonFinite: true });
}

/** A run folder to damage: a tiny ArcFace run stopped at step 3, and a CosFace one of the same shapes. */
const runs = new WeakMap<ScenarioContext, Promise<{ base: string; otherCheckpoint: string }>>();
function tinyRuns(ctx: ScenarioContext): Promise<{ base: string; otherCheckpoint: string }> {
  let p = runs.get(ctx);
  if (p === undefined) {
    p = (async () => {
      const tiny = ['--per-digit', '20', '--hidden', '16', '--embedding', '8', '--epochs', '2', '--batch-size', '16', '--pairs', '40', '--stop-after', '3'];
      const base = join(ctx.dir, 'run');
      const other = join(ctx.dir, 'other');
      for (const [out, loss] of [[base, 'arcface'], [other, 'cosface']]) {
        const r = await capture(() => ctx.cli(['train', ...tiny, '--loss', loss, '--out', out]));
        if (r.status !== 0) throw new Error(`reliability: could not train the tiny run (${String(r.status)}): ${r.err}`);
      }
      return { base, otherCheckpoint: join(other, 'checkpoint.json') };
    })();
    runs.set(ctx, p);
  }
  return p;
}

let copies = 0;
/** A copy of the tiny run with one of its files replaced by `text(original)`; returns the folder. */
async function damagedRun(ctx: ScenarioContext, file: 'checkpoint.json' | 'run.json', text: (original: string) => string): Promise<string> {
  const { base } = await tinyRuns(ctx);
  const dir = join(ctx.dir, `damaged-${copies++}`);
  mkdirSync(dir);
  for (const f of ['checkpoint.json', 'run.json']) copyFileSync(join(base, f), join(dir, f));
  writeFileSync(join(dir, file), text(readFileSync(join(base, file), 'utf8')));
  return dir;
}

/** A checkpoint text with its body changed and its checksum recomputed (a consistent edit). */
function reEdited(text: string, edit: (body: Record<string, Record<string, Record<string, string>>>) => void): string {
  const file = JSON.parse(text);
  edit(file.body);
  const body = JSON.stringify(file.body);
  return `{"format":"arcgrad-checkpoint","version":1,"sha256":"${createHash('sha256').update(body).digest('hex')}","body":${body}}`;
}

/** Both commands on a damaged run: eval and train --resume, as one outcome (the worse of the two). */
async function evalAndResume(ctx: ScenarioContext, dir: string): Promise<Outcome> {
  const before = readFileSync(join(dir, 'checkpoint.json'), 'utf8');
  const evaluated = await exitOf(ctx, ['eval', dir]);
  const resumed = await exitOf(ctx, ['train', '--out', dir, '--resume']);
  if (resumed.kind === 'exit 2' && readFileSync(join(dir, 'checkpoint.json'), 'utf8') !== before) {
    return { kind: 'wrong value', text: 'a refused resume changed the checkpoint' };
  }
  if (evaluated.kind !== resumed.kind) return { kind: 'wrong value', text: `eval: ${evaluated.kind}, train --resume: ${resumed.kind}` };
  const text = evaluated.text === resumed.text.replace(/^arcgrad train: (train: )?/, 'arcgrad eval: ') ? evaluated.text : `${evaluated.text} / ${resumed.text}`;
  return { kind: evaluated.kind, text };
}

/** The case file `arcgrad check --emit` writes (once per context). */
const caseFiles = new WeakMap<ScenarioContext, Promise<string>>();
function emittedCases(ctx: ScenarioContext): Promise<string> {
  let p = caseFiles.get(ctx);
  if (p === undefined) {
    p = (async () => {
      const path = join(ctx.dir, 'cases.json');
      const r = await capture(() => ctx.cli(['check', '--emit', path]));
      if (r.status !== 0) throw new Error(`reliability: check --emit failed: ${r.err}`);
      return readFileSync(path, 'utf8');
    })();
    caseFiles.set(ctx, p);
  }
  return p;
}

let checkFiles = 0;
async function checkWith(ctx: ScenarioContext, edit: (text: string) => string, ...extra: string[]): Promise<Outcome> {
  const path = join(ctx.dir, `check-${checkFiles++}.json`);
  writeFileSync(path, edit(await emittedCases(ctx)));
  return exitOf(ctx, ['check', path, ...extra]);
}

/** Runs `f` with a fake GPU (fake-gpu.ts) installed through the runtime's test seam. */
async function withFakeGpu<T>(faults: Faults, options: Parameters<typeof fakeSeam>[1], f: () => Promise<T>): Promise<T> {
  const restore = injectGpu(fakeSeam(faults, options));
  try {
    return await f();
  } finally {
    restore();
  }
}

/** One SGD step of an ArcFace head on `be`, read back. */
function gpuTrainingStep(be: Backend): number[] {
  const rng = new Random(3);
  const normal = (n: number) => Array.from({ length: n }, () => rng.normal());
  const x = be.fromArray(normal(20), [4, 5], 'float32');
  const w = be.fromArray(normal(30), [6, 5], 'float32');
  const { value, grads } = valueAndGrad((a: Tensor, b: Tensor) => arcface().loss(a, b, [0, 3, -1, 5]))(x, w);
  const opt = sgd({ lr: 0.1, momentum: 0.9 });
  const { params } = opt.step({ w }, { w: grads[1] }, opt.init({ w }));
  return [value.item(), ...params.w.toArray()];
}

// ─── the scenarios ───────────────────────────────────────────────────────────────────────────

const lossScenarios: Scenario[] = [
  {
    area: 'loss', input: 'ArcFace, cos θ_y = 1 exactly (x = 2·w_y), float32', expected: 'value',
    run: () => outcomeOf(() => headRun(arcface(), [at(W3[2], 2), X2[1]], W3, [2, 0], 'float32'), (r) => lossValue(r)),
  },
  {
    area: 'loss', input: "SphereFace ψ, s = 128, cos θ_y = −1 exactly, float32", expected: 'value',
    run: () => outcomeOf(() => headRun(sphereface({ s: 128 }), [at(W3[0], -3), X2[1]], W3, [0, 1], 'float32'), (r) => lossValue(r)),
  },
  {
    area: 'loss', input: 'CosFace, s = 1024, cos θ_y = −1 exactly, float32', expected: 'value',
    run: () => outcomeOf(() => headRun(cosface({ s: 1024 }), [at(W3[1], -1), X2[1]], W3, [1, 2], 'float32'), (r) => lossValue(r)),
  },
  {
    area: 'loss', input: 'a zero feature row (normalizing a zero vector)', expected: 'value',
    run: () => outcomeOf(() => headRun(arcface(), [[0, 0, 0, 0], X2[1]], W3, [0, 1]), (r) => lossValue(r)),
  },
  {
    area: 'loss', input: 'features of norm 1e200 (float64) and 1e30 (float32): ‖x‖² overflows', expected: 'value',
    run: () =>
      outcomeOf(
        () => [headRun(normface(), X2, W3, [0, 2]), headRun(normface(), X2.map((r) => at(r, 1e200)), W3, [0, 2]), headRun(normface(), X2.map((r) => at(r, 1e30)), W3, [0, 2], 'float32')],
        ([plain, big, big32]) =>
          lossValue(big, (loss) => (Math.abs(loss - plain.loss) <= 1e-12 * plain.loss && Math.abs(big32.loss - plain.loss) <= 1e-5 * plain.loss ? null : `differs from ${plain.loss} at norm 1`)),
      ),
  },
  {
    area: 'loss', input: 'C = 1 (one class)', expected: 'value',
    run: () => outcomeOf(() => headRun(arcface(), X2, [W3[0]], [0, 0]), (r) => lossValue(r, (l, g) => (l === 0 && g.every((v) => v === 0) ? null : 'not 0'))),
  },
  {
    area: 'loss', input: 'every label −1 (every row ignored)', expected: 'value',
    run: () => outcomeOf(() => headRun(arcface(), X2, W3, [-1, -1]), (r) => lossValue(r, (l, g) => (l === 0 && g.every((v) => v === 0) ? null : 'not 0'))),
  },
  ...([
    ['label 0.5 (not an integer)', [0.5, 1]],
    ['label 3 with C = 3 (out of range)', [3, 1]],
    ['label −2', [-2, 1]],
    ['label NaN', [Number.NaN, 1]],
    ["label '0' (a string)", ['0', 1]],
    ['3 labels for 2 rows', [0, 1, 2]],
    ['labels null', null],
  ] as const).map(([input, labels]): Scenario => ({
    area: 'loss', input, expected: 'typed error', run: () => outcomeOf(() => headRun(arcface(), X2, W3, labels), (r) => lossValue(r)),
  })),
  {
    area: 'loss', input: 'NaN in the features', expected: 'typed error',
    run: () => outcomeOf(() => arcface().loss(poisoned([0.1, Number.NaN, 0, 0], [1, 4]), tensor(W3), [0]).item(), (v) => ({ kind: 'value', text: String(v) })),
  },
  {
    area: 'loss', input: '+Inf in the class centers', expected: 'typed error',
    run: () => outcomeOf(() => arcface().loss(tensor(X2), poisoned([1, 0, 0, Infinity, ...W3.slice(1).flat()], [3, 4]), [0, 1]).item(), (v) => ({ kind: 'value', text: String(v) })),
  },
  {
    area: 'loss', input: 'features that are not a tensor (null)', expected: 'typed error',
    run: () => outcomeOf(() => arcface().loss(null as unknown as Tensor, tensor(W3), [0]).item(), (v) => ({ kind: 'value', text: String(v) })),
  },
  {
    area: 'loss', input: 'X [2,4] with W [3,5]', expected: 'typed error',
    run: () => outcomeOf(() => arcface().loss(tensor(X2), tensor(W3.map((r) => [...r, 0])), [0, 1]).item(), (v) => ({ kind: 'value', text: String(v) })),
  },
  {
    area: 'loss', input: 'no rows: X [0,4]', expected: 'typed error',
    run: () => outcomeOf(() => arcface().loss(cpu.fill([0, 4], 0, 'float64'), tensor(W3), []).item(), (v) => ({ kind: 'value', text: String(v) })),
  },
  {
    area: 'loss', input: 'X float32 with W float64', expected: 'typed error',
    run: () => outcomeOf(() => arcface().loss(tensor(X2, undefined, { dtype: 'float32' }), tensor(W3), [0, 1]).item(), (v) => ({ kind: 'value', text: String(v) })),
  },
  ...([
    ['s = 0', { s: 0 }],
    ['s = NaN', { s: Number.NaN }],
    ["fallback 'sometimes'", { s: 64, fallback: 'sometimes' as never }],
  ] as const).map(([input, o]): Scenario => ({
    area: 'loss', input, expected: 'typed error', run: () => outcomeOf(() => combinedMargin(o as MarginOptions), () => ({ kind: 'value', text: 'accepted' })),
  })),
  {
    area: 'loss', input: 'm3 = 1e308 (the logits overflow)', expected: 'typed error',
    run: () => outcomeOf(() => headRun(combinedMargin({ s: 64, m3: 1e308 }), X2, W3, [0, 1]), (r) => lossValue(r)),
  },
];

const definedMarginScenarios: Scenario[] = [
  {
    area: 'defineMargin', input: "a user's margin whose targetLogit hook returns a number, not a tensor", expected: 'typed error',
    run: () => {
      const margin = defineMargin({ name: 'returns-a-number', citation: 'none', defaults: { s: 64 }, targetLogit: () => 3 as unknown as Tensor });
      return outcomeOf(() => margin.head().loss(tensor(X2), tensor(W3), [0, 1]).item(), (v) => ({ kind: 'value', text: String(v) }));
    },
  },
  {
    area: 'defineMargin', input: 'AdaFace with s = 1.5e308: the logits overflow after its running statistics were updated', expected: 'typed error',
    run: () => {
      const head = adaFace.head({ s: 1.5e308 });
      const before = JSON.stringify(head.saveState());
      const out = outcomeOf(() => head.loss(tensor([at(W3[0], -1), W3[1]]), tensor(W3), [0, 0]).item(), (v) => ({ kind: 'value' as const, text: String(v) }));
      if (JSON.stringify(head.saveState()) !== before) return { kind: 'wrong value', text: `${out.text}; the running statistics moved` };
      return out.kind === 'typed error' ? { ...out, text: `${out.text} (running statistics unchanged)` } : out;
    },
  },
];

const optimizerScenarios: Scenario[] = [
  ...([
    ['sgd (momentum 0.9)', () => sgd({ lr: 0.1, momentum: 0.9 }), Number.NaN, 0.1],
    ['adam', () => adam({ lr: 0.01 }), Infinity, 0.01],
    ['sgd, an update that overflows (lr 1e300, gradient 1e10)', () => sgd({ lr: 1e300 }), 1e10, 1e300],
  ] as const).map(([what, make, bad, lr]): Scenario => ({
    area: 'optimizer',
    input: `${what}: ${Number.isFinite(bad) ? '' : `${bad} in the last of 3 gradients, `}after 2 good steps`,
    expected: 'typed error',
    run: () => {
      const opt = make();
      let params: Record<string, Tensor> = { a: tensor([1, 2]), b: tensor([[3, 4]]), c: tensor([5]) };
      let state = opt.init(params);
      for (let k = 0; k < 2; k++) ({ params, state } = opt.step(params, { a: tensor([0.1, 0.2]), b: tensor([[0.3, 0.4]]), c: tensor([0.5]) }, state));
      const snapshot = () => JSON.stringify([params, state].map((r) => Object.entries(r).map(([k, t]) => [k, t.id, t.toArray()])));
      const before = snapshot();
      const out = outcomeOf(() => opt.step(params, { a: tensor([0.1, 0.2]), b: tensor([[0.3, 0.4]]), c: poisoned([bad]) }, state, { lr }), () => ({ kind: 'value' as const, text: 'stepped' }));
      if (snapshot() !== before) return { kind: 'wrong value', text: 'params or state changed' };
      return out.kind === 'typed error' ? { ...out, text: `${out.text} (params and state unchanged)` } : out;
    },
  })),
  {
    area: 'optimizer', input: 'optimizer state of another model', expected: 'typed error',
    run: () => {
      const opt = adam();
      return outcomeOf(() => opt.step({ a: tensor([1, 2]) }, { a: tensor([1, 1]) }, opt.init({ b: tensor([1]) })), () => ({ kind: 'value', text: 'stepped' }));
    },
  },
];

const checkpointScenarios: Scenario[] = [
  {
    area: 'checkpoint', input: 'saving NaN parameters over a good checkpoint', expected: 'typed error',
    run: (ctx) => {
      const path = join(ctx.dir, 'nan.ckpt');
      const good = { step: 1, params: { w: tensor([1, 2]) }, state: {}, optState: {}, rng: null, config: null };
      saveCheckpoint(path, good);
      const out = outcomeOf(() => saveCheckpoint(path, { ...good, step: 2, params: { w: poisoned([Number.NaN, 2]) } }), () => ({ kind: 'value' as const, text: 'saved' }));
      return loadCheckpoint(path).step === 1 ? { ...out, text: `${out.text.replace(ctx.dir, '<dir>')}` } : { kind: 'wrong value', text: 'the previous checkpoint was replaced' };
    },
  },
  {
    area: 'checkpoint', input: 'decoding a checkpoint truncated to half its length', expected: 'typed error',
    run: () => {
      const text = JSON.stringify({ format: 'arcgrad-checkpoint', version: 1, sha256: '0', body: { step: 0 } });
      return outcomeOf(() => decodeCheckpoint(text.slice(0, text.length / 2), 'half.ckpt'), () => ({ kind: 'value', text: 'decoded' }));
    },
  },
];

const checkScenarios: Scenario[] = [
  { area: 'arcgrad check', input: 'the file `check --emit` writes', expected: 'exit 0', run: (ctx) => checkWith(ctx, (t) => t) },
  { area: 'arcgrad check', input: 'that file truncated to 1000 characters', expected: 'exit 2', run: (ctx) => checkWith(ctx, (t) => t.slice(0, 1000)) },
  { area: 'arcgrad check', input: 'an empty file', expected: 'exit 2', run: (ctx) => checkWith(ctx, () => '') },
  { area: 'arcgrad check', input: 'a JSON array instead of {"cases": …}', expected: 'exit 2', run: (ctx) => checkWith(ctx, () => '[]') },
  { area: 'arcgrad check', input: "a case without 'W'", expected: 'exit 2', run: (ctx) => checkWith(ctx, (t) => JSON.stringify({ cases: [{ ...JSON.parse(t).cases[0], W: undefined }] })) },
  { area: 'arcgrad check', input: 'NaN in the inputs X', expected: 'exit 2', run: (ctx) => checkWith(ctx, (t) => t.replace(/"X": \[\n?\s*[^,]+/, '"X": [NaN')) },
  {
    area: 'arcgrad check', input: "NaN in the implementation's dX (as Python's json.dump writes it)", expected: 'exit 1',
    run: (ctx) => checkWith(ctx, (t) => t.replace(/"dX": \[\n?\s*[^,]+/, '"dX": [NaN')),
  },
  {
    area: 'arcgrad check', input: "the implementation's dW off by 1e-6 relative in one case", expected: 'exit 1',
    run: (ctx) => checkWith(ctx, (t) => { const f = JSON.parse(t); f.cases[4].dW = f.cases[4].dW.map((v: number) => v * (1 + 1e-6)); return JSON.stringify(f); }),
  },
  { area: 'arcgrad check', input: 'a byte-order mark before the JSON', expected: 'exit 0', run: (ctx) => checkWith(ctx, (t) => `\uFEFF${t}`) },
  { area: 'arcgrad check', input: 's = 0 in a case', expected: 'exit 2', run: (ctx) => checkWith(ctx, (t) => t.replace('"s": 64', '"s": 0')) },
  { area: 'arcgrad check', input: '--tol −1', expected: 'exit 2', run: (ctx) => checkWith(ctx, (t) => t, '--tol', '-1') },
  { area: 'arcgrad check', input: '--emit into a folder that does not exist', expected: 'exit 2', run: async (ctx) => withDir(ctx, await exitOf(ctx, ['check', '--emit', join(ctx.dir, 'missing', 'x.json')])) },
];

function withDir(ctx: ScenarioContext, o: Outcome): Outcome {
  return { ...o, text: o.text.split(ctx.dir).join('<dir>') };
}

const runFolderScenarios: Scenario[] = [
  { area: 'eval, train --resume', input: 'checkpoint.json truncated to 1000 characters', expected: 'exit 2', run: async (ctx) => withDir(ctx, await evalAndResume(ctx, await damagedRun(ctx, 'checkpoint.json', (t) => t.slice(0, 1000)))) },
  {
    area: 'eval, train --resume', input: 'checkpoint.json with one character of the data changed', expected: 'exit 2',
    run: async (ctx) => withDir(ctx, await evalAndResume(ctx, await damagedRun(ctx, 'checkpoint.json', (t) => { const i = t.indexOf('"data":"') + 20; return t.slice(0, i) + (t[i] === 'A' ? 'B' : 'A') + t.slice(i + 1); }))),
  },
  { area: 'eval, train --resume', input: 'a foreign JSON file as checkpoint.json', expected: 'exit 2', run: async (ctx) => withDir(ctx, await evalAndResume(ctx, await damagedRun(ctx, 'checkpoint.json', () => '{"model": "resnet50", "epoch": 3}'))) },
  { area: 'eval, train --resume', input: 'a checkpoint of version 2', expected: 'exit 2', run: async (ctx) => withDir(ctx, await evalAndResume(ctx, await damagedRun(ctx, 'checkpoint.json', (t) => t.replace('"version":1', '"version":2')))) },
  {
    area: 'eval, train --resume', input: "another run's checkpoint (CosFace, same shapes) in an ArcFace run", expected: 'exit 2',
    run: async (ctx) => { const { otherCheckpoint } = await tinyRuns(ctx); return withDir(ctx, await evalAndResume(ctx, await damagedRun(ctx, 'checkpoint.json', () => readFileSync(otherCheckpoint, 'utf8')))); },
  },
  {
    area: 'eval, train --resume', input: 'a NaN parameter, checksum recomputed', expected: 'exit 2',
    run: async (ctx) => withDir(ctx, await evalAndResume(ctx, await damagedRun(ctx, 'checkpoint.json', (t) => reEdited(t, (b) => { const buf = Buffer.from(b.params['head.w'].data, 'base64'); buf.writeDoubleLE(Number.NaN, 0); b.params['head.w'].data = buf.toString('base64'); })))),
  },
  {
    area: 'eval, train --resume', input: 'a parameter reshaped, checksum recomputed', expected: 'exit 2',
    run: async (ctx) => withDir(ctx, await evalAndResume(ctx, await damagedRun(ctx, 'checkpoint.json', (t) => reEdited(t, (b) => { (b.params['head.w'] as unknown as { shape: number[] }).shape = [1, 56]; })))),
  },
  { area: 'eval, train --resume', input: "run.json without its 'data' section", expected: 'exit 2', run: async (ctx) => withDir(ctx, await evalAndResume(ctx, await damagedRun(ctx, 'run.json', (t) => JSON.stringify({ ...JSON.parse(t), data: undefined })))) },
  { area: 'eval, train --resume', input: 'run.json naming an unknown loss', expected: 'exit 2', run: async (ctx) => withDir(ctx, await evalAndResume(ctx, await damagedRun(ctx, 'run.json', (t) => JSON.stringify({ ...JSON.parse(t), loss: { name: 'tripletface' } })))) },
];

const gpuScenarios: Scenario[] = [
  {
    area: 'GPU faults', input: 'no adapter: --backend gpu.js:headlessgl', expected: 'typed error',
    run: () => withFakeGpu({}, { unavailable: 'no GL context (injected)' }, async () => {
      try {
        await selectBackend('gpu.js:headlessgl');
        return { kind: 'value', text: 'selected' };
      } catch (e) {
        return outcomeOf(() => { throw e; }, () => ({ kind: 'value', text: '' }));
      }
    }),
  },
  {
    area: 'GPU faults', input: "no adapter: --backend auto", expected: 'fallback reported',
    run: () => withFakeGpu({}, { unavailable: 'no GL context (injected)' }, async () => {
      const { backend, reason } = await selectBackend('auto');
      return backend === cpu ? { kind: 'fallback reported', text: reason } : { kind: 'wrong value', text: `chose ${backend.name}` };
    }),
  },
  {
    area: 'GPU faults', input: 'the GPU cannot be created (context creation fails): --backend auto', expected: 'fallback reported',
    run: () => withFakeGpu({}, { createFails: 'Error creating WebGL context (injected)' }, async () => {
      const { backend, reason } = await selectBackend('auto');
      return backend === cpu ? { kind: 'fallback reported', text: reason } : { kind: 'wrong value', text: `chose ${backend.name}` };
    }),
  },
  ...([
    ['the device lost after kernel run 10 of a training step (a lost context reads back zeros)', { loseAfterRuns: 10 }],
    ['the device lost during the 3rd read back of a training step', { loseOnRead: 3 }],
    ['the margin kernel fails to compile', { failCompile: (s: string) => s.includes('angularMarginValue') }],
  ] as const).map(([input, faults]): Scenario => ({
    area: 'GPU faults', input, expected: 'typed error',
    run: () => withFakeGpu(faults, {}, async () => {
      const { backend } = await selectBackend('gpu.js:headlessgl');
      return outcomeOf(() => gpuTrainingStep(backend), (v) => ({ kind: 'wrong value', text: `returned numbers (loss ${v[0]})` }));
    }),
  })),
  {
    area: 'GPU faults', input: '`arcgrad check --backend gpu.js:headlessgl --dtype float32` with the device lost mid-run', expected: 'exit 2',
    run: async (ctx) => {
      await emittedCases(ctx);
      return withFakeGpu({ loseAfterRuns: 200 }, {}, async () => exitOf(ctx, ['check', join(ctx.dir, 'cases.json'), '--backend', 'gpu.js:headlessgl', '--dtype', 'float32']));
    },
  },
];

/** Every scenario, in the order of the table. */
export const SCENARIOS: readonly Scenario[] = [...lossScenarios, ...definedMarginScenarios, ...optimizerScenarios, ...checkpointScenarios, ...checkScenarios, ...runFolderScenarios, ...gpuScenarios];

/** A scenario's outcome and whether it is the expected one. */
export interface ScenarioResult {
  /** The scenario. */
  scenario: Scenario;
  /** What happened. */
  outcome: Outcome;
  /** outcome.kind is scenario.expected. */
  ok: boolean;
}

/** Shortens an outcome for the table: no JSON.parse detail (it varies across Node versions), one line. */
function tidy(text: string): string {
  const one = text.replace(/\s*\n\s*/g, ' ').replace(/not valid JSON \((?:[^()]|\([^()]*\))*\)/, 'not valid JSON (…)');
  return one.length > 180 ? `${one.slice(0, 179)}…` : one;
}

/** Runs every scenario in order. */
export async function runScenarios(ctx: ScenarioContext, scenarios: readonly Scenario[] = SCENARIOS): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) {
    let outcome: Outcome;
    try {
      outcome = await scenario.run(ctx);
    } catch (e) {
      outcome = { kind: 'crash', text: `${(e as Error).name}: ${(e as Error).message}` };
    }
    outcome = { ...outcome, text: tidy(outcome.text.split(ctx.dir).join('<dir>')) };
    results.push({ scenario, outcome, ok: outcome.kind === scenario.expected });
  }
  return results;
}
