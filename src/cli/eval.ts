/**
 * `arcgrad eval [DIR | CHECKPOINT]`: loads a checkpoint written by `arcgrad train` (or by the
 * demo, under out/models/<loss>), rebuilds the model from the run.json next to it, and measures
 * what the demo reports: insightface's 10-fold verification accuracy on pairs of the unseen
 * digits 7–9, TAR at FAR 1e-3/1e-2/1e-1, AUC, and closed-set accuracy on held-out digits 0–6.
 * Prints them and writes eval.json next to the checkpoint (or into --out).
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadDemoData } from '../demo/data.js';
import { evaluateRun, evaluationSummary, modelFromCheckpoint, readRunConfig, validateRunConfig } from '../demo/experiment.js';
import { describeLoss } from '../demo/losses.js';
import { OptionError } from '../tensor/errors.js';
import { CheckpointError } from '../train/checkpoint.js';
import { formatOptions, parseArgs, type OptionSpec } from './args.js';
import { assertInstalled } from './extras.js';
import { RUN_FILES } from './train.js';

const specs: Record<string, OptionSpec> = {
  pairs: { type: 'number', help: 'verification pairs (default: the run\'s)' },
  json: { type: 'boolean', help: 'print the numbers as one JSON object' },
  out: { type: 'string', help: 'write eval.json here (default: next to the checkpoint)' },
  help: { type: 'boolean', help: 'show this help' },
};

/** The checkpoint file and run.json of a run folder or of a checkpoint path. */
function locate(target: string): { checkpoint: string; config: string } {
  if (!existsSync(target)) throw new CheckpointError(`no checkpoint at ${target}`);
  const checkpoint = statSync(target).isDirectory() ? join(target, RUN_FILES.checkpoint) : target;
  if (!existsSync(checkpoint)) throw new CheckpointError(`no checkpoint at ${checkpoint} (train one with arcgrad train --out ${target})`);
  const config = join(dirname(checkpoint), RUN_FILES.config);
  if (!existsSync(config)) throw new CheckpointError(`no ${RUN_FILES.config} next to ${checkpoint}: arcgrad eval needs it to rebuild the model`);
  return { checkpoint, config };
}

const pct = (v: number) => `${(100 * v).toFixed(2)}%`;

/** Runs `arcgrad eval`; returns 0 after printing the numbers. */
export function runEval(argv: string[]): number {
  const { options, positional } = parseArgs(argv, specs, 'eval');
  if (options.help) {
    console.log(`Usage: arcgrad eval [DIR | CHECKPOINT] [options]     (default DIR: out/train)\n\n${formatOptions(specs)}`);
    return 0;
  }
  if (positional.length > 1) throw new OptionError(`eval: one run folder or checkpoint, got ${positional.length}`);
  assertInstalled('mnist');
  const { checkpoint, config: configPath } = locate(positional[0] ?? 'out/train');
  const config = readRunConfig(configPath);
  if (options.pairs !== undefined) {
    config.pairs = Number(options.pairs);
    validateRunConfig(config);
  }
  const model = modelFromCheckpoint(config, checkpoint);
  const data = loadDemoData({ seed: config.data.seed, perDigit: config.data.perDigit });
  const summary = { checkpoint, step: model.step, loss: describeLoss(config.loss), ...evaluationSummary(evaluateRun(config, model, data)) };
  const dir = options.out === undefined ? dirname(checkpoint) : String(options.out);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, RUN_FILES.evaluation), `${JSON.stringify(summary, null, 2)}\n`);
  if (options.json) {
    console.log(JSON.stringify(summary));
    return 0;
  }
  console.log(`eval: ${summary.loss}, step ${summary.step} (${checkpoint})`);
  console.log(`verification on unseen digits 7–9 (${summary.pairs} pairs, 10 folds): ${pct(summary.verificationAccuracy)} ± ${pct(summary.verificationStd)}`);
  console.log(`TAR@FAR=1e-3 ${pct(summary.tarAtFar1e3)}   TAR@FAR=1e-2 ${pct(summary.tarAtFar1e2)}   TAR@FAR=1e-1 ${pct(summary.tarAtFar1e1)}   AUC ${summary.auc.toFixed(4)}`);
  console.log(`closed-set accuracy on held-out digits 0–6: ${pct(summary.closedSetAccuracy)}`);
  console.log(
    `verification on held-out known digits 0–6 (${summary.pairs} pairs, 10 folds): ${pct(summary.knownVerificationAccuracy)} ± ${pct(summary.knownVerificationStd)}` +
      `   TAR@FAR=1e-3 ${pct(summary.knownTarAtFar1e3)}   AUC ${summary.knownAuc.toFixed(4)}`,
  );
  console.log(`wrote ${join(dir, RUN_FILES.evaluation)}`);
  return 0;
}
