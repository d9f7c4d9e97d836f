/**
 * Fuzz (fast-check): random and mangled input into the decoder, the region model, the
 * validator (one image and two snapshots) and the hex parser. Nothing may throw except the
 * documented RegionError (openRegion) and HexError (parseHex); validateImage and
 * validateSnapshots throw nothing; every answer stays within the input's bounds.
 *
 * Random hex text includes '*' (repeat the previous line): it is parsed under a 64 KiB limit, so
 * a short dump that asks for more ends with a HexError at once (hex_test.ts streams the 256 MiB
 * of an `xxd -a` dump).
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import type { AbiId, RegionLayoutId } from "../src/abi/types.ts";
import { decodeRecord } from "../src/codec/decode.ts";
import { HexError, HexStream, readHex } from "../src/codec/hex.ts";
import {
  buildRegion,
  type OpenOptions,
  openRegion,
  pendingSlots,
  type Region,
  RegionError,
  slotOffset,
  slotReadable,
} from "../src/region/model.ts";
import { RULES } from "../src/rules/catalogue.ts";
import type { Finding } from "../src/rules/finding.ts";
import { validateImage, validateSnapshots } from "../src/rules/validate.ts";
import { parseVevents } from "../src/codec/vevent.ts";
import { checkVevents } from "../src/rules/vevent.ts";
import { RECORD_TABLES } from "./support/abi_tables.ts";
import { getPath, readUint } from "./support/flatten.ts";

const ABIS = Object.keys(RECORD_TABLES) as AbiId[];
const LAYOUTS: RegionLayoutId[] = ["rfc3", "fault-prod", "dma-fault", "dma-fault-response"];
const SEVERITY = new Map(RULES.map((r) => [r.id, r.severity]));

// ---- generators ---------------------------------------------------------------------------------

const hostileU32 = fc.oneof(
  fc.integer({ min: 0, max: 0xffffffff }),
  fc.integer({ min: 0, max: 2048 }),
  fc.constantFrom(0, 1, 16, 20, 24, 48, 64, 85, 511, 512, 1023, 1365, 4096, 0x10000),
  fc.constantFrom(0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0x40000000, 0x00020000),
);

const openOptions: fc.Arbitrary<OpenOptions> = fc.record(
  {
    layout: fc.constantFrom(...LAYOUTS),
    abi: fc.constantFrom(...ABIS),
    littleEndian: fc.boolean(),
    regionSize: fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 0, max: 0x30000 }) },
      { weight: 1, arbitrary: hostileU32 },
    ),
    pageSize: fc.oneof(fc.constantFrom(4096, 16384, 65536), hostileU32),
    consumer: hostileU32,
  },
  { requiredKeys: [] },
);

/** A region image built by the kernel's rules, then mangled: records, header words, bytes. */
const mangledRegion = fc.record({
  layout: fc.constantFrom(...LAYOUTS),
  pageSize: fc.constantFrom(4096, 16384, 65536),
  producer: fc.integer({ min: 0, max: 600 }),
  consumer: fc.integer({ min: 0, max: 600 }),
  // Pending records: a type word (1, 2 or anything) over random bytes.
  records: fc.array(
    fc.tuple(
      fc.oneof(fc.constantFrom(1, 2), hostileU32),
      fc.uint8Array({ minLength: 64, maxLength: 64 }),
    ),
    { maxLength: 6 },
  ),
  header: fc.oneof(
    fc.constant([] as [number, number][]),
    fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), hostileU32), { minLength: 1, maxLength: 2 }),
  ),
  pokes: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 20 }),
  cut: fc.oneof(
    { weight: 4, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.nat() },
  ),
  le: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, {
    weight: 1,
    arbitrary: fc.constant(false),
  }),
}).map((m) => {
  const layoutNames: Record<RegionLayoutId, string[]> = {
    rfc3: ["size", "prod", "cons", "reserved"],
    "fault-prod": ["version", "nb_entries", "entry_size", "offset", "prod"],
    "dma-fault": ["tail", "entry_size", "nb_entries", "offset", "head"],
    "dma-fault-response": ["head", "entry_size", "nb_entries", "offset", "tail"],
  };
  // abi.md 3: capacity, entry size and ring offset each layout gets from the kernel.
  const geo: Record<RegionLayoutId, [number, number, number]> = {
    rfc3: [1365, 48, 16],
    "fault-prod": [Math.floor(m.pageSize / 48), 48, m.pageSize],
    "dma-fault": [512, 64, m.pageSize],
    "dma-fault-response": [512, 24, m.pageSize],
  };
  const [cap, entry, ring] = geo[m.layout];
  const names = layoutNames[m.layout];
  const header = Object.fromEntries(m.header.map(([i, v]) => [names[i % names.length], v]));
  const cons = m.consumer % cap;
  const bytes = buildRegion({
    layout: m.layout,
    pageSize: m.pageSize,
    producer: m.producer % cap,
    consumer: cons,
    header,
    littleEndian: m.le,
  });
  const dv = new DataView(bytes.buffer);
  m.records.forEach(([type, raw], k) => {
    const at = ring + ((cons + k) % cap) * entry;
    bytes.set(raw.subarray(0, entry), at);
    if (m.layout !== "dma-fault-response") dv.setUint32(at, type, m.le);
  });
  for (const [at, v] of m.pokes) bytes[at % bytes.length] = v;
  return m.cut === undefined ? bytes : bytes.subarray(0, m.cut % (bytes.length + 1));
});

