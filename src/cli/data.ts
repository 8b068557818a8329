/**
 * `arcgrad data glyphs`: installs the pinned font packages into the cache folder (once) and
 * renders the glyphs data set of `arcgrad demo --dataset glyphs` into it, with a progress bar.
 * Stopped with Ctrl-C, it resumes at the first font it had not finished; a damaged file is found
 * by its sha256 and rebuilt. See src/data/glyphs.ts.
 */
import { defaultCacheDir, loadGlyphs, type GlyphsSpec } from '../data/glyphs.js';
import { GLYPHS_SETTINGS } from '../demo/glyphs.js';
import { OptionError } from '../tensor/errors.js';
import { formatOptions, parseArgs, type OptionSpec } from './args.js';
import { ProgressBar } from './progress.js';

const specs: Record<string, OptionSpec> = {
  cache: { type: 'string', help: `cache folder (default $ARCGRAD_CACHE, else ~/.cache/arcgrad; here ${defaultCacheDir()})` },
  quick: { type: 'boolean', help: 'the small set of --quick: the two devDependency fonts, a few hundred characters' },
  help: { type: 'boolean', help: 'show this help' },
};

/** Loads (building when needed) the glyphs data set of `spec`, with progress on stderr. */
export function loadGlyphsWithProgress(fonts: 'full' | 'fixture', spec: GlyphsSpec, cacheDir: string | undefined) {
  let bar: ProgressBar | undefined;
  const data = loadGlyphs({
    fonts,
    spec,
    ...(cacheDir === undefined ? {} : { cacheDir }),
    log: (line) => console.error(line),
    onProgress: (done, total, font) => {
      bar ??= new ProgressBar({ total, label: 'render glyphs' });
      if (done >= total) bar.finish(done, font);
      else bar.update(done, font);
    },
  });
  return data;
}

/** Runs `arcgrad data glyphs`; returns 0 once the data set is built and verified. */
export function runData(argv: string[]): number {
  const { options, positional } = parseArgs(argv, specs, 'data');
  if (options.help || positional.length === 0) {
    console.log(`Usage: arcgrad data glyphs [options]\n\nInstalls the pinned fonts and renders the glyphs data set into the cache.\n\n${formatOptions(specs)}`);
    return options.help ? 0 : 2;
  }
  if (positional[0] !== 'glyphs' || positional.length > 1) throw new OptionError(`data: the only data set is 'glyphs', got '${positional.join(' ')}'`);
  const settings = options.quick ? GLYPHS_SETTINGS.quick : GLYPHS_SETTINGS.full;
  const data = loadGlyphsWithProgress(settings.fonts, settings.data, options.cache === undefined ? undefined : String(options.cache));
  const m = data.manifest;
  console.log(`glyphs: ${m.fonts.length} fonts × ${m.characters.length} characters × ${m.copies} copies at ${m.size}×${m.size} in ${data.dir} (sha256 ${m.sha256.slice(0, 12)}…); font download ${data.downloadSeconds.toFixed(1)} s, rendering ${data.renderSeconds.toFixed(1)} s`);
  return 0;
}
