/**
 * numpy's `.npz` (a zip of `.npy` arrays, as `np.savez` and `np.savez_compressed` write them), read
 * without numpy: the zip's central directory (ZIP64 included: numpy writes every member with
 * ZIP64 sizes), each member stored or deflated (node:zlib), and the `.npy` header
 * (`{'descr': '<f8', 'fortran_order': False, 'shape': (512, 512)}`). Each array is read straight
 * into its typed array — a stored member with one positioned read, a deflated one streamed
 * through inflate — so reading an array of B bytes takes B bytes plus a 1 MiB buffer, never a copy
 * of the file. Little-endian float64, float32, int64 and int32 arrays, and the 0-d unicode string
 * that `np.savez(..., case=json.dumps(options))` writes, are understood; anything else is an
 * NpzError naming the member.
 */
import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import { createInflateRaw } from 'node:zlib';
import { ArcgradError } from '../tensor/errors.js';

/** An `.npz` file that cannot be read: names the file and the member. */
export class NpzError extends ArcgradError {
  constructor(message: string) {
    super('npz', message);
  }
}

/** One member of the zip: where its data starts, its sizes and compression method. */
interface Member {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  headerOffset: number;
}

/** A numeric array read from an `.npz`: its shape and its values (typed as stored). */
export interface NpyArray {
  /** The shape, as numpy gives it ([] for a 0-d array). */
  shape: number[];
  /** The values in C order. */
  data: Float64Array | Float32Array | Int32Array | BigInt64Array;
}

/** The element types understood, by numpy `descr`. */
const DTYPES: Record<string, { bytes: number; make: (buffer: ArrayBuffer, n: number) => NpyArray['data'] }> = {
  '<f8': { bytes: 8, make: (b, n) => new Float64Array(b, 0, n) },
  '<f4': { bytes: 4, make: (b, n) => new Float32Array(b, 0, n) },
  '<i8': { bytes: 8, make: (b, n) => new BigInt64Array(b, 0, n) },
  '<i4': { bytes: 4, make: (b, n) => new Int32Array(b, 0, n) },
};

function readAt(fd: number, length: number, position: number): Buffer {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buffer, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return buffer.subarray(0, done);
}

/** An open `.npz`: its members by name (without the `.npy` suffix). */
export class NpzFile {
  private readonly members = new Map<string, Member>();
  private readonly fd: number;