const randomImage = fc.oneof(
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 0, maxLength: 96 }) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 0, maxLength: 4096 }) },
  { weight: 4, arbitrary: mangledRegion },
);

// ---- checks -------------------------------------------------------------------------------------

function checkFindings(findings: Finding[], bytes: Uint8Array) {
  for (const f of findings) {
    assert.ok(SEVERITY.has(f.rule), `unknown rule ${f.rule}`);
    assert.equal(f.severity, SEVERITY.get(f.rule), f.rule);
    assert.equal(typeof f.message, "string");
    if (f.offset !== undefined) {
      assert.ok(
        Number.isInteger(f.offset) && f.offset >= 0 && f.offset <= bytes.length,
        `${f.rule}: offset ${f.offset} outside a ${bytes.length}-byte image`,
      );
    }
  }
}

function checkRegion(r: Region, bytes: Uint8Array) {
  assert.equal(r.bytes.length, bytes.length);
  const slots = pendingSlots(r);
  const pending = r.occupancy?.pending ?? 0;
  const cap = r.geometry.capacity;
  assert.ok(slots.length <= pending, `${slots.length} slots listed, ${pending} pending`);
  // In consumer order: each slot is consumer + k (mod capacity) for a growing k < pending.
  // (Up to 2^20 slots: check in a plain loop, assert once.)
  let last = -1, bad = -1;
  for (let i = 0; i < slots.length && bad < 0; i++) {
    const s = slots[i];
    const k = (s - r.consumer! + cap) % cap;
    const ok = Number.isInteger(s) && s >= 0 && s < cap && k > last && k < pending &&
      (!slotReadable(r, s) || slotOffset(r, s) + r.geometry.entrySize <= bytes.length);
    if (!ok) bad = i;
    last = k;
  }
  assert.equal(bad, -1, `slot ${slots[bad]} (#${bad}) out of range or consumer order`);
}

// ---- properties ---------------------------------------------------------------------------------

Deno.test("fuzz: decodeRecord on random bytes reads exactly abi.md's fields", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...ABIS).chain((abi) =>
        fc.tuple(
          fc.constant(abi),
          fc.uint8Array({
            minLength: RECORD_TABLES[abi].size,
            maxLength: RECORD_TABLES[abi].size + 80,
          }),
        )
      ).chain(([abi, bytes]) =>
        fc.tuple(
          fc.constant(abi),
          fc.constant(bytes),
          fc.integer({ min: 0, max: bytes.length - RECORD_TABLES[abi].size }),
          fc.boolean(),
        )
      ),
      ([abi, bytes, offset, le]) => {
        const rec = decodeRecord(abi, bytes, offset, le);
        const t = RECORD_TABLES[abi];
        const type = t.variants ? Number(readUint(bytes, offset, 4, le)) : 0;
        const rows = [...t.common, ...(t.variants?.[type]?.rows ?? [])];
        for (const [name, off, size] of rows) {
          const v = getPath(rec, name);
          assert.equal(typeof v, size === 4 ? "number" : "bigint", name);
          assert.equal(BigInt(v as number | bigint), readUint(bytes, offset + off, size, le), name);
        }
        if (t.variants && !t.variants[type]) {
          assert.ok(!("event" in rec) && !("prm" in rec), `type ${type} selects no member`);
        }
      },
    ),
    { numRuns: 2000 },
  );
});

