/**
 * A tiny WebAssembly assembler: just enough of the binary format (types, one imported memory,
 * functions, exports; i32 and f32 scalar arithmetic, structured control flow, 128-bit SIMD loads,
 * stores and f32x4 arithmetic) to emit the fast path's kernels from TypeScript, with no external toolchain
 * and no prebuilt binary. Reference: the WebAssembly core spec §5 (binary format) and the SIMD
 * proposal's opcode table (all SIMD instructions are 0xfd followed by a LEB128 opcode).
 */

/** Value types. */
export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;
export const F64 = 0x7c;

function uleb(n: number, out: number[]): void {
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
}

function sleb(n: number, out: number[]): void {
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}

/** A function body under construction: each method appends one instruction. */
export class Code {
  readonly bytes: number[] = [];
  private readonly localTypes: number[] = [];

  constructor(private readonly paramCount: number) {}

  /** Declares a new local of `type` and returns its index. */
  local(type: number): number {
    this.localTypes.push(type);
    return this.paramCount + this.localTypes.length - 1;
  }

  private op(...b: number[]): this {
    this.bytes.push(...b);
    return this;
  }

  private simd(opcode: number, ...rest: number[]): this {
    this.bytes.push(0xfd);
    uleb(opcode, this.bytes);
    this.bytes.push(...rest);
    return this;
  }

  private memarg(align: number, offset: number): number[] {
    const out: number[] = [];
    uleb(align, out);
    uleb(offset, out);
    return out;
  }

  get(i: number): this { this.bytes.push(0x20); uleb(i, this.bytes); return this; }
  set(i: number): this { this.bytes.push(0x21); uleb(i, this.bytes); return this; }
  tee(i: number): this { this.bytes.push(0x22); uleb(i, this.bytes); return this; }
  i32(v: number): this { this.bytes.push(0x41); sleb(v | 0, this.bytes); return this; }
  /** f32.const (little-endian IEEE bytes). */
  f32(v: number): this {
    const b = new Uint8Array(new Float32Array([v]).buffer);
    return this.op(0x43, ...b);
  }
  add(): this { return this.op(0x6a); }
  sub(): this { return this.op(0x6b); }
  mul(): this { return this.op(0x6c); }
  shl(): this { return this.op(0x74); }
  shr(): this { return this.op(0x76); }
  ltU(): this { return this.op(0x49); }
  geU(): this { return this.op(0x4f); }
  and(): this { return this.op(0x71); }
  eqz(): this { return this.op(0x45); }
  /** block … end (label depth grows by one inside). */
  block(): this { return this.op(0x02, 0x40); }
  /** loop … end (a branch to it jumps back to its start). */
  loop(): this { return this.op(0x03, 0x40); }
  if(): this { return this.op(0x04, 0x40); }
  else(): this { return this.op(0x05); }
  end(): this { return this.op(0x0b); }
  br(depth: number): this { this.bytes.push(0x0c); uleb(depth, this.bytes); return this; }
  brIf(depth: number): this { this.bytes.push(0x0d); uleb(depth, this.bytes); return this; }

  f32Load(offset = 0): this { return this.op(0x2a, ...this.memarg(2, offset)); }
  f32Store(offset = 0): this { return this.op(0x38, ...this.memarg(2, offset)); }
  f32Add(): this { return this.op(0x92); }
  f32Sub(): this { return this.op(0x93); }
  f32Mul(): this { return this.op(0x94); }
  f32Div(): this { return this.op(0x95); }
  f32Max(): this { return this.op(0x97); }
  f32Sqrt(): this { return this.op(0x91); }
  f32Gt(): this { return this.op(0x5e); }
  f32Min(): this { return this.op(0x96); }
  f32Eq(): this { return this.op(0x5b); }
  f64x2Splat(): this { return this.simd(0x14); }
  f64x2Add(): this { return this.simd(0xf0); }
  f64x2Mul(): this { return this.simd(0xf2); }
  /** f64x2.promote_low_f32x4: the two low f32 lanes widened. */
  f64x2PromoteLow(): this { return this.simd(0x5f); }
  /** f32x4.demote_f64x2_zero: both f64 lanes rounded to f32 into the low lanes, the high lanes 0. */
  f32x4DemoteZero(): this { return this.simd(0x5e); }
  /** v128.load64_zero: two f32 into the low lanes. */
  vload64Zero(offset = 0): this { return this.simd(0x5d, ...this.memarg(3, offset)); }
  /** v128.store64_lane 0: the low two f32 lanes. */
  vstore64Low(offset = 0): this { return this.simd(0x5b, ...this.memarg(3, offset), 0); }

