/**
 * The playground at any position of its sliders (s 1–64, m1 1–4, m2 0–1, m3 0–0.6, λ 0–100, every
 * fallback; the ranges of playground/index.html): every curve it draws is made of finite numbers
 * (an SVG path with NaN in it draws nothing and says nothing), and the toy trainer's steps at the
 * corners of the ranges give finite losses or a typed error — never NaN.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { marginView, type PlaygroundMargin } from '../../playground/margin-view.js';
import { PLAYGROUND_TOY, ToyTrainer } from '../../playground/toy.js';
import { FALLBACK_POLICIES } from '../../src/ops/angular-margin.js';
import { ArcgradError } from '../../src/tensor/errors.js';
import { RUN_WEIGHTS, runs } from '../support/runs.js';

const RUNS = runs(RUN_WEIGHTS.sliders);
const page = readFileSync(new URL('../../playground/index.html', import.meta.url), 'utf8');

/** A slider's [min, max, step] from the page. */
function slider(id: string): [number, number, number] {
  const m = new RegExp(`id="${id}" type="range" min="([^"]+)" max="([^"]+)" step="([^"]+)"`).exec(page);
  if (m === null) throw new Error(`no slider '${id}' in playground/index.html`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}
const position = (id: string) => {
  const [min, max, step] = slider(id);
  return fc.integer({ min: 0, max: Math.round((max - min) / step) }).map((k) => Math.min(max, min + k * step));
};
const margins: fc.Arbitrary<PlaygroundMargin> = fc.record({
  s: position('s'), m1: position('m1'), m2: position('m2'), m3: position('m3'), lambda: position('lambda'),
  fallback: fc.constantFrom(...FALLBACK_POLICIES),
});

describe('the playground at any slider position', () => {
  it('draws curves of finite numbers only', () => {
    fc.assert(
      fc.property(margins, (m) => {
        const view = marginView(m);
        for (const [name, v] of Object.entries(view)) {
          if (typeof v === 'string') expect(v, name).not.toMatch(/NaN|Infinity/);
          else expect(Number.isFinite(v), name).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('trains at the corners of the ranges: finite losses, or a typed error', () => {
    const corners = fc.record({
      s: fc.constantFrom(...slider('s').slice(0, 2)), m1: fc.constantFrom(...slider('m1').slice(0, 2)), m2: fc.constantFrom(...slider('m2').slice(0, 2)),
      m3: fc.constantFrom(...slider('m3').slice(0, 2)), lambda: fc.constantFrom(...slider('lambda').slice(0, 2)), fallback: fc.constantFrom(...FALLBACK_POLICIES),
    });
    fc.assert(
      fc.property(corners, (margin) => {
        const t = new ToyTrainer({ ...PLAYGROUND_TOY, margin });
        try {
          for (let k = 0; k < 3; k++) t.step();
        } catch (e) {
          expect(e).toBeInstanceOf(ArcgradError);
          return;
        }
        expect(t.losses.every(Number.isFinite)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});
