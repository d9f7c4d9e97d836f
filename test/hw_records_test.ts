/**
 * The hardware and paravirtual records of the registry against logs.md: every field at the bits
 * logs.md gives (support/hw_tables.ts, transcribed by hand), the event, reason and flag tables by
 * code and name, the test vectors of logs.md section 9 decoded (fields, JSON names, requester IDs
 * as bb:dd.f) and checked by the record rules (reserved bits, unknown codes kept with their value),
 * and the word views the kernel-log parser reads agreeing bit for bit with the registry.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { HARDWARE_ABIS, RECORDS } from "../src/abi/records.ts";
import type { EnumDesc, Field, FlagSet, RecordLayout } from "../src/abi/types.ts";
import { HW_RECORDS } from "../src/abi/hw/mod.ts";
import { VEVENT_TYPES } from "../src/abi/vevent.ts";
import { vtdFaultReason } from "../src/abi/hw/vtd.ts";
import { SMMUV3_EVENTS } from "../src/abi/hw/smmuv3.ts";
import { decodeHw, readWords } from "../src/codec/bitfield.ts";
import { decodeRecord } from "../src/codec/decode.ts";
import { encodeRecord } from "../src/codec/encode.ts";
import { parseHex } from "../src/codec/hex.ts";
import { type JsonObject, recordJson } from "../src/codec/json.ts";
import { checkRecord } from "../src/rules/records.ts";
import {
  AMD_EVENT_CODES,
  AMD_IOPF_FLAGS,
  AMD_PPR_FLAG_BITS,
  type BitRow,
  HW_TABLES,
  SMMUV3_EVENT_NAMES,
  VIRTIO_FLAGS,
  VIRTIO_REASONS,
  VTD_REASONS,
  VTD_SM_UNKNOWN_RANGES,
} from "./support/hw_tables.ts";

const layout = (id: string) => RECORDS[id as keyof typeof RECORDS] as RecordLayout;

/** The description's fields as absolute bit rows, and its reserved ranges. */
function rowsOf(l: RecordLayout): { fields: BitRow[]; reserved: [number, number][] } {
  const fields: BitRow[] = [], reserved: [number, number][] = [];
  for (const f of l.fields as readonly Field[]) {
    if (f.kind === "bits") {
      const lo = f.offset * 8 + f.lo, hi = f.offset * 8 + f.hi;
      if (f.role === "reserved") reserved.push([lo, hi]);
      else fields.push(f.take === "mask" ? [f.name, lo, hi, "mask"] : [f.name, lo, hi]);
    } else if (f.kind === "scalar") {
      const span: [number, number] = [f.offset * 8, f.offset * 8 + (f.type === "u64" ? 63 : 31)];
      if (f.role === "reserved") reserved.push(span);
      else fields.push([f.name, ...span]);
    } else if (f.kind === "array") {
      for (let i = 0; i < f.count; i++) {
        fields.push([`${f.name}[${i}]`, (f.offset + 8 * i) * 8, (f.offset + 8 * i) * 8 + 63]);
      }
    } else assert.fail(`${l.id}.${f.name}: a ${f.kind} field in a hardware record`);
  }
  return { fields, reserved };
}

const json = (id: string, hex: string): JsonObject =>
  recordJson(layout(id), decodeRecord(layout(id), parseHex(hex)));
const rules = (id: string, hex: string) =>
  checkRecord(layout(id), parseHex(hex), 0, { index: 0 }).map((f) => `${f.rule} ${f.field}`);
const enumMap = (e: EnumDesc) => Object.fromEntries(e.values.map((v) => [v.value, v.name]));
const bitMap = (s: FlagSet) => Object.fromEntries(s.bits.map((b) => [b.name, b.bit]));
const fieldOf = (id: string, name: string) =>
  (layout(id).fields as readonly Field[]).find((f) => f.name === name)!;

/** `u64` little-endian hex of a record given as its 64-bit words. */
const le64 = (...words: bigint[]) =>
  words.map((w) =>
    Array.from(
      { length: 8 },
      (_, i) => ((w >> BigInt(8 * i)) & 0xffn).toString(16).padStart(2, "0"),
    )
      .join(" ")
  ).join(" ");

