/**
 * `arcgrad demo` (and `npm start`): by default the glyphs benchmark (`--dataset glyphs`, src/demo/glyphs.ts:
 * thousands of CJK-character identities, the fonts installed into a cache on first use); with
 * `--dataset mnist` the original demo, which trains the same backbone with Softmax, NormFace, SphereFace,
 * CosFace, ArcFace and the combined margin on MNIST digits 0–6, evaluates open-set verification
 * on digits 7–9 as insightface evaluates LFW and closed-set accuracy on held-out 0–6, and writes a
 * Markdown + HTML report with SVG figures into --out (default out/). `--quick` is the seconds-long
 * version the tests run. `--losses all` adds a row per margin made with `defineMargin` — the
 * examples of src/margins and any from `--margin-module` — to the six; `--losses a,b,…` picks.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { DEMO_SETTINGS, runDemoExperiment, type DemoResults } from '../demo/demo.js';
import { demoReport, resultsTable, type RunContext } from '../demo/report.js';
import { writeReport } from '../report/report.js';
import { OptionError } from '../tensor/errors.js';
import { EXAMPLE_MARGIN_NAMES, LOSS_NAMES, PAPER_VARIANT_NAMES, lossConfig, refusePaperVariant } from '../demo/losses.js';
import { registeredMargins } from '../losses/define-margin.js';
import { formatOptions, integerOption, parseArgs, type OptionSpec } from './args.js';
import { writeFileAtomic } from '../data/glyphs.js';
import { GLYPHS_SETTINGS, glyphsResultsJson, glyphsRunJson, runGlyphsExperiment, validateGlyphsSettings, type GlyphsRun, type GlyphsSettings, type ReuseRun } from '../demo/glyphs.js';
import { glyphsReport, glyphsTable } from '../demo/glyphs-report.js';
import { glyphsRecordKey, glyphsRunRecord, readGlyphsRunRecord } from '../demo/glyphs-record.js';
import { VERSION } from './version.js';
import { loadGlyphsWithProgress } from './data.js';
import { ProgressBar } from './progress.js';
import { TRAINING_BACKEND_SPEC, trainingBackend } from './backend-option.js';
import { assertInstalled } from './extras.js';
import { MARGIN_MODULE_SPEC, loadMarginModules } from './margin-module.js';

const specs: Record<string, OptionSpec> = {
  backend: TRAINING_BACKEND_SPEC,
  dataset: { type: 'string', help: 'glyphs (thousands of CJK-character identities, the default) or mnist (digits 0–6, unseen 7–9)', default: 'glyphs' },
  settings: { type: 'string', help: 'glyphs: a JSON file fixing every setting of the run (bench/glyphs-full.json is the README table\'s: npm run bench:glyphs)' },
  resume: { type: 'boolean', help: 'glyphs: reuse the runs already recorded in --out/runs/ when made with the same settings, data and arcgrad version; train only the others' },
  cache: { type: 'string', help: 'glyphs: the cache folder of fonts and rendered images (default $ARCGRAD_CACHE, else ~/.cache/arcgrad)' },
  out: { type: 'string', help: 'folder for report.md, report.html, the figures and the models', default: 'out' },
  quick: { type: 'boolean', help: 'a small run (glyphs: the two small devDependency fonts, 300 characters; mnist: 60 images per digit; 3 epochs): under a minute' },
  seed: { type: 'number', help: 'seed of the split, pairs, initialization and shuffling', default: 0 },
  epochs: { type: 'number', help: `epochs per model (mnist: default ${DEMO_SETTINGS.full.epochs}, ${DEMO_SETTINGS.quick.epochs} with --quick; glyphs: ${GLYPHS_SETTINGS.full.epochs}, ${GLYPHS_SETTINGS.quick.epochs} with --quick)` },
  losses: { type: 'string', help: `the losses compared: all (the six; glyphs: then the §2.3 variants ${PAPER_VARIANT_NAMES.join(', ')}; then every defined margin: ${EXAMPLE_MARGIN_NAMES.join(', ')} and, mnist, --margin-module's), or comma-separated names (default: the six built-in)` },
  'margin-module': MARGIN_MODULE_SPEC,
  help: { type: 'boolean', help: 'show this help' },
};

/** The numbers of a run as JSON (results.json): what the table shows, unrounded. */
function resultsJson(r: DemoResults, ctx: RunContext): unknown {
  return {
    context: ctx,
    settings: r.settings,
    counts: r.counts,
    losses: r.losses.map((l) => ({
      loss: l.loss,
      config: l.config,
      steps: l.steps,
      trainSeconds: l.trainSeconds,
      embeddingNorms: l.embeddingNorms,
      verificationAccuracy: l.evaluation.verification.accuracy.mean,
      verificationStd: l.evaluation.verification.accuracy.std,
      foldAccuracies: l.evaluation.verification.accuracy.foldAccuracies,
      tarAtFar: l.evaluation.verification.tarAtFar.map(({ target, tar, far }) => ({ target, tar, far })),
      auc: l.evaluation.verification.auc,
      closedSetAccuracy: l.evaluation.closedSetAccuracy,
      knownVerificationAccuracy: l.evaluation.knownVerification.accuracy.mean,
      knownVerificationStd: l.evaluation.knownVerification.accuracy.std,
      knownTarAtFar: l.evaluation.knownVerification.tarAtFar.map(({ target, tar, far }) => ({ target, tar, far })),
      knownAuc: l.evaluation.knownVerification.auc,
    })),
    rawPixels: { verificationAccuracy: r.rawPixels.accuracy.mean, verificationStd: r.rawPixels.accuracy.std, auc: r.rawPixels.auc },
    rawPixelsKnown: { verificationAccuracy: r.rawPixelsKnown.accuracy.mean, verificationStd: r.rawPixelsKnown.accuracy.std, auc: r.rawPixelsKnown.auc },
    toy: r.toy.map((t) => ({ loss: t.loss, closedSetAccuracy: t.closedSetAccuracy })),
  };
}

