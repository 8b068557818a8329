import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GlyphRenderer, NO_AUGMENTATION, augmentation, commonCharacters, mixSeed, openFontFamily } from '../../src/data/glyph-render.js';
import {
  DataError, buildGlyphs, checkGlyphs, ensureFontPackages, fixtureFontDirs, glyphImages, glyphOffset, glyphsDir, loadGlyphs, pickCharacters, sha256, splitGlyphs,
  type GlyphsSpec,
} from '../../src/data/glyphs.js';
import { OptionError } from '../../src/tensor/errors.js';
import { useTempDir } from '../support/temp-dir.js';

const spec: GlyphsSpec = { size: 16, copies: 2, seed: 3, maxCharacters: 12 };

describe('glyph rendering', () => {
  const families = fixtureFontDirs().map(openFontFamily);

  it('the two fixture fonts share thousands of CJK characters', () => {
    expect(families.map((f) => f.name)).toEqual(['@fontsource/dotgothic16', '@fontsource/zcool-kuaile']);
    expect(commonCharacters(families).length).toBeGreaterThan(3000);
  });

  it('is deterministic: the same seed gives the same bytes, in any order and from a fresh renderer', () => {
    const chars = commonCharacters(families).slice(0, 5);
    const draw = (r: GlyphRenderer, f: number, c: number, copy: number) =>
      r.render(families[f], chars[c], augmentation(7, f, c, copy, 24), mixSeed(7, f, c, copy, 1));
    const first = new GlyphRenderer(24);
    const forward = [0, 1].flatMap((f) => [0, 1, 2, 3, 4].flatMap((c) => [0, 1, 2].map((k) => draw(first, f, c, k))));
    const second = new GlyphRenderer(24);
    const backward = [1, 0].flatMap((f) => [4, 3, 2, 1, 0].flatMap((c) => [2, 1, 0].map((k) => draw(second, f, c, k)))).reverse();
    // the reversed loops visit the exact reverse sequence of (font, character, copy)
    expect(backward).toEqual(forward);
    // and the augmentation does change the image, differently per copy
    expect(forward[1]).not.toEqual(forward[0]);
    expect(forward[2]).not.toEqual(forward[1]);
  });

  it('draws ink: a clean glyph is neither empty nor filled', () => {
    const px = new GlyphRenderer(32).render(families[0], commonCharacters(families)[100], NO_AUGMENTATION);
    const ink = px.reduce((s, v) => s + v, 0) / (255 * px.length);
    expect(ink).toBeGreaterThan(0.05);
    expect(ink).toBeLessThan(0.7);
  });

  it('a character the font lacks is a DataError', () => {
    expect(() => new GlyphRenderer(16).render(families[0], 0x41)).toThrow(DataError);
  });
});

