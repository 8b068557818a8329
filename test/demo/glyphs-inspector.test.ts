/**
 * `trainGlyphsRun`'s inspector (src/demo/glyphs.ts `GlyphsRunInspector`): a snapshot of the model at
 * every epoch end, read back from the loop's checkpoint, without changing the run. On a tiny
 * synthetic data set (random bytes, 12 characters × 4 fonts of 4×4 pixels), on the CPU backend.
 */
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { GlyphsData } from '../../src/data/glyphs.js';
import { GLYPHS_SETTINGS, glyphsRunJson, glyphsSets, trainGlyphsRun, type GlyphsEpochSnapshot, type GlyphsSettings } from '../../src/demo/glyphs.js';
import { targetAngles } from '../../src/demo/experiment.js';
import { Random } from '../../src/tensor/random.js';

const fonts = 4;
const characters = 12;
const size = 4;
const rng = new Random(3);
const data: GlyphsData = {
  manifest: {
    format: 'arcgrad-glyphs',
    fonts: Array.from({ length: fonts }, (_, i) => ({ name: `font${i}`, version: '1.0.0' })),
    characters: Array.from({ length: characters }, (_, i) => 0x4e00 + i),
    size,
    copies: 1,
    seed: 0,
    layout: 'font, character, copy',
    bytes: fonts * characters * size * size,
    sha256: '',
  },
  images: Uint8Array.from({ length: fonts * characters * size * size }, () => Math.floor(rng.uniform() * 256)),
  dir: '',
};
const settings: GlyphsSettings = {
  ...GLYPHS_SETTINGS.quick,
  data: { size, copies: 1, seed: 0, maxCharacters: 0 },
  trainIdentities: 6,
  unseenIdentities: 4,
  heldOutFonts: 2,
  evalCopies: 1,
  losses: ['arcface'],
  scale: 8,
  hidden: [8],
  embedding: 4,
  epochs: 3,
  batchSize: 4,
  pairs: 10,
  backend: 'cpu',
};
const sets = glyphsSets(settings, data);
const leftovers = () => readdirSync(tmpdir()).filter((f) => f.startsWith('arcgrad-glyphs-')).sort();

describe('trainGlyphsRun inspector', () => {
  it('sees every epoch end, the last one being the trained model, and leaves the run bit-identical', () => {
    const before = leftovers();
    const plain = trainGlyphsRun(settings, sets, 'arcface', 1);
    const seen: GlyphsEpochSnapshot[] = [];
    const inspected = trainGlyphsRun(settings, sets, 'arcface', 1, undefined, undefined, { onEpoch: (snap) => seen.push(snap) });

    const { trainSeconds: _a, ...plainJson } = glyphsRunJson(plain) as { trainSeconds: number };
    const { trainSeconds: _b, ...inspectedJson } = glyphsRunJson(inspected) as { trainSeconds: number };
    expect(inspectedJson).toEqual(plainJson);
    expect(Array.from(inspected.angles)).toEqual(Array.from(plain.angles));

    expect(seen.map((s) => s.epoch)).toEqual([0, 1, 2]);
    expect(seen.map((s) => s.loss)).toEqual(inspected.lossCurve);
    const last = seen[2];
    expect(last.w?.length).toBe(settings.trainIdentities * settings.embedding);
    // the last snapshot is the model the run evaluated: its θ_y of the training images are the run's
    const angles = targetAngles(last.embed(sets.train), sets.train.labels, last.w as Float64Array, settings.embedding);
    expect(Array.from(angles)).toEqual(Array.from(inspected.angles));
    // an earlier snapshot is an earlier model, not a reference to the final one
    expect(Array.from(seen[0].embed(sets.unseen))).not.toEqual(Array.from(last.embed(sets.unseen)));
    expect(leftovers()).toEqual(before); // the checkpoint folder is removed
  });
});
