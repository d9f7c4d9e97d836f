/**
 * Record rules (REC-*), checked by one walk over the ABI description: enums, flag sets,
 * valid-bit guards, reserved and padding roles. Works for every generation without
 * per-generation code.
 *
 * @example
 * ```ts
 * import { checkRecord } from "./records.ts";
 * const bytes = new Uint8Array(64); // type 0: not a fault type
 * checkRecord("mainline", bytes, 0, { index: 0 }).map((f) => f.rule); // => ["REC-TYPE"]
 * ```
 * @module
 */
import { type AbiId, FAULT_TYPE, RECORDS } from "../abi/records.ts";
import { type RegionLayoutId, REGIONS } from "../abi/regions.ts";
import type { Field, RecordLayout, ScalarField, UnionVariant } from "../abi/types.ts";
import { fieldPresent } from "../codec/bits.ts";
import { type DecodedFields, decoderFor } from "../codec/decode.ts";
import { bitByName, enumEntry, flagNames, hex } from "../codec/names.ts";
import { type Finding, finding } from "./finding.ts";

/** Where a record sits: a ring slot or a capture index. */
export interface RecordPlace {
  /** Ring slot, for a record in a region. */
  slot?: number;
  /** Record index, for a record in a capture. */
  index?: number;
}

function isZero(v: DecodedFields[string] | undefined): boolean {
  if (v === undefined) return true;
  if (Array.isArray(v)) return v.every((x) => x === 0n);
  return v === 0 || v === 0n;
}

function checkStruct(
  fields: readonly (Field)[],
  rec: DecodedFields,
  base: number,
  path: string,
  place: RecordPlace,
  bytes: Uint8Array,
  out: Finding[],
) {
  const at = (f: { offset: number }) => base + f.offset;
  const where = (f: Field) => ({ ...place, field: path + f.name, offset: at(f) });
  const flagsField = fields.find((f): f is ScalarField =>
    f.kind === "scalar" && !!f.flags && f.name === "flags"
  );
  for (const f of fields) {
    if (f.kind === "union") {
      const v: UnionVariant | undefined = f.variants.find((v) => v.when === rec[f.selector]);
      const member = v && rec[v.name];
      if (!v || !member || typeof member !== "object" || Array.isArray(member)) continue;
      checkStruct(
        v.fields,
        member as DecodedFields,
        base + f.offset,
        `${v.name}.`,
        place,
        bytes,
        out,
      );
      const from = base + f.offset + v.size, to = base + f.offset + f.size;
      const stray = bytes.subarray(from, to).findIndex((b) => b !== 0);
      if (stray >= 0) {
        out.push(finding(
          "REC-PADDING",
          `union byte ${from + stray - base} (beyond ${v.name}, which ends at ${
            f.offset + v.size
          }) is ${hex(bytes[from + stray])}, not 0`,
          { ...place, field: f.padding?.name ?? "union", offset: from + stray },
        ));
      }
      continue;
    }
    if (f.kind !== "scalar" && f.kind !== "bits") continue;
    // A hardware field that belongs to other event codes than this record's is not checked.
    if (!fieldPresent(f, rec)) continue;
    const v = rec[f.name] as number | bigint;
    const name = path + f.name;
    if (f.enum) {
      const e = enumEntry(f.enum, Number(v));
      // QEMU injects only DMA_UNRECOV faults: a flat record says its type beside the reason.
      const unrecov = rec.type === undefined || rec.type === 1;
      if (e && f.enum.unmapped && !e.injects && unrecov) {
        out.push(finding(
          "REC-UNMAPPED-REASON",
          `${name} = ${e.name}: no vSMMU event for it; ${f.enum.unmapped}`,
          where(f),
        ));
      }
      if (!e) {
        const id = f.name === "type" ? "REC-TYPE" : f.name === "reason" ? "REC-REASON" : "REC-ENUM";
        const max = Math.max(...f.enum.values.map((x) => x.value));
        out.push(
          finding(id, `${name} = ${v} is not defined in ${f.enum.name} (0..${max})`, where(f)),
        );
      } else if (e.expectsFlag && flagsField?.flags) {
        const bit = bitByName(flagsField.flags, e.expectsFlag);
        if (bit !== undefined && !((Number(rec[flagsField.name]) >>> bit) & 1)) {
          out.push(finding(
            "REC-VALID-BITS",
            `${name} = ${e.name} carries an address but ${e.expectsFlag} is clear in ${path}flags`,
            where(f),
          ));
        }
      }
    }
    if (f.flags) {
      const value = Number(v);
      const { names, unknown } = flagNames(f.flags, value);
      if (unknown) {
        out.push(finding(
          f.name === "perm" ? "REC-PERM" : "REC-FLAGS",
          `${name} = ${hex(value)} has bits ${hex(unknown)} that ${f.flags.name} does not define`,
          where(f),
        ));
      }
      for (const b of f.flags.bits) {
        const set = names.includes(b.name);
        if (set && b.leak) {
          out.push(finding(
            "REC-FLAG-LEAK",
            `${name} = ${hex(value)}: bit ${b.bit} is the kernel-internal ` +
              `${b.kernelName ?? f.flags.prefix + b.name}, not corruption (${b.leak})`,
            where(f),
          ));
        }
        if (set && b.requires && !names.includes(b.requires)) {
          out.push(
            finding("REC-FLAG-REQUIRES", `${name} has ${b.name} without ${b.requires}`, where(f)),
          );
        }
        const guarded = b.guards && fields.find((g) => g.name === b.guards);
        if (!set && guarded && !isZero(rec[guarded.name])) {
          out.push(finding(
            "REC-VALID-BITS",
            `${path}${guarded.name} is non-zero but ${b.name} is clear in ${name}`,
            where(guarded),
          ));
        }
      }
    }
    if ((f.role === "reserved" || f.role === "padding") && !isZero(v)) {
      out.push(finding("REC-PADDING", `${name} = ${hex(v)}, expected 0`, where(f)));
    }
    if (f.kind === "bits") continue;
    if (f.role === "bool") {
      if (Number(v) > 1) out.push(finding("REC-BOOL", `${name} = ${v} is not a boolean`, where(f)));
      const guarded = f.guards && fields.find((g) => g.name === f.guards);
      if (Number(v) === 0 && guarded && !isZero(rec[guarded.name])) {
        out.push(finding(
          "REC-VALID-BITS",
          `${path}${guarded.name} is non-zero but ${name} is 0`,
          where(guarded),
        ));
      }
    }
    if (f.ranges?.length && Number(v) > f.ranges[f.ranges.length - 1].max) {
      const ranges = f.ranges.map((r) => `up to ${hex(r.max)} ${r.meaning}`).join("; ");
      out.push(finding(
        "REC-PRQ-GRPID",
        `${name} = ${hex(v)} is wider than any producer gives (${ranges})`,
        where(f),
      ));
    }
    if (f.role === "cookie" && Number(v) === 0) {
      out.push(finding(
        "FQ-COOKIE",
        `${name} = 0: the kernel allocates cookies from 1 (XA_FLAGS_ALLOC1)`,
        where(f),
      ));
    }
    if (f.role === "hint" && Number(v) !== 0) {
      out.push(finding(
        "FQ-LENGTH",
        `${name} = ${v}: current kernels always write 0 (a newer kernel, or not this record)`,
        where(f),
      ));
    }
    if (f.expected !== undefined && Number(v) !== f.expected) {
      out.push(finding("REC-EXPECTED", `${name} = ${v}, expected ${f.expected}`, where(f)));
    }
  }
}