Deno.test("hardware records: registered under logs.md's ids, little-endian family 'hardware'", () => {
  assert.deepEqual([...HARDWARE_ABIS].sort(), Object.keys(HW_TABLES).sort());
  for (const id of HARDWARE_ABIS) {
    assert.equal(layout(id).family, "hardware", id);
    assert.equal(layout(id).size, HW_TABLES[id].size, `${id} size`);
  }
});

for (const id of Object.keys(HW_TABLES)) {
  Deno.test(`hardware record ${id}: fields and reserved bits where logs.md puts them`, () => {
    const { fields, reserved } = rowsOf(layout(id));
    assert.deepEqual(fields, HW_TABLES[id].fields);
    assert.deepEqual(reserved, HW_TABLES[id].reserved);
  });
}

Deno.test("SMMUv3: every event ID of logs.md 5.2 with its name; the kernel's macros where it has one", () => {
  const e = fieldOf("smmuv3-evt", "id") as { enum: EnumDesc };
  assert.deepEqual(
    enumMap(e.enum),
    Object.fromEntries(Object.entries(SMMUV3_EVENT_NAMES).map(([k, v]) => [k, v.name])),
  );
  for (const v of e.enum.values) {
    assert.equal(!!v.kernelName, SMMUV3_EVENT_NAMES[v.value].kernel, v.name);
    assert.match(v.meaning ?? "", /^[A-Z].*\.$/, `${v.name}: one sentence`);
  }
  // The kernel's macro names (logs.md 5.2 "kernel" column).
  const k = Object.fromEntries(e.enum.values.map((v) => [v.name, v.kernelName]));
  assert.equal(k.F_TRANSLATION, "EVT_ID_TRANSLATION_FAULT");
  assert.equal(k.C_BAD_STREAMID, "EVT_ID_BAD_STREAMID_CONFIG");
  assert.equal(k.F_VMS_FETCH, "EVT_ID_VMS_FETCH_FAULT");
  // logs.md 5.2: the translation events carry iova and ipa, the fetch events fetch_addr, and
  // F_PERMISSION also TT_READ.
  const carries = Object.fromEntries(e.enum.values.map((v) => [v.name, v.fields ?? []]));
  for (const n of ["F_TRANSLATION", "F_ADDR_SIZE", "F_ACCESS", "F_PERMISSION"]) {
    assert.ok(carries[n].includes("iova") && carries[n].includes("ipa"), n);
  }
  for (const n of ["F_STE_FETCH", "F_CD_FETCH", "F_VMS_FETCH"]) {
    assert.ok(carries[n].includes("fetch_addr") && !carries[n].includes("ipa"), n);
  }
  assert.ok(carries.F_PERMISSION.includes("tt_read") && !carries.F_ACCESS.includes("tt_read"));
});

Deno.test("AMD-Vi: every event code of logs.md 4.2 by tag and macro; IO_PAGE_FAULT flag bits of 4.1", () => {
  const e = (fieldOf("amd-evt", "code") as { enum: EnumDesc }).enum;
  assert.deepEqual(
    Object.fromEntries(e.values.map((v) => [v.value, [v.name, v.kernelName]])),
    AMD_EVENT_CODES,
  );
  for (const v of e.values) assert.match(v.meaning ?? "", /^[A-Z].*\.$/, v.name);
  const flags = (fieldOf("amd-evt", "flags") as { flags: FlagSet }).flags;
  for (const [name, bit] of Object.entries(AMD_IOPF_FLAGS)) {
    assert.equal(bitMap(flags)[name], bit, name);
  }
  const ppr = (fieldOf("amd-ppr", "flags") as { flags: FlagSet }).flags;
  assert.deepEqual(bitMap(ppr), AMD_PPR_FLAG_BITS);
  assert.equal((fieldOf("amd-evt", "devid") as { format?: string }).format, "bdf");
});

