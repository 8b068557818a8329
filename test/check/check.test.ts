/** `arcgrad check`: emitted cases agree with the independent reference; the CLI passes, fails and rejects as documented. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CONVENTION_FIELDS, caseOptions, compareCase, computeCaseFused, defaultTolerance, emitCases, fusedHeadRefusal, parseCaseFile, type CheckCase } from '../../src/check/cases.js';
import { GpujsMarginHead } from '../../src/backend/gpujs/head.js';
import { GpujsRuntime } from '../../src/backend/gpujs/runtime.js';
import { probeWebGpu } from '../../src/backend/gpujs/webgpu-probe.js';
import { run } from '../../src/cli/main.js';
import { relativeError } from '../../src/check/tolerance.js';
import { referenceHead } from '../support/reference-head.js';
import { wellConditioned } from '../support/head-samples.js';

let out: string[] = [];
let err: string[] = [];
beforeEach(() => {
  out = [];
  err = [];
  vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
});
afterEach(() => vi.restoreAllMocks());

const webgpu = await probeWebGpu();
const dir = mkdtempSync(join(tmpdir(), 'arcgrad-check-'));
const file = (name: string, content: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};

/** The emitted cases the loop reference and the fused heads compute: without the peers' conventions (test/check/conventions.test.ts has those). */
const plain = (cases: CheckCase[]) => cases.filter((c) => CONVENTION_FIELDS.every((f) => c[f] === undefined) && c.head === undefined);
const emitted = emitCases(1).length;
const plainCount = plain(emitCases(1)).length;

describe('emitted cases', () => {
  it('hold values that the independent loop reference reproduces', () => {
    let degenerate = 0;
    for (const c of plain(emitCases(3))) {
      // The reference divides by sin θ, so it cannot evaluate a target at cos θ = 1 exactly;
      // emitCases plants such rows on purpose. There arcgrad's gradients must be finite.
      if (wellConditioned({ n: c.N, d: c.d, c: c.C, X: c.X, W: c.W })) {
        const o = caseOptions(c);
        const r = referenceHead(c.X, c.W, c.labels, c.N, c.d, c.C, {
          s: o.s, m1: o.m1!, m2: o.m2!, m3: o.m3!, gradient: o.gradient!, fallback: o.fallback!, lambda: o.lambda!, threshold: o.interclassFilteringThreshold!, eps: 1e-12,
        });
        expect(relativeError([c.loss!], [r.loss]), c.name).toBeLessThan(1e-12);
        expect(relativeError(c.dX!, r.dX), c.name).toBeLessThan(1e-10);
        expect(relativeError(c.dW!, r.dW), c.name).toBeLessThan(1e-10);
      } else {
        degenerate++;
        expect([c.loss!, ...c.dX!, ...c.dW!].every(Number.isFinite), c.name).toBe(true);
      }
    }
    expect(degenerate).toBeGreaterThan(0);
    expect(degenerate).toBeLessThan(plainCount);
  });
});