/**
 * The losses of `--losses`: undefined → the six built-in; 'all' → the six, the example margins,
 * then the other registered margins (the user's, `loaded` first in their order); else the
 * comma-separated names, each checked.
 */
export function demoLosses(value: string | undefined, loaded: readonly string[] = []): string[] {
  if (value === undefined) return [...LOSS_NAMES];
  if (value.trim() === 'all') {
    const rest = registeredMargins().filter((n) => !EXAMPLE_MARGIN_NAMES.includes(n) && !loaded.includes(n));
    return [...new Set([...LOSS_NAMES, ...EXAMPLE_MARGIN_NAMES, ...loaded, ...rest])];
  }
  const names = value.split(',').map((n) => n.trim()).filter((n) => n !== '');
  if (names.length === 0) throw new OptionError('demo: --losses needs a name (or all)');
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new OptionError(`demo: --losses names '${twice}' twice`);
  for (const name of names) lossConfig(name); // an unknown name fails here, listing the known ones (the §2.3 variants pass: glyphs trains them)
  return names;
}

/**
 * The glyph losses of `--losses`: 'all' → the six built-in, the §2.3 variants (NormFace + Intra,
 * NormFace + Inter, angular triplet), then the example margins of src/margins; else the
 * comma-separated names (built-in, §2.3 variants or defined margins), each checked.
 */
export function glyphsDemoLosses(value: string): string[] {
  if (value.trim() === 'all') return [...LOSS_NAMES, ...PAPER_VARIANT_NAMES, ...EXAMPLE_MARGIN_NAMES];
  return demoLosses(value);
}

