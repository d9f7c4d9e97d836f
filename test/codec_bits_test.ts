/**
 * Records whose fields are bit fields of 32/64-bit words (hardware records) are first-class: the
 * same compiled decoder, encoder, JSON views, record rules, table cells and `layout` lines work
 * from their description. The description here is abi.md 5.3's table of the SMMUv3 event dwords
 * (K13); values come from abi.md's TV10 payload and from words written by hand. It is described
 * in this test only: registering hardware records is not this test's business.
 */
import assert from "node:assert/strict";
import type { EnumDesc, RecordLayout } from "../src/abi/types.ts";
import { decodeRecord, decoderFor } from "../src/codec/decode.ts";
import { encodeRecord } from "../src/codec/encode.ts";
import { parseHex } from "../src/codec/hex.ts";
import { recordJson } from "../src/codec/json.ts";
import { jsonLineWriter } from "../src/codec/jsonline.ts";
import { checkRecord } from "../src/rules/records.ts";
import { recordCells, recordColumns } from "../src/cli/format.ts";
import { recordLayoutLines } from "../src/cli/commands/layout.ts";
import { TV10 } from "./support/vectors.ts";

/** abi.md 5.3: the event IDs vEVENTQ reports. */
const EVENT_ID: EnumDesc = {
  name: "SMMUv3 event ID",
  prefix: "EVT_ID_",
  values: [
    { value: 0x04, name: "C_BAD_STE" },
    { value: 0x06, name: "F_STREAM_DISABLED" },
    { value: 0x08, name: "C_BAD_SUBSTREAMID" },
    { value: 0x0a, name: "C_BAD_CD" },
    { value: 0x10, name: "F_TRANSLATION" },
    { value: 0x11, name: "F_ADDR_SIZE" },
    { value: 0x12, name: "F_ACCESS" },
    { value: 0x13, name: "F_PERMISSION" },
  ],
};

const bits = (
  name: string,
  word: number,
  hi: number,
  lo: number,
  extra: { take?: "mask"; enum?: EnumDesc } = {},
) => ({
  kind: "bits" as const,
  name,
  offset: 8 * word,
  type: "u64" as const,
  hi,
  lo,
  meaning: name,
  ...extra,
});

/** abi.md 5.3, "SMMUv3 event dword fields that the kernel itself decodes". */
const SMMUV3_EVENT: RecordLayout = {
  id: "smmuv3-test",
  struct: "iommu_vevent_arm_smmuv3",
  title: "SMMUv3 event (test description)",
  era: "test",
  family: "iommufd_fault",
  size: 32,
  source: ["K7"],
  fields: [
    bits("id", 0, 7, 0, { enum: EVENT_ID }),
    bits("ssv", 0, 11, 11),
    bits("ssid", 0, 31, 12),
    bits("vsid", 0, 63, 32),
    bits("stag", 1, 15, 0),
    bits("stall", 1, 31, 31),
    bits("pnu", 1, 33, 33),
    bits("ind", 1, 34, 34),
    bits("rnw", 1, 35, 35),
    bits("s2", 1, 39, 39),
    bits("class", 1, 41, 40),
    bits("tt_read", 1, 44, 44),
    bits("input_addr", 2, 63, 0),
    bits("ipa", 3, 51, 12, { take: "mask" }),
  ],
};

/** TV10's first payload (bytes 8..40), with evt[3] = 0x0000000081234567 written by hand. */
function payload(): Uint8Array {
  const b = parseHex(TV10.hex).slice(8, 40);
  b.set([0x67, 0x45, 0x23, 0x81, 0, 0, 0, 0], 24);
  return b;
}

Deno.test("bits: TV10's SMMUv3 payload decodes to abi.md's values; ipa is masked, not shifted", () => {
  const rec = decodeRecord(SMMUV3_EVENT, payload());
  assert.deepEqual(rec, {
    id: 0x13,
    ssv: 1,
    ssid: 5,
    vsid: 8,
    stag: 0,
    stall: 0,
    pnu: 0,
    ind: 0,
    rnw: 1,
    s2: 0,
    class: 0,
    tt_read: 0,
    input_addr: 0xdeadb000n, // 64 bits wide: a BigInt, like a __u64
    ipa: 0x81234000n, // raw[3] & GENMASK(51, 12): the address itself
  });
});

Deno.test("bits: every bit of every word lands in its field (one bit set at a time)", () => {
  for (const f of SMMUV3_EVENT.fields) {
    if (f.kind !== "bits") continue;
    for (const bit of [f.lo, f.hi]) {
      const b = new Uint8Array(32);
      const at = f.offset + (bit >> 3);
      b[at] = 1 << (bit & 7);
      const rec = decodeRecord(SMMUV3_EVENT, b);
      const want: bigint = 1n << BigInt(f.take === "mask" ? bit : bit - f.lo);
      assert.equal(BigInt(rec[f.name] as number | bigint), want, `${f.name} bit ${bit}`);
      for (const g of SMMUV3_EVENT.fields) {
        if (
          g.kind === "bits" && g !== f && !(g.offset === f.offset && g.lo <= bit && bit <= g.hi)
        ) {
          assert.equal(BigInt(rec[g.name] as number | bigint), 0n, `${g.name} with ${f.name}`);
        }
      }
    }
  }
});

