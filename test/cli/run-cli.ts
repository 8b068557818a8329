/** Runs the CLI in-process, capturing what it prints (console and the progress bars on stderr). */
import { vi } from 'vitest';
import { run } from '../../src/cli/main.js';

/** What a CLI run returned and printed. */
export interface CliResult {
  /** Exit status. */
  status: number;
  /** console.log lines. */
  out: string;
  /** console.error lines and direct stderr writes (progress bars). */
  err: string;
}

/** Runs `arcgrad ...argv` in-process; restores the console afterwards. */
export async function cli(argv: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const spies = [
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' '))),
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' '))),
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (err.push(String(chunk)), true)),
  ];
  try {
    const status = await run(argv);
    return { status, out: out.join('\n'), err: err.join('\n') };
  } finally {
    for (const s of spies) s.mockRestore();
  }
}