/** Runs `arcgrad demo`; returns 0 once the report is written. */
export async function runDemo(argv: string[]): Promise<number> {
  const { options, positional } = parseArgs(argv, specs, 'demo');
  if (options.help) {
    console.log(`Usage: arcgrad demo [options]\n\n${formatOptions(specs)}`);
    return 0;
  }
  if (positional.length > 0) throw new OptionError(`demo: unexpected argument '${positional[0]}' (options start with --)`);
  const dataset = String(options.dataset);
  if (dataset === 'glyphs') return runGlyphsDemo(options);
  if (dataset !== 'mnist') throw new OptionError(`demo: --dataset must be glyphs or mnist, got '${dataset}'`);
  if (options.resume) throw new OptionError('demo: --resume works with --dataset glyphs only (the mnist demo takes about three minutes)');
  assertInstalled('mnist', 'figures');
  const started = performance.now();
  const base = options.quick ? DEMO_SETTINGS.quick : DEMO_SETTINGS.full;
  const epochs = integerOption(options, 'epochs', 1, 'demo') ?? base.epochs;
  const seed = integerOption(options, 'seed', 0, 'demo') as number; // has a default
  const modules = await loadMarginModules(options['margin-module']);
  const losses = demoLosses(options.losses === undefined ? undefined : String(options.losses), [...modules.keys()]);
  for (const loss of losses) refusePaperVariant(loss, 'demo --dataset mnist');
  const settings = { ...base, hidden: [...base.hidden], epochs, seed, losses };
  const out = String(options.out);
  const ctx = runContext(argv);
  console.error(`demo: ${losses.length} losses + 2 toy models, ${epochs} epochs each${options.quick ? ' (--quick)' : ''}; writing ${out}/`);
  const backend = await trainingBackend(options.backend === undefined ? undefined : String(options.backend));
  const results = runDemoExperiment(settings, out, backend);
  ctx.wallSeconds = (performance.now() - started) / 1000; // training and evaluation; the figures take a few seconds more
  const report = await demoReport(results, ctx);
  const written = writeReport(out, report);
  writeFileSync(join(out, 'results.json'), `${JSON.stringify(resultsJson(results, ctx), null, 2)}\n`);
  printTable(resultsTable(results));
  console.log(`\nwrote ${written.length + 1} files in ${out}/ (report.md, report.html, figures, results.json) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}

/** The run's command (`command` and its arguments), date and machine (CPU, load, Node) for the report's notes. */
export function runContext(argv: readonly string[], command = 'arcgrad demo'): RunContext {
  const cpu = cpus();
  return {
    command: [command, ...argv].join(' '),
    date: new Date().toISOString(),
    machine: `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, load average ${loadavg().map((l) => l.toFixed(2)).join(' / ')} (1/5/15 min) at the start, Node ${process.version}`,
    wallSeconds: 0,
  };
}

/** Prints a results table on stdout, columns padded (also `arcgrad toy`'s). */
export function printTable(table: { columns: readonly string[]; rows: readonly (readonly (string | number)[])[] }): void {
  const widths = table.columns.map((c, i) => Math.max(c.length, ...table.rows.map((r) => String(r[i]).length)));
  const line = (cells: readonly (string | number)[]) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ').trimEnd();
  console.log(line(table.columns));
  for (const row of table.rows) console.log(line(row));
}

/** The settings in a JSON file, checked. */
function readGlyphsSettings(path: string): GlyphsSettings {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new OptionError(`demo: cannot read the settings file ${path}: ${(e as Error).message.split('\n')[0]}`);
  }
  return validateGlyphsSettings(parsed, `demo: ${path}`);
}

/** `arcgrad demo --dataset glyphs`: data (built on first use), training, protocol, report. */
async function runGlyphsDemo(options: Record<string, string | number | boolean | undefined>): Promise<number> {
  assertInstalled('glyphs', 'figures');
  const started = performance.now();
  if (options.settings !== undefined) {
    const given = ['quick', 'epochs', 'losses', 'backend'].filter((k) => options[k] !== undefined && options[k] !== false).concat(Number(options.seed) !== 0 ? ['seed'] : []);
    if (given.length > 0) throw new OptionError(`demo: --settings fixes every setting; drop --${given.join(', --')}`);
  }
  const base = options.settings !== undefined ? readGlyphsSettings(String(options.settings)) : options.quick ? GLYPHS_SETTINGS.quick : GLYPHS_SETTINGS.full;
  const epochs = integerOption(options, 'epochs', 1, 'demo') ?? base.epochs;
  const seed = integerOption(options, 'seed', 0, 'demo') as number; // has a default
  if (options['margin-module'] !== undefined) throw new OptionError('demo: --margin-module works with --dataset mnist only (for now)');
  const losses = options.losses === undefined ? [...base.losses] : glyphsDemoLosses(String(options.losses));
  const settings: GlyphsSettings = {
    ...base, data: { ...base.data }, hidden: [...base.hidden], fars: [...base.fars], epochs, seeds: seed === 0 ? [...base.seeds] : [seed], losses,
    ...(options.backend === undefined ? {} : { backend: String(options.backend) }),
  };
  const out = String(options.out);
  const argv = Object.entries(options).filter(([k, v]) => v !== undefined && v !== false && v !== specs[k]?.default).map(([k, v]) => (v === true ? `--${k}` : `--${k} ${v}`));
  const ctx = runContext(argv);
  console.error(`demo: glyphs, ${losses.length} losses × ${settings.seeds.length} seed(s), ${epochs} epochs each${options.quick ? ' (--quick)' : ''}; writing ${out}/`);
  const data = loadGlyphsWithProgress(settings.fonts, settings.data, options.cache === undefined ? undefined : String(options.cache));
  const dataSeconds = (performance.now() - started) / 1000;
  console.error(`data: ${data.manifest.fonts.length} fonts × ${data.manifest.characters.length} characters in ${dataSeconds.toFixed(1)} s (font download ${data.downloadSeconds.toFixed(1)} s, rendering ${data.renderSeconds.toFixed(1)} s)`);
  const progress = (label: string, total: number) => new ProgressBar({ total, label });
  const backend = await trainingBackend(settings.backend);
  // Each run's numbers are written as it finishes, so a long comparison stopped early keeps them.
  mkdirSync(join(out, 'runs'), { recursive: true });
  const runFile = (loss: string, seed: number) => join(out, 'runs', `${loss}-seed${seed}.json`);
  const key = glyphsRecordKey(settings, data.manifest.sha256, VERSION);
  const onRun = (run: GlyphsRun) => writeFileAtomic(runFile(run.loss, run.seed), `${JSON.stringify({ ...(glyphsRunJson(run) as object), record: glyphsRunRecord(run, key) }, null, 2)}\n`);
  const reuse: ReuseRun | undefined = !options.resume ? undefined : (loss, seed, config) => {
    const found = readGlyphsRunRecord(runFile(loss, seed), key, loss, seed, config);
    if (found !== undefined && 'reason' in found) console.error(`resume: ${loss} seed ${seed}: ${runFile(loss, seed)} not reused: ${found.reason}; training it`);
    if (found !== undefined && 'run' in found) console.error(`resume: ${loss} seed ${seed}: reusing ${runFile(loss, seed)}`);
    return found !== undefined && 'run' in found ? found.run : undefined;
  };
  const results = runGlyphsExperiment(settings, data, backend, progress, onRun, reuse);
  ctx.wallSeconds = (performance.now() - started) / 1000;
  const report = await glyphsReport(results, ctx);
  const written = writeReport(out, report);
  const timing = { wallSeconds: ctx.wallSeconds, dataSeconds, downloadSeconds: data.downloadSeconds, renderSeconds: data.renderSeconds };
  writeFileAtomic(join(out, 'results.json'), `${JSON.stringify(glyphsResultsJson(results, { ...ctx, ...timing }), null, 2)}\n`);
  printTable(glyphsTable(results));
  console.log(`\nwrote ${written.length + 1} files in ${out}/ (report.md, report.html, figures, results.json) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}
