/**
 * The parser's fast paths are the same formats, not second descriptions of them: its 32-bit
 * reading and writing of hardware records gives exactly what the BigInt codec gives, for every
 * record description and random words, and its hand-written prefix scanners match exactly what
 * the regular expressions they replace match.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { HW_RECORDS } from "../src/abi/hw/mod.ts";
import { SMMUV3_EVT } from "../src/abi/hw/smmuv3.ts";
import { decodeHw, encodeHw, hwJson, readWords } from "../src/codec/bitfield.ts";
import {
  encodeHalves,
  fieldHex,
  fieldNum,
  fieldsJson,
  halvesOf,
  wordsOf,
} from "../src/klog/fast_fields.ts";
import { printkStampEnd, RE_PRINTK } from "../src/klog/container.ts";
import {
  devPrefixEnd,
  DWORD_HI,
  DWORD_LO,
  RE_DEV,
  RE_SMMU_DWORD,
  smmuDword,
} from "../src/klog/recognise.ts";
import { KlogParser } from "../src/klog/parser.ts";
import { Fault } from "../src/klog/event.ts";
import { Summary } from "../src/klog/summary.ts";

function halves(wordBits: 32 | 64, words: readonly bigint[]): number[] {
  if (wordBits === 32) return words.map((w) => Number(w));
  return words.flatMap((w) => [Number(w & 0xffffffffn), Number(w >> 32n)]);
}

Deno.test("fieldsJson equals hwJson(decodeHw) for every record, every field", () => {
  for (const rec of HW_RECORDS) {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: rec.size, maxLength: rec.size }), (bytes) => {
        const words = readWords(rec, bytes)!;
        const h = halves(rec.wordBits, words);
        const f = decodeHw(rec, words);
        assert.deepEqual(fieldsJson(rec, h), hwJson(rec, f), rec.id);
        const some = rec.fields.filter((_, i) => i % 2 === 0).map((x) => x.name);
        assert.deepEqual(fieldsJson(rec, h, some), hwJson(rec, f, some), rec.id);
        for (const field of rec.fields) {
          assert.equal(fieldHex(rec, field.name, h), "0x" + f[field.name].toString(16));
          if (f[field.name] < 2n ** 53n) {
            assert.equal(fieldNum(rec, field.name, h), Number(f[field.name]), field.name);
          }
        }
        assert.deepEqual(wordsOf(rec, h), words);
      }),
      { numRuns: 100 },
    );
  }
});

Deno.test("encodeHalves equals encodeHw for every record (values wider than a field are cut)", () => {
  for (const rec of HW_RECORDS) {
    const value = fc.oneof(
      fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
      fc.integer({ min: 0, max: 2 ** 53 - 1 }),
    );
    const input = fc.record(
      Object.fromEntries(rec.fields.map((f) => [f.name, value])),
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(input, (inp) => {
        const want = encodeHw(rec, inp as Record<string, bigint | number>);
        assert.deepEqual(encodeHalves(rec, inp), halves(rec.wordBits, want), rec.id);
        // The same values given as hex text.
        const asHex = Object.fromEntries(
          Object.entries(inp).map(([k, v]) => [k, "0x" + BigInt(v as bigint).toString(16)]),
        );
        assert.deepEqual(encodeHalves(rec, asHex), halves(rec.wordBits, want), rec.id);
      }),
      { numRuns: 100 },
    );
  }
});

Deno.test("halvesOf reads the SMMUv3 dump's words (logs.md 9.3 R2)", () => {
  const h = halvesOf([
    "0000000800003813",
    "000011028000002a",
    "0000aaaad0001000",
    "0000000081234000",
  ]);
  assert.equal(fieldNum(SMMUV3_EVT, "id", h), 0x13);
  assert.equal(fieldNum(SMMUV3_EVT, "sid", h), 8);
  assert.equal(fieldNum(SMMUV3_EVT, "ssid", h), 3);
  assert.equal(fieldNum(SMMUV3_EVT, "stag", h), 0x2a);
  assert.equal(fieldHex(SMMUV3_EVT, "iova", h), "0xaaaad0001000");
  // ipa is dword3 & GENMASK(51, 12), kept in place.
  assert.equal(fieldHex(SMMUV3_EVT, "ipa", h), "0x81234000");
});

// Lines built from the characters that matter to the two prefixes, so that near misses abound.
const prefixLine = fc.array(
  fc.constantFrom("a", "Z", "0", "_", ".", "-", ":", " ", "[", "]", "\t", "x", "9", ": ", "("),
  { maxLength: 24 },
).map((a) => a.join(""));

Deno.test("devPrefixEnd finds the same `<driver> <device>: ` prefix as RE_DEV", () => {
  const check = (t: string) => {
    const m = RE_DEV.exec(t);
    const end = devPrefixEnd(t);
    assert.equal(end < 0 ? null : t.slice(0, end + 2), m ? m[0] : null, JSON.stringify(t));
  };
  for (
    const t of [
      "arm-smmu-v3 arm-smmu-v3.0.auto: event 0x10 received:",
      "amdgpu 0000:0b:00.0: AMD-Vi: Event logged [",
      "iommu ivhd0: ILLEGAL_DEV_TABLE_ENTRY device=00:14.0",
      "a b:",
      "a :: x",
      " a b: x",
    ]
  ) check(t);
  fc.assert(fc.property(prefixLine, check), { numRuns: 2000 });
});

Deno.test("printkStampEnd finds the same `[  812.004417]` stamp as RE_PRINTK", () => {
  const check = (t: string) => {
    const m = RE_PRINTK.exec(t);
    const end = printkStampEnd(t);
    assert.equal(
      end < 0 ? null : t.slice(0, end + 1),
      m ? m[0].trimEnd() : null,
      JSON.stringify(t),
    );
    if (m) assert.equal(Number(t.slice(1, end)), Number(m[1] + "." + m[2]));
  };
  for (const t of ["[  812.004417] DMAR: x", "[1.0]", "[ .5] x", "[12.] x", "[\t3.25]"]) check(t);
  const stamp = fc.tuple(
    fc.constantFrom("", " ", "  ", "\t"),
    fc.stringMatching(/^\d{0,6}$/),
    fc.constantFrom(".", ",", ""),
    fc.stringMatching(/^\d{0,6}$/),
    fc.constantFrom("]", "] ", "]x", ""),
    prefixLine,
  ).map(([a, b, c, d, e, f]) => `[${a}${b}${c}${d}${e}${f}`);
  fc.assert(fc.property(fc.oneof(stamp, prefixLine), check), { numRuns: 2000 });
});

Deno.test("the line after a two-line record's head is read though it holds no keyword, at any chunk cut", () => {
  // logs.md 4.3 E0 (4.9-4.16: the body is a record of its own) and 3.x VT-d interrupt remapping
  // (the reason follows an embedded newline), each between ordinary lines.
  const text = "[ 1.0] usb 1-1: new device\n" +
    "[ 12.5] AMD-Vi: Event logged [\n" +
    "[ 12.6] IO_PAGE_FAULT device=00:14.0 domain=0x0003 address=0x00000000fee00000 flags=0x0010]\n" +
    "[ 13.0] usb 1-1: new device\n" +
    "dmar: INTR-REMAP: Request device [[f0:1f.0] fault index 18\n" +
    "INTR-REMAP:[fault reason 37] Blocked a compatibility format interrupt request\n";
  const want = [
    ["amd", 2, "0000:00:14.0", 2],
    ["intel", 0x25, "0000:f0:1f.0", 5],
  ];
  for (let cut = 0; cut <= text.length; cut++) {
    const got: (string | number | null)[][] = [];
    const p = new KlogParser({
      onEvent: (e) => e.type === "fault" && got.push([e.vendor, e.code, e.device, e.line]),
    });
    p.push(text.slice(0, cut));
    p.push(text.slice(cut));
    p.end();
    assert.deepEqual(got, want, `cut at ${cut}`);
    assert.equal(p.unparsedCount, 0);
  }
});

Deno.test("smmuDword reads the same dump words as RE_SMMU_DWORD", () => {
  const check = (t: string) => {
    const m = RE_SMMU_DWORD.exec(t);
    assert.equal(smmuDword(t), m !== null, JSON.stringify(t));
    if (m) {
      assert.equal(DWORD_HI, parseInt(m[1].slice(0, 8), 16));
      assert.equal(DWORD_LO, parseInt(m[1].slice(8), 16));
    }
  };
  for (
    const t of [
      "\t0x0000010000000010",
      "\\x090x00000000ffff1000",
      "    0x0000020800000000 ",
      "\u00a00xFFFFFFFFFFFFFFFF",
      "\t0x000001000000001",
      "\t0x00000100000000100",
      "\t0x0000010000000010 x",
      "0x0000010000000010\r",
    ]
  ) check(t);
  const word = fc.tuple(
    fc.array(fc.constantFrom("\t", " ", "\\x09", "\u00a0", "\\x0", "x"), { maxLength: 3 }),
    fc.constantFrom("0x", "0X", "x", ""),
    fc.stringMatching(/^[0-9a-fA-FgG]{14,18}$/),
    fc.constantFrom("", " ", "\r", " x", "\t\t"),
  ).map(([a, b, c, d]) => a.join("") + b + c + d);
  fc.assert(fc.property(word, check), { numRuns: 3000 });
});

Deno.test("summary address ranges mix addresses below and above 2^53 exactly", () => {
  const s = new Summary();
  const at = (addr: string) =>
    s.add(
      new Fault(
        {
          vendor: "intel",
          iommu: null,
          device: "0000:00:02.0",
          pasid: null,
          addr,
          access: ["read"],
          code: 6,
          name: "PTE Read access is not set",
          text: "",
          generation: "V4",
        },
        { text: null, boot: null, wall: null },
        ["x"],
        1,
      ),
    );
  at("0x1000");
  at("0xffff800000001000"); // a kernel address: past 2^53
  at("0x800");
  at("0xffff800000001fff");
  const [r] = s.sortedRows();
  assert.equal(r.addrMin, 0x800n);
  assert.equal(r.addrMax, 0xffff800000001fffn);
  assert.equal(r.pages, 3); // pages 0x0 (0x800), 0x1 (0x1000) and 0xffff800000001
  assert.equal(r.count, 4);
});
