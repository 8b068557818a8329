/** The toy's font split (the rest of src/demo/glyphs-toy.ts runs end to end in test/cli/toy.test.ts). */
import { describe, expect, it } from 'vitest';
import { TOY_SETTINGS, toyFontSplit } from '../../src/demo/glyphs-toy.js';
import { OptionError } from '../../src/tensor/errors.js';

describe('toyFontSplit', () => {
  it('holds out the asked number of fonts, disjoint from the training fonts, the same for the same seed', () => {
    const a = toyFontSplit(17, 3, 0);
    expect(toyFontSplit(17, 3, 0)).toEqual(a);
    expect(a.test).toHaveLength(3);
    expect([...a.train, ...a.test].sort((x, y) => x - y)).toEqual(Array.from({ length: 17 }, (_, i) => i));
    expect(toyFontSplit(17, 3, 1)).not.toEqual(a);
    expect(() => toyFontSplit(2, 2, 0)).toThrow(OptionError);
    expect(() => toyFontSplit(17, 0, 0)).toThrow(OptionError);
  });

  it('the full toy: about 1,500 images per identity, and SphereFace\'s λ schedule reaches its floor (iteration 1,659) before the end', () => {
    const s = TOY_SETTINGS.full;
    expect(17 * s.data.copies).toBeGreaterThanOrEqual(1400);
    expect(17 * s.data.copies).toBeLessThanOrEqual(1600);
    const trainImages = (17 - s.heldOutFonts) * s.data.copies * s.data.pick.count;
    expect(s.epochs * Math.floor(trainImages / s.batchSize)).toBeGreaterThan(1659);
  });
});
