/**
 * Record encoder driven by the same ABI description as the decoder: used to build fixtures,
 * simulated faults and region images, and to round-trip the decoder in property tests.
 *
 * @example
 * ```ts
 * import { encodeRecord } from "./encode.ts";
 * const bytes = encodeRecord("rfc3", { type: 1, reason: 10, addr: 0xdeadb000n, pasid: 5, pasid_valid: 1 });
 * bytes.length; // => 48
 * ```
 * @module
 */
import { type AbiId, RECORDS } from "../abi/records.ts";
import type { ArrayField, BitsField, Field, RecordLayout, ScalarField } from "../abi/types.ts";
import { writeBits } from "./bits.ts";
import type { DecodedFields, Value } from "./decode.ts";

/** Values to encode: missing fields are written as zero; u64 fields take bigint or number. */
export interface EncodeInput {
  /** A field's value (a union member's fields nest under the member's name). */
  [field: string]: number | bigint | readonly (bigint | number)[] | EncodeInput | undefined;
}

function writeScalar(
  dv: DataView,
  at: number,
  f: ScalarField | ArrayField | BitsField,
  v: EncodeInput[string],
  le: boolean,
) {
  if (f.kind === "bits") {
    // A bit field not given is left alone: several may share bits (SMMUv3 ipa and fetch_addr
    // are both evt[3]), and a fresh record is zero anyway.
    if (v !== undefined) writeBits(f, dv, at, v as number | bigint, le);
  } else if (f.kind === "array") {
    const arr = Array.isArray(v) ? v : [];
    for (let i = 0; i < f.count; i++) {
      dv.setBigUint64(at + 8 * i, BigInt.asUintN(64, BigInt(arr[i] ?? 0)), le);
    }
  } else if (f.type === "u32") {
    dv.setUint32(at, Number(v ?? 0) >>> 0, le);
  } else {
    dv.setBigUint64(at, BigInt.asUintN(64, BigInt((v ?? 0) as number | bigint)), le);
  }
}

function writeFields(
  dv: DataView,
  base: number,
  fields: readonly Field[],
  input: EncodeInput,
  le: boolean,
) {
  for (const f of fields) {
    if (f.kind === "bytes") continue;
    if (f.kind === "union") {
      const sel = Number(input[f.selector] ?? 0);
      const variant = f.variants.find((v) => v.when === sel);
      const member = variant && input[variant.name];
      if (variant && member && typeof member === "object" && !Array.isArray(member)) {
        writeFields(dv, base + f.offset, variant.fields, member as EncodeInput, le);
      }
      continue;
    }
    writeScalar(dv, base + f.offset, f, input[f.name], le);
  }
}

/** Writes one record into `dv` at `offset`; bytes the record does not name are left as they are. */
export function encodeInto(
  abi: AbiId | RecordLayout,
  input: EncodeInput | DecodedFields,
  dv: DataView,
  offset: number,
  littleEndian = true,
): void {
  const layout = typeof abi === "string" ? RECORDS[abi] : abi;
  writeFields(dv, offset, layout.fields, input as EncodeInput, littleEndian);
}

/** Encodes one record into fresh zeroed bytes. */
export function encodeRecord(
  abi: AbiId | RecordLayout,
  input: EncodeInput | DecodedFields,
  littleEndian = true,
): Uint8Array {
  const out = new Uint8Array((typeof abi === "string" ? RECORDS[abi] : abi).size);
  encodeInto(abi, input, new DataView(out.buffer), 0, littleEndian);
  return out;
}

export type { Value };
