/**
 * The `glyphs` data set: identity = one CJK character, image = that character in one font
 * (rendered by src/data/glyph-render.ts), so that open-set recognition can be studied with
 * thousands of identities — the regime the margin papers are about — without a face data set.
 *
 * Fonts. The 17 `@fontsource/*` Chinese and Japanese families of data/glyphs-fonts/package.json,
 * whose regular weights share 3,377 characters of U+4E00–9FFF (measured: each family has
 * 6,682–12,745 of them). They are 4–29 MB each (about 200 MB installed), so they are not
 * dependencies of the library: `ensureFontPackages` installs the pinned versions of that
 * package.json and its committed lockfile with `npm ci` into a cache folder, once. Tests and
 * `--quick` use the two small families the repository has as devDependencies (`FIXTURE_FONTS`).
 *
 * The binary file. `buildGlyphs` renders every (font, character, copy) once into `images.bin`:
 * `size`² bytes per image, row-major, 0 = background and 255 = ink, in the order font, then
 * character, then copy (copy 0 clean, the others augmented). `manifest.json` next to it records
 * the fonts and their versions, the characters, the image size, the copies, the seed, the byte
 * count and the file's sha256. Rendering goes font by font into part files (each written to a
 * temporary name and renamed when complete), so an interrupted build resumes at the first font it
 * had not finished; the parts are joined into images.bin the same way, and the manifest is
 * written last. `loadGlyphs` checks the sha256 and rebuilds a damaged file. Nothing is ever
 * half-written under its final name.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OptionError } from '../tensor/errors.js';
import { Random } from '../tensor/random.js';
import { DataError, GlyphRenderer, augmentation, commonCharacters, mixSeed, openFontFamily, type FontFamily } from './glyph-render.js';

export { DataError } from './glyph-render.js';

/** The folder of the pinned font packages (package.json + package-lock.json) shipped with arcgrad. */
export const GLYPH_FONTS_PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'data', 'glyphs-fonts');

/** The two small font families the repository has as devDependencies, for tests and `--quick`. */
export const FIXTURE_FONTS: readonly string[] = ['@fontsource/dotgothic16', '@fontsource/zcool-kuaile'];

/** The cache folder: $ARCGRAD_CACHE, else $XDG_CACHE_HOME/arcgrad, else ~/.cache/arcgrad. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ARCGRAD_CACHE) return resolve(env.ARCGRAD_CACHE);
  return join(env.XDG_CACHE_HOME ? resolve(env.XDG_CACHE_HOME) : join(homedir(), '.cache'), 'arcgrad');
}

/** Writes `data` to `path` through a temporary file and a rename, so `path` is never half-written. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** sha256 of bytes, in hex. */
export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Lines of progress for long steps (a CLI passes its own; the default is silent). */
export type DataLog = (line: string) => void;

/** Options of `ensureFontPackages`. */
export interface FontInstallOptions {
  /** The cache folder (the packages go to `<cacheDir>/glyphs-fonts`). */
  cacheDir: string;
  /** Folder holding the package.json and package-lock.json to install (default `GLYPH_FONTS_PACKAGE_DIR`). */
  packageDir?: string;
  /** Environment of `npm ci` (default process.env); tests point it at an unreachable registry. */
  env?: NodeJS.ProcessEnv;
  /** Progress lines. */
  log?: DataLog;
}

/** What `ensureFontPackages` did. */
export interface FontInstall {
  /** Each dependency's package folder, in package.json order. */
  packageDirs: string[];
  /** Seconds spent in `npm ci` (0 when the cache was already complete). */
  downloadSeconds: number;
}

const NETWORK_ERRORS = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|network|socket hang up/i;

/**
 * Installs the pinned font packages of `packageDir` into `<cacheDir>/glyphs-fonts` with `npm ci`
 * (no install scripts), unless a previous install of the same package.json and lockfile completed:
 * a marker holding their sha256 is written only after `npm ci` succeeded and every package folder
 * is there, so an interrupted install is simply redone (npm ci starts from an empty node_modules).
 * Without a network this throws a DataError in one line that says so.
 */
