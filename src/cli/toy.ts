/**
 * `arcgrad toy`: the ArcFace paper's 2-D toy on 8 glyph identities (src/demo/glyphs-toy.ts). Renders
 * the toy's data set into the cache on first use (the 8 picked characters × every font × 88
 * copies), trains one 2-D model per loss, and writes into --out the figure (glyphs-toy.svg), the
 * table with notes (toy.md) and every number (toy.json). `--quick` is the seconds-long version on
 * the two small devDependency fonts.
 */
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { writeFileAtomic } from '../data/glyphs.js';
import { TOY_SETTINGS, runGlyphsToy, toyJson, toyReport, toyTable } from '../demo/glyphs-toy.js';
import { renderReport } from '../report/report.js';
import { OptionError } from '../tensor/errors.js';
import { formatOptions, integerOption, parseArgs, type OptionSpec } from './args.js';
import { TRAINING_BACKEND_SPEC, trainingBackend } from './backend-option.js';
import { loadGlyphsWithProgress } from './data.js';
import { printTable, runContext } from './demo.js';
import { assertInstalled } from './extras.js';
import { ProgressBar } from './progress.js';

const specs: Record<string, OptionSpec> = {
  out: { type: 'string', help: 'folder for glyphs-toy.svg, toy.md and toy.json', default: 'out/toy' },
  quick: { type: 'boolean', help: 'the two small devDependency fonts, 12 copies, 4 epochs: seconds (what the tests run)' },
  cache: { type: 'string', help: 'the cache folder of fonts and rendered images (default $ARCGRAD_CACHE, else ~/.cache/arcgrad)' },
  backend: TRAINING_BACKEND_SPEC,
  seed: { type: 'number', help: 'training seed (initialization and shuffling; the data, pick and font split stay fixed)', default: 0 },
  help: { type: 'boolean', help: 'show this help' },
};

/** Runs `arcgrad toy`; returns 0 once the three files are written. */
export async function runToy(argv: string[]): Promise<number> {
  const { options, positional } = parseArgs(argv, specs, 'toy');
  if (options.help) {
    console.log(`Usage: arcgrad toy [options]\n\nThe ArcFace paper's 2-D toy: 8 glyph identities, one 2-D model per loss (Softmax, NormFace, SphereFace,\nCosFace, ArcFace), features on the unit circle, the gaps between the classes measured.\n\n${formatOptions(specs)}`);
    return 0;
  }
  if (positional.length > 0) throw new OptionError(`toy: unexpected argument '${positional[0]}' (options start with --)`);
  assertInstalled('glyphs', 'figures');
  const started = performance.now();
  const base = options.quick ? TOY_SETTINGS.quick : TOY_SETTINGS.full;
  const seed = integerOption(options, 'seed', 0, 'toy') as number; // has a default
  const settings = { ...base, data: { ...base.data, pick: { ...base.data.pick } }, losses: [...base.losses], hidden: [...base.hidden], seed, ...(options.backend === undefined ? {} : { backend: String(options.backend) }) };
  const out = String(options.out);
  const context = runContext(argv, 'arcgrad toy');
  console.error(`toy: ${settings.losses.length} losses, 2-D embedding, ${settings.epochs} epochs each${options.quick ? ' (--quick)' : ''}; writing ${out}/`);
  const data = loadGlyphsWithProgress(settings.fonts, settings.data, options.cache === undefined ? undefined : String(options.cache));
  const dataSeconds = (performance.now() - started) / 1000;
  console.error(`data: ${data.manifest.fonts.length} fonts × ${data.manifest.characters.length} characters × ${data.manifest.copies} copies in ${dataSeconds.toFixed(1)} s (font download ${data.downloadSeconds.toFixed(1)} s, rendering ${data.renderSeconds.toFixed(1)} s)`);
  const backend = await trainingBackend(settings.backend);
  const results = runGlyphsToy(settings, data, backend, (label, total) => new ProgressBar({ total, label }));
  context.wallSeconds = (performance.now() - started) / 1000;
  const report = await toyReport(results, context);
  const { markdown } = renderReport(report);
  mkdirSync(out, { recursive: true });
  for (const f of report.figures ?? []) writeFileAtomic(join(out, f.file), f.svg);
  writeFileAtomic(join(out, 'toy.md'), markdown);
  writeFileAtomic(join(out, 'toy.json'), `${JSON.stringify(toyJson(results, { ...context, dataSeconds, downloadSeconds: data.downloadSeconds, renderSeconds: data.renderSeconds }), null, 2)}\n`);
  printTable(toyTable(results));
  console.log(`\nwrote glyphs-toy.svg, toy.md and toy.json in ${out}/ in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}