/**
 * Checks one record of `abi` that starts at `offset` in `bytes`. `ring` names the region layout
 * the record was found in, for rules that depend on it (REC-TYPE-RING).
 */
export function checkRecord(
  abi: AbiId | RecordLayout,
  bytes: Uint8Array,
  offset: number,
  place: RecordPlace,
  ring?: RegionLayoutId,
  littleEndian = true,
  decoded?: DecodedFields,
): Finding[] {
  const layout = typeof abi === "string" ? RECORDS[abi] : abi;
  const view = bytes.subarray(offset, offset + layout.size);
  const rec = decoded ??
    decoderFor(layout)(
      new DataView(view.buffer, view.byteOffset, view.byteLength),
      0,
      littleEndian,
    );
  const out: Finding[] = [];
  checkStruct(layout.fields, rec, 0, "", place, view, out);
  const carried = ring === undefined ? undefined : REGIONS[ring].ringTypes;
  const type = layout.fields.find((f): f is ScalarField =>
    f.kind === "scalar" && f.enum === FAULT_TYPE
  );
  if (carried && type?.enum) {
    const name = enumEntry(type.enum, Number(rec[type.name]))?.name;
    if (name !== undefined && !carried.types.includes(name)) {
      out.push(finding(
        "REC-TYPE-RING",
        `${name} in a ${carried.ring} ring: ${carried.why}`,
        { ...place, field: type.name, offset: type.offset },
      ));
    }
  }
  for (const f of out) if (f.offset !== undefined) f.offset += offset;
  return out;
}
