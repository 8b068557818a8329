/**
 * Glyph rendering for the `glyphs` data set: CJK characters drawn from `@fontsource/*` woff2
 * subsets, parsed with `fontkit` and filled with `@napi-rs/canvas` (no font parser or rasterizer of
 * our own). Both packages are optional for users of the library (the 'glyphs' extra): they are
 * loaded lazily, here only, and a missing one is a one-line `MissingExtraError` naming the command
 * that installs it.
 *
 * A fontsource package splits a font into ~100 woff2 files by unicode range; `openFontFamily`
 * opens the regular-weight (400) files and maps every code point of U+4E00–9FFF (CJK Unified
 * Ideographs) to the file that holds its glyph.
 *
 * Rendering (`renderGlyph`): the glyph's outline is scaled so that the larger side of its bounding
 * box spans `FILL` of the image, centred on the box's centre, white ink on black, anti-aliased by
 * Skia. An augmentation (`augmentation`) adds a rotation, scale, shear, translation, stroke
 * weight (a stroke in ink thickens, a stroke in background colour thins) and Gaussian pixel noise,
 * all drawn from a generator seeded by (seed, font, character, copy) alone, so any image can be
 * rendered alone, in any order, and gives the same bytes (test/data/glyphs.test.ts).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ArcgradError } from '../tensor/errors.js';
import { requireExtra } from '../tensor/extras.js';
import { Random } from '../tensor/random.js';

/** A data set cannot be installed, built or read (no network, a damaged cache, a missing optional package). */
export class DataError extends ArcgradError {
  constructor(message: string) {
    super('data', message);
  }
}

/** The code points the glyphs data set draws its identities from: CJK Unified Ideographs. */
export const CJK_RANGE: readonly [number, number] = [0x4e00, 0x9fff];

/** Fraction of the image side that the larger side of a glyph's bounding box spans (before augmentation). */
export const FILL = 0.84;

interface FontkitPath {
  bbox: { minX: number; minY: number; maxX: number; maxY: number };
  toFunction(): (ctx: unknown) => void;
}
interface FontkitGlyph {
  path: FontkitPath;
}
interface FontkitFont {
  characterSet: number[];
  glyphForCodePoint(cp: number): FontkitGlyph;
}
interface Fontkit {
  openSync(path: string): FontkitFont;
}
interface Ctx2d {
  fillStyle: string;
  strokeStyle: string;
  lineWidth: number;
  lineJoin: string;
  setTransform(a: number, b: number, c: number, d: number, e: number, f: number): void;
  fillRect(x: number, y: number, w: number, h: number): void;
  beginPath(): void;
  fill(): void;
  stroke(): void;
  getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
}
interface CanvasModule {
  createCanvas(w: number, h: number): { getContext(kind: '2d'): Ctx2d };
}

let tools: { fontkit: Fontkit; canvas: CanvasModule } | undefined;

/**
 * fontkit and @napi-rs/canvas, loaded on first use; a MissingExtraError in one line naming
 * `npm install fontkit @napi-rs/canvas` (the 'glyphs' extra, src/tensor/extras.ts) when one is missing.
 */
export function fontTools(): { fontkit: Fontkit; canvas: CanvasModule } {
  if (tools) return tools;
  const require = createRequire(import.meta.url);
  tools = requireExtra('glyphs', () => ({ fontkit: require('fontkit') as Fontkit, canvas: require('@napi-rs/canvas') as CanvasModule }));
  return tools;
}

/** One font family, ready to draw its CJK characters. */
export interface FontFamily {
  /** The package name, e.g. "@fontsource/zhi-mang-xing". */
  name: string;
  /** Its version, from its package.json. */
  version: string;
  /** Code point → the woff2 subset that holds its glyph (CJK range only). */
  glyphs: Map<number, FontkitFont>;
}

/** Opens the regular-weight woff2 subsets of the fontsource package in `dir`. */
export function openFontFamily(dir: string): FontFamily {
  const { fontkit } = fontTools();
  let pkg: { name?: string; version?: string };
  try {
    pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as typeof pkg;
  } catch (e) {
    throw new DataError(`${dir} is not a font package: ${(e as Error).message.split('\n')[0]}`);
  }
  const files = readdirSync(join(dir, 'files')).filter((f) => f.endsWith('-400-normal.woff2')).sort();
  if (files.length === 0) throw new DataError(`${dir}/files holds no regular-weight woff2 file (*-400-normal.woff2)`);
  const glyphs = new Map<number, FontkitFont>();
  for (const f of files) {
    let font: FontkitFont;
    try {
      font = fontkit.openSync(join(dir, 'files', f));
    } catch (e) {
      throw new DataError(`cannot parse ${join(dir, 'files', f)}: ${(e as Error).message.split('\n')[0]}`);
    }
    for (const cp of font.characterSet) if (cp >= CJK_RANGE[0] && cp <= CJK_RANGE[1] && !glyphs.has(cp)) glyphs.set(cp, font);
  }
  return { name: pkg.name ?? dir, version: pkg.version ?? 'unknown', glyphs };
}

