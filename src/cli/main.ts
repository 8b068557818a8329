/**
 * The `arcgrad` command line. Each subcommand is a function from arguments to an exit status;
 * errors that arcgrad raises on purpose are printed as one line (no stack trace), anything else
 * is a bug and is printed in full.
 */
import { ArcgradError, OptionError } from '../tensor/errors.js';
import { parseArgs } from './args.js';
import { allOps } from '../ops/index.js';
import { runExample } from './example.js';
import { runCheck } from './check.js';
import { runBench } from './bench.js';
import { runDemo } from './demo.js';
import { runData } from './data.js';
import { runEval } from './eval.js';
import { runToy } from './toy.js';
import { runTrain } from './train.js';
import { runReliability } from './reliability.js';

import { VERSION } from './version.js';

export { VERSION };

interface Command {
  summary: string;
  run: (argv: string[]) => Promise<number> | number;
}

const commands: Record<string, Command> = {
  example: { summary: 'run a small worked example: an ArcFace head, its loss and gradients, checked', run: runExample },
  check: { summary: 'check another implementation\'s loss and gradients against arcgrad (FILE.json)', run: runCheck },
  ops: { summary: 'list the registered ops with their derivations', run: listOps },
  bench: { summary: 'time the margin head (forward + backward) on arcgrad\'s CPU paths and tfjs, side by side', run: runBench },
  demo: { summary: 'train Softmax … ArcFace on thousands of glyph identities (--dataset mnist: digits 0–6), verify on unseen ones, write a report to out/ (--quick: < 1 min)', run: runDemo },
  toy: { summary: 'the ArcFace paper\'s 2-D toy: 8 glyph identities on the unit circle, one panel per loss, the gaps between classes measured (--quick: seconds)', run: runToy },
  data: { summary: 'install the pinned fonts and render the glyphs data set into the cache (arcgrad data glyphs)', run: runData },
  train: { summary: 'train one loss (--loss, --s, --m1, --m2, --m3, …) with checkpoints and --resume', run: runTrain },
  eval: { summary: 'evaluate a checkpoint: verification on unseen digits, TAR@FAR, closed-set accuracy', run: runEval },
  reliability: { summary: 'run the bad-input, damaged-file and GPU-fault scenarios and the float32 precision table of docs/reliability.md', run: (argv) => runReliability(argv, run) },
};

function listOps(argv: string[]): number {
  const { options, positional } = parseArgs(argv, { help: { type: 'boolean', help: 'show this help' } }, 'ops');
  if (options.help) {
    console.log('Usage: arcgrad ops\n\nLists the registered ops: name, summary, and where their derivation is.');
    return 0;
  }
  if (positional.length > 0) throw new OptionError(`ops: unexpected argument '${positional[0]}'`);
  for (const op of allOps) console.log(`${op.name.padEnd(16)} ${op.summary.padEnd(72)} ${op.docs}`);
  return 0;
}

function help(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return [
    'arcgrad — reverse-mode autodiff for the angular-margin softmax losses (Softmax, NormFace,',
    'SphereFace, CosFace, ArcFace, combined margin), with hand-derived, finite-difference-checked gradients.',
    '',
    'Usage: arcgrad <command> [options]     (arcgrad <command> --help for its options)',
    '       arcgrad --version                (-v: the version)',
    '',
    'Commands:',
    ...lines,
  ].join('\n');
}

/** Runs the CLI with `argv` (without node and the script) and returns the exit status. */
export async function run(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return 0;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    console.log(VERSION);
    return 0;
  }
  const command = commands[name];
  if (command === undefined) {
    console.error(`arcgrad: unknown command '${name}'\n\n${help()}`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof ArcgradError) {
      // One line, even when the message quotes the input (JSON.parse's excerpts hold its newlines).
      // The library's messages name their caller ("train: …"); the prefix already says it once.
      const message = e.message.replace(/\s*\n\s*/g, ' ');
      console.error(`arcgrad ${name}: ${message.startsWith(`${name}: `) ? message.slice(name.length + 2) : message}`);
      return 2; // bad input: a typed error, reported in one line
    }
    throw e;
  }
}