describe('the glyphs file', () => {
  const tmp = useTempDir('arcgrad-glyphs-');

  it('records fonts, versions, characters, size, seed and the sha256 of its bytes; equal specs give equal bytes', () => {
    const a = buildGlyphs({ fontDirs: fixtureFontDirs(), dir: join(tmp(), 'a'), spec });
    const b = buildGlyphs({ fontDirs: fixtureFontDirs(), dir: join(tmp(), 'b'), spec });
    expect(a.sha256).toBe(b.sha256);
    expect(a.fonts).toEqual([{ name: '@fontsource/dotgothic16', version: '5.3.0' }, { name: '@fontsource/zcool-kuaile', version: '5.3.0' }]);
    expect(a.characters).toHaveLength(12);
    expect([a.size, a.copies, a.seed, a.bytes]).toEqual([16, 2, 3, 2 * 12 * 2 * 256]);
    const bytes = readFileSync(join(tmp(), 'a', 'images.bin'));
    expect(sha256(bytes)).toBe(a.sha256);
    expect(existsSync(join(tmp(), 'a', 'parts'))).toBe(false);
    // image (font 1, character 5, copy 0) is the clean rendering of that character
    const clean = new GlyphRenderer(16).render(openFontFamily(fixtureFontDirs()[1]), a.characters[5]);
    const at = glyphOffset(a, 1, 5, 0);
    expect(new Uint8Array(bytes.subarray(at, at + 256))).toEqual(clean);
  });

  it('resumes an interrupted build from its finished fonts and ends at the same bytes', () => {
    const reference = buildGlyphs({ fontDirs: fixtureFontDirs(), dir: join(tmp(), 'ref'), spec });
    const dir = join(tmp(), 'cut');
    const stop = new Error('Ctrl-C');
    expect(() =>
      buildGlyphs({ fontDirs: fixtureFontDirs(), dir, spec, onProgress: (done, _total, font) => {
        if (done >= 24 && !font.includes('before')) throw stop; // after the first font's part is written
      } }),
    ).toThrow(stop);
    expect(readdirSync(join(dir, 'parts')).sort()).toEqual(['font-0.bin', 'plan.json']);
    expect(existsSync(join(dir, 'images.bin')) || existsSync(join(dir, 'manifest.json'))).toBe(false);
    expect(checkGlyphs(dir)).toEqual({ problem: 'an interrupted build' });
    // what a kill during a write leaves: files under their temporary names
    writeFileSync(join(dir, 'parts', 'font-1.bin.tmp-99999'), 'half a font');
    writeFileSync(join(dir, 'images.bin.tmp-99999'), 'half a file');
    const fonts: string[] = [];
    const resumed = buildGlyphs({ fontDirs: fixtureFontDirs(), dir, spec, onProgress: (_d, _t, font) => fonts.push(font) });
    expect(fonts[0]).toBe('@fontsource/dotgothic16 (done before)');
    expect(resumed.sha256).toBe(reference.sha256);
    expect(readdirSync(dir).sort()).toEqual(['images.bin', 'manifest.json']);
  });

  it('detects a damaged file by its sha256 and rebuilds it, saying so in one line', () => {
    const cacheDir = tmp();
    const built = loadGlyphs({ fonts: 'fixture', spec, cacheDir });
    const dir = glyphsDir(cacheDir, 'fixture', spec);
    const bin = join(dir, 'images.bin');
    const bytes = readFileSync(bin);
    bytes[1000] ^= 0xff;
    writeFileSync(bin, bytes);
    expect(checkGlyphs(dir)).toMatchObject({ problem: expect.stringMatching(/^a damaged images\.bin \(sha256 /) });
    const lines: string[] = [];
    const rebuilt = loadGlyphs({ fonts: 'fixture', spec, cacheDir, log: (l) => lines.push(l) });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/damaged images\.bin.*rebuilding it$/);
    expect(rebuilt.manifest.sha256).toBe(built.manifest.sha256);
    expect(rebuilt.images).toEqual(built.images);
    // a truncated file and a damaged manifest are caught too
    writeFileSync(bin, bytes.subarray(0, 100));
    expect(checkGlyphs(dir)).toMatchObject({ problem: expect.stringMatching(/100 bytes, the manifest says/) });
    writeFileSync(join(dir, 'manifest.json'), '{"format": "arcgrad-glyphs", ');
    expect(checkGlyphs(dir)).toMatchObject({ problem: expect.stringMatching(/^a damaged manifest/) });
    expect(loadGlyphs({ fonts: 'fixture', spec, cacheDir }).manifest.sha256).toBe(built.manifest.sha256);
  });
});