  vload(offset = 0): this { return this.simd(0x00, ...this.memarg(4, offset)); }
  vstore(offset = 0): this { return this.simd(0x0b, ...this.memarg(4, offset)); }
  vsplat32(offset = 0): this { return this.simd(0x09, ...this.memarg(2, offset)); }
  vzero(): this { return this.simd(0x0c, ...new Array<number>(16).fill(0)); }
  /** v128.const with four equal f32 lanes. */
  vconstF32(v: number): this { return this.simd(0x0c, ...new Uint8Array(new Float32Array([v, v, v, v]).buffer)); }
  /** v128.const with four equal i32 lanes. */
  vconstI32(v: number): this { return this.simd(0x0c, ...new Uint8Array(new Int32Array([v, v, v, v]).buffer)); }
  /** v128.const with the i32 lanes (a, b, c, d). */
  vconstI32x4(a: number, b: number, c: number, d: number): this { return this.simd(0x0c, ...new Uint8Array(new Int32Array([a, b, c, d]).buffer)); }
  i32x4Splat(): this { return this.simd(0x11); }
  i32x4Ne(): this { return this.simd(0x38); }
  i32x4LtS(): this { return this.simd(0x39); }
  i32x4Add(): this { return this.simd(0xae); }
  i32x4Shl(): this { return this.simd(0xab); }
  i32x4TruncSatF32x4S(): this { return this.simd(0xf8); }
  f32x4Lt(): this { return this.simd(0x43); }
  f32x4Gt(): this { return this.simd(0x44); }
  f32x4Min(): this { return this.simd(0xe8); }
  f32x4Max(): this { return this.simd(0xe9); }
  f32x4Nearest(): this { return this.simd(0x6a); }
  f32x4Floor(): this { return this.simd(0x68); }
  f32x4Eq(): this { return this.simd(0x41); }
  f32x4Ne(): this { return this.simd(0x42); }
  f32x4Le(): this { return this.simd(0x45); }
  f32x4Ge(): this { return this.simd(0x46); }
  f32x4Abs(): this { return this.simd(0xe0); }
  f32x4Neg(): this { return this.simd(0xe1); }
  f32x4Sqrt(): this { return this.simd(0xe3); }
  f32x4Div(): this { return this.simd(0xe7); }
  vand(): this { return this.simd(0x4e); }
  vandnot(): this { return this.simd(0x4f); }
  vor(): this { return this.simd(0x50); }
  vxor(): this { return this.simd(0x51); }
  vbitselect(): this { return this.simd(0x52); }
  f32x4Splat(): this { return this.simd(0x13); }
  f32x4ExtractLane(lane: number): this { return this.simd(0x1f, lane); }
  f32x4Add(): this { return this.simd(0xe4); }
  f32x4Sub(): this { return this.simd(0xe5); }
  f32x4Mul(): this { return this.simd(0xe6); }

  /** The body as the code section wants it: size, locals (one run per local), instructions, end. */
  encode(): number[] {
    const body: number[] = [];
    uleb(this.localTypes.length, body);
    for (const t of this.localTypes) body.push(1, t);
    body.push(...this.bytes, 0x0b);
    const out: number[] = [];
    uleb(body.length, out);
    return out.concat(body);
  }
}

/** One exported function: its name, parameter types, result types (none by default) and body. */
export interface FunctionDef {
  name: string;
  params: number[];
  results?: number[];
  code: Code;
}

function section(id: number, content: number[], out: number[]): void {
  out.push(id);
  uleb(content.length, out);
  out.push(...content);
}

function vec(items: number[][]): number[] {
  const out: number[] = [];
  uleb(items.length, out);
  for (const it of items) out.push(...it);
  return out;
}

function name(s: string): number[] {
  const bytes = [...new TextEncoder().encode(s)];
  const out: number[] = [];
  uleb(bytes.length, out);
  return out.concat(bytes);
}

/**
 * A module importing `env.memory` (shared when asked, so worker threads can use one memory) and
 * exporting `functions`.
 */
export function assemble(functions: FunctionDef[], memory: { initial: number; maximum: number; shared: boolean }): Uint8Array {
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  section(1, vec(functions.map((f) => [0x60, ...vec(f.params.map((p) => [p])), ...vec((f.results ?? []).map((r) => [r]))])), out);
  const limits: number[] = [memory.shared ? 0x03 : 0x01];
  uleb(memory.initial, limits);
  uleb(memory.maximum, limits);
  section(2, vec([[...name('env'), ...name('memory'), 0x02, ...limits]]), out);
  section(3, vec(functions.map((_, i) => { const o: number[] = []; uleb(i, o); return o; })), out);
  section(7, vec(functions.map((f, i) => { const o = [...name(f.name), 0x00]; uleb(i, o); return o; })), out);
  section(10, vec(functions.map((f) => f.code.encode())), out);
  return Uint8Array.from(out);
}