Deno.test("fuzz: openRegion throws only RegionError; validateImage never throws", () => {
  fc.assert(
    fc.property(randomImage, fc.option(openOptions, { nil: undefined, freq: 2 }), (bytes, opts) => {
      try {
        checkRegion(openRegion(bytes, opts), bytes);
      } catch (e) {
        if (!(e instanceof RegionError)) throw e;
        assert.ok(e.message.length > 0);
      }
      const { region, findings } = validateImage(bytes, opts);
      checkFindings(findings, bytes);
      if (!region) {
        assert.equal(findings.length, 1, "a header that cannot be read is one finding");
        assert.ok(["LAYOUT-DETECT", "HDR-TRUNCATED"].includes(findings[0].rule));
      }
    }),
    { numRuns: 1500 },
  );
});

Deno.test("fuzz: validateSnapshots of random pairs never throws", () => {
  const pair = fc.oneof(
    fc.tuple(randomImage, randomImage),
    // Same layout, different indices and bytes: the interesting case.
    mangledRegion.chain((a) =>
      fc.tuple(
        fc.constant(a),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 30 }).map(
          (pokes) => {
            const b = a.slice();
            for (const [at, v] of pokes) if (b.length) b[at % b.length] = v;
            return b;
          },
        ),
      )
    ),
  );
  fc.assert(
    fc.property(pair, fc.option(openOptions, { nil: undefined }), ([a, b], opts) => {
      let ra: Region, rb: Region;
      try {
        ra = openRegion(a, opts);
        rb = openRegion(b, opts);
      } catch (e) {
        if (e instanceof RegionError) return;
        throw e;
      }
      const findings = validateSnapshots(ra, rb);
      checkFindings(findings, a);
      for (const f of findings) assert.match(f.rule, /^SNAP-/);
    }),
    { numRuns: 1000 },
  );
});

Deno.test("fuzz: a snapshot compared with itself is never inconsistent", () => {
  fc.assert(
    fc.property(mangledRegion, fc.option(openOptions, { nil: undefined }), (bytes, opts) => {
      let r: Region;
      try {
        r = openRegion(bytes, opts);
      } catch (e) {
        if (e instanceof RegionError) return;
        throw e;
      }
      const rules = validateSnapshots(r, r).map((f) => f.rule);
      for (
        const id of [
          "SNAP-SAME-REGION",
          "SNAP-OVERTAKE",
          "SNAP-PROGRESS",
          "SNAP-LIVE-STABLE",
        ] as const
      ) {
        assert.ok(!rules.includes(id), `${id} on identical snapshots`);
      }
    }),
    { numRuns: 300 },
  );
});

/** Characters a hex dump is made of, plus noise. */
const hexChar = fc.constantFrom(
  ..."0123456789abcdefABCDEF0000 \t\n\n\r:,x|.gz-_#%$*",
);
const hexText = fc.oneof(
  fc.string({ unit: hexChar, maxLength: 300 }),
  fc.string({ unit: "grapheme", maxLength: 100 }),
  fc.array(
    fc.tuple(
      fc.constantFrom("", "0000: ", "00000010: ", "0x10: ", "00000020  "),
      fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 20 }),
      fc.constantFrom(" ", "  ", ", 0x", "   "),
      fc.constantFrom("", "  ................", "  |....|", "  abcd"),
    ).map(([pre, bs, sep, tail]) =>
      pre + bs.map((b) => b.toString(16).padStart(2, "0")).join(sep) + tail
    ),
    { maxLength: 8 },
  ).map((lines) => lines.join("\n")),
);

/** Most bytes the fuzzed dumps may decode to: a '*' past it ends at once. */
const FUZZ_HEX_LIMIT = 1 << 16;