/** The CJK code points every family can draw, ascending. */
export function commonCharacters(families: readonly { glyphs: ReadonlyMap<number, unknown> }[]): number[] {
  if (families.length === 0) return [];
  return [...families[0].glyphs.keys()].filter((cp) => families.every((f) => f.glyphs.has(cp))).sort((a, b) => a - b);
}

/** The random distortion of one rendered copy (all zero: the clean image). */
export interface Augmentation {
  /** Rotation in radians. */
  rotation: number;
  /** Scale factor on the fitted size. */
  scale: number;
  /** Horizontal shear (x += shear·y). */
  shear: number;
  /** Translation in pixels. */
  dx: number;
  /** Translation in pixels. */
  dy: number;
  /** Stroke width in pixels: > 0 thickens, < 0 thins. */
  stroke: number;
  /** Standard deviation of the Gaussian pixel noise, in grey levels (0–255). */
  noise: number;
}

/** The clean rendering. */
export const NO_AUGMENTATION: Readonly<Augmentation> = { rotation: 0, scale: 1, shear: 0, dx: 0, dy: 0, stroke: 0, noise: 0 };

/** A 32-bit seed from several integers (FNV-1a over their bytes), so each image has its own stream. */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    for (let k = 0; k < 4; k++) {
      h ^= (p >>> (8 * k)) & 0xff;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  }
  return h >>> 0;
}

/**
 * Copy `copy` of (font, character): copy 0 is clean; the others draw rotation ±8°, scale
 * 0.85–1.05, shear ±0.15, translation ±1.5 px (at 32 px; proportional to `size`), stroke −0.5…+0.8 px
 * and noise σ 0–12 grey levels from `new Random(mixSeed(seed, font, char, copy))`.
 */
export function augmentation(seed: number, font: number, char: number, copy: number, size: number): Augmentation {
  if (copy === 0) return { ...NO_AUGMENTATION };
  const r = new Random(mixSeed(seed, font, char, copy));
  const u = (lo: number, hi: number) => lo + (hi - lo) * r.uniform();
  const px = size / 32;
  return {
    rotation: u(-8, 8) * (Math.PI / 180),
    scale: u(0.85, 1.05),
    shear: u(-0.15, 0.15),
    dx: u(-1.5, 1.5) * px,
    dy: u(-1.5, 1.5) * px,
    stroke: u(-0.5, 0.8) * px,
    noise: u(0, 12),
  };
}

/** A reusable canvas of one size (creating one per image would dominate the time). */
export class GlyphRenderer {
  private readonly ctx: Ctx2d;

  /** A renderer of `size`×`size` grayscale images. */
  constructor(readonly size: number) {
    this.ctx = fontTools().canvas.createCanvas(size, size).getContext('2d');
  }

  /**
   * `cp` in `family`, as `size`² bytes (row-major, 0 = background, 255 = ink), distorted by `aug`;
   * the noise is drawn from `noiseSeed`.
   */
  render(family: FontFamily, cp: number, aug: Readonly<Augmentation> = NO_AUGMENTATION, noiseSeed = 0): Uint8Array {
    const font = family.glyphs.get(cp);
    if (font === undefined) throw new DataError(`${family.name} has no glyph for U+${cp.toString(16).toUpperCase()}`);
    const path = font.glyphForCodePoint(cp).path;
    const { minX, minY, maxX, maxY } = path.bbox;
    const n = this.size;
    const ctx = this.ctx;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, n, n);
    const extent = Math.max(maxX - minX, maxY - minY);
    if (extent > 0) {
      const k = (FILL * n * aug.scale) / extent;
      const [c, s] = [Math.cos(aug.rotation), Math.sin(aug.rotation)];
      // Image = T(centre + shift) · R(rotation) · Shear · S(k, −k) · T(−box centre): font units have y up.
      const cx = (minX + maxX) / 2;
      const cy = (minY + maxY) / 2;
      const a = c * k;
      const b = s * k;
      const cc = (c * aug.shear - s) * -k;
      const d = (s * aug.shear + c) * -k;
      const e = n / 2 + aug.dx - (a * cx + cc * cy);
      const f = n / 2 + aug.dy - (b * cx + d * cy);
      ctx.setTransform(a, b, cc, d, e, f);
      ctx.beginPath();
      path.toFunction()(ctx);
      ctx.fillStyle = '#fff';
      ctx.fill();
      if (aug.stroke !== 0) {
        ctx.lineJoin = 'round';
        ctx.lineWidth = Math.abs(aug.stroke) / k; // user space is font units
        ctx.strokeStyle = aug.stroke > 0 ? '#fff' : '#000';
        ctx.stroke();
      }
    }
    const rgba = ctx.getImageData(0, 0, n, n).data;
    const out = new Uint8Array(n * n);
    const noise = aug.noise > 0 ? new Random(noiseSeed) : undefined;
    for (let i = 0; i < n * n; i++) {
      const v = rgba[4 * i] + (noise ? aug.noise * noise.normal() : 0);
      out[i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
    }
    return out;
  }
}