Deno.test("VT-d: the three reason tables by code, name and meaning, in dmar_get_fault_reason's ranges", () => {
  const e = (fieldOf("vtd-fault", "fr") as { enum: EnumDesc }).enum;
  const names = enumMap(e);
  for (const [code, text] of Object.entries(VTD_REASONS)) assert.equal(names[+code], text, code);
  // 14 legacy, 7 interrupt-remapping, 46 named scalable-mode codes (logs.md 3.3).
  assert.equal(e.values.filter((v) => v.value < 0x20).length, 14);
  assert.equal(e.values.filter((v) => v.value >= 0x20 && v.value < 0x30).length, 7);
  assert.equal(e.values.filter((v) => v.value >= 0x30).length, 46);
  for (const [lo, hi] of VTD_SM_UNKNOWN_RANGES) {
    for (let c = lo; c <= hi; c++) assert.equal(names[c], undefined, `0x${c.toString(16)}`);
  }
  for (const v of e.values) assert.match(v.meaning ?? "", /^[A-Z].*\.$/, v.name);
  assert.equal(vtdFaultReason(0x25).kind, "intr");
  assert.equal(vtdFaultReason(0x71).kind, "dma-sm");
  assert.equal(vtdFaultReason(0x27).name, "Unknown");
  assert.equal(vtdFaultReason(0x33).name, "Unknown");
  const t = (fieldOf("vtd-fault", "t") as { enum: EnumDesc }).enum;
  assert.deepEqual(enumMap(t), { 0: "DMA Write", 1: "DMA Read" }); // logs.md 3.2
});

Deno.test("virtio-iommu: reasons and flags of logs.md 7", () => {
  assert.deepEqual(enumMap((fieldOf("virtio-iommu-fault", "reason") as { enum: EnumDesc }).enum), {
    ...VIRTIO_REASONS,
  });
  assert.deepEqual(
    bitMap((fieldOf("virtio-iommu-fault", "flags") as { flags: FlagSet }).flags),
    VIRTIO_FLAGS,
  );
});

Deno.test("VT-d T3 (logs.md 9.1): the FRCD qwords decode to write, PASID 0x1a, 00:02.0, reason 0x71", () => {
  const j = json("vtd-fault", le64(0x00007f5e4c3b2000n, 0x80001a7180000010n));
  assert.equal(j.fi, "0x7f5e4c3b2000"); // FI, the page address, not shifted
  assert.equal(j.sid, 0x10);
  assert.equal(j.sid_bdf, "00:02.0");
  assert.equal(j.pp, 1);
  assert.equal(j.pv, 0x1a);
  assert.equal(j.fr, 0x71);
  assert.equal(j.fr_name, "SM: Present bit in first-level paging entry is clear");
  assert.equal(j.t_name, "DMA Write");
  assert.equal(j.f, 1);
  assert.equal("fault_index" in j, false); // a DMA fault has no interrupt index
  // ... and encodes back to the same bytes.
  const bytes = encodeRecord(layout("vtd-fault"), {
    fi: 0x7f5e4c3b2000n,
    sid: 0x10,
    pp: 1,
    fr: 0x71,
    pv: 0x1a,
    f: 1,
  });
  assert.deepEqual(readWords(HW_RECORDS.find((r) => r.id === "vtd-fault")!, bytes), [
    0x00007f5e4c3b2000n,
    0x80001a7180000010n,
  ]);
});

Deno.test("VT-d T2 and T4: a read without PASID from 3b:00.0; an interrupt-remapping fault keeps its index", () => {
  // T2: F | T (read) | FR 0x06 | SID 0x3b00; FI 0xfee00000.
  const t2 = json("vtd-fault", le64(0xfee00000n, (3n << 62n) | (0x06n << 32n) | 0x3b00n));
  assert.equal(t2.sid_bdf, "3b:00.0");
  assert.equal(t2.t_name, "DMA Read");
  assert.equal(t2.fr_name, "PTE Read access is not set");
  assert.equal("pv" in t2, false); // PP clear: no PASID value
  // T4: interrupt index 0x18 in bits 63:48, reason 0x25, source-id 0xf0f8 = f0:1f.0.
  const t4 = json("vtd-fault", le64(0x18n << 48n, (1n << 63n) | (0x25n << 32n) | 0xf0f8n));
  assert.equal(t4.fault_index, 0x18);
  assert.equal(t4.sid_bdf, "f0:1f.0");
  assert.equal(t4.fr_name, "Blocked a compatibility format interrupt request");
});