export function ensureFontPackages(o: FontInstallOptions): FontInstall {
  const packageDir = o.packageDir ?? GLYPH_FONTS_PACKAGE_DIR;
  const log = o.log ?? (() => {});
  const target = join(o.cacheDir, 'glyphs-fonts');
  const manifest = readFileSync(join(packageDir, 'package.json'), 'utf8');
  const lock = readFileSync(join(packageDir, 'package-lock.json'), 'utf8');
  const deps = Object.keys((JSON.parse(manifest) as { dependencies?: Record<string, string> }).dependencies ?? {});
  const packageDirs = deps.map((d) => join(target, 'node_modules', d));
  const stamp = sha256(manifest + lock);
  const marker = join(target, '.installed');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === stamp && packageDirs.every((d) => existsSync(join(d, 'package.json')))) {
    return { packageDirs, downloadSeconds: 0 };
  }
  rmSync(marker, { force: true });
  mkdirSync(target, { recursive: true });
  writeFileAtomic(join(target, 'package.json'), manifest);
  writeFileAtomic(join(target, 'package-lock.json'), lock);
  log(`installing ${deps.length} pinned font packages into ${target} (npm ci; about 190 MB for the full set)…`);
  const started = performance.now();
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: target,
    env: o.env ?? process.env,
    encoding: 'utf8',
    shell: process.platform === 'win32',
  });
  const downloadSeconds = (performance.now() - started) / 1000;
  if (result.error !== undefined) throw new DataError(`cannot run npm to install the glyphs fonts: ${result.error.message}`);
  if (result.status !== 0) {
    const output = `${result.stderr ?? ''}\n${result.stdout ?? ''}`;
    const first = output.split('\n').map((l) => l.replace(/^npm (error|ERR!)\s*/, '').trim()).find((l) => l !== '' && !/^code E/.test(l)) ?? `exit status ${result.status}`;
    if (NETWORK_ERRORS.test(output)) {
      throw new DataError(`no network: cannot download the glyphs fonts from the npm registry (${first}); connect and run \`npx arcgrad data glyphs\` again`);
    }
    throw new DataError(`npm ci of the glyphs fonts in ${target} failed: ${first}`);
  }
  const missing = packageDirs.find((d) => !existsSync(join(d, 'package.json')));
  if (missing !== undefined) throw new DataError(`npm ci in ${target} finished but ${missing} is missing`);
  writeFileAtomic(marker, stamp);
  log(`installed the font packages in ${downloadSeconds.toFixed(1)} s`);
  return { packageDirs, downloadSeconds };
}

/** The folders of `FIXTURE_FONTS` in this installation; a one-line DataError when they are missing. */
export function fixtureFontDirs(): string[] {
  const require = createRequire(import.meta.url);
  return FIXTURE_FONTS.map((name) => {
    try {
      return dirname(require.resolve(`${name}/package.json`));
    } catch {
      throw new DataError(`the small glyphs fonts are missing: install them with \`npm i -D ${FIXTURE_FONTS.map((f) => `${f}@5.3.0`).join(' ')}\``);
    }
  });
}

/** What determines the rendered file. */
export interface GlyphsSpec {
  /** Image side in pixels. */
  size: number;
  /** Images per (font, character): copy 0 clean, the rest augmented. */
  copies: number;
  /** Seed of the augmentation. */
  seed: number;
  /** Keep only the first this many common characters (0 = all). */
  maxCharacters: number;
  /**
   * Render only `count` characters drawn by a seeded shuffle of the common ones (`pickCharacters`;
   * the 2-D toy's 8 identities); absent: every common character (or the first `maxCharacters`).
   */
  pick?: CharacterPick;
}

/** A seeded choice of characters: the first `count` of a shuffle of the common ones by `seed`. */
export interface CharacterPick {
  /** How many characters. */
  count: number;
  /** Seed of the shuffle. */
  seed: number;
}

/**
 * The first `pick.count` characters of a shuffle of `common` (ascending code points) seeded by
 * `pick.seed`, returned ascending: a function of the font set and the seed alone. A shuffle rather
 * than the first code points, because neighbouring code points share radicals (U+4E00… are all
 * built on 一), and the toy wants identities as unrelated as any two drawn at random.
 */
export function pickCharacters(common: readonly number[], pick: CharacterPick): number[] {
  if (pick.count > common.length) throw new OptionError(`glyphs: cannot pick ${pick.count} characters from the ${common.length} the fonts share`);
  return new Random(mixSeed(pick.seed, 0x7069636b)) // "pick"
    .shuffle(common)
    .slice(0, pick.count)
    .sort((a, b) => a - b);
}

