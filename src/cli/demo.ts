/**
 * `arcgrad demo` (and `npm start`): trains the same backbone with Softmax, NormFace, SphereFace,
 * CosFace, ArcFace and the combined margin on MNIST digits 0–6, evaluates open-set verification
 * on digits 7–9 as insightface evaluates LFW and closed-set accuracy on held-out 0–6, and writes a
 * Markdown + HTML report with SVG figures into --out (default out/). `--quick` is the seconds-long
 * version the tests run.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { DEMO_SETTINGS, runDemoExperiment, type DemoResults } from '../demo/demo.js';
import { demoReport, resultsTable, type RunContext } from '../demo/report.js';
import { writeReport } from '../report/report.js';
import { OptionError } from '../tensor/errors.js';
import { formatOptions, parseArgs, type OptionSpec } from './args.js';

const specs: Record<string, OptionSpec> = {
  out: { type: 'string', help: 'folder for report.md, report.html, the figures and the models', default: 'out' },
  quick: { type: 'boolean', help: 'a small run (60 images per digit, 3 epochs): under a minute' },
  seed: { type: 'number', help: 'seed of the split, pairs, initialization and shuffling', default: 0 },
  epochs: { type: 'number', help: `epochs per model (default ${DEMO_SETTINGS.full.epochs}, ${DEMO_SETTINGS.quick.epochs} with --quick)` },
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
      verificationAccuracy: l.evaluation.verification.accuracy.mean,
      verificationStd: l.evaluation.verification.accuracy.std,
      foldAccuracies: l.evaluation.verification.accuracy.foldAccuracies,
      tarAtFar: l.evaluation.verification.tarAtFar.map(({ target, tar, far }) => ({ target, tar, far })),
      auc: l.evaluation.verification.auc,
      closedSetAccuracy: l.evaluation.closedSetAccuracy,
    })),
    rawPixels: { verificationAccuracy: r.rawPixels.accuracy.mean, verificationStd: r.rawPixels.accuracy.std, auc: r.rawPixels.auc },
    toy: r.toy.map((t) => ({ loss: t.loss, closedSetAccuracy: t.closedSetAccuracy })),
  };
}

/** Runs `arcgrad demo`; returns 0 once the report is written. */
export async function runDemo(argv: string[]): Promise<number> {
  const { options, positional } = parseArgs(argv, specs, 'demo');
  if (options.help) {
    console.log(`Usage: arcgrad demo [options]\n\n${formatOptions(specs)}`);
    return 0;
  }
  if (positional.length > 0) throw new OptionError(`demo: unexpected argument '${positional[0]}' (options start with --)`);
  const started = performance.now();
  const base = options.quick ? DEMO_SETTINGS.quick : DEMO_SETTINGS.full;
  const epochs = options.epochs === undefined ? base.epochs : Number(options.epochs);
  if (!Number.isInteger(epochs) || epochs < 1) throw new OptionError(`demo: --epochs must be an integer ≥ 1, got ${options.epochs}`);
  const seed = Number(options.seed);
  if (!Number.isInteger(seed) || seed < 0) throw new OptionError(`demo: --seed must be an integer ≥ 0, got ${options.seed}`);
  const settings = { ...base, hidden: [...base.hidden], epochs, seed };
  const out = String(options.out);
  const cpu = cpus();
  const ctx: RunContext = {
    command: ['arcgrad demo', ...argv].join(' '),
    date: new Date().toISOString(),
    machine: `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, load average ${loadavg().map((l) => l.toFixed(2)).join(' / ')} (1/5/15 min) at the start, Node ${process.version}`,
    wallSeconds: 0,
  };
  console.error(`demo: 6 losses + 2 toy models, ${epochs} epochs each${options.quick ? ' (--quick)' : ''}; writing ${out}/`);
  const results = runDemoExperiment(settings, out);
  ctx.wallSeconds = (performance.now() - started) / 1000; // training and evaluation; the figures take a few seconds more
  const report = await demoReport(results, ctx);
  const written = writeReport(out, report);
  writeFileSync(join(out, 'results.json'), `${JSON.stringify(resultsJson(results, ctx), null, 2)}\n`);
  const table = resultsTable(results);
  const widths = table.columns.map((c, i) => Math.max(c.length, ...table.rows.map((r) => String(r[i]).length)));
  const line = (cells: readonly (string | number)[]) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ').trimEnd();
  console.log(line(table.columns));
  for (const row of table.rows) console.log(line(row));
  console.log(`\nwrote ${written.length + 1} files in ${out}/ (report.md, report.html, figures, results.json) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}