Deno.test("VT-d T12: reason 0x27 is in no table: decoded as unknown with its value, and a REC-ENUM finding", () => {
  const hex = le64(0x1000n, (1n << 63n) | (1n << 62n) | (0x27n << 32n) | 0x10n);
  const j = json("vtd-fault", hex);
  assert.equal(j.fr, 0x27);
  assert.equal(j.fr_name, null);
  const f = checkRecord(layout("vtd-fault"), parseHex(hex), 0, { index: 0 });
  assert.deepEqual(f.map((x) => x.rule), ["REC-ENUM"]);
  assert.match(f[0].message, /fr = 39 is not defined/);
  // Reserved bits 11:0 and 91:80 set: reported, not hidden.
  assert.deepEqual(rules("vtd-fault", le64(0x1000n | 0x5n, (1n << 63n) | (1n << 16n) | 0x10n)), [
    "REC-PADDING res0",
    "REC-PADDING res0_hi",
  ]);
});

Deno.test("AMD A2 (logs.md 9.2): IO_PAGE_FAULT from 04:00.0, flags 0x070 = PR|RW|PE", () => {
  const j = json("amd-evt", "00 04 00 00 00 00 70 20 00 00 00 fd 00 00 00 00");
  assert.equal(j.devid, 0x0400);
  assert.equal(j.devid_bdf, "04:00.0");
  assert.equal(j.code_name, "IO_PAGE_FAULT");
  assert.equal(j.flags, 0x070);
  assert.deepEqual(j.flags_names, ["PR", "RW", "PE"]);
  assert.equal(j.domid, 0);
  assert.equal(j.address, "0xfd000000");
  // An IO_PAGE_FAULT carries no PPR tag or RMP flags.
  for (const k of ["tag", "flags_rmp", "ppr_pasid_lo", "ppr_pasid_hi"]) assert.equal(k in j, false);
  assert.deepEqual(rules("amd-evt", "00 04 00 00 00 00 70 20 00 00 00 fd 00 00 00 00"), []);
});

Deno.test("AMD A1, A5, A6: domain 0x000d write; INVALID_PPR_REQUEST tag and PASID; code 0xa kept as unknown", () => {
  // A1: device 0b:00.0, domain 0x000d, flags 0x0020 (RW: a write), address 0xfffff000.
  const a1 = json("amd-evt", "00 0b 00 00 0d 00 20 20 00 f0 ff ff 00 00 00 00");
  assert.equal(a1.devid_bdf, "0b:00.0");
  assert.equal(a1.domid, 0x000d);
  assert.deepEqual(a1.flags_names, ["RW"]);
  // A5: 41:00.0, PASID 1 (PPR_PASID1 = event[0] 31:16), tag 0x005, address 0x7f0000001000.
  const a5 = json("amd-evt", "00 41 01 00 05 00 00 90 00 10 00 00 00 7f 00 00");
  assert.equal(a5.code_name, "INVALID_PPR_REQUEST");
  assert.equal(a5.devid_bdf, "41:00.0");
  assert.equal(a5.ppr_pasid_lo, 1);
  assert.equal(a5.ppr_pasid_hi, 0);
  assert.equal(a5.tag, 5);
  assert.equal(a5.address, "0x7f0000001000");
  assert.equal("domid" in a5, false);
  // A6: event[0] = 0x10 (devid 00:02.0), event[1] = 0xa0000000: code 0xa has no kernel name.
  const a6hex = "10 00 00 00 00 00 00 a0 00 00 00 00 00 00 00 00";
  const a6 = json("amd-evt", a6hex);
  assert.equal(a6.code, 0xa);
  assert.equal(a6.code_name, null);
  assert.equal(a6.devid_bdf, "00:02.0");
  assert.deepEqual(rules("amd-evt", a6hex), ["REC-ENUM code"]);
});

Deno.test("AMD: IO_PAGE_FAULT's reserved bits are reported; the same bits are a type in INVALID_DEVICE_REQUEST", () => {
  // flags bit 9 (entry bit 57) and event[0] bit 20.
  assert.deepEqual(rules("amd-evt", "00 04 10 00 00 00 00 22 00 00 00 fd 00 00 00 00"), [
    "REC-PADDING res0",
    "REC-PADDING res0_flags",
  ]);
  assert.deepEqual(rules("amd-evt", "00 04 00 00 00 00 00 82 00 00 00 fd 00 00 00 00"), []);
});