/** The manifest written next to images.bin. */
export interface GlyphsManifest {
  /** Format tag. */
  format: 'arcgrad-glyphs';
  /** The font packages and versions, in the file's order. */
  fonts: {
    /** Package name. */
    name: string;
    /** Package version. */
    version: string;
  }[];
  /** The characters (identities), as code points, in the file's order. */
  characters: number[];
  /** Image side. */
  size: number;
  /** Images per (font, character). */
  copies: number;
  /** Augmentation seed. */
  seed: number;
  /** How the bytes are laid out. */
  layout: string;
  /** Length of images.bin. */
  bytes: number;
  /** sha256 of images.bin. */
  sha256: string;
}

/** A loaded data set: its manifest and the bytes of every image. */
export interface GlyphsData {
  /** The manifest. */
  manifest: GlyphsManifest;
  /** All images, laid out as the manifest says. */
  images: Uint8Array;
  /** Where it lives. */
  dir: string;
}

/** Byte offset of image (font, character, copy). */
export function glyphOffset(m: Pick<GlyphsManifest, 'characters' | 'size' | 'copies'>, font: number, character: number, copy: number): number {
  return ((font * m.characters.length + character) * m.copies + copy) * m.size * m.size;
}

function validateSpec(s: GlyphsSpec): void {
  const int = (name: string, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min) throw new OptionError(`glyphs: ${name} must be an integer ≥ ${min}, got ${v}`);
  };
  int('size', s.size, 8);
  int('copies', s.copies, 1);
  int('seed', s.seed, 0);
  int('maxCharacters', s.maxCharacters, 0);
  if (s.pick !== undefined) {
    int('pick.count', s.pick.count, 1);
    int('pick.seed', s.pick.seed, 0);
    if (s.maxCharacters !== 0) throw new OptionError(`glyphs: pick draws from every common character; maxCharacters must be 0 with it, got ${s.maxCharacters}`);
  }
}

/** Progress of a build: images rendered so far, of `total`. */
export type BuildProgress = (done: number, total: number, font: string) => void;

/** Options of `buildGlyphs`. */
export interface BuildGlyphsOptions {
  /** The font package folders, in order. */
  fontDirs: readonly string[];
  /** The folder of this data set (images.bin, manifest.json, parts/). */
  dir: string;
  /** What to render. */
  spec: GlyphsSpec;
  /** Called after every font and every 500 images. */
  onProgress?: BuildProgress;
}

/** The manifest's fields that do not depend on the rendered bytes. */
function plannedManifest(families: readonly { name: string; version: string; glyphs: ReadonlyMap<number, unknown> }[], spec: GlyphsSpec): Omit<GlyphsManifest, 'bytes' | 'sha256'> {
  const all = commonCharacters(families);
  if (all.length === 0) throw new DataError(`the fonts ${families.map((f) => f.name).join(', ')} share no CJK character`);
  return {
    format: 'arcgrad-glyphs',
    fonts: families.map((f) => ({ name: f.name, version: f.version })),
    characters: spec.pick !== undefined ? pickCharacters(all, spec.pick) : spec.maxCharacters > 0 ? all.slice(0, spec.maxCharacters) : all,
    size: spec.size,
    copies: spec.copies,
    seed: spec.seed,
    layout: 'font, character, copy (copy 0 clean); size*size bytes each, row-major, 0 = background, 255 = ink',
  };
}

/** Renders every image of one font: characters × copies, in the file's order. */
export function renderFont(family: FontFamily, fontIndex: number, characters: readonly number[], spec: GlyphsSpec, onImage?: (done: number) => void): Uint8Array {
  const renderer = new GlyphRenderer(spec.size);
  const px = spec.size * spec.size;
  const out = new Uint8Array(characters.length * spec.copies * px);
  let k = 0;
  characters.forEach((cp, c) => {
    for (let copy = 0; copy < spec.copies; copy++, k++) {
      const aug = augmentation(spec.seed, fontIndex, c, copy, spec.size);
      out.set(renderer.render(family, cp, aug, mixSeed(spec.seed, fontIndex, c, copy, 1)), k * px);
      onImage?.(k + 1);
    }
  });
  return out;
}