describe('the protocol splits', () => {
  const manifest = { characters: Array.from({ length: 50 }, (_, i) => 0x4e00 + i), fonts: Array.from({ length: 6 }, (_, i) => ({ name: `f${i}`, version: '1' })) };

  it('are disjoint, of the sizes asked for, and deterministic in the seed', () => {
    for (const seed of [0, 1, 2]) {
      const s = splitGlyphs(manifest, { seed, trainIdentities: 30, unseenIdentities: 15, heldOutFonts: 2 });
      expect([s.train.length, s.unseen.length, s.trainFonts.length, s.heldOutFonts.length]).toEqual([30, 15, 4, 2]);
      expect(s.train.filter((c) => s.unseen.includes(c))).toEqual([]);
      expect(s.trainFonts.filter((f) => s.heldOutFonts.includes(f))).toEqual([]);
      expect(new Set([...s.train, ...s.unseen]).size).toBe(45);
      // validation: exactly the 5 characters the two sets leave
      expect([...s.validation, ...s.train, ...s.unseen].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
      expect(splitGlyphs(manifest, { seed, trainIdentities: 30, unseenIdentities: 15, heldOutFonts: 2 })).toEqual(s);
    }
    expect(splitGlyphs(manifest, { seed: 0, trainIdentities: 30, unseenIdentities: 15, heldOutFonts: 2 }).train)
      .not.toEqual(splitGlyphs(manifest, { seed: 1, trainIdentities: 30, unseenIdentities: 15, heldOutFonts: 2 }).train);
  });

  it('refuse sizes the data set cannot give', () => {
    expect(() => splitGlyphs(manifest, { seed: 0, trainIdentities: 40, unseenIdentities: 11, heldOutFonts: 2 })).toThrow(OptionError);
    expect(() => splitGlyphs(manifest, { seed: 0, trainIdentities: 30, unseenIdentities: 15, heldOutFonts: 6 })).toThrow(OptionError);
  });

  it('glyphImages scales bytes to [0, 1] in the order character, font, copy', () => {
    const images = Uint8Array.from({ length: 3 * 2 * 2 * 4 }, (_, i) => i);
    const data = { manifest: { characters: [1, 2, 3], size: 2, copies: 2 } as never, images, dir: '' };
    const set = glyphImages(data, [2, 0], [1], [0, 1]);
    expect(Array.from(set.labels)).toEqual([0, 0, 1, 1]);
    expect(Array.from(set.fonts)).toEqual([1, 1, 1, 1]);
    const first = glyphOffset({ characters: [1, 2, 3], size: 2, copies: 2 }, 1, 2, 0);
    expect(Array.from(set.x.subarray(0, 4))).toEqual([first, first + 1, first + 2, first + 3].map((v) => v / 255));
  });
});

describe('installing the fonts', () => {
  const tmp = useTempDir('arcgrad-glyph-fonts-');
  const npm = (args: string[], cwd: string) => spawnSync('npm', args, { cwd, encoding: 'utf8' });

  /** A package folder depending on `spec` (a registry version or a file: path), with its lockfile. */
  function fontPackage(dep: string, spec: string): string {
    // as deep as <cache>/glyphs-fonts, so that the lockfile's relative file: paths hold in both
    const dir = join(tmp(), 'source', 'glyphs-fonts');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'fonts', private: true, dependencies: { [dep]: spec } }));
    const lock = npm(['install', '--package-lock-only', '--ignore-scripts', '--offline', '--no-audit', '--no-fund'], dir);
    expect(lock.status, lock.stderr).toBe(0);
    return dir;
  }

  it('without a network: one line that says so, and no install marker', () => {
    const packageDir = fontPackage('@fontsource/dotgothic16', '5.3.0');
    const cacheDir = join(tmp(), 'cache');
    const env = { ...process.env, npm_config_registry: 'http://127.0.0.1:9/', npm_config_cache: join(tmp(), 'empty-npm-cache'), npm_config_fetch_retries: '0' };
    let error: unknown;
    try {
      ensureFontPackages({ cacheDir, packageDir, env });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DataError);
    const message = (error as Error).message;
    expect(message).toMatch(/^no network: cannot download the glyphs fonts .*npx arcgrad data glyphs/);
    expect(message).not.toContain('\n');
    expect(existsSync(join(cacheDir, 'glyphs-fonts', '.installed'))).toBe(false);
  });

  it('redoes an interrupted install and then trusts the completed one', () => {
    const fontDir = fixtureFontDirs()[0];
    const packageDir = fontPackage('@fontsource/dotgothic16', `file:${fontDir}`);
    const cacheDir = join(tmp(), 'cache');
    // What an install killed half-way leaves: the manifests and a partial node_modules, no marker.
    const target = join(cacheDir, 'glyphs-fonts');
    mkdirSync(join(target, 'node_modules', '@fontsource'), { recursive: true });
    writeFileSync(join(target, 'package.json'), readFileSync(join(packageDir, 'package.json')));
    const lines: string[] = [];
    const first = ensureFontPackages({ cacheDir, packageDir, log: (l) => lines.push(l) });
    expect(first.packageDirs).toEqual([join(target, 'node_modules', '@fontsource', 'dotgothic16')]);
    expect(existsSync(join(first.packageDirs[0], 'package.json'))).toBe(true);
    expect(lines[0]).toMatch(/^installing 1 pinned font packages into /);
    expect(existsSync(join(target, '.installed'))).toBe(true);
    const again = ensureFontPackages({ cacheDir, packageDir, log: (l) => lines.push(l) });
    expect(again.downloadSeconds).toBe(0);
    expect(lines).toHaveLength(2); // "installing…", "installed…": nothing the second time
  });
});

