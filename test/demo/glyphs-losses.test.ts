/**
 * The glyph benchmark's losses beyond the six (src/demo/glyphs.ts, src/demo/losses.ts): the
 * default settings' run configurations unchanged by labelled variants, the settings file's
 * `losses` entries checked one line each, and the margin warm-up's ramp.
 */
import { describe, expect, it } from 'vitest';
import { GLYPHS_SETTINGS, glyphsLossConfig, glyphsLossLabel, glyphsRunConfig, validateGlyphsSettings, type GlyphsSettings } from '../../src/demo/glyphs.js';
import { lossConfig, lossLabel, marginWarmup, shortLossParams } from '../../src/demo/losses.js';
import { OptionError } from '../../src/tensor/errors.js';

const full = GLYPHS_SETTINGS.full;
const withLosses = (losses: unknown[]): unknown => ({ ...GLYPHS_SETTINGS.quick, losses });

describe('glyph losses', () => {
  it('the default settings\' run configurations: the six margin forms at their published values, unchanged by variants', () => {
    expect(full.losses).toEqual(['softmax', 'normface', 'sphereface', 'cosface', 'arcface', 'combined']);
    const optim = { epochs: 20, batchSize: 128, lr: 0.1, momentum: 0.9, weightDecay: 5e-4, warmupEpochs: 1, seed: 0 };
    const common = { data: { seed: 0, perDigit: 0 }, model: { hidden: [256], embedding: 64 }, optim, pairs: 6000 };
    const margin = (m1: number, m2: number, m3: number, fallback = 'none') => ({ s: 64, m1, m2, m3, fallback, gradient: 'exact' });
    expect(full.losses.map((l) => glyphsRunConfig(full, l as string, 0))).toEqual([
      { loss: { name: 'softmax' }, ...common },
      { loss: { name: 'normface', margin: margin(1, 0, 0) }, ...common },
      { loss: { name: 'sphereface', margin: margin(4, 0, 0, 'psi'), annealLambda: true }, ...common },
      { loss: { name: 'cosface', margin: margin(1, 0, 0.35) }, ...common },
      { loss: { name: 'arcface', margin: margin(1, 0.5, 0) }, ...common },
      { loss: { name: 'combined', margin: margin(1, 0.3, 0.2) }, ...common },
    ]);
    // a variant without overrides is the plain loss
    expect(glyphsLossConfig(full, { name: 'arcface', id: 'a2', label: 'A2' })).toEqual(glyphsLossConfig(full, 'arcface'));
  });

  it('variants: overrides and warm-up in the config, their label and id; the §2.3 variants\' labels and parameters', () => {
    const s = validateGlyphsSettings(withLosses([
      'softmax',
      { name: 'arcface', id: 'arcface-warmup2', label: 'ArcFace, margin warm-up 2 epochs', marginWarmupEpochs: 2 },
      { name: 'arcface', id: 'arcface-m0.3', label: 'ArcFace, m2 = 0.3', m2: 0.3 },
      'intra', 'inter', 'triplet',
    ]), 'f.json') as GlyphsSettings;
    expect(glyphsRunConfig(s, 'arcface-warmup2', 0).loss).toEqual({ ...lossConfig('arcface', { s: 64 }), marginWarmupEpochs: 2 });
    expect(glyphsRunConfig(s, 'arcface-m0.3', 0).loss.margin?.m2).toBe(0.3);
    expect(glyphsLossLabel(s, 'arcface-m0.3')).toBe('ArcFace, m2 = 0.3');
    expect(['intra', 'inter', 'triplet'].map((id) => [glyphsLossLabel(s, id), shortLossParams(glyphsRunConfig(s, id, 0).loss)])).toEqual([
      ['NormFace + Intra', 's=64'], ['NormFace + Inter', 's=64'], ['Angular triplet', 'm=0.35, P×K batches (K=4), semi-hard'],
    ]);
    expect(shortLossParams(glyphsRunConfig(s, 'arcface-warmup2', 0).loss)).toBe('s=64, m2=0.5, margin warm-up 2 epochs');
    expect(lossLabel('triplet')).toBe('Angular triplet');
  });

  it('settings validation names the bad entry in one line', () => {
    const bad: [unknown, RegExp][] = [
      [{ name: 'arcface', id: 'x', label: 'X', warmup: 2 }, /^f\.json: losses\[0\]: unknown key 'warmup' \(keys: name, id, label/],
      [{ name: 'arcface', id: 'x' }, /^f\.json: losses\[0\]: 'label' must be a non-empty string, got nothing$/],
      [{ name: 'arcface', id: 'a b', label: 'X' }, /id "a b" may hold only letters, digits/],
      [{ name: 'arcface', id: 'x', label: 'X', marginWarmupEpochs: 0.5 }, /marginWarmupEpochs must be an integer ≥ 1, got 0\.5/],
      [{ name: 'arcface', id: 'x', label: 'X', m2: 'big' }, /m2 must be a number, got "big"/],
      [{ name: 'softmax', id: 'x', label: 'X', marginWarmupEpochs: 2 }, /losses\[0\] \(x\): marginWarmupEpochs applies to the margin losses/],
      [{ name: 'triplet', id: 'x', label: 'X', s: 30 }, /losses\[0\] \(x\): s do not apply to triplet/],
      [{ name: 'nosuch', id: 'x', label: 'X' }, /losses\[0\] \(x\): unknown loss 'nosuch'/],
      [7, /losses\[0\] must be a loss name or an object/],
    ];
    for (const [entry, message] of bad) {
      const error = (() => { try { validateGlyphsSettings(withLosses([entry]), 'f.json'); } catch (e) { return e; } return undefined; })();
      expect(error).toBeInstanceOf(OptionError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('\n');
    }
    expect(() => validateGlyphsSettings(withLosses(['arcface', { name: 'cosface', id: 'arcface', label: 'X' }]), 'f.json')).toThrow(/id 'arcface' appears twice/);
  });

  it('margin warm-up: NormFace at iteration 1, half way at the middle, the full margin after the warm-up', () => {
    const ramp = marginWarmup({ m1: 1.2, m2: 0.3, m3: 0.2 }, 400);
    expect(ramp(1)).toEqual({ m1: 1, m2: 0, m3: 0 });
    expect(ramp(201)).toEqual({ m1: 1.1, m2: 0.15, m3: 0.1 });
    expect(ramp(401)).toEqual({ m1: 1.2, m2: 0.3, m3: 0.2 });
    expect(ramp(10000)).toEqual(ramp(401));
  });
});