/**
 * Renders the data set into `dir` (see the file header), resuming from the part files of an
 * interrupted build of the same spec and fonts. Returns the manifest.
 */
export function buildGlyphs(o: BuildGlyphsOptions): GlyphsManifest {
  validateSpec(o.spec);
  // Only the character sets are kept: a family's parsed fonts and glyph caches take ~100 MB, so
  // each family is opened again when its turn to render comes and dropped after.
  const families = o.fontDirs.map((dir) => {
    const { name, version, glyphs } = openFontFamily(dir);
    return { name, version, glyphs: new Map([...glyphs.keys()].map((cp) => [cp, undefined])) };
  });
  const planned = plannedManifest(families, o.spec);
  const parts = join(o.dir, 'parts');
  mkdirSync(parts, { recursive: true });
  // The parts belong to one plan: a part left by a build of other fonts or settings is discarded.
  const planFile = join(parts, 'plan.json');
  const plan = JSON.stringify(planned);
  if (!existsSync(planFile) || readFileSync(planFile, 'utf8') !== plan) {
    for (const f of readdirSync(parts)) rmSync(join(parts, f), { force: true });
    writeFileAtomic(planFile, plan);
  }
  // A file being written when a build was stopped is left under its temporary name: drop it.
  for (const d of [parts, o.dir]) for (const f of readdirSync(d)) if (f.includes('.tmp-')) rmSync(join(d, f), { force: true });
  const perFont = planned.characters.length * o.spec.copies;
  const total = families.length * perFont;
  families.forEach((family, f) => {
    const part = join(parts, `font-${f}.bin`);
    if (existsSync(part)) {
      o.onProgress?.((f + 1) * perFont, total, `${family.name} (done before)`);
      return;
    }
    const bytes = renderFont(openFontFamily(o.fontDirs[f]), f, planned.characters, o.spec, (done) => {
      if (done % 500 === 0) o.onProgress?.(f * perFont + done, total, family.name);
    });
    writeFileAtomic(part, bytes);
    o.onProgress?.((f + 1) * perFont, total, family.name);
  });
  // Join the parts through a temporary file, hashing as it goes.
  const bin = join(o.dir, 'images.bin');
  const tmp = `${bin}.tmp-${process.pid}`;
  const hash = createHash('sha256');
  const fd = openSync(tmp, 'w');
  let bytes = 0;
  try {
    for (let f = 0; f < families.length; f++) {
      const part = readFileSync(join(parts, `font-${f}.bin`));
      hash.update(part);
      writeSync(fd, part);
      bytes += part.length;
    }
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, bin);
  const manifest: GlyphsManifest = { ...planned, bytes, sha256: hash.digest('hex') };
  writeFileAtomic(join(o.dir, 'manifest.json'), `${JSON.stringify(manifest)}\n`);
  rmSync(parts, { recursive: true, force: true });
  return manifest;
}

/** What `checkGlyphs` found: the intact data set, or what is wrong with it. */
export type GlyphCheck =
  | {
      /** What is wrong, in a few words ("a damaged images.bin (sha256 …)", "not built yet", …). */
      problem: string;
    }
  | {
      /** The intact data set. */
      data: GlyphsData;
    };

/** The data set in `dir` with its sha256 checked, or why it cannot be used. */
export function checkGlyphs(dir: string): GlyphCheck {
  const manifestPath = join(dir, 'manifest.json');
  const bin = join(dir, 'images.bin');
  if (!existsSync(manifestPath)) return { problem: existsSync(join(dir, 'parts')) ? 'an interrupted build' : 'not built yet' };
  let manifest: GlyphsManifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as GlyphsManifest;
  } catch (e) {
    return { problem: `a damaged manifest (${(e as Error).message.split('\n')[0]})` };
  }
  if (manifest?.format !== 'arcgrad-glyphs' || typeof manifest.sha256 !== 'string' || !Array.isArray(manifest.characters)) {
    return { problem: 'a damaged manifest (not an arcgrad-glyphs manifest)' };
  }
  if (!existsSync(bin)) return { problem: 'images.bin is missing' };
  const images = new Uint8Array(readFileSync(bin));
  if (images.length !== manifest.bytes) return { problem: `a damaged images.bin (${images.length} bytes, the manifest says ${manifest.bytes})` };
  const digest = sha256(images);
  if (digest !== manifest.sha256) return { problem: `a damaged images.bin (sha256 ${digest.slice(0, 12)}…, the manifest says ${manifest.sha256.slice(0, 12)}…)` };
  if (manifest.bytes !== manifest.fonts.length * manifest.characters.length * manifest.copies * manifest.size * manifest.size) {
    return { problem: 'a damaged manifest (its sizes do not match its byte count)' };
  }
  return { data: { manifest, images, dir } };
}