Deno.test("SMMUv3 S1, R2, R3 (logs.md 9.3): each event shows the fields it carries, ipa and fetch_addr unshifted", () => {
  const s1 = json("smmuv3-evt", le64(0x0000010000000010n, 0x0000020800000000n, 0xffff1000n, 0n));
  assert.equal(s1.id_name, "F_TRANSLATION");
  assert.equal(s1.sid, 0x100);
  assert.equal(s1.ssv, 0);
  assert.equal(s1.rnw, 1); // read
  assert.equal(s1.class_name, "Input address caused fault"); // CLASS 2
  assert.equal(s1.iova, "0xffff1000");
  assert.equal(s1.ipa, "0x0");
  assert.equal("fetch_addr" in s1, false);
  assert.equal("tt_read" in s1, false);
  const r2 = json(
    "smmuv3-evt",
    le64(0x0000000800003813n, 0x000011028000002an, 0x0000aaaad0001000n, 0x0000000081234000n),
  );
  assert.deepEqual(
    [r2.id_name, r2.ssv, r2.ssid, r2.sid, r2.stag, r2.stall, r2.pnu, r2.rnw, r2.class, r2.tt_read],
    ["F_PERMISSION", 1, 3, 8, 0x2a, 1, 1, 0, 1, 1],
  );
  assert.equal(r2.ipa, "0x81234000");
  const r3 = json("smmuv3-evt", le64(0x0000030000001809n, 0n, 0n, 0x00000000fe0a0040n));
  assert.equal(r3.id_name, "F_CD_FETCH");
  assert.equal(r3.ssid, 1);
  assert.equal(r3.sid, 0x300);
  assert.equal(r3.fetch_addr, "0xfe0a0040"); // dword3 & GENMASK(51, 3), not shifted
  assert.equal("ipa" in r3, false);
  assert.equal("iova" in r3, false);
  // Below bit 12 is not IPA, below bit 3 not fetch_addr.
  assert.equal(json("smmuv3-evt", le64(0x10n, 0n, 0n, 0x81234567n)).ipa, "0x81234000");
  assert.equal(json("smmuv3-evt", le64(0x09n, 0n, 0n, 0x81234567n)).fetch_addr, "0x81234560");
});

Deno.test("SMMUv3: C_BAD_STREAMID's dwords 1-3 and every event's bits 10:8 are RES0; unknown IDs keep their value", () => {
  const good = le64(0x0000123400000002n, 0n, 0n, 0n);
  assert.equal(json("smmuv3-evt", good).id_name, "C_BAD_STREAMID");
  assert.equal(json("smmuv3-evt", good).sid, 0x1234);
  assert.deepEqual(rules("smmuv3-evt", good), []);
  assert.deepEqual(rules("smmuv3-evt", le64(0x0000123400000102n, 1n, 0n, 0n)), [
    "REC-PADDING res0",
    "REC-PADDING res0_dw1",
  ]);
  // The same dword 1 is an F_TRANSLATION's STAG: no finding.
  assert.deepEqual(rules("smmuv3-evt", le64(0x10n, 1n, 0n, 0n)), []);
  const unknown = json("smmuv3-evt", le64(0x0000010000000030n, 0n, 0n, 0n));
  assert.equal(unknown.id, 0x30);
  assert.equal(unknown.id_name, null);
  assert.deepEqual(rules("smmuv3-evt", le64(0x0000010000000030n, 0n, 0n, 0n)), ["REC-ENUM id"]);
});