Deno.test("bits: big-endian words decode to the same values", () => {
  const le = payload();
  const be = new Uint8Array(32);
  for (let w = 0; w < 4; w++) be.set(le.slice(8 * w, 8 * w + 8).reverse(), 8 * w);
  assert.deepEqual(decodeRecord(SMMUV3_EVENT, be, 0, false), decodeRecord(SMMUV3_EVENT, le));
});

Deno.test("bits: the encoder writes the stated values back to the same bytes", () => {
  const values = {
    id: 0x13,
    ssv: 1,
    ssid: 5,
    vsid: 8,
    rnw: 1,
    input_addr: 0xdeadb000n,
    ipa: 0x81234000n,
  };
  const want = payload();
  want[24] = 0; // bits 11:0 of evt[3] are outside every field: the encoder leaves them zero
  want[25] &= 0xf0;
  assert.deepEqual(encodeRecord(SMMUV3_EVENT, values), want);
  // Values wider than their field are cut to it; other fields of the word are kept.
  const cut = decodeRecord(SMMUV3_EVENT, encodeRecord(SMMUV3_EVENT, { ...values, id: 0x1ff }));
  assert.equal(cut.id, 0xff);
  assert.equal(cut.ssv, 1);
});

Deno.test("bits: JSON: up to 32 bits a number, wider a 0x string; both views write the same text", () => {
  const bytes = payload();
  const rec = decodeRecord(SMMUV3_EVENT, bytes);
  const json = recordJson(SMMUV3_EVENT, rec, { index: 0, offset: 0 });
  assert.equal(json.abi, "smmuv3-test");
  assert.equal(json.id, 0x13);
  assert.equal(json.id_name, "F_PERMISSION");
  assert.equal(json.vsid, 8);
  assert.equal(json.input_addr, "0xdeadb000");
  assert.equal(json.ipa, "0x81234000");
  const line = jsonLineWriter(SMMUV3_EVENT)(
    new DataView(bytes.buffer, bytes.byteOffset, 32),
    0,
    true,
    '"index":0,"offset":0',
  );
  assert.equal(line, JSON.stringify(json));
});

Deno.test("bits: record rules read enums of bit fields; table cells and layout lines show them", () => {
  const bad = payload();
  bad[0] = 0x99; // not an event ID vEVENTQ reports
  const rules = checkRecord(SMMUV3_EVENT, bad, 0, { index: 0 });
  assert.deepEqual(rules.map((f) => [f.rule, f.field]), [["REC-ENUM", "id"]]);
  assert.deepEqual(checkRecord(SMMUV3_EVENT, payload(), 0, { index: 0 }), []);

  const cols = recordColumns(SMMUV3_EVENT);
  const cells = recordCells(
    SMMUV3_EVENT,
    decoderFor(SMMUV3_EVENT)(new DataView(payload().buffer), 0, true),
  );
  assert.equal(cells[cols.indexOf("id")], "F_PERMISSION(19)");
  assert.equal(cells[cols.indexOf("ipa")], "0x81234000");

  const lines = recordLayoutLines(SMMUV3_EVENT).join("\n");
  assert.match(lines, /__u64 ssid:20;\s+\/\*\s+0\s+8 \*\/\s+bits 31:12/);
  assert.match(lines, /__u64 ipa:40;\s+\/\*\s+24\s+8 \*\/\s+bits 51:12 \(masked, not shifted\)/);
});

Deno.test("bits: a 32-bit word: shifted and masked fields, the top bit included", () => {
  const reg: RecordLayout = {
    id: "reg32-test",
    struct: "u32 register",
    title: "test",
    era: "test",
    family: "iommufd_fault",
    size: 4,
    source: [],
    fields: [
      { kind: "bits", name: "low", offset: 0, type: "u32", lo: 0, hi: 3, meaning: "" },
      {
        kind: "bits",
        name: "mid",
        offset: 0,
        type: "u32",
        lo: 8,
        hi: 15,
        take: "mask",
        meaning: "",
      },
      { kind: "bits", name: "top", offset: 0, type: "u32", lo: 31, hi: 31, meaning: "" },
      { kind: "bits", name: "all", offset: 0, type: "u32", lo: 0, hi: 31, meaning: "" },
    ],
  };
  const b = Uint8Array.of(0x0b, 0xa5, 0x00, 0x80); // 0x8000a50b
  assert.deepEqual(decodeRecord(reg, b), { low: 0xb, mid: 0xa500, top: 1, all: 0x8000a50b });
  assert.deepEqual(encodeRecord(reg, { all: 0x8000a50b }), b);
});

Deno.test("bits: a field across the two halves of a 64-bit word", () => {
  const rec: RecordLayout = {
    id: "straddle-test",
    struct: "u64 word",
    title: "test",
    era: "test",
    family: "iommufd_fault",
    size: 8,
    source: [],
    fields: [{ kind: "bits", name: "x", offset: 0, type: "u64", lo: 28, hi: 35, meaning: "" }],
  };
  // 0x0000000ab0000000: bits 35:28 hold 0xab.
  const b = Uint8Array.of(0, 0, 0, 0xb0, 0x0a, 0, 0, 0);
  assert.deepEqual(decodeRecord(rec, b), { x: 0xab });
  assert.deepEqual(encodeRecord(rec, { x: 0xab }), b);
  const be = b.slice().reverse();
  assert.deepEqual(decodeRecord(rec, be, 0, false), { x: 0xab });
});