/** Options of `loadGlyphs`. */
export interface LoadGlyphsOptions {
  /** 'full': the 17 pinned families, installed into the cache; 'fixture': the two small devDependency families. */
  fonts: 'full' | 'fixture';
  /** What to render. */
  spec: GlyphsSpec;
  /** The cache folder (default `defaultCacheDir()`). */
  cacheDir?: string;
  /** Passed to `ensureFontPackages`. */
  packageDir?: string;
  /** Passed to `ensureFontPackages`. */
  env?: NodeJS.ProcessEnv;
  /** Progress lines. */
  log?: DataLog;
  /** Rendering progress. */
  onProgress?: BuildProgress;
}

/** The folder of a data set: `<cache>/glyphs/<fonts>-<size>px-<copies>x-seed<seed>[-<n>chars | -pick<n>seed<k>]`. */
export function glyphsDir(cacheDir: string, fonts: 'full' | 'fixture', spec: GlyphsSpec): string {
  validateSpec(spec);
  const chars = spec.pick !== undefined ? `-pick${spec.pick.count}seed${spec.pick.seed}` : spec.maxCharacters > 0 ? `-${spec.maxCharacters}chars` : '';
  return join(cacheDir, 'glyphs', `${fonts}-${spec.size}px-${spec.copies}x-seed${spec.seed}${chars}`);
}

/** The loaded data set and what it cost. */
export interface LoadedGlyphs extends GlyphsData {
  /** Seconds of font download (0 when cached). */
  downloadSeconds: number;
  /** Seconds of rendering (0 when cached). */
  renderSeconds: number;
}

/**
 * The data set, built when missing and rebuilt when damaged (a sha256 mismatch), with the fonts
 * installed first when `fonts` is 'full'.
 */
export function loadGlyphs(o: LoadGlyphsOptions): LoadedGlyphs {
  const cacheDir = o.cacheDir ?? defaultCacheDir();
  const log = o.log ?? (() => {});
  const dir = glyphsDir(cacheDir, o.fonts, o.spec);
  const found = checkGlyphs(dir);
  if ('data' in found) return { ...found.data, downloadSeconds: 0, renderSeconds: 0 };
  if (found.problem !== 'not built yet') log(`glyphs: ${dir} holds ${found.problem}; rebuilding it`);
  for (const f of ['images.bin', 'manifest.json']) rmSync(join(dir, f), { force: true });
  let downloadSeconds = 0;
  let fontDirs: string[];
  if (o.fonts === 'fixture') fontDirs = fixtureFontDirs();
  else {
    const installed = ensureFontPackages({ cacheDir, ...(o.packageDir ? { packageDir: o.packageDir } : {}), ...(o.env ? { env: o.env } : {}), log });
    fontDirs = installed.packageDirs;
    downloadSeconds = installed.downloadSeconds;
  }
  const started = performance.now();
  buildGlyphs({ fontDirs, dir, spec: o.spec, ...(o.onProgress ? { onProgress: o.onProgress } : {}) });
  const renderSeconds = (performance.now() - started) / 1000;
  const built = checkGlyphs(dir);
  if (!('data' in built)) throw new DataError(`glyphs: ${dir} holds ${built.problem} right after building it`);
  return { ...built.data, downloadSeconds, renderSeconds };
}

/** The identity and font split of the protocol. */
export interface GlyphSplitOptions {
  /** Seed of the identity and font assignment. */
  seed: number;
  /** Identities trained on. */
  trainIdentities: number;
  /** Identities never trained on (disjoint from the training ones). */
  unseenIdentities: number;
  /** Fonts never trained on. */
  heldOutFonts: number;
}

/** Which characters and fonts go where (indices into the manifest's lists, ascending). */
export interface GlyphSplit {
  /** Training identities; a training image's class is its position in this list. */
  train: number[];
  /** Unseen identities. */
  unseen: number[];
  /**
   * The identities neither set takes (characters − train − unseen): a validation set for choices
   * that must not look at the unseen identities (docs/glyphs.md, "Which backbone").
   */
  validation: number[];
  /** Fonts of the training images. */
  trainFonts: number[];
  /** Fonts never trained on. */
  heldOutFonts: number[];
}

