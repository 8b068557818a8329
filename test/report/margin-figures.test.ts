/**
 * docs/losses.md embeds the margin-geometry figures from docs/figures/; they must be exactly what
 * `npm run docs:figures` writes (marginGeometryFigures, the demo's Figures 1 and 2), so a change to
 * a margin or to the figure code that is not regenerated fails here.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { marginGeometryFigures, writeMarginGeometryFigures } from '../../src/report/margin-figures.js';
import { useTempDir } from '../support/temp-dir.js';

const docs = resolve(dirname(fileURLToPath(import.meta.url)), '../../docs');

describe('marginGeometryFigures', () => {
  const dir = useTempDir('arcgrad-margin-figures-');

  it('are committed under docs/figures exactly as `npm run docs:figures` writes them (rerun it after changing them)', async () => {
    const figures = await marginGeometryFigures();
    expect(figures.map((f) => f.file)).toEqual(['target-logit.svg', 'decision-boundaries.svg']);
    for (const f of figures) expect(readFileSync(join(docs, 'figures', f.file), 'utf8'), f.file).toBe(f.svg);
  });

  it('are written byte for byte, and come out the same on every run', async () => {
    const paths = await writeMarginGeometryFigures(join(dir(), 'figures'));
    const again = await marginGeometryFigures();
    expect(paths.map((p) => readFileSync(p, 'utf8'))).toEqual(again.map((f) => f.svg));
  });

  it('are embedded in docs/losses.md', () => {
    const page = readFileSync(join(docs, 'losses.md'), 'utf8');
    expect(page).toContain('](figures/target-logit.svg)');
    expect(page).toContain('](figures/decision-boundaries.svg)');
  });

  it("embeds the demo's θ_y histograms (copied from `npm start`'s out/angles-*.svg) until the glyph benchmark's replace them", () => {
    const page = readFileSync(join(docs, 'losses.md'), 'utf8');
    for (const [file, loss] of [['demo-theta-y-softmax.svg', 'Softmax'], ['demo-theta-y-arcface.svg', 'ArcFace']]) {
      expect(page).toContain(`](figures/${file})`);
      const svg = readFileSync(join(docs, 'figures', file), 'utf8');
      // what src/demo/report.ts titles its Figure 4 histograms, with the three stages of a 10-epoch run
      expect(svg).toContain(`${loss}: θ_y at the start, middle and end of training`);
      for (const stage of ['start (step 0)', 'middle (epoch 5, step 215)', 'end (epoch 10, step 430)']) expect(svg).toContain(stage);
    }
  });
});