/** The bytes of a dump fed to a HexStream in pieces cut at `cuts`, or the HexError it throws. */
function streamed(text: string, cuts: number[]): Uint8Array | HexError {
  const s = new HexStream({ maxBytes: FUZZ_HEX_LIMIT });
  const parts: number[] = [];
  try {
    let at = 0;
    for (const c of [...cuts.map((x) => x % (text.length + 1)).sort((a, b) => a - b)]) {
      for (const b of s.write(text.slice(at, Math.max(at, c)))) parts.push(...b);
      at = Math.max(at, c);
    }
    for (const b of s.write(text.slice(at))) parts.push(...b);
    for (const b of s.end()) parts.push(...b);
  } catch (e) {
    if (e instanceof HexError) return e;
    throw e;
  }
  return Uint8Array.from(parts);
}

Deno.test("fuzz: parseHex throws only HexError (with a real position) and stays in bounds", () => {
  fc.assert(
    fc.property(
      fc.oneof(
        hexText,
        // Repeats: a line, '*', and an offset further on (xxd -a, hexdump -C).
        fc.tuple(hexText, fc.integer({ min: 0, max: 0x20000 })).map(([t, to]) =>
          `${t}\n*\n${to.toString(16).padStart(8, "0")}: 00`
        ),
      ),
      fc.array(fc.nat(), { maxLength: 4 }),
      (text, cuts) => {
        const digits = (text.match(/[0-9a-fA-F]/g) ?? []).length;
        let out: Uint8Array, groups: string;
        try {
          ({ bytes: out, reading: { groups } } = readHex(text, { maxBytes: FUZZ_HEX_LIMIT }));
        } catch (e) {
          if (!(e instanceof HexError)) throw e;
          const lines = text.split(/\r?\n/);
          assert.ok(e.line >= 1 && e.line <= lines.length, `line ${e.line}`);
          assert.ok(
            e.column >= 1 && e.column <= lines[e.line - 1].length,
            `column ${e.column} of ${JSON.stringify(lines[e.line - 1])}`,
          );
          const s = streamed(text, cuts);
          assert.ok(s instanceof HexError, "the stream throws too, wherever the text is cut");
          assert.equal(s.message, e.message);
          return;
        }
        assert.ok(out instanceof Uint8Array);
        assert.ok(out.length <= FUZZ_HEX_LIMIT, `${out.length} bytes, past the limit`);
        // Read as bytes, each byte takes two digits; a 0x-list of values is read as words, each
        // zero-padded to the word's width ("0x00000" is a 4-byte 0), so the bound is for bytes.
        if (!text.includes("*") && groups === "bytes") {
          assert.ok(out.length * 2 <= digits, `${out.length} bytes from ${digits} hex digits`);
        }
        assert.deepEqual(streamed(text, cuts), out, "the same bytes wherever the text is cut");
      },
    ),
    { numRuns: 3000 },
  );
});

Deno.test("fuzz: vEVENTQ buffers: records tile the input, rules never throw", () => {
  const PAYLOAD = { "arm-smmuv3": 32, "tegra241-cmdqv": 16 } as const; // abi.md 5.3
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 300 }),
        // Mostly well-formed: headers with small flags so LOST_EVENTS is common.
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), hostileU32), { maxLength: 12 }).map(
          (hs) => {
            const out: number[] = [];
            for (const [flags, seq] of hs) {
              const dv = new DataView(new ArrayBuffer(8));
              dv.setUint32(0, flags, true);
              dv.setUint32(4, seq, true);
              out.push(...new Uint8Array(dv.buffer));
              if (!(flags & 1)) out.push(...new Array(32).fill(seq & 0xff));
            }
            return Uint8Array.from(out);
          },
        ),
      ),
      fc.constantFrom("arm-smmuv3" as const, "tegra241-cmdqv" as const),
      fc.boolean(),
      (bytes, type, le) => {
        const recs = [...parseVevents(bytes, type, le)];
        let at = 0;
        recs.forEach((r, i) => {
          assert.equal(r.offset, at, `record ${i} starts where the previous ended`);
          if (r.truncated) {
            assert.equal(i, recs.length - 1, "only the last record can be truncated");
            at = bytes.length;
            return;
          }
          const size = r.lost ? 8 : 8 + PAYLOAD[type];
          assert.equal(r.lost, (readUint(bytes, at, 4, le) & 1n) === 1n);
          assert.equal(r.payload?.length ?? 0, r.lost ? 0 : PAYLOAD[type] / 8);
          at += size;
        });
        assert.equal(at, bytes.length, "records cover the whole buffer");
        checkFindings(checkVevents(recs, type), bytes);
      },
    ),
    { numRuns: 1000 },
  );
});