/**
 * A seeded, disjoint split: one shuffle of the characters gives the first `trainIdentities` to
 * training, the next `unseenIdentities` to the unseen set and the rest to validation (so the
 * first two do not change with it); one shuffle of the fonts holds out
 * the first `heldOutFonts`. Throws an OptionError when the data set is too small for it.
 */
export function splitGlyphs(m: Pick<GlyphsManifest, 'characters' | 'fonts'>, o: GlyphSplitOptions): GlyphSplit {
  const chars = m.characters.length;
  const fonts = m.fonts.length;
  if (!Number.isInteger(o.trainIdentities) || o.trainIdentities < 2) throw new OptionError(`glyphs: trainIdentities must be an integer ≥ 2, got ${o.trainIdentities}`);
  if (!Number.isInteger(o.unseenIdentities) || o.unseenIdentities < 2) throw new OptionError(`glyphs: unseenIdentities must be an integer ≥ 2, got ${o.unseenIdentities}`);
  if (o.trainIdentities + o.unseenIdentities > chars) {
    throw new OptionError(`glyphs: ${o.trainIdentities} training + ${o.unseenIdentities} unseen identities exceed the ${chars} characters of the data set`);
  }
  if (!Number.isInteger(o.heldOutFonts) || o.heldOutFonts < 1 || o.heldOutFonts >= fonts) {
    throw new OptionError(`glyphs: heldOutFonts must be an integer in [1, ${fonts - 1}] (the data set has ${fonts} fonts), got ${o.heldOutFonts}`);
  }
  const rng = new Random(mixSeed(o.seed, 0x73706c74)); // "splt"
  const order = rng.shuffle(Array.from({ length: chars }, (_, i) => i));
  const fontOrder = rng.shuffle(Array.from({ length: fonts }, (_, i) => i));
  const asc = (a: number[]) => a.sort((x, y) => x - y);
  return {
    train: asc(order.slice(0, o.trainIdentities)),
    unseen: asc(order.slice(o.trainIdentities, o.trainIdentities + o.unseenIdentities)),
    validation: asc(order.slice(o.trainIdentities + o.unseenIdentities)),
    trainFonts: asc(fontOrder.slice(o.heldOutFonts)),
    heldOutFonts: asc(fontOrder.slice(0, o.heldOutFonts)),
  };
}

/** A set of images as network input: pixels scaled to [0, 1], a label and a font per row. */
export interface GlyphImageSet {
  /** Row-major N × size² pixels in [0, 1]. */
  x: Float64Array;
  /** Class (training) or identity index (evaluation) of each row. */
  labels: Int32Array;
  /** Font index of each row. */
  fonts: Int32Array;
  /** Copy index of each row (0 = the clean image). */
  copies: Int32Array;
  /** N. */
  count: number;
  /** Inputs per row. */
  pixels: number;
}

/**
 * The images of `characters` × `fonts` × `copies` (copy indices), the label of a row being the
 * character's position in `characters`, in the order character, font, copy.
 */
export function glyphImages(data: GlyphsData, characters: readonly number[], fonts: readonly number[], copies: readonly number[]): GlyphImageSet {
  const m = data.manifest;
  const px = m.size * m.size;
  for (const k of copies) if (!(Number.isInteger(k) && k >= 0 && k < m.copies)) throw new OptionError(`glyphs: copy ${k} is not in [0, ${m.copies})`);
  const count = characters.length * fonts.length * copies.length;
  const x = new Float64Array(count * px);
  const labels = new Int32Array(count);
  const fontOf = new Int32Array(count);
  const copyOf = new Int32Array(count);
  let row = 0;
  characters.forEach((c, label) => {
    for (const f of fonts) {
      for (const k of copies) {
        const src = glyphOffset(m, f, c, k);
        for (let i = 0; i < px; i++) x[row * px + i] = data.images[src + i] / 255;
        labels[row] = label;
        fontOf[row] = f;
        copyOf[row] = k;
        row++;
      }
    }
  });
  return { x, labels, fonts: fontOf, copies: copyOf, count, pixels: px };
}