  private constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'r');
    } catch (e) {
      throw new NpzError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    try {
      this.readDirectory();
    } catch (e) {
      closeSync(this.fd);
      throw e;
    }
  }

  /** Opens `path` and reads its directory (an NpzError if it is not a zip numpy could have written). */
  static open(path: string): NpzFile {
    return new NpzFile(path);
  }

  /** Closes the file. */
  close(): void {
    closeSync(this.fd);
  }

  /** The member names, without `.npy`. */
  names(): string[] {
    return [...this.members.keys()];
  }

  /** Whether the archive holds `name`. */
  has(name: string): boolean {
    return this.members.has(name);
  }

  private bad(what: string): NpzError {
    return new NpzError(`${this.path}: ${what}`);
  }

  private readDirectory(): void {
    const size = fstatSync(this.fd).size;
    // The end-of-central-directory record: in the last 22 + 65535 bytes (its comment is at most 64 KiB).
    const tailLength = Math.min(size, 22 + 65535);
    const tail = readAt(this.fd, tailLength, size - tailLength);
    let eocd = -1;
    for (let i = tail.length - 22; i >= 0; i--) if (tail.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
    if (eocd < 0) throw this.bad('not a zip archive (.npz files are zips of .npy arrays; np.savez writes them)');
    let count = tail.readUInt16LE(eocd + 10);
    let dirSize = tail.readUInt32LE(eocd + 12);
    let dirOffset = tail.readUInt32LE(eocd + 16);
    const locator = eocd - 20;
    if (locator >= 0 && tail.readUInt32LE(locator) === 0x07064b50) {
      const record = readAt(this.fd, 56, Number(tail.readBigUInt64LE(locator + 8)));
      if (record.readUInt32LE(0) !== 0x06064b50) throw this.bad('damaged ZIP64 end of central directory');
      count = Number(record.readBigUInt64LE(32));
      dirSize = Number(record.readBigUInt64LE(40));
      dirOffset = Number(record.readBigUInt64LE(48));
    }
    const dir = readAt(this.fd, dirSize, dirOffset);
    let p = 0;
    for (let k = 0; k < count; k++) {
      if (p + 46 > dir.length || dir.readUInt32LE(p) !== 0x02014b50) throw this.bad('damaged central directory');
      const flags = dir.readUInt16LE(p + 8);
      const method = dir.readUInt16LE(p + 10);
      let compressedSize = dir.readUInt32LE(p + 20);
      let uncompressed = dir.readUInt32LE(p + 24);
      const nameLength = dir.readUInt16LE(p + 28);
      const extraLength = dir.readUInt16LE(p + 30);
      const commentLength = dir.readUInt16LE(p + 32);
      let headerOffset = dir.readUInt32LE(p + 42);
      const name = dir.toString('utf8', p + 46, p + 46 + nameLength);
      // ZIP64: the fields that read 0xFFFFFFFF are in the extra field 0x0001, in this order.
      let e = p + 46 + nameLength;
      const extraEnd = e + extraLength;
      while (e + 4 <= extraEnd) {
        const id = dir.readUInt16LE(e);
        const length = dir.readUInt16LE(e + 2);
        if (id === 0x0001) {
          let q = e + 4;
          if (uncompressed === 0xffffffff) { uncompressed = Number(dir.readBigUInt64LE(q)); q += 8; }
          if (compressedSize === 0xffffffff) { compressedSize = Number(dir.readBigUInt64LE(q)); q += 8; }
          if (headerOffset === 0xffffffff) headerOffset = Number(dir.readBigUInt64LE(q));
        }
        e += 4 + length;
      }
      if (flags & 1) throw this.bad(`member '${name}' is encrypted`);
      if (method !== 0 && method !== 8) throw this.bad(`member '${name}' uses compression method ${method}; np.savez stores (0) and np.savez_compressed deflates (8)`);
      this.members.set(name.replace(/\.npy$/, ''), { name, method, compressedSize, size: uncompressed, headerOffset });
      p = extraEnd + commentLength;
    }
  }

  /** The byte offset where a member's data starts (after its local header). */
  private dataOffset(m: Member): number {
    const local = readAt(this.fd, 30, m.headerOffset);
    if (local.length < 30 || local.readUInt32LE(0) !== 0x04034b50) throw this.bad(`member '${m.name}': damaged local header`);
    return m.headerOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  }

  /** Streams a member's uncompressed bytes [from, from + target.length) into `target`. */
  private async readBytes(m: Member, from: number, target: Uint8Array): Promise<void> {
    const start = this.dataOffset(m);
    if (from + target.length > m.size) throw this.bad(`member '${m.name}' is truncated`);
    if (m.method === 0) {
      let done = 0;
      while (done < target.length) {
        const n = readSync(this.fd, target, done, target.length - done, start + from + done);
        if (n === 0) throw this.bad(`member '${m.name}' is truncated`);
        done += n;
      }
      return;
    }
    const inflate = createInflateRaw({ chunkSize: 1 << 20 });
    let at = 0; // uncompressed bytes seen so far
    let complete = target.length === 0;
    const finished = new Promise<void>((resolve, reject) => {
      inflate.on('data', (chunk: Buffer) => {
        const lo = Math.max(from - at, 0);
        const hi = Math.min(from + target.length - at, chunk.length);
        if (hi > lo) target.set(chunk.subarray(lo, hi), at + lo - from);
        at += chunk.length;
        if (at >= from + target.length && !complete) {
          complete = true;
          resolve();
        }
      });
      inflate.on('end', () => (complete ? resolve() : reject(this.bad(`member '${m.name}' is truncated`))));
      inflate.on('error', (e) => (complete ? resolve() : reject(this.bad(`member '${m.name}': ${e.message}`))));
    });
    const step = 1 << 20;
    // Stops reading once the bytes asked for are out (a header needs the first few hundred).
    for (let done = 0; done < m.compressedSize && !complete; done += step) {
      const chunk = readAt(this.fd, Math.min(step, m.compressedSize - done), start + done);
      if (!inflate.write(chunk)) await new Promise((r) => inflate.once('drain', r));
    }
    if (complete) inflate.destroy();
    else inflate.end();
    await finished;
  }

  /** The `.npy` header of a member: dtype, shape and where the data starts. */
  private async header(name: string): Promise<{ member: Member; descr: string; shape: number[]; offset: number }> {
    const member = this.members.get(name);
    if (member === undefined) throw this.bad(`no member '${name}' (has ${this.names().join(', ') || 'none'})`);
    const magic = Buffer.from(await this.bytes(member, 0, Math.min(member.size, 12)));
    if (magic.length < 10 || magic.toString('latin1', 0, 6) !== '\x93NUMPY') throw this.bad(`member '${name}' is not a .npy array`);
    const lengthBytes = magic[6] === 1 ? 2 : 4; // format 1.0: a 2-byte header length; 2.0 and 3.0: 4 bytes
    const headerLength = lengthBytes === 2 ? magic.readUInt16LE(8) : magic.readUInt32LE(8);
    const offset = 8 + lengthBytes + headerLength;
    if (offset > member.size) throw this.bad(`member '${name}': damaged .npy header`);
    const text = Buffer.from(await this.bytes(member, 8 + lengthBytes, headerLength)).toString('latin1');
    const descr = /'descr':\s*'([^']+)'/.exec(text)?.[1];
    const fortran = /'fortran_order':\s*(True|False)/.exec(text)?.[1];
    const shapeText = /'shape':\s*\(([^)]*)\)/.exec(text)?.[1];
    if (descr === undefined || fortran === undefined || shapeText === undefined) throw this.bad(`member '${name}': unreadable .npy header ${JSON.stringify(text.trim())}`);
    if (fortran === 'True') throw this.bad(`member '${name}' is in Fortran order; save np.ascontiguousarray(a)`);
    const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
    return { member, descr, shape, offset };
  }

  private async bytes(m: Member, from: number, length: number): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    await this.readBytes(m, from, out);
    return out;
  }

  /** A numeric array (little-endian float64, float32, int64 or int32). */
  async array(name: string): Promise<NpyArray> {
    const { member, descr, shape, offset } = await this.header(name);
    const type = DTYPES[descr];
    if (type === undefined) throw this.bad(`member '${name}' has dtype '${descr}'; arrays must be little-endian float64, float32, int64 or int32 ('<f8', '<f4', '<i8', '<i4')`);
    const n = shape.reduce((a, b) => a * b, 1);
    if (offset + n * type.bytes > member.size) throw this.bad(`member '${name}' holds fewer bytes than its shape (${shape.join('×')}) needs`);
    const buffer = new ArrayBuffer(n * type.bytes);
    await this.readBytes(member, offset, new Uint8Array(buffer));
    return { shape, data: type.make(buffer, n) };
  }

  /** A 0-d unicode string (numpy '<U…', what `np.savez(..., case=json.dumps(...))` writes). */
  async string(name: string): Promise<string> {
    const { member, descr, shape, offset } = await this.header(name);
    const width = /^<U(\d+)$/.exec(descr)?.[1];
    if (width === undefined || shape.length !== 0) throw this.bad(`member '${name}' must be a string (np.savez(..., ${name}=json.dumps(...))), got dtype '${descr}' shape (${shape.join(', ')})`);
    const raw = await this.bytes(member, offset, Number(width) * 4);
    const codes = new Uint32Array(raw.buffer, raw.byteOffset, Number(width));
    let end = codes.length;
    while (end > 0 && codes[end - 1] === 0) end--; // numpy pads with NUL
    let text = '';
    for (let i = 0; i < end; i += 8192) text += String.fromCodePoint(...codes.subarray(i, Math.min(end, i + 8192)));
    return text;
  }
}