describe('the toy\'s characters (a seeded pick) and its data set', () => {
  const tmp = useTempDir('arcgrad-glyphs-pick-');
  const common = commonCharacters(fixtureFontDirs().map(openFontFamily));

  it('pickCharacters: the same seed gives the same characters, another seed others; all common, ascending, distinct', () => {
    const a = pickCharacters(common, { count: 8, seed: 0 });
    expect(pickCharacters(common, { count: 8, seed: 0 })).toEqual(a);
    expect(pickCharacters([...common].reverse(), { count: 8, seed: 0 })).not.toEqual(a); // the shuffle starts from the given order
    expect(pickCharacters(common, { count: 8, seed: 1 })).not.toEqual(a);
    expect(new Set(a).size).toBe(8);
    expect(a.every((cp) => common.includes(cp))).toBe(true);
    expect([...a].sort((x, y) => x - y)).toEqual(a);
    expect(a).not.toEqual(common.slice(0, 8)); // not the first code points (all built on 一)
    expect(() => pickCharacters(common.slice(0, 3), { count: 8, seed: 0 })).toThrow(OptionError);
  });

  it('renders the picked characters to the same bytes every time, in a folder of its own', () => {
    const pickSpec: GlyphsSpec = { size: 16, copies: 3, seed: 0, maxCharacters: 0, pick: { count: 8, seed: 0 } };
    const a = buildGlyphs({ fontDirs: fixtureFontDirs(), dir: join(tmp(), 'a'), spec: pickSpec });
    const b = buildGlyphs({ fontDirs: fixtureFontDirs(), dir: join(tmp(), 'b'), spec: pickSpec });
    expect(a.characters).toEqual(pickCharacters(common, pickSpec.pick!));
    expect(a.sha256).toBe(b.sha256);
    expect(readFileSync(join(tmp(), 'a', 'images.bin'))).toEqual(readFileSync(join(tmp(), 'b', 'images.bin')));
    expect(a.bytes).toBe(2 * 8 * 3 * 256);
    expect(glyphsDir('/c', 'fixture', pickSpec)).toBe(join('/c', 'glyphs', 'fixture-16px-3x-seed0-pick8seed0'));
    expect(() => glyphsDir('/c', 'fixture', { ...pickSpec, maxCharacters: 5 })).toThrow(OptionError);
    expect(() => glyphsDir('/c', 'fixture', { ...pickSpec, pick: { count: 0, seed: 0 } })).toThrow(OptionError);
  });
});
