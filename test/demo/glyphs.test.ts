/**
 * The glyphs benchmark's backbone setting and its validation set (src/demo/glyphs.ts), on a small
 * synthetic data set: the setting is checked and builds the backbone it names, the validation set
 * is exactly the identities the split leaves unused, and a ConvNet trains end to end through
 * `trainGlyphsModel` and is evaluated on the validation set.
 */
import { describe, expect, it } from 'vitest';
import { cpu } from '../../src/backend/cpu.js';
import type { GlyphsData } from '../../src/data/glyphs.js';
import { GLYPHS_SETTINGS, evaluateGlyphsSet, glyphsBackbone, glyphsSets, trainGlyphsModel, validateGlyphsSettings, type GlyphsSettings } from '../../src/demo/glyphs.js';
import { ConvNet } from '../../src/nn/convnet.js';
import { MLP } from '../../src/nn/mlp.js';
import { OptionError } from '../../src/tensor/errors.js';
import { Random } from '../../src/tensor/random.js';

/** 40 characters × 3 fonts of 8×8 images: character c in font f is a noisy bar pattern of c. */
function syntheticGlyphs(): GlyphsData {
  const [chars, fonts, size] = [40, 3, 8];
  const rng = new Random(5);
  const images = new Uint8Array(fonts * chars * size * size);
  for (let f = 0; f < fonts; f++) for (let c = 0; c < chars; c++) for (let p = 0; p < size * size; p++) {
    const on = ((c >> (p % 6)) & 1) === 1 === (Math.floor(p / size) % 2 === 0);
    images[(f * chars + c) * size * size + p] = Math.max(0, Math.min(255, Math.round((on ? 200 : 40) + 30 * rng.normal())));
  }
  return {
    manifest: { format: 'arcgrad-glyphs', fonts: Array.from({ length: fonts }, (_, i) => ({ name: `f${i}`, version: '1' })), characters: Array.from({ length: chars }, (_, i) => 0x4e00 + i), size, copies: 1, seed: 0, layout: 'font, character, copy, row-major u8', bytes: images.length, sha256: '0'.repeat(64) },
    images,
    dir: '',
  };
}

const settings: GlyphsSettings = {
  ...GLYPHS_SETTINGS.quick, data: { size: 8, copies: 1, seed: 0, maxCharacters: 0 }, trainIdentities: 24, unseenIdentities: 10, heldOutFonts: 1, evalCopies: 1,
  backbone: 'conv', hidden: [4, 8], embedding: 8, epochs: 2, batchSize: 16, pairs: 20, losses: ['softmax'],
};

describe('glyphs backbone setting', () => {
  it("is required, 'mlp' or 'conv', and builds the backbone it names", () => {
    const { backbone: _b, ...without } = GLYPHS_SETTINGS.full;
    expect(() => validateGlyphsSettings(without, 'f.json')).toThrow(/setting 'backbone' is missing/);
    expect(() => validateGlyphsSettings({ ...GLYPHS_SETTINGS.full, backbone: 'resnet' }, 'f.json')).toThrow(OptionError);
    expect(validateGlyphsSettings({ ...GLYPHS_SETTINGS.full, backbone: 'conv' }, 'f.json').backbone).toBe('conv');
    expect(GLYPHS_SETTINGS.full.backbone).toBe('mlp');
    expect(glyphsBackbone(GLYPHS_SETTINGS.full, 16)).toBeInstanceOf(MLP);
    expect(glyphsBackbone({ ...GLYPHS_SETTINGS.full, backbone: 'conv', hidden: [8, 16] }, 16)).toBeInstanceOf(ConvNet);
  });
});

describe('glyphs validation set', () => {
  const data = syntheticGlyphs();
  const sets = glyphsSets(settings, data);

  it('holds the identities neither training nor the unseen set takes, in every font, gallery in the first training font', () => {
    const { split, validation } = sets;
    expect(split.validation).toHaveLength(40 - 24 - 10);
    expect(split.validation.filter((c) => split.train.includes(c) || split.unseen.includes(c))).toEqual([]);
    expect(validation.count).toBe(split.validation.length * 3);
    expect(validation.gallery.filter(Boolean)).toHaveLength(split.validation.length);
    validation.gallery.forEach((g, i) => expect(g).toBe(validation.fonts[i] === split.trainFonts[0]));
  });

  it('evaluates a ConvNet trained by trainGlyphsModel (8×8 images, two stages), above chance', () => {
    const t = trainGlyphsModel(settings, sets, 'softmax', 0, cpu);
    expect(t.backbone).toBeInstanceOf(ConvNet);
    expect(t.steps).toBe(2 * Math.ceil(sets.train.count / settings.batchSize));
    expect(t.lossCurve[1]).toBeLessThan(t.lossCurve[0]);
    const report = evaluateGlyphsSet(settings, t, sets.validation, 'validation');
    expect(report.identification.rank1).toBeGreaterThan(1 / sets.split.validation.length); // chance: one gallery image in 6
  });
});
