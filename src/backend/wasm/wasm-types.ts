/**
 * The part of the WebAssembly JS API the fast path uses, typed here because the project compiles
 * against Node's types without the DOM library (where `WebAssembly` is declared).
 */

/** A compiled module (structured-clonable to worker threads). */
export interface WasmModule {
  readonly __wasmModule?: never;
}

/** A linear memory; `buffer` is a SharedArrayBuffer when the memory is shared. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  /** Grows by `pages` 64 KiB pages; returns the previous size in pages. */
  grow(pages: number): number;
}

interface WebAssemblyNamespace {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  validate(bytes: Uint8Array): boolean;
}

/** The global `WebAssembly` object. */
export const WebAssemblyApi = (globalThis as unknown as { WebAssembly: WebAssemblyNamespace }).WebAssembly;
