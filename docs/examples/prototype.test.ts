/** docs/prototype-your-own-margin.md: its code runs, and every number it shows is what docs/examples/prototype.ts computes. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleMargins, magFace, valueAndGrad, type Tensor } from '../../src/index.js';
import * as ex from './prototype.js';
import { codeBlocks, exp, fixed, page, shows as showsOn, tsBlocksNotFromExamples } from './pages.js';

const doc = page('prototype-your-own-margin.md');
const shows = showsOn(doc);
const text = codeBlocks(doc, 'text');

describe('docs/prototype-your-own-margin.md', () => {
  it('shows only code that is in docs/examples', () => {
    expect(tsBlocksNotFromExamples(doc)).toEqual([]);
  });

  it('§2: the page\'s margin is the library\'s MagFace example (loss, dX, dW to 1e-12)', () => {
    const { x, w, labels } = ex.problem();
    const run = (loss: (a: Tensor, b: Tensor) => Tensor) => {
      const { value, grads } = valueAndGrad(loss)(x, w);
      return [value.item(), ...grads[0].toTypedArray(), ...grads[1].toTypedArray()];
    };
    const mine = run((a, b) => ex.myMagFace.head().loss(a, b, labels));
    const shipped = run((a, b) => magFace.head().loss(a, b, labels));
    const scale = Math.max(...shipped.map(Math.abs));
    mine.forEach((v, i) => expect(Math.abs(v - shipped[i])).toBeLessThan(1e-12 * scale));
    // The problem's norms lie inside [l_a, u_a], so ‖x‖ does get gradient.
    const values = Array.from(x.toTypedArray());
    for (let i = 0; i < x.shape[0]; i++) expect(Math.hypot(...values.slice(i * 8, i * 8 + 8))).toBeGreaterThan(10);
  });

  it('§3: the figure\'s values at θ = π/4, π/2, 3π/4 for a = 10, 60, 110, and its SVG', async () => {
    const { curves } = await ex.figure(5);
    expect(curves.map((c) => c.name)).toEqual(['a = 10', 'a = 60', 'a = 110']);
    for (const c of curves) {
      const row = `| ${c.name} | ${[1, 2, 3].map((k) => fixed(c.value[k], 4)).join(' | ')} |`;
      expect(doc).toContain(row);
    }
    expect(curves[0].value[2]).toBeCloseTo(Math.cos(Math.PI / 2 + 0.45), 14);
    const dir = mkdtempSync(join(tmpdir(), 'arcgrad-figure-'));
    await ex.writeFigure(join(dir, 'my-magface.svg'));
    expect(readFileSync(join(dir, 'my-magface.svg'), 'utf8')).toMatch(/<svg[\s\S]*a = 110[\s\S]*<\/svg>/);
  });

  it('§4: the gradient check numbers', () => {
    const r = ex.checkGradients();
    expect(r.ok).toBe(true);
    expect(r.inputs.map((i) => i.checked)).toEqual([32, 40]);
    for (const i of r.inputs) expect(i.maxAbsError).toBeLessThan(1e-8); // the page: "the absolute error, below 10⁻⁸"
    shows(`X: ${r.inputs[0].checked} elements, worst relative error ${exp(r.inputs[0].maxRelError, 1)}`, 'X: 32 elements, worst relative error 2.7e-7');
    shows(`W: ${r.inputs[1].checked} elements, worst relative error ${exp(r.inputs[1].maxRelError, 1)}`, 'W: 40 elements, worst relative error 1.9e-6');
  });

  it('§4: arcgrad check of an emitted my-magface case passes on the CPU and on gpu.js, with the errors shown', async () => {
    const r = await ex.checkCases();
    expect(r.status).toEqual([0, 0, 0]);
    expect(r.emit).toMatch(/wrote 1 cases/);
    expect(text.join('\n')).toContain(r.cpu);
    // gpu.js computes in float32: the page shows its errors to one digit, and they must stay below the tolerance.
    const row = r.gpu.split('\n').find((l) => l.startsWith('my-magface'))!;
    const errors = row.trim().split(/\s+/).slice(2, 5).map(Number);
    for (const e of errors) expect(e).toBeLessThan(1e-5);
    expect(doc).toContain(`(rel loss ${exp(errors[0], 0)}, rel dX ${exp(errors[1], 0)}, rel dW ${exp(errors[2], 0)})`);
  }, 60_000);

  it('§5: the training run and its evaluation', async () => {
    const r = await ex.trainAndEvaluate();
    expect(r.status).toEqual([0, 0]);
    expect(r.train).toContain('train: my-magface s=30 la=2.5 ua=27.5 lm=0.45 um=0.8 lambdaG=35; MLP 196 → 128 → 32; 10 epochs; seed 0');
    expect(doc).toContain('train: my-magface s=30 la=2.5 ua=27.5 lm=0.45 um=0.8 lambdaG=35; MLP 196 → 128 → 32; 10 epochs; seed 0');
    const pct = (v: number) => `${(100 * v).toFixed(2)} %`;
    shows(`verification ${pct(r.eval.verificationAccuracy)}, closed-set ${pct(r.eval.closedSetAccuracy)}`, 'verification 66.67 %, closed-set 90.48 %');
  }, 60_000);

  it('§6: lists where each example\'s reference code differs from its paper, as the margins record it', () => {
    for (const margin of Object.values(exampleMargins)) {
      for (const d of margin.reference?.differences ?? []) expect(doc, margin.name).toContain(d);
      if (margin.reference) expect(doc).toContain(`\`${JSON.stringify(margin.reference.overrides).replace(/"(\w+)":/g, '$1: ').replace(/,/g, ', ').replace(/\{/, '{ ').replace(/\}$/, ' }')}\``);
    }
  });
});
