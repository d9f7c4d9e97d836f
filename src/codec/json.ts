/**
 * The JSON view of a decoded record: the kernel's field names, u32 as numbers, u64 as lowercase
 * `0x` hex strings, and decoded names beside the raw values (`type_name`, `reason_name`,
 * `flags_names`, `perm_names`; `<field>_bdf` for a PCI requester ID). A hardware record's field
 * that belongs only to some event codes appears only for those. This is the stable schema the
 * README documents.
 *
 * @example
 * ```ts
 * import { recordJson } from "./json.ts";
 * import { decodeRecord } from "./decode.ts";
 * const rec = decodeRecord("rfc3", new Uint8Array(48));
 * recordJson("rfc3", rec).addr; // => "0x0"
 * ```
 * @module
 */
import { type AbiId, RECORDS } from "../abi/records.ts";
import type { Field, RecordLayout } from "../abi/types.ts";
import type { DecodedFields } from "./decode.ts";
import { bdf, fieldPresent } from "./bits.ts";
import { enumName, flagNameList, hex } from "./names.ts";

/** A JSON-safe value. */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
/** A JSON object. */
export type JsonObject = { [k: string]: Json };

function fieldsJson(fields: readonly Field[], rec: DecodedFields, out: JsonObject): void {
  for (const f of fields) {
    if (f.kind === "bytes") continue;
    if (f.kind === "union") {
      const v = f.variants.find((v) => v.when === rec[f.selector]);
      const member = v && rec[v.name];
      if (v && member && typeof member === "object" && !Array.isArray(member)) {
        const m: JsonObject = {};
        fieldsJson(v.fields, member as DecodedFields, m);
        out[v.name] = m;
      }
      continue;
    }
    if (!fieldPresent(f, rec)) continue;
    const raw = rec[f.name];
    if (f.kind === "array") {
      out[f.name] = (raw as bigint[]).map(hex);
      continue;
    }
    out[f.name] = typeof raw === "bigint" ? hex(raw) : raw as number;
    if (f.kind === "bits" && f.format === "bdf") out[`${f.name}_bdf`] = bdf(Number(raw));
    if (f.enum) out[`${f.name}_name`] = enumName(f.enum, Number(raw));
    if (f.flags) out[`${f.name}_names`] = flagNameList(f.flags, Number(raw));
  }
}

/** JSON object of a decoded record, preceded by the given position keys (`slot`, `offset`...). */
export function recordJson(
  abi: AbiId | RecordLayout,
  rec: DecodedFields,
  position: JsonObject = {},
): JsonObject {
  const layout = typeof abi === "string" ? RECORDS[abi] : abi;
  const out: JsonObject = { ...position, abi: layout.id };
  fieldsJson(layout.fields, rec, out);
  return out;
}
