/**
 * `arcgrad train`: trains one loss on digits 0–6 (pooled to 14×14) into a run folder holding
 * run.json (the configuration) and checkpoint.json (written atomically once per epoch, or every
 * --checkpoint-every steps). `--resume` continues the folder's run from its checkpoint and ends
 * at bit-identical parameters to an uninterrupted run (the loop's guarantee). --stop-after
 * stops early with a checkpoint. Ctrl-C is not intercepted: training is one synchronous loop, so a
 * JS signal handler could run only after it ended; the process dies at once instead, and the last
 * checkpoint is intact because checkpoints are written atomically (--resume continues from it,
 * losing at most the steps since). `arcgrad eval DIR` evaluates the run.
 *
 * `--loss` may name a margin made with `defineMargin`: an example (curricularface, adaface,
 * magface, elasticface-arc, elasticface-cos) or the user's own, from `--margin-module FILE`.
 * run.json records the margin's parameters and the module's absolute path, and `--resume` loads
 * that module again; the margin's running state travels in the checkpoint.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { registeredMargins } from '../losses/define-margin.js';
import { join } from 'node:path';
import { loadDemoData } from '../demo/data.js';
import { readRunConfig, trainRun, writeRunConfig, type RunConfig } from '../demo/experiment.js';
import { describeLoss } from '../demo/losses.js';
import { OptionError } from '../tensor/errors.js';
import { CheckpointError } from '../train/checkpoint.js';
import { formatOptions, integerOption, parseArgs, type OptionSpec } from './args.js';
import { assertInstalled } from './extras.js';
import { ProgressBar } from './progress.js';
import { LOSS_SPECS, TRAINING_SPECS, runConfigFromOptions } from './run-options.js';
import { MARGIN_MODULE_SPEC, loadMarginModule, loadMarginModules } from './margin-module.js';
import { TRAINING_BACKEND_SPEC, trainingBackend } from './backend-option.js';

/** The files of a run folder. */
export const RUN_FILES = { config: 'run.json', checkpoint: 'checkpoint.json', evaluation: 'eval.json' } as const;

const RUN_SPECS: Record<string, OptionSpec> = {
  out: { type: 'string', help: 'run folder (run.json, checkpoint.json)', default: 'out/train' },
  resume: { type: 'boolean', help: 'continue the run in --out from its checkpoint (its run.json decides every other option)' },
  'checkpoint-every': { type: 'number', help: 'write a checkpoint every this many steps (default: every epoch)' },
  'stop-after': { type: 'number', help: 'stop after this many steps in all, with a checkpoint (continue with --resume)' },
  'margin-module': MARGIN_MODULE_SPEC,
  backend: TRAINING_BACKEND_SPEC,
  help: { type: 'boolean', help: 'show this help' },
};

const specs: Record<string, OptionSpec> = { ...LOSS_SPECS, ...TRAINING_SPECS, ...RUN_SPECS };

/** Options that may accompany --resume: the rest come from run.json. */
const RESUME_OPTIONS = new Set(['out', 'resume', 'checkpoint-every', 'stop-after', 'margin-module', 'backend']);

/** Thrown from the progress callback to stop the loop; the loop checkpoints before it rethrows. */
class StopTraining extends Error {}

/** The options the user actually typed (parseArgs fills in defaults, which must not count). */
function givenOptions(argv: readonly string[]): string[] {
  return argv.filter((a) => a.startsWith('--')).map((a) => a.slice(2).split('=')[0]);
}

/** Runs `arcgrad train`; returns 0 when training finished or stopped as --stop-after asked. */
export async function runTrain(argv: string[]): Promise<number> {
  const { options, positional } = parseArgs(argv, specs, 'train');
  if (options.help) {
    console.log(`Usage: arcgrad train [options]\n\nTrains one loss on MNIST digits 0–6 (14×14); evaluate with arcgrad eval DIR.\n\n${formatOptions(specs)}`);
    return 0;
  }
  if (positional.length > 0) throw new OptionError(`train: unexpected argument '${positional[0]}' (options start with --)`);
  assertInstalled('mnist');
  const dir = String(options.out);
  const configPath = join(dir, RUN_FILES.config);
  const checkpointPath = join(dir, RUN_FILES.checkpoint);
  const every = integerOption(options, 'checkpoint-every', 1);
  const stopAfter = integerOption(options, 'stop-after', 1);
  const modules = await loadMarginModules(options['margin-module']);

  let config: RunConfig;
  if (options.resume) {
    const extra = givenOptions(argv).filter((name) => !RESUME_OPTIONS.has(name));
    if (extra.length > 0) {
      throw new OptionError(`--resume continues the run as ${configPath} describes it; drop ${extra.map((n) => `--${n}`).join(', ')}`);
    }
    if (!existsSync(checkpointPath)) throw new CheckpointError(`--resume: no checkpoint at ${checkpointPath}`);
    config = readRunConfig(configPath);
    const module = config.loss.defined?.module;
    if (module !== undefined && !registeredMargins().includes(config.loss.name)) await loadMarginModule(module);
  } else {
    config = runConfigFromOptions(options, String(options.loss), modules);
    if (existsSync(checkpointPath)) {
      throw new CheckpointError(`${dir} already holds a run (${RUN_FILES.checkpoint}); continue it with --resume, or choose another --out`);
    }
    mkdirSync(dir, { recursive: true });
    writeRunConfig(configPath, config);
  }

  console.log(`train: ${describeLoss(config.loss)}; MLP 196 → ${config.model.hidden.join(' → ')} → ${config.model.embedding}; ${config.optim.epochs} epochs; seed ${config.optim.seed}`);
  const data = loadDemoData({ seed: config.data.seed, perDigit: config.data.perDigit });
  const backend = await trainingBackend(options.backend === undefined ? undefined : String(options.backend));

  let bar: ProgressBar | undefined;
  let step = 0;
  const started = performance.now();
  try {
    const model = trainRun(config, data, {
      backend,
      checkpoint: checkpointPath,
      ...(every === undefined ? {} : { checkpointEvery: every }),
      ...(options.resume ? { resume: checkpointPath } : {}),
      onProgress: (p) => {
        bar ??= new ProgressBar({ total: p.totalSteps, label: config.loss.name });
        step = p.step;
        const text = `epoch ${p.epoch + 1}/${p.epochs} loss ${p.loss.toFixed(4)} lr ${p.lr.toPrecision(3)}`;
        if (p.step >= p.totalSteps) bar.finish(p.step, text);
        else bar.update(p.step, text);
        if (stopAfter !== undefined && p.step >= stopAfter && p.step < p.totalSteps) throw new StopTraining();
      },
    });
    const seconds = (performance.now() - started) / 1000;
    console.log(`train: ${model.step} steps in ${seconds.toFixed(1)} s; checkpoint ${checkpointPath}`);
    console.log(`evaluate with: arcgrad eval ${dir}`);
    return 0;
  } catch (e) {
    if (!(e instanceof StopTraining)) throw e;
    bar?.finish(step, 'stopped (--stop-after)');
    console.log(`train: stopped at step ${step}; checkpoint ${checkpointPath}; continue with: arcgrad train --out ${dir} --resume`);
    return 0;
  }
}
