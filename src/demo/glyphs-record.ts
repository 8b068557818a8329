/**
 * Run records of the glyphs benchmark: everything one trained (loss, seed) contributes to the
 * report — loss curve, final θ_y, both protocol reports with their ROC curves — written as the run
 * finishes (out/runs/<loss>-seed<k>.json), so that a long comparison (`npm run bench:glyphs`
 * takes most of an hour) stopped by Ctrl-C, a crash or a new loss added to its settings resumes
 * with `arcgrad demo --resume` instead of starting over.
 *
 * A record is reused only when it says it was made with the same settings (every setting except
 * the lists of seeds and losses, which only choose WHICH runs exist), the same rendered data
 * (images.bin's sha256), the same run configuration and the same arcgrad version; anything else —
 * a damaged or half-written file, another format — is reported in one line and the run is
 * trained again. Runs are deterministic in those inputs (docs/glyphs.md), so a reused run equals
 * a retrained one; the report names the runs it reused.
 *
 * Exactness: typed arrays are stored as base64 of their bytes and non-finite numbers by name, so a
 * record read back gives bit-identical numbers (JSON alone would turn ±Infinity into null).
 */
import { existsSync, readFileSync } from 'node:fs';
import { canonicalJson } from '../train/loop.js';
import type { GlyphsRun, GlyphsSettings } from './glyphs.js';

/** The record format's name; a file with another is not reused. */
export const GLYPHS_RECORD_FORMAT = 'arcgrad-glyphs-run/1';

/**
 * What a record must have been made with to be reused: the settings without `seeds` and `losses`,
 * the data's sha256 and the package version. `backbone: 'mlp'` is left out of the key: records
 * made before the setting existed were MLP runs and keep their key.
 */
export function glyphsRecordKey(s: GlyphsSettings, dataSha256: string, version: string): string {
  const { seeds: _seeds, losses: _losses, ...rest } = s;
  const { backbone, ...withoutBackbone } = rest;
  return canonicalJson({ settings: backbone === 'mlp' ? withoutBackbone : rest, data: dataSha256, version });
}

type TypedArray = Float64Array | Float32Array | Int32Array | Uint8Array;
const TYPED: Record<string, new (b: ArrayBuffer) => TypedArray> = { Float64Array, Float32Array, Int32Array, Uint8Array };

/** A JSON value with typed arrays as `{ $typed, base64 }` and non-finite numbers as `{ $number }`. */
function encode(v: unknown): unknown {
  if (typeof v === 'number') return Number.isFinite(v) ? v : { $number: String(v) };
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    const name = v.constructor.name;
    if (!(name in TYPED)) throw new TypeError(`glyphs record: cannot store a ${name}`);
    return { $typed: name, base64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  }
  if (Array.isArray(v)) return v.map(encode);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encode(x)]));
  return v;
}

function decode(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decode);
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  if (typeof o.$number === 'string') return Number(o.$number);
  if (typeof o.$typed === 'string' && typeof o.base64 === 'string') {
    const make = TYPED[o.$typed];
    if (make === undefined) throw new TypeError(`unknown typed array ${o.$typed}`);
    const bytes = Buffer.from(o.base64, 'base64');
    const copy = new ArrayBuffer(bytes.byteLength);
    new Uint8Array(copy).set(bytes);
    return new make(copy);
  }
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, decode(x)]));
}

/** The `record` part of a run's file: the key and the whole run, exactly. */
export function glyphsRunRecord(run: GlyphsRun, key: string): unknown {
  return { format: GLYPHS_RECORD_FORMAT, key, run: encode(run) };
}

/** Why a record was not reused, or the run it holds. */
export type RecordLookup = { run: GlyphsRun } | { reason: string } | undefined;

/**
 * The run recorded in `path` (the JSON `arcgrad demo` writes per run, whose `record` field
 * `glyphsRunRecord` made), if it is a run of `loss` with `seed` and `config` made under `key`;
 * `undefined` when there is no file; `{ reason }` (one line) when there is one that cannot be reused.
 */
export function readGlyphsRunRecord(path: string, key: string, loss: string, seed: number, config: unknown): RecordLookup {
  if (!existsSync(path)) return undefined;
  let parsed: { record?: { format?: unknown; key?: unknown; run?: unknown } };
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as typeof parsed;
  } catch (e) {
    return { reason: `unreadable (${(e as Error).message.split('\n')[0]})` };
  }
  const record = parsed?.record;
  if (record === undefined || record === null || typeof record !== 'object') return { reason: 'holds no run record (written by an older arcgrad)' };
  if (record.format !== GLYPHS_RECORD_FORMAT) return { reason: `record format ${JSON.stringify(record.format)}, not ${GLYPHS_RECORD_FORMAT}` };
  if (record.key !== key) return { reason: 'made with other settings, data or arcgrad version' };
  let run: GlyphsRun;
  try {
    run = decode(record.run) as GlyphsRun;
  } catch (e) {
    return { reason: `damaged record (${(e as Error).message})` };
  }
  if (run === null || typeof run !== 'object' || run.loss !== loss || run.seed !== seed) return { reason: `records another run (${String(run?.loss)} seed ${String(run?.seed)})` };
  if (canonicalJson(run.config) !== canonicalJson(config)) return { reason: 'made with another run configuration' };
  const complete = run.angles instanceof Float64Array && Array.isArray(run.lossCurve) && run.unseen?.identification !== undefined && run.heldOut?.identification !== undefined;
  if (!complete) return { reason: 'damaged record (fields missing)' };
  return { run };
}