describe('arcgrad check', () => {
  it('passes its own emitted file, and the last line counts the cases', async () => {
    const path = join(dir, 'cases.json');
    expect(await run(['check', '--emit', path])).toBe(0);
    expect(await run(['check', path])).toBe(0);
    expect(out.at(-1)).toBe(`${emitted} passed, 0 failed`);
  });

  it('fails (exit 1) a case whose gradient is off by 1e-6 relative, naming it', async () => {
    const { cases } = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8'));
    cases[4].dW = cases[4].dW.map((v: number) => v * (1 + 1e-6));
    expect(await run(['check', file('bad.json', { cases })])).toBe(1);
    expect(out.find((l) => l.startsWith(cases[4].name))).toMatch(/FAIL$/);
    expect(out.at(-1)).toBe(`${emitted - 1} passed, 1 failed`);
  });

  it('checks straight-through gradients only against straight-through (the modes differ)', async () => {
    const { cases } = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8'));
    const st = cases.find((c: { name: string }) => c.name === 'arcface-straight-through');
    expect(await run(['check', file('st.json', { cases: [{ ...st, gradient: 'exact' }] })])).toBe(1);
  });

  it('float32 passes at its default tolerance; --json prints one object', async () => {
    expect(await run(['check', join(dir, 'cases.json'), '--dtype', 'float32', '--json'])).toBe(0);
    const report = JSON.parse(out.join('\n'));
    expect(report).toMatchObject({ dtype: 'float32', passed: emitted, failed: 0 });
    expect(Math.max(...report.cases.map((c: { errors: { dX: number } }) => c.errors.dX))).toBeLessThan(1e-4);
  });

  it.each([
    ['not JSON', '{"cases": [', /not valid JSON/],
    ['no cases array', { foo: 1 }, /'cases' array/],
    ['missing field', { cases: [{ name: 'a', N: 1, d: 1, C: 1, s: 64, m1: 1, m2: 0, m3: 0, X: [1], labels: [0] }] }, /case 'a': field 'W' is missing/],
    ['wrong length', { cases: [{ name: 'b', N: 1, d: 2, C: 1, s: 64, m1: 1, m2: 0, m3: 0, X: [1], W: [1, 0], labels: [0] }] }, /case 'b': field 'X' has 1 numbers, expected 2/],
    ['bad label', { cases: [{ name: 'c', N: 1, d: 1, C: 2, s: 64, m1: 1, m2: 0, m3: 0, X: [1], W: [1, 2], labels: [2] }] }, /case 'c': field 'labels' entry 0 is 2/],
    ['non-finite', { cases: [{ name: 'd', N: 1, d: 1, C: 1, s: 64, m1: 1, m2: 0, m3: 0, X: ['x'], W: [1], labels: [0] }] }, /case 'd': field 'X' has a non-finite/],
    ['bad policy', { cases: [{ name: 'e', N: 1, d: 1, C: 1, s: 64, m1: 1, m2: 0, m3: 0, X: [1], W: [1], labels: [0], fallback: 'nope' }] }, /case 'e': field 'fallback'/],
  ])('rejects %s with exit 2 and a one-line message', async (_what, content, message) => {
    expect(await run(['check', file('x.json', content)])).toBe(2);
    expect(err.join('\n')).toMatch(message);
    expect(err.join('\n')).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('rejects a missing file and unknown options with exit 2', async () => {
    expect(await run(['check', join(dir, 'nope.json')])).toBe(2);
    expect(await run(['check', '--tolerance', '1', 'x.json'])).toBe(2);
    expect(err.join('\n')).toMatch(/unknown option --tolerance/);
  });

  it('the fused head (how --backend gpu.js:webgpu computes), run here in gpu.js webasm mode, passes every emitted case in float32', async () => {
    const head = new GpujsMarginHead(new GpujsRuntime('webasm'));
    const results = [];
    for (const c of plain(emitCases(5))) results.push(compareCase(c, await computeCaseFused(c, head), defaultTolerance('float32')));
    expect(results.filter((r) => !r.pass)).toEqual([]);
    expect(results).toHaveLength(plainCount);
  });

  it('the fused head refuses exactly the cases with a peer convention, a defined margin or a binary head, naming why', () => {
    for (const c of emitCases(5)) {
      const refusal = fusedHeadRefusal(c);
      const convention = CONVENTION_FIELDS.filter((f) => c[f] !== undefined);
      if (convention.length === 0 && c.head === undefined) expect(refusal, c.name).toBeUndefined();
      else expect(refusal, c.name).toMatch(c.head !== undefined ? new RegExp(`the ${c.head} head runs on the tape backends`) : /computed by the tape's margin head only/);
    }
    expect(fusedHeadRefusal({ ...emitCases(5)[0], margin: 'magface' })).toMatch(/margin 'magface'/);
  });

  it('--backend gpu.js:webgpu without --dtype float32 exits 2 saying so', async () => {
    const path = file('gpu-dtype.json', { cases: emitCases(5).slice(0, 2) });
    expect(await run(['check', path, '--backend', 'gpu.js:webgpu'])).toBe(2);
    expect(err.join('\n')).toMatch(/computes in float32; add --dtype float32/);
  });

  // Without an adapter the command exits 2 naming what is missing: test/cli/cli.test.ts runs it
  // with no Vulkan driver, since this process's probe has already found one (or not).
  it.skipIf(!webgpu.ok)(
    `--backend gpu.js:webgpu passes every emitted case it computes on the WebGPU adapter, names it, and lists the others as skipped${webgpu.ok ? ` (${webgpu.adapter})` : ` — skipped: no WebGPU adapter: ${webgpu.reason}`}`,
    async () => {
      // The whole emitted file: the cases the fused head does not compute are listed as skipped, not failed.
      const path = file('gpu.json', { cases: emitCases(5) });
      expect(await run(['check', path, '--backend', 'gpu.js:webgpu', '--dtype', 'float32']), out.join('\n')).toBe(0);
      expect(out.join('\n')).toMatch(new RegExp(`${plainCount} cases on gpu\\.js:webgpu in float32[\\s\\S]*${plainCount} passed, 0 failed, ${emitted - plainCount} skipped$`));
      expect(out.filter((l) => / skipped: /.test(l))).toHaveLength(emitted - plainCount);
      const device = webgpu.ok ? webgpu.adapter : '';
      expect(err.join('\n')).toContain(`on WebGPU adapter ${device}${webgpu.ok && webgpu.software ? ' (software: a CPU, not a GPU)' : ''}`);
    },
  );

  it('parses optional fields with their defaults', () => {
    const [c] = parseCaseFile(JSON.stringify({ cases: [{ name: 'a', N: 1, d: 1, C: 1, s: 64, m1: 1, m2: 0, m3: 0, X: [1], W: [1], labels: [-1] }] }));
    expect(c.gradient).toBeUndefined();
    expect(c.labels).toEqual([-1]);
  });
});
