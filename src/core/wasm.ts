/** The part of the WebAssembly API the hand-written modules use (the compiler's libraries here declare none of it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}

/**
 * Compiles and instantiates one of the hand-written WebAssembly modules (record-check.wat,
 * logistic-hessian.wat), synchronously; null where WebAssembly is missing or refuses it, and the
 * caller then does the same work in JavaScript.
 */
export function instantiateWasm<Exports>(bytes: Uint8Array): Exports | null {
  try {
    const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    return wasm ? (new wasm.Instance(new wasm.Module(bytes)).exports as Exports) : null;
  } catch {
    return null;
  }
}