Deno.test("virtio-iommu V1 and V2 (logs.md 9.4): reason, endpoint, F_ADDRESS guards the address", () => {
  // V1: reason 2 (page), flags F_WRITE | F_ADDRESS, endpoint 8, address 0x12340000.
  const v1 = json(
    "virtio-iommu-fault",
    "02 00 00 00 02 01 00 00 08 00 00 00 00 00 00 00 00 00 34 12 00 00 00 00",
  );
  assert.equal(v1.reason_name, "MAPPING");
  assert.deepEqual(v1.flags_names, ["WRITE", "ADDRESS"]);
  assert.equal(v1.endpoint, 8);
  assert.equal(v1.address, "0x12340000");
  // V2: a domain fault without an address. An address without F_ADDRESS, or a reserved byte,
  // is reported.
  const v2 = "01 00 00 00 00 00 00 00 10 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00";
  assert.equal(json("virtio-iommu-fault", v2).reason_name, "DOMAIN");
  assert.deepEqual(rules("virtio-iommu-fault", v2), []);
  assert.deepEqual(
    rules(
      "virtio-iommu-fault",
      "01 07 00 00 00 00 00 00 10 00 00 00 00 00 00 00 00 10 00 00 00 00 00 00",
    ),
    ["REC-PADDING reserved", "REC-VALID-BITS address"],
  );
});

Deno.test("VT-d T14 (logs.md 9.1): the page request's rid 0x6a08 is 6a:01.0, addr a page number", () => {
  // qw0: rid 0x6a08 << 16, pasid_present, pasid 1; qw1: page 0x7f3a1, rd, lpig, index 5.
  const qw0 = (0x6a08n << 16n) | (1n << 8n) | (1n << 32n);
  const qw1 = (0x7f3a1n << 12n) | 1n | 4n | (5n << 3n);
  const j = json("vtd-prq", le64(qw0, qw1, 0n, 0n));
  assert.equal(j.rid_bdf, "6a:01.0");
  assert.equal(j.addr, "0x7f3a1"); // 52 bits wide: a 0x string, like every wide field
  assert.deepEqual([j.rd_req, j.wr_req, j.lpig, j.prg_index, j.pasid], [1, 0, 1, 5, 1]);
  assert.deepEqual(j.priv_data, ["0x0", "0x0"]);
  assert.deepEqual(rules("vtd-prq", le64(qw0 | (1n << 10n), qw1, 0n, 0n)), ["REC-PADDING res0"]);
});

Deno.test("the parser's word views decode exactly what the registry decodes, for every record", () => {
  for (const view of HW_RECORDS) {
    const l = layout(view.id);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: l.size, maxLength: l.size }), (bytes) => {
        const rec = decodeRecord(l, bytes);
        const words = decodeHw(view, readWords(view, bytes)!);
        for (const f of view.fields) {
          const arr = /^(.*)(\d)$/.exec(f.name);
          const v = f.name in rec ? rec[f.name] : (rec[arr![1]] as bigint[])[+arr![2]];
          assert.equal(BigInt(v as number | bigint), words[f.name], `${view.id}.${f.name}`);
        }
      }),
      { numRuns: 100 },
    );
  }
  assert.deepEqual(HW_RECORDS.map((r) => r.id), [...HARDWARE_ABIS]);
  assert.equal(SMMUV3_EVENTS.length, Object.keys(SMMUV3_EVENT_NAMES).length);
});

Deno.test("the vEVENTQ SMMUv3 payload reads the smmuv3-evt description's bits (vsid = sid, input_addr = iova)", () => {
  const rename: Record<string, string> = { vsid: "sid", input_addr: "iova" };
  const evt = rowsOf(layout("smmuv3-evt")).fields;
  const fields = VEVENT_TYPES["arm-smmuv3"].fields;
  assert.ok(fields.length >= 14);
  for (const f of fields) {
    const row = evt.find(([n]) => n === (rename[f.name] ?? f.name));
    assert.ok(row, f.name);
    assert.deepEqual([64 * f.word + f.lo, 64 * f.word + f.hi], [row[1], row[2]], f.name);
    assert.equal(f.take, row[3], f.name);
  }
  // The vEVENT IDs (abi.md 5.3) are named as the description names them.
  assert.deepEqual(
    VEVENT_TYPES["arm-smmuv3"].fields.find((f) => f.name === "id")!.enum!.values.map((v) => v.name),
    [0x04, 0x06, 0x08, 0x0a, 0x10, 0x11, 0x12, 0x13].map((id) => SMMUV3_EVENT_NAMES[id].name),
  );
});
