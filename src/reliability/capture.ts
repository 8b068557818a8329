/** Running a CLI command in this process while capturing what it prints (for `arcgrad reliability`). */

/** What a captured command returned and printed. */
export interface Captured {
  /** Exit status, or the error it threw (a bug: arcgrad's CLI returns a status for every typed error). */
  status: number | Error;
  /** console.log lines. */
  out: string;
  /** console.error lines and direct stderr writes. */
  err: string;
}

/** Runs `f` with console.log, console.error and process.stderr.write captured, then restores them. */
export async function capture(f: () => Promise<number> | number): Promise<Captured> {
  const out: string[] = [];
  const err: string[] = [];
  const saved = { log: console.log, error: console.error, write: process.stderr.write };
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  console.error = (...a: unknown[]) => void err.push(a.join(' '));
  process.stderr.write = ((chunk: string | Uint8Array) => (err.push(String(chunk)), true)) as typeof process.stderr.write;
  let status: number | Error;
  try {
    status = await f();
  } catch (e) {
    status = e instanceof Error ? e : new Error(String(e));
  } finally {
    console.log = saved.log;
    console.error = saved.error;
    process.stderr.write = saved.write;
  }
  return { status, out: out.join('\n'), err: err.join('\n') };
}
