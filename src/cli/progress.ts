/**
 * A terminal progress bar for long loops (training), written to stderr so that stdout stays
 * clean for results. On a TTY it redraws one line in place (`\r` + erase line); elsewhere (CI
 * logs, pipes, files) it degrades to plain lines, one per `plainEvery` fraction of the work and
 * one at the end, so logs get a readable record instead of control characters.
 */
import type { Progress } from '../train/loop.js';

/** Where the bar writes: process.stderr, or anything with `write` (tests pass a fake). */
export interface ProgressStream {
  /** Writes text. */
  write(text: string): unknown;
  /** True for a terminal: redraw in place. */
  isTTY?: boolean;
  /** Terminal width, when known. */
  columns?: number;
}

/** Options of `ProgressBar`. */
export interface ProgressBarOptions {
  /** Units of work in all (steps). */
  total: number;
  /** Shown before the bar (default 'train'). */
  label?: string;
  /** Where to write (default process.stderr). */
  stream?: ProgressStream;
  /** Bar width in characters on a TTY (default 24). */
  width?: number;
  /** Without a TTY, print a line each time this fraction of the work is done (default 0.1). */
  plainEvery?: number;
}

/** A progress bar: `update(done, text)` as work proceeds, `finish(text)` at the end. */
export class ProgressBar {
  private readonly stream: ProgressStream;
  private readonly total: number;
  private readonly label: string;
  private readonly width: number;
  private readonly plainEvery: number;
  private nextPlain = 0;
  private finished = false;

  /** A bar over `total` units. */
  constructor({ total, label = 'train', stream = process.stderr, width = 24, plainEvery = 0.1 }: ProgressBarOptions) {
    this.total = Math.max(1, total);
    this.label = label;
    this.stream = stream;
    this.width = width;
    this.plainEvery = plainEvery;
  }

  /** `label [#####.....]  42% 21/50 text` (the bar only on a TTY). */
  line(done: number, text = ''): string {
    const fraction = Math.min(1, Math.max(0, done / this.total));
    const pct = `${Math.floor(fraction * 100)}`.padStart(3);
    const count = `${done}/${this.total}`;
    const tail = text === '' ? '' : ` ${text}`;
    if (!this.stream.isTTY) return `${this.label} ${pct}% ${count}${tail}`;
    const filled = Math.round(fraction * this.width);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(this.width - filled)}]`;
    const full = `${this.label} ${bar} ${pct}% ${count}${tail}`;
    return this.stream.columns ? full.slice(0, this.stream.columns - 1) : full;
  }

  /** Reports `done` units; redraws on a TTY, prints at each `plainEvery` mark otherwise. */
  update(done: number, text = ''): void {
    if (this.finished) return;
    if (this.stream.isTTY) {
      this.stream.write(`\r\x1b[2K${this.line(done, text)}`);
    } else if (done / this.total >= this.nextPlain) {
      this.stream.write(`${this.line(done, text)}\n`);
      this.nextPlain = (Math.floor(done / this.total / this.plainEvery) + 1) * this.plainEvery;
    }
  }

  /** The final line (always printed), ending the TTY line. */
  finish(done: number, text = ''): void {
    if (this.finished) return;
    this.finished = true;
    this.stream.write(this.stream.isTTY ? `\r\x1b[2K${this.line(done, text)}\n` : `${this.line(done, text)}\n`);
  }
}

/** An `onProgress` for `train` that drives a bar: epoch, loss and learning rate after the count. */
export function trainProgress(options: Omit<ProgressBarOptions, 'total'> = {}): (p: Progress) => void {
  let bar: ProgressBar | undefined;
  return (p) => {
    bar ??= new ProgressBar({ ...options, total: p.totalSteps });
    const text = `epoch ${p.epoch + 1}/${p.epochs} loss ${p.loss.toFixed(4)} lr ${p.lr.toPrecision(3)}`;
    if (p.step >= p.totalSteps) bar.finish(p.step, text);
    else bar.update(p.step, text);
  };
}
