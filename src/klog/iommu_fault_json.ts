/**
 * The `iommu_fault` a hardware event becomes, as JSON: the mainline record's fields (through the
 * project's mainline JSON view) and its 64 bytes as hex, or why the driver reports nothing.
 *
 * @example
 * ```ts
 * import { encodeMainline } from "./iommu_fault_json.ts";
 * encodeMainline({ fault: null, path: "x", dropped: "stop marker" });
 * // => { path: "x", dropped: "stop marker" }
 * ```
 * @module
 */
import { decodeRecord } from "../codec/decode.ts";
import { encodeRecord } from "../codec/encode.ts";
import type { Conversion } from "../codec/hw_fault.ts";
import type { EncodeInput } from "../codec/encode.ts";
import { type JsonObject, recordJson } from "../codec/json.ts";

/** JSON of a conversion: `{path, fault, bytes}` or `{path, dropped}`. */
export function encodeMainline(c: Conversion): JsonObject {
  if (!c.fault) return { path: c.path, dropped: c.dropped ?? "not reported" };
  const bytes = encodeRecord("mainline", c.fault as unknown as EncodeInput);
  return {
    path: c.path,
    abi: "mainline",
    fault: recordJson("mainline", decodeRecord("mainline", bytes)),
    bytes: Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(""),
  };
}

/** A value computed when it is written as JSON (`JSON.stringify` calls `toJSON`), then kept. */
export class Deferred {
  #make: (() => JsonObject) | null;
  #value: JsonObject | undefined;
  /** `make` computes the value, once. */
  constructor(make: () => JsonObject) {
    this.#make = make;
  }
  /** The value (computed on the first call). */
  toJSON(): JsonObject {
    if (this.#make) (this.#value = this.#make(), this.#make = null);
    return this.#value!;
  }
}

/**
 * A JSON value computed only if it is written: far cheaper than a getter defined per object,
 * for the `iommu_fault` of every event of a storm that is only counted.
 */
export function deferred(make: () => JsonObject): JsonObject {
  return new Deferred(make) as unknown as JsonObject;
}

/**
 * Defines `obj[key]` as an enumerable property computed on first read (so `JSON.stringify`
 * includes it) and then kept.
 */
export function lazy(obj: JsonObject, key: string, make: () => JsonObject): void {
  let v: JsonObject | undefined;
  Object.defineProperty(obj, key, {
    enumerable: true,
    configurable: true,
    get: () => (v ??= make()),
  });
}
