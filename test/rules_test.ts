/**
 * The rule catalogue: every rule in RULES has inputs that make it fire and near-miss inputs that
 * keep it quiet, with the severity domain.md section 3 gives it (or, for rules domain.md does not
 * name, the severity reasoned in the comment). A rule faultscope cannot check (it needs an input
 * faultscope cannot take) has no firing case: it is listed in NOT_CHECKABLE instead, and must
 * never fire. A meta-test fails when a rule is added to RULES without cases here. Freshly built
 * regions of every layout, with valid records, must be clean apart from the warnings their
 * kernel values legitimately earn.
 */
import assert from "node:assert/strict";
import type { AbiId } from "../src/abi/types.ts";
import { type EncodeInput, encodeRecord } from "../src/codec/encode.ts";
import {
  type BuildOptions,
  buildRegion,
  type OpenOptions,
  openRegion,
} from "../src/region/model.ts";
import { checkable, RULES } from "../src/rules/catalogue.ts";
import type { Finding } from "../src/rules/finding.ts";
import { checkRecord } from "../src/rules/records.ts";
import { GroupChecker, trailingFinding } from "../src/rules/stream.ts";
import {
  type SnapshotBound,
  validateImage,
  validateRegion,
  validateSnapshots,
} from "../src/rules/validate.ts";
import { decodeRecord } from "../src/codec/decode.ts";
import { parseHex } from "../src/codec/hex.ts";
import { parseVevents } from "../src/codec/vevent.ts";
import { checkVevents, type VeventInput } from "../src/rules/vevent.ts";
import { RECORDS } from "../src/abi/records.ts";
import {
  TV1,
  TV10 as VECTOR_TV10,
  TV2,
  TV3,
  TV8_20,
  TV8_24,
  TV9,
  TV9_RESPONSE,
} from "./support/vectors.ts";

// ---- builders -----------------------------------------------------------------------------------

type Run = () => Finding[];

/**
 * Valid records per generation: the values abi.md's vectors state (TV1 for v8 and mainline,
 * whose bits mean the same; TV2 for v4-v7, TV3 for RFC v3, TV8 and TV9 for the responses).
 */
const GOOD: Record<string, EncodeInput> = {
  rfc3: TV3.fields,
  v4: TV2.fields,
  v7: TV2.fields,
  v8: TV1.fields,
  mainline: TV1.fields,
  resp20: TV8_20.fields,
  resp24: TV8_24.fields,
  "hwpt-pgfault": TV9.fields,
  "hwpt-response": TV9_RESPONSE.fields,
};
const PRQ_GOOD: EncodeInput = {
  type: 2,
  prm: { flags: 0x3, pasid: 5, grpid: 7, perm: 1, addr: 0x10000n },
};

/** checkRecord on one encoded record, optionally with raw byte overrides. */
function rec(
  abi: AbiId,
  fields: EncodeInput,
  opts: { bytes?: Record<number, number>; ring?: Parameters<typeof checkRecord>[4] } = {},
): Run {
  return () => {
    const b = encodeRecord(abi, fields);
    for (const [i, v] of Object.entries(opts.bytes ?? {})) b[Number(i)] = v;
    return checkRecord(abi, b, 0, { index: 0 }, opts.ring);
  };
}

/** validateImage on a built region. */
function img(build: BuildOptions, open?: OpenOptions, mutate?: (b: Uint8Array) => Uint8Array): Run {
  return () => {
    const bytes = buildRegion(build);
    return validateImage(mutate ? mutate(bytes) : bytes, open).findings;
  };
}

/** validateSnapshots of two built regions, taken in order. */
function snap(
  a: BuildOptions,
  b: BuildOptions,
  openA?: OpenOptions,
  openB?: OpenOptions,
  bound?: SnapshotBound,
): Run {
  return () =>
    validateSnapshots(
      openRegion(buildRegion(a), openA),
      openRegion(buildRegion(b), openB ?? openA),
      bound,
    );
}

/** The same, with a bound on progress below the capacity (no lap possible). */
const within = (a: BuildOptions, b: BuildOptions, maxProgress = 100, open?: OpenOptions): Run =>
  snap(a, b, open, open, { maxProgress });

/** A built region whose header, read again after the ring, has some fields changed. */
function torn(build: BuildOptions, again: Record<string, number>): Run {
  return () => {
    const bytes = buildRegion(build);
    const changed = buildRegion({ ...build, header: { ...build.header, ...again } });
    return validateRegion(openRegion(bytes, { headerAgain: changed.subarray(0, 64) }));
  };
}

/** Records of `abi` in capture order, through the record and group rules as decode --check does. */
function stream(abi: AbiId, records: EncodeInput[]): Run {
  return () => {
    const g = new GroupChecker(RECORDS[abi]);
    const out: Finding[] = [];
    records.forEach((fields, index) => {
      const bytes = encodeRecord(abi, fields);
      out.push(...checkRecord(abi, bytes, 0, { index }));
      out.push(...g.push(decodeRecord(abi, bytes), { index }));
    });
    return [...out, ...g.end()];
  };
}

const rfc3 = (o: Partial<BuildOptions> = {}): BuildOptions => ({
  layout: "rfc3",
  producer: 3,
  consumer: 1,
  records: [{ slot: 1, fields: GOOD.rfc3 }, { slot: 2, fields: GOOD.rfc3 }],
  ...o,
});
const dma = (o: Partial<BuildOptions> = {}): BuildOptions => ({
  layout: "dma-fault",
  producer: 2,
  consumer: 0,
  records: [{ slot: 0, fields: GOOD.mainline }, { slot: 1, fields: GOOD.mainline }],
  ...o,
});
const prod = (o: Partial<BuildOptions> = {}): BuildOptions => ({
  layout: "fault-prod",
  abi: "v8",
  producer: 3,
  consumer: 0,
  records: [{ slot: 1, fields: GOOD.v8 }, { slot: 2, fields: GOOD.v8 }],
  ...o,
});
const resp = (o: Partial<BuildOptions> = {}): BuildOptions => ({
  layout: "dma-fault-response",
  producer: 2,
  consumer: 0,
  records: [{ slot: 0, fields: GOOD.resp24 }, { slot: 1, fields: GOOD.resp24 }],
  ...o,
});
const PROD_OPEN: OpenOptions = { consumer: 1 };

/** abi.md TV10: an SMMUv3 F_PERMISSION vEVENT (seq 0), then a LOST_EVENTS header (seq 1). */
const TV10 = parseHex(VECTOR_TV10.hex);

const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
/** An 8-byte vEVENT header. */
const vhdr = (flags: number, seq: number) => [...le32(flags), ...le32(seq)];
/** An SMMUv3 vEVENT: header, then evt[0] = id | SSV | SSID 5 | vSID 8, evt[1..3] = 0. */
const vsmmu = (seq: number, id = 0x13, flags = 0) => [
  ...vhdr(flags, seq),
  ...[id, 0x58, 0, 0, 8, 0, 0, 0],
  ...new Array(24).fill(0),
];
const vlost = (seq: number) => vhdr(1, seq);

/** checkVevents on a vEVENTQ buffer. */
function vev(
  bytes: number[] | Uint8Array,
  type: "arm-smmuv3" | "tegra241-cmdqv" = "arm-smmuv3",
  input: VeventInput = {},
): Run {
  return () => {
    const b = Uint8Array.from(bytes);
    return checkVevents([...parseVevents(b, type)], type, input);
  };
}
const oneRead = (bytes: number[] | Uint8Array, depth?: number): Run =>
  vev(bytes, "arm-smmuv3", { oneRead: true, depth });

/** A page request of the union generations: PASID 5, group `grpid`, LAST_PAGE when `last`. */
const prq = (grpid: number, last: boolean): EncodeInput => ({
  type: 2,
  prm: { flags: 0x1 | (last ? 0x2 : 0), pasid: 5, grpid, perm: 1, addr: 0x10000n },
});
/** An iommufd fault record of group `cookie`; LAST_PAGE when `last`. */
const pgf = (cookie: number, last: boolean, o: EncodeInput = {}): EncodeInput => ({
  ...TV9.fields,
  flags: 0x1 | (last ? 0x2 : 0),
  cookie,
  ...o,
});

// ---- the cases ----------------------------------------------------------------------------------

interface RuleCase {
  /** Severity from domain.md section 3 (or reasoned, see the comment). */
  severity: "error" | "warning" | "info";
  fire: Run[];
  quiet: Run[];
}

const CASES: Record<string, RuleCase> = {
  // domain.md 3.7 LAYOUT-DETECT: E.
  "LAYOUT-DETECT": {
    severity: "error",
    fire: [
      () => validateImage(new Uint8Array(0x10000)).findings,
      () => validateImage(new Uint8Array(0x10000).fill(0xff)).findings,
      img(dma({ littleEndian: false })), // big-endian image read little-endian
    ],
    quiet: [
      img(rfc3()),
      img(dma()),
      // With --layout the generation is known: nothing to detect.
      () => validateImage(new Uint8Array(0x10000), { layout: "rfc3" }).findings,
    ],
  },
  // Not in domain.md; a short image hides records, so reasoned E.
  "HDR-TRUNCATED": {
    severity: "error",
    fire: [
      img(rfc3(), { regionSize: 0x10000 }, (b) => b.subarray(0, 0x100)),
      img(rfc3(), { regionSize: 0x10000 }, (b) => b.subarray(0, 0xffff)), // one byte short
      () => validateImage(new Uint8Array(10), { layout: "rfc3" }).findings,
      img(dma(), { regionSize: 0x9000 }, (b) => b.subarray(0, 0x1000)),
    ],
    quiet: [img(rfc3(), { regionSize: 0x10000 }), img(dma(), { regionSize: 0x9000 })],
  },
  // 3.1: E.
  "HDR-RESERVED-ZERO": {
    severity: "error",
    fire: [img(rfc3({ header: { reserved: 1 } })), img(rfc3({ header: { reserved: 0x80000000 } }))],
    quiet: [img(rfc3({ header: { reserved: 0 } }))],
  },
  // 3.1: E.
  "HDR-CAP-NONZERO": {
    severity: "error",
    fire: [
      img(rfc3({ records: [], header: { size: 0 } }), { layout: "rfc3" }),
      img(dma({ records: [], header: { nb_entries: 0 } }), { layout: "dma-fault" }),
      img(prod({ records: [], header: { nb_entries: 0 } }), { layout: "fault-prod", consumer: 0 }),
    ],
    quiet: [img(rfc3()), img(dma({ header: { nb_entries: 1 } }), { layout: "dma-fault" })],
  },
  // 3.1: W on mismatch (E only when the ring overflows: HDR-RING-BOUNDS). Not for RFC v3,
  // whose consumer ignores the capacity's record size: HDR-CAP-RECORD.
  "HDR-CAP-DERIVED": {
    severity: "warning",
    fire: [
      img(dma({ header: { nb_entries: 256 } }), { layout: "dma-fault" }),
      img(prod({ header: { nb_entries: 64 } }), { layout: "fault-prod", consumer: 1 }),
      img(resp({ header: { nb_entries: 500 } }), { layout: "dma-fault-response" }),
    ],
    quiet: [
      img(rfc3({ header: { size: 1000 } })), // HDR-CAP-RECORD's
      img(prod(), PROD_OPEN),
      img(dma({ pageSize: 65536 })),
    ],
  },
  // Issue 8: RFC v3's QEMU steps 48 bytes whatever `size` says; a size other than the 48-byte
  // capacity is header corruption: E. abi.md 3.1: 1365 x 48 in 64 KiB; 1023 is what 64-byte
  // records would give (TV6's note).
  "HDR-CAP-RECORD": {
    severity: "error",
    fire: [
      img(rfc3({ header: { size: 1000 } })),
      img(rfc3({ header: { size: 1023 } })),
      img(rfc3({ abi: "mainline", records: [] })), // a 64-byte kernel's header: size 1023
    ],
    quiet: [
      img(rfc3({ header: { size: 1365 } })),
      // The 64-byte rebuild, said explicitly: 1023 is then its kernel's capacity.
      img(rfc3({ abi: "mainline", records: [] }), { abi: "mainline" }),
      img(dma({ header: { nb_entries: 256 } }), { layout: "dma-fault" }),
    ],
  },
  // 3.1 HDR-CAP-DERIVED: "E if offset + cap*entry_size > region_size".
  "HDR-RING-BOUNDS": {
    severity: "error",
    fire: [
      img(rfc3({ header: { size: 1366 } }), { layout: "rfc3" }), // 16 + 1366 x 48 = 65584
      img(dma({ header: { offset: 8192 } }), { layout: "dma-fault" }), // 8192 + 32768 > 0x9000
    ],
    quiet: [
      img(rfc3({ header: { size: 1365 } }), { layout: "rfc3" }), // exactly 65536
      img(dma({ header: { offset: 4096 } }), { layout: "dma-fault" }), // exactly 0x9000
    ],
  },
  // 3.1: W; L1-L2 only (L0 unknown).
  "HDR-CAP-POW2": {
    severity: "warning",
    fire: [img(prod(), PROD_OPEN), img(prod({ pageSize: 65536 }), PROD_OPEN)],
    quiet: [img(dma()), img(resp()), img(rfc3())],
  },
  // 3.1: E.
  "HDR-ENTRY-SIZE": {
    severity: "error",
    fire: [
      img(dma({ header: { entry_size: 48 } }), { layout: "dma-fault" }),
      img(dma({ header: { entry_size: 0 } }), { layout: "dma-fault" }),
      img(prod({ header: { entry_size: 64 } }), { layout: "fault-prod", abi: "v8", consumer: 1 }),
    ],
    quiet: [img(dma({ header: { entry_size: 64 } }), { layout: "dma-fault" })],
  },
  // 3.1: E.
  "HDR-OFFSET": {
    severity: "error",
    fire: [
      img(dma({ records: [], header: { offset: 16 } }), { layout: "dma-fault" }), // overlaps header
      img(dma({ records: [], header: { offset: 4100 } }), { layout: "dma-fault" }), // unaligned
    ],
    quiet: [
      img(dma({ header: { offset: 4096 } }), { layout: "dma-fault" }),
      img(dma({ records: [], header: { offset: 24 } }), { layout: "dma-fault" }),
    ],
  },
  // 3.1 HDR-PAGE-SIZE: W, now only when the page size is unknown (neither given nor implied
  // by the region size): where the mmap path reads cannot be said.
  "HDR-PAGE-SIZE": {
    severity: "warning",
    fire: [
      // 0xa000 is no dma-fault region size (0x9000, 0xc000, 0x20000): no page size follows.
      img(dma({ records: [], regionSize: 0xa000, header: { offset: 24 } }), {
        layout: "dma-fault",
      }),
      img(dma({ records: [], regionSize: 0xa000, header: { offset: 0x800 } }), {
        layout: "dma-fault",
      }),
    ],
    quiet: [
      img(dma()),
      img(dma({ pageSize: 16384 })),
      img(dma({ regionSize: 0xa000 })), // offset 0x1000 is a page size
      img(dma({ records: [], header: { offset: 24 } }), { layout: "dma-fault" }), // views rule
    ],
  },
  // Issue 8: QEMU's mmap path reads slot i at PAGE_SIZE + 64 * i, its pread fallback at
  // offset + 64 * i; an offset that is not the page size makes them deliver different records:
  // E (domain.md 3.1 HDR-OFFSET: "if region is mmappable offset == host_page_size").
  "HDR-RING-VIEWS": {
    severity: "error",
    fire: [
      ...[0x40, 0x400, 0x800].map((offset) =>
        img(dma({ records: [], header: { offset } }), { layout: "dma-fault" })
      ),
      // 64 KiB pages: the region is 0x20000, the ring should be at 0x10000.
      img(dma({ records: [], pageSize: 65536, header: { offset: 0xf000 } }), {
        layout: "dma-fault",
      }),
      img(dma(), { pageSize: 65536 }), // ring at 4 KiB on a host said to have 64 KiB pages
      img(dma({ records: [], header: { offset: 24 } }), { layout: "dma-fault" }), // v9 04/11 alone
      img(prod({ header: { offset: 0x800 } }), { layout: "fault-prod", abi: "v8", consumer: 1 }),
    ],
    quiet: [
      img(dma()),
      img(dma(), { pageSize: 4096 }),
      img(dma({ pageSize: 65536 })),
      img(prod(), PROD_OPEN),
      img(rfc3()), // no offset field
    ],
  },
  // 3.1: W.
  "HDR-REGION-SIZE": {
    severity: "warning",
    fire: [img(dma({ regionSize: 0xa000 })), img(prod({ regionSize: 0x3000 }), PROD_OPEN)],
    quiet: [img(dma()), img(dma({ pageSize: 65536 })), img(prod(), PROD_OPEN), img(resp())],
  },
  // 3.1: I when unnegotiated.
  "HDR-VERSION": {
    severity: "info",
    fire: [img(prod({ header: { version: 0xffffffff } }), PROD_OPEN)],
    quiet: [img(prod({ header: { version: 1 } }), PROD_OPEN)],
  },
  // 3.7 ENDIAN: W.
  "HDR-ENDIAN": {
    severity: "warning",
    fire: [
      // Equal indices: with prod 3 / cons 1 the byte-swapped indices would leave 0x2000000 slots
      // "pending" and bury this finding under the out-of-range ones.
      img(rfc3({ producer: 0, consumer: 0, records: [], littleEndian: false }), { layout: "rfc3" }),
      img(prod({ producer: 0, records: [], littleEndian: false }), {
        layout: "fault-prod",
        consumer: 0,
      }),
    ],
    quiet: [
      img(rfc3({ littleEndian: false }), { littleEndian: false }),
      img(dma({ littleEndian: false }), { littleEndian: false }),
      img(rfc3()),
    ],
  },
  // 3.2: E.
  "IDX-PROD-RANGE": {
    severity: "error",
    fire: [
      img(rfc3({ producer: 1365 })),
      img(dma({ producer: 512 })),
      img(rfc3({ producer: 0xffffffff }), { layout: "rfc3" }),
    ],
    quiet: [
      img(rfc3({ producer: 1364, consumer: 1363 })),
      img(dma({ producer: 511, consumer: 510 })),
    ],
  },
  // 3.2: E.
  "IDX-CONS-RANGE": {
    severity: "error",
    fire: [
      img(rfc3({ consumer: 1365 })),
      img(dma({ consumer: 512 })), // the v9-v11 off-by-one
      img(prod(), { consumer: 85 }),
    ],
    quiet: [
      img(rfc3({ producer: 1363, consumer: 1364, records: [] }), { layout: "rfc3" }),
      img(prod(), { consumer: 84 }),
    ],
  },
  // 3.2: I.
  "IDX-OCCUPANCY": {
    severity: "info",
    fire: [img(rfc3()), img(dma({ producer: 0, records: [] }))],
    quiet: [img(rfc3({ producer: 1365 })), img(dma({ consumer: 512 }))],
  },
  // 3.2 IDX-SHADOW: W; checkable only with QEMU's private index (--shadow). The RFC v3
  // consumer re-reads cons from the header: no shadow there (abi.md 4.1).
  "IDX-SHADOW": {
    severity: "warning",
    fire: [
      img(dma(), { shadow: 1 }), // tail 0: QEMU delivers slot 1 next, not 0
      img(prod(), { consumer: 1, shadow: 0 }),
      img(dma(), { shadow: 600 }), // out of range: the loop never ends
    ],
    quiet: [img(dma(), { shadow: 0 }), img(dma()), img(rfc3(), { shadow: 2 })],
  },
  // 3.2 HDR-TORN: W; two reads of the header of a live input.
  "HDR-TORN": {
    severity: "warning",
    fire: [torn(dma(), { head: 3 }), torn(rfc3(), { prod: 4, cons: 2 })],
    quiet: [torn(dma(), {}), img(dma())],
  },
  // 3.2: W.
  "IDX-FULL": {
    severity: "warning",
    fire: [
      img(rfc3({ producer: 0, consumer: 1, records: [] })),
      img(prod({ producer: 84, records: [] }), { consumer: 0 }),
      img(dma({ producer: 511, consumer: 0, records: [] })),
      img(dma({ producer: 100, consumer: 101, records: [] })),
    ],
    quiet: [
      img(rfc3({ producer: 1363, consumer: 0, records: [] })),
      img(prod({ producer: 83, records: [] }), { consumer: 0 }),
      img(dma({ producer: 510, consumer: 0, records: [] })),
    ],
  },
  // 3.4: E.
  "REC-TYPE": {
    severity: "error",
    fire: [
      rec("mainline", { type: 0 }),
      rec("mainline", { type: 3 }),
      rec("rfc3", { ...GOOD.rfc3, type: 0xffffffff }),
      img(rfc3({ records: [] })), // pending slots hold all-zero records
    ],
    quiet: [rec("mainline", GOOD.mainline), rec("mainline", PRQ_GOOD), rec("rfc3", GOOD.rfc3)],
  },
  // domain.md 3.4 REC-TYPE-L2 says E, but abi.md 4.3: "v12+ also record recoverable errors, so
  // PAGE_REQ records may appear": only v9-v11 refuse them, hence a warning.
  "REC-TYPE-RING": {
    severity: "warning",
    fire: [
      img(dma({ records: [{ slot: 0, fields: PRQ_GOOD }, { slot: 1, fields: GOOD.mainline }] })),
      rec("mainline", PRQ_GOOD, { ring: "dma-fault" }),
    ],
    quiet: [
      img(dma()),
      rec("mainline", PRQ_GOOD),
      img(rfc3({ abi: "mainline", records: [{ slot: 1, fields: PRQ_GOOD }] })),
      // A PAGE_REQ in a slot that is not pending is not looked at.
      img(dma({ records: [{ slot: 5, fields: PRQ_GOOD }] })),
    ],
  },
  // 3.4: E.
  "REC-REASON": {
    severity: "error",
    fire: [
      rec("mainline", { type: 1, event: { reason: 9 } }),
      rec("rfc3", { ...GOOD.rfc3, reason: 13 }),
      rec("v4", { ...GOOD.v4, event: { ...(GOOD.v4.event as EncodeInput), reason: 10 } }),
    ],
    quiet: [
      rec("mainline", { type: 1, event: { reason: 8, flags: 2, addr: 0x1000n } }),
      rec("rfc3", { ...GOOD.rfc3, reason: 12 }),
      rec("mainline", { type: 1, event: { reason: 0 } }),
    ],
  },
  // 3.4 RSP-CODE: E (version 1, code 0..2); iommufd has no FAILURE (abi.md 5.1).
  "REC-ENUM": {
    severity: "error",
    fire: [
      rec("resp24", { ...GOOD.resp24, code: 3 }),
      rec("resp20", { ...GOOD.resp20, version: 2 }),
      rec("hwpt-response", { cookie: 1, code: 2 }),
    ],
    quiet: [
      rec("resp24", { ...GOOD.resp24, code: 2 }),
      rec("hwpt-response", { cookie: 1, code: 1 }),
    ],
  },
  // 3.4 REC-UNRECOV-FLAGS / REC-PRQ-FLAGS: E.
  "REC-FLAGS": {
    severity: "error",
    fire: [
      rec("mainline", { type: 1, event: { flags: 0x8 } }),
      rec("v7", { type: 1, event: { flags: 0x10 } }),
      rec("mainline", { type: 2, prm: { flags: 0x11, pasid: 1 } }),
      rec("v8", { type: 2, prm: { flags: 0x9, pasid: 1 } }), // NEEDS_PASID is mainline only
      rec("hwpt-pgfault", { ...GOOD["hwpt-pgfault"], flags: 0x8 }),
      rec("resp24", { ...GOOD.resp24, flags: 0x3 }),
    ],
    quiet: [
      // Issue 8 / abi.md 5.1: 0x7 on a healthy VT-d host (bit 2 is the leaked NEEDS_PASID).
      rec("hwpt-pgfault", { ...GOOD["hwpt-pgfault"], flags: 0x7 }),
      // v4-v7 do have FETCH_ADDR_VALID at bit 3.
      rec("v7", {
        type: 1,
        event: { reason: 4, flags: 0xf, pasid: 1, perm: 1, addr: 0x1000n, fetch_addr: 0x2000n },
      }),
      rec("mainline", {
        type: 2,
        prm: { flags: 0xf, pasid: 1, private_data: [1n, 2n] },
      }),
    ],
  },
  // 3.4 REC-UNRECOV-FLAGS: perm within {R,W,X,PRIV}: E.
  "REC-PERM": {
    severity: "error",
    fire: [
      rec("mainline", { type: 1, event: { perm: 0x10 } }),
      rec("v7", { type: 1, event: { flags: 0x2, perm: 0x8 } }), // PERM_INST gone in v7
      rec("mainline", { type: 2, prm: { perm: 0x20 } }),
      rec("hwpt-pgfault", { ...GOOD["hwpt-pgfault"], perm: 0x10 }),
    ],
    quiet: [
      rec("v4", { type: 1, event: { flags: 0x2, perm: 0x8 } }), // INST exists in v4-v6
      rec("mainline", { type: 1, event: { perm: 0xf } }),
    ],
  },
  // 3.4 REC-PRQ-FLAGS: NEEDS_PASID => PASID_VALID.
  "REC-FLAG-REQUIRES": {
    severity: "error",
    fire: [rec("mainline", { type: 2, prm: { flags: 0x8 } })],
    quiet: [rec("mainline", { type: 2, prm: { flags: 0x9, pasid: 3 } }), rec("mainline", PRQ_GOOD)],
  },
  // abi.md 5.1 (corrected): bit 2 of iommu_hwpt_pgfault.flags is the kernel-internal
  // IOMMU_FAULT_PAGE_RESPONSE_NEEDS_PASID, copied unmasked: information, not corruption.
  "REC-FLAG-LEAK": {
    severity: "info",
    fire: [
      rec("hwpt-pgfault", { ...GOOD["hwpt-pgfault"], flags: 0x7 }),
      rec("hwpt-pgfault", { ...GOOD["hwpt-pgfault"], flags: 0x5 }),
    ],
    quiet: [
      rec("hwpt-pgfault", GOOD["hwpt-pgfault"]),
      // Bit 2 of a mainline iommu_fault page request is PRIV_DATA, a uapi bit.
      rec("mainline", { type: 2, prm: { flags: 0x5, pasid: 1, private_data: [1n, 0n] } }),
    ],
  },
  // 3.4: W.
  "REC-PADDING": {
    severity: "warning",
    fire: [
      rec("mainline", { ...GOOD.mainline, padding: 1 }),
      rec("v4", { ...GOOD.v4, reserved: 1 }),
      rec("mainline", GOOD.mainline, { bytes: { 40: 1 } }), // first byte after event
      rec("mainline", GOOD.mainline, { bytes: { 63: 0x80 } }),
      rec("mainline", PRQ_GOOD, { bytes: { 48: 1 } }), // first byte after prm
      rec("v8", GOOD.v8, { bytes: { 47: 1 } }), // 48-byte union, event ends at 40
      rec("hwpt-pgfault", { ...GOOD["hwpt-pgfault"], __reserved: 1 }),
    ],
    quiet: [
      rec("mainline", GOOD.mainline),
      // Byte 47 is the top of prm.private_data[1]: inside prm, not padding.
      rec("mainline", { type: 2, prm: { flags: 0x5, pasid: 1 } }, { bytes: { 47: 1 } }),
      rec("v8", GOOD.v8, { bytes: { 39: 1 } }), // top byte of event.fetch_addr
    ],
  },
  // Not in domain.md: C booleans in a __u32; reasoned W (corruption, not unusable).
  "REC-BOOL": {
    severity: "warning",
    fire: [
      rec("rfc3", { ...GOOD.rfc3, last_req: 2 }),
      rec("rfc3", { ...GOOD.rfc3, pasid_valid: 0xffffffff }),
    ],
    quiet: [rec("rfc3", { ...GOOD.rfc3, last_req: 1 }), rec("rfc3", GOOD.rfc3)],
  },
  // 3.4: W.
  "REC-VALID-BITS": {
    severity: "warning",
    fire: [
      rec("mainline", { type: 1, event: { reason: 6, flags: 0x2, pasid: 5, addr: 0x1000n } }),
      rec("mainline", { type: 1, event: { reason: 6, flags: 0x1, pasid: 5 } }), // no ADDR_VALID
      rec("mainline", { type: 1, event: { reason: 4 } }), // WALK_EABT without FETCH_ADDR_VALID
      rec("mainline", { type: 1, event: { fetch_addr: 0x2000n } }),
      rec("mainline", { type: 2, prm: { flags: 0x1, pasid: 1, private_data: [0n, 7n] } }),
      rec("mainline", { type: 2, prm: { flags: 0x2, pasid: 9 } }),
      rec("rfc3", { ...GOOD.rfc3, pasid_valid: 0 }),
      // v7: bit 1 is PERM_VALID, not ADDR_VALID (abi.md 7.5).
      rec("v7", { type: 1, event: { reason: 6, flags: 0x2, perm: 1, addr: 0x1000n } }),
      rec("resp24", { ...GOOD.resp24, flags: 0 }),
      rec("hwpt-pgfault", { ...GOOD["hwpt-pgfault"], flags: 0x2 }),
    ],
    quiet: [
      rec("v7", { type: 1, event: { reason: 6, flags: 0x7, pasid: 5, perm: 1, addr: 0x1000n } }),
      rec("mainline", GOOD.mainline),
      rec("mainline", { type: 1, event: { reason: 4, flags: 0x4, fetch_addr: 0x2000n } }),
      rec("mainline", { type: 2, prm: { flags: 0x5, pasid: 1, private_data: [0n, 7n] } }),
      rec("rfc3", GOOD.rfc3),
      rec("resp24", { ...GOOD.resp24, flags: 0, pasid: 0 }),
    ],
  },
  // 3.4 REC-PRQ-GRPID: W; both ranges (abi.md 5.1 corrected): a PCI PRGI is 9 bits, an
  // SMMUv3 stall tag 16 (arm_smmu_handle_event: `.grpid = event->stag`).
  "REC-PRQ-GRPID": {
    severity: "warning",
    fire: [
      rec("mainline", { type: 2, prm: { flags: 0x3, pasid: 1, grpid: 0x10000 } }),
      rec("rfc3", { ...GOOD.rfc3, page_req_group_id: 0x10000 }),
      rec("hwpt-pgfault", { ...GOOD["hwpt-pgfault"], grpid: 0x10000 }),
      rec("resp24", { ...GOOD.resp24, grpid: 0xffffffff }),
    ],
    quiet: [
      rec("mainline", { type: 2, prm: { flags: 0x3, pasid: 1, grpid: 0x1ff } }),
      rec("mainline", { type: 2, prm: { flags: 0x3, pasid: 1, grpid: 0x200 } }), // a stall tag
      rec("rfc3", { ...GOOD.rfc3, page_req_group_id: 0x200 }),
      rec("hwpt-pgfault", { ...GOOD["hwpt-pgfault"], grpid: 0xffff }),
    ],
  },
  // 3.4 REC-PRQ-GROUP: W.
  "REC-PRQ-GROUP": {
    severity: "warning",
    fire: [
      stream("mainline", [prq(7, false), prq(8, true)]),
      stream("v8", [prq(7, false), prq(7, false), prq(9, true)]),
      stream("rfc3", [
        { type: 2, page_req_group_id: 7, last_req: 0 },
        { type: 2, page_req_group_id: 8, last_req: 1 },
      ]),
      // In a ring, in consumer order.
      img(dma({
        records: [{ slot: 0, fields: prq(7, false) }, { slot: 1, fields: prq(8, true) }],
      })),
    ],
    quiet: [
      stream("mainline", [prq(7, false), prq(7, false), prq(7, true)]),
      stream("mainline", [prq(7, true), prq(7, true)]), // a stall tag reused after its answer
      stream("mainline", [prq(7, false), GOOD.mainline, prq(7, true)]),
      stream("mainline", [prq(7, true), prq(8, false)]), // the ring may still be filling
      stream("rfc3", [TV3.fields, { type: 2, page_req_group_id: 7, last_req: 1 }]),
    ],
  },
  // 3.4: I.
  "REC-UNMAPPED-REASON": {
    severity: "info",
    fire: [
      rec("mainline", { type: 1, event: { reason: 0 } }),
      rec("v8", { type: 1, event: { reason: 0 } }),
      rec("rfc3", { ...GOOD.rfc3, reason: 1 }), // INTERNAL
      rec("rfc3", { ...GOOD.rfc3, reason: 0 }),
    ],
    quiet: [
      rec("mainline", GOOD.mainline),
      rec("rfc3", GOOD.rfc3),
      rec("rfc3", { type: 2, reason: 0, page_req_group_id: 7, last_req: 1 }), // TV5: a PAGE_REQ
      rec("mainline", PRQ_GOOD),
    ],
  },
  // 3.4 RSP-CODE: argsz == 24: E.
  "REC-EXPECTED": {
    severity: "error",
    fire: [
      rec("resp24", { ...GOOD.resp24, argsz: 20 }),
      rec("resp24", { ...GOOD.resp24, argsz: 0 }),
    ],
    quiet: [rec("resp24", GOOD.resp24)],
  },
  // 3.5 FQ-ALIGN: E (read() of a partial record fails with -ESPIPE).
  "FQ-ALIGN": {
    severity: "error",
    fire: [
      () => trailingFinding(RECORDS["hwpt-pgfault"], { offset: 40, length: 8 }),
      () => trailingFinding(RECORDS["hwpt-response"], { offset: 8, length: 4 }),
    ],
    quiet: [
      () => trailingFinding(RECORDS["hwpt-pgfault"], undefined),
      // Other records' trailing bytes are an input error, not this rule.
      () => trailingFinding(RECORDS.mainline, { offset: 64, length: 8 }),
    ],
  },
  // 3.5 FQ-COOKIE: E; XA_FLAGS_ALLOC1, cookies start at 1.
  "FQ-COOKIE": {
    severity: "error",
    fire: [
      rec("hwpt-pgfault", { ...GOOD["hwpt-pgfault"], cookie: 0 }),
      rec("hwpt-response", { cookie: 0, code: 0 }),
    ],
    quiet: [
      rec("hwpt-pgfault", GOOD["hwpt-pgfault"]),
      rec("hwpt-pgfault", { ...GOOD["hwpt-pgfault"], cookie: 0xffffffff }),
      rec("hwpt-response", GOOD["hwpt-response"]),
    ],
  },
  // 3.5 FQ-COOKIE (group part): E; whole groups, LAST_PAGE last.
  "FQ-GROUP": {
    severity: "error",
    fire: [
      stream("hwpt-pgfault", [pgf(1, false), pgf(2, true)]),
      stream("hwpt-pgfault", [pgf(1, true), pgf(2, false)]), // cut at the end
      stream("hwpt-pgfault", [pgf(1, false, { grpid: 7 }), pgf(1, true, { grpid: 8 })]),
      stream("hwpt-pgfault", [pgf(1, false, { dev_id: 1 }), pgf(1, true, { dev_id: 2 })]),
    ],
    quiet: [
      stream("hwpt-pgfault", [pgf(1, false), pgf(1, false), pgf(1, true)]),
      stream("hwpt-pgfault", [pgf(1, true), pgf(1, true)]), // cookie 1 freed and given again
      stream("hwpt-pgfault", [pgf(1, true), pgf(2, true), pgf(1, true)]),
    ],
  },
  // 3.5 FQ-LENGTH: I.
  "FQ-LENGTH": {
    severity: "info",
    fire: [rec("hwpt-pgfault", { ...GOOD["hwpt-pgfault"], length: 0x1000 })],
    quiet: [rec("hwpt-pgfault", GOOD["hwpt-pgfault"])],
  },
  // vEVENTQ (domain.md 3.6). Not in domain.md: a buffer that ends inside a record is a cut
  // capture (the kernel copies whole records), reasoned E like FQ-ALIGN.
  "VEQ-TRUNCATED": {
    severity: "error",
    fire: [
      vev(vhdr(0, 0)), // a header promising a 32-byte payload that is not there
      vev(TV10.subarray(0, 47)),
      vev(TV10.subarray(0, 5)),
      vev([...vsmmu(0, 0x13), ...new Array(20).fill(0)], "tegra241-cmdqv"), // 40 + 20: 24 + 24 + 12
    ],
    quiet: [
      vev(TV10),
      vev(vlost(3)),
      vev([]),
      vev([...vhdr(0, 0), ...new Array(16).fill(0)], "tegra241-cmdqv"),
    ],
  },
  // 3.6 VEQ-FLAGS: E.
  "VEQ-FLAGS": {
    severity: "error",
    fire: [vev(vsmmu(0, 0x13, 0x2)), vev(vlost(0).map((b, i) => (i === 3 ? 0x80 : b)))],
    quiet: [vev(TV10), vev(vsmmu(0, 0x13, 0))],
  },
  // 3.6 VEQ-SEQ-RANGE: E.
  "VEQ-SEQ-RANGE": {
    severity: "error",
    fire: [vev(vsmmu(0x80000000)), vev([...vsmmu(5), ...vlost(0xffffffff)])],
    quiet: [vev(vsmmu(0x7fffffff)), vev(vsmmu(0))],
  },
  // 3.6 VEQ-SEQ-GAP: W; abi.md 9: "increase by 1 modulo 2^31".
  "VEQ-SEQ-GAP": {
    severity: "warning",
    fire: [
      vev([...vsmmu(0), ...vsmmu(2)]), // one event lost
      vev([...vsmmu(0x7fffffff), ...vsmmu(1)]), // across the wrap, one lost
      vev([...vsmmu(4), ...vsmmu(4)]), // a repeat
      vev([...vlost(9), ...vsmmu(11)]), // after a LOST_EVENTS header, 10 was lost too
    ],
    quiet: [
      vev([...vsmmu(0), ...vsmmu(1), ...vsmmu(2)]),
      vev([...vsmmu(0x7fffffff), ...vsmmu(0)]), // INT_MAX -> 0 is not a loss
      vev(TV10), // a LOST_EVENTS header is VEQ-LOST-EVENTS
      vev([...vsmmu(7), ...vlost(9), ...vsmmu(10)]), // 10 follows the header's 9
    ],
  },
  // abi.md 5.3 (corrected): the header carries the last lost event's number: (s - p) mod 2^31
  // lost. W, like VEQ-SEQ-GAP: lost events are lost faults.
  "VEQ-LOST-EVENTS": {
    severity: "warning",
    fire: [
      vev(TV10), // event 0, LOST_EVENTS 1: one lost
      vev([...vsmmu(7), ...vlost(9)]), // 8 and 9
      vev(vlost(3)), // first in the input: at least one
      vev([...vsmmu(0x7fffffff), ...vlost(1)]), // 0 and 1, across the wrap
    ],
    quiet: [vev([...vsmmu(0), ...vsmmu(1)]), vev([]), vev([...vsmmu(0), ...vsmmu(2)])],
  },
  // domain.md 3.6 VEQ-LOST-NOPAYLOAD says E; abi.md 5.3: the header is last only within its
  // read, so it is checked on one read's buffer (--one-read), and a W.
  "VEQ-LOST-LAST": {
    severity: "warning",
    fire: [oneRead([...vlost(0), ...vsmmu(1)]), oneRead([...vsmmu(0), ...vlost(1), ...vlost(2)])],
    quiet: [
      oneRead(TV10),
      oneRead(vlost(0)),
      vev([...vlost(0), ...vsmmu(1)]), // a capture of several reads: normal
      vev([...vsmmu(0), ...vlost(2), ...vsmmu(3), ...vlost(5), ...vsmmu(6)]),
    ],
  },
  // 3.6 VEQ-DEPTH: W; one read returns at most veventq_depth events.
  "VEQ-DEPTH": {
    severity: "warning",
    fire: [oneRead([...vsmmu(0), ...vsmmu(1), ...vsmmu(2)], 2)],
    quiet: [
      oneRead([...vsmmu(0), ...vsmmu(1), ...vlost(2)], 2), // the header is not an event
      vev([...vsmmu(0), ...vsmmu(1), ...vsmmu(2)], "arm-smmuv3", { depth: 2 }), // joined reads
      oneRead([...vsmmu(0), ...vsmmu(1), ...vsmmu(2)]), // depth unknown
    ],
  },
  // 3.6 VEQ-SMMU-ID: E; the IDs abi.md 5.3 lists.
  "VEQ-EVENT-ID": {
    severity: "error",
    fire: [vev(vsmmu(0, 0x05)), vev(vsmmu(0, 0x14)), vev(vsmmu(0, 0x00)), vev(vsmmu(0, 0xff))],
    quiet: [
      ...[0x04, 0x06, 0x08, 0x0a, 0x10, 0x11, 0x12, 0x13].map((id) => vev(vsmmu(0, id))),
      vev(vsmmu(0, 0x05), "tegra241-cmdqv"), // Tegra241 payloads have no event ID
    ],
  },
  // Not in domain.md: only the kernel writes geometry; a change is a scribble or a different
  // region, and every other snapshot rule depends on it: reasoned E.
  "SNAP-SAME-REGION": {
    severity: "error",
    fire: [
      snap(rfc3(), rfc3({ header: { size: 1000 } })),
      snap(rfc3(), dma()),
      snap(dma(), dma({ header: { offset: 8192 } }), { layout: "dma-fault" }),
    ],
    quiet: [snap(rfc3(), rfc3({ producer: 5, consumer: 2 })), snap(dma(), dma())],
  },
  // 3.3: E, decided only when neither index can have lapped (issue 8: --max-progress).
  "SNAP-OVERTAKE": {
    severity: "error",
    fire: [
      within(rfc3(), rfc3({ producer: 3, consumer: 4 })), // 2 pending, none produced, 3 consumed
      within(dma({ producer: 511, consumer: 510 }), dma({ producer: 511, consumer: 0 }), 10),
    ],
    quiet: [
      within(rfc3(), rfc3({ producer: 3, consumer: 3 })),
      within(dma({ producer: 511, consumer: 510 }), dma({ producer: 0, consumer: 0 })),
      snap(rfc3(), rfc3({ producer: 3, consumer: 4 })), // no bound: SNAP-AMBIGUOUS
      // A bound at or above the capacity does not rule a lap out.
      snap(rfc3(), rfc3({ producer: 3, consumer: 4 }), undefined, undefined, { maxProgress: 1365 }),
    ],
  },
  // 3.3: E, decided only with a bound.
  "SNAP-PROGRESS": {
    severity: "error",
    fire: [
      within(rfc3(), rfc3({ producer: 2, consumer: 1 }), 1364), // 2 + 1364 > 1364
      within(rfc3(), rfc3({ producer: 1, consumer: 1 }), 1364), // 2 + 1363 = 1365: one over
      within(prod({ producer: 10 }), prod({ producer: 9 }), 84, { consumer: 5 }), // 5 + 84 > 84
      within(rfc3(), rfc3({ producer: 13, consumer: 1 }), 5), // prod moved 10 > the bound 5
    ],
    quiet: [
      within(rfc3(), rfc3({ producer: 0, consumer: 1 }), 1364), // 2 + 1362 = 1364: full, not over
      within(prod({ producer: 10 }), prod({ producer: 4 }), 84, { consumer: 5 }), // 5 + 79 = 84
      snap(rfc3(), rfc3({ producer: 2, consumer: 1 })), // no bound: SNAP-AMBIGUOUS
    ],
  },
  // 3.3: E, decided only with a bound.
  "SNAP-LIVE-STABLE": {
    severity: "error",
    fire: [
      within(
        rfc3(),
        rfc3({
          records: [{ slot: 1, fields: GOOD.rfc3 }, {
            slot: 2,
            fields: { ...GOOD.rfc3, reason: 11 },
          }],
        }),
      ),
      // Slot 1 consumed in B, slot 2 still pending and changed.
      within(
        rfc3(),
        rfc3({ consumer: 2, records: [{ slot: 2, fields: { ...GOOD.rfc3, pasid: 6 } }] }),
      ),
    ],
    quiet: [
      // Without a bound a lap explains the change as well: SNAP-AMBIGUOUS.
      snap(
        rfc3(),
        rfc3({ consumer: 2, records: [{ slot: 2, fields: { ...GOOD.rfc3, pasid: 6 } }] }),
      ),
      // The consumer released slot 1: it may be reused.
      snap(rfc3(), rfc3({ consumer: 2, records: [{ slot: 2, fields: GOOD.rfc3 }] })),
      // Slot 0 is not pending in either snapshot.
      snap(rfc3(), rfc3({ records: [{ slot: 0, fields: GOOD.rfc3 }, ...rfc3().records!] })),
      // A newly produced record in slot 3.
      snap(
        rfc3(),
        rfc3({ producer: 4, records: [...rfc3().records!, { slot: 3, fields: GOOD.rfc3 }] }),
      ),
    ],
  },
  // 3.3 SNAP-AMBIGUOUS: W. Issue 8: two snapshots more than a lap apart are not an error.
  "SNAP-AMBIGUOUS": {
    severity: "warning",
    fire: [
      snap(rfc3(), rfc3({ producer: 3, consumer: 4 })), // an overtake, or the producer lapped
      snap(rfc3(), rfc3({ producer: 2, consumer: 1 })), // an overflow, or the consumer lapped
      snap(
        rfc3(),
        rfc3({ consumer: 2, records: [{ slot: 2, fields: { ...GOOD.rfc3, pasid: 6 } }] }),
      ),
    ],
    quiet: [
      snap(rfc3(), rfc3({ producer: 5, consumer: 2 })), // ordinary progress
      within(rfc3(), rfc3({ producer: 3, consumer: 4 })), // decided: SNAP-OVERTAKE
      snap(rfc3(), rfc3()),
    ],
  },
  // 3.3: W.
  "SNAP-DROPS": {
    severity: "warning",
    fire: [
      snap(
        rfc3({ producer: 0, consumer: 1, records: [] }),
        rfc3({ producer: 5, consumer: 6, records: [] }),
      ),
    ],
    quiet: [
      snap(
        rfc3({ producer: 0, consumer: 1, records: [] }),
        rfc3({ producer: 5, consumer: 7, records: [] }),
      ),
      snap(rfc3(), rfc3()),
    ],
  },
};

// ---- the tests ----------------------------------------------------------------------------------

const SEVERITY = new Map<string, string>(RULES.map((r) => [r.id, r.severity]));

for (const [id, c] of Object.entries(CASES)) {
  Deno.test(`rule ${id}: fires (${c.severity})`, () => {
    assert.ok(c.fire.length > 0);
    c.fire.forEach((run, i) => {
      const findings = run();
      const hit = findings.filter((f) => f.rule === id);
      assert.ok(
        hit.length > 0,
        `case ${i}: ${id} did not fire; got ${findings.map((f) => f.rule)}`,
      );
      for (const f of hit) {
        assert.equal(f.severity, c.severity, `case ${i}: severity`);
        assert.equal(typeof f.message, "string");
        assert.ok(f.message.length > 0);
      }
    });
    assert.equal(SEVERITY.get(id), c.severity, "catalogue severity");
  });
  Deno.test(`rule ${id}: stays quiet on the near misses`, () => {
    assert.ok(c.quiet.length > 0);
    c.quiet.forEach((run, i) => {
      const findings = run();
      const hit = findings.filter((f) => f.rule === id);
      assert.equal(hit.length, 0, `case ${i}: ${hit.map((f) => f.message).join("; ")}`);
    });
  });
}

/**
 * Rules faultscope cannot check: they need an input it cannot take (domain.md 3.3 SNAP-STALE:
 * eventfd counts; 3.5 FQ-RESPONSE: the reads and writes of one fault FD). No case can fire
 * them; `faultscope rules` lists them as not checkable (test/rules_cli_test.ts).
 */
const NOT_CHECKABLE = ["SNAP-STALE", "FQ-RESPONSE"];

Deno.test("rules: every rule in RULES has fire and quiet cases here, and no others", () => {
  assert.deepEqual(
    [...Object.keys(CASES), ...NOT_CHECKABLE].sort(),
    RULES.map((r) => r.id).sort(),
  );
  const ids = RULES.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length, "rule IDs unique");
  for (const r of RULES) {
    assert.equal(checkable(r), !NOT_CHECKABLE.includes(r.id), `${r.id}: checkable`);
  }
});

Deno.test("rules: the rules faultscope cannot check never fire", () => {
  for (const c of Object.values(CASES)) {
    for (const run of [...c.fire, ...c.quiet]) {
      for (const f of run()) assert.ok(!NOT_CHECKABLE.includes(f.rule), f.rule);
    }
  }
});

Deno.test("rules: every finding names a catalogued rule with the catalogue's severity", () => {
  for (const c of Object.values(CASES)) {
    for (const run of [...c.fire, ...c.quiet]) {
      for (const f of run()) assert.equal(f.severity, SEVERITY.get(f.rule), f.rule);
    }
  }
});

// ---- where findings point -----------------------------------------------------------------------

Deno.test("rules: record findings in a region carry slot, field and region offset", () => {
  const bytes = buildRegion(rfc3({
    records: [{ slot: 1, fields: GOOD.rfc3 }, { slot: 2, fields: { ...GOOD.rfc3, reason: 13 } }],
  }));
  const f = validateImage(bytes).findings.filter((f) => f.rule === "REC-REASON");
  assert.equal(f.length, 1);
  assert.equal(f[0].slot, 2);
  assert.equal(f[0].field, "reason");
  assert.equal(f[0].offset, 16 + 2 * 48 + 4, "reason is at +4 in the flat record");

  const d = buildRegion(dma({
    records: [{ slot: 0, fields: GOOD.mainline }, {
      slot: 1,
      fields: { type: 1, event: { ...(GOOD.mainline.event as EncodeInput), flags: 0x13 } },
    }],
  }));
  const g = validateImage(d).findings.filter((f) => f.rule === "REC-FLAGS");
  assert.equal(g.length, 1);
  assert.equal(g[0].slot, 1);
  assert.equal(g[0].field, "event.flags");
  assert.equal(g[0].offset, 4096 + 64 + 12);
});

Deno.test("rules: header findings name the kernel field and its offset", () => {
  const f = validateImage(buildRegion(dma({ consumer: 512 }))).findings
    .find((f) => f.rule === "IDX-CONS-RANGE");
  assert.equal(f?.field, "tail");
  assert.equal(f?.offset, 0);
  const r = validateImage(buildRegion(dma({ records: [], header: { entry_size: 48 } })), {
    layout: "dma-fault",
  }).findings.find((f) => f.rule === "HDR-ENTRY-SIZE");
  assert.equal(r?.field, "entry_size");
  assert.equal(r?.offset, 4);
  const p = validateImage(buildRegion(rfc3({ producer: 1365 }))).findings
    .find((f) => f.rule === "IDX-PROD-RANGE");
  assert.equal(p?.field, "prod");
  assert.equal(p?.offset, 4);
});

Deno.test("rules: SNAP-LIVE-STABLE points at the changed byte of the pending slot", () => {
  const f = within(
    rfc3(),
    rfc3({
      records: [{ slot: 1, fields: GOOD.rfc3 }, { slot: 2, fields: { ...GOOD.rfc3, reason: 11 } }],
    }),
  )().filter((f) => f.rule === "SNAP-LIVE-STABLE");
  assert.equal(f.length, 1);
  assert.equal(f[0].slot, 2);
  assert.equal(f[0].offset, 16 + 2 * 48 + 4);
});

Deno.test("rules: a record past the end of a truncated image is skipped, not misread", () => {
  // Slots 1 and 2 end at 0x70 and 0xa0; cut at 0x80: slot 2 cannot be read.
  const bytes = buildRegion(rfc3({
    records: [{ slot: 1, fields: GOOD.rfc3 }, { slot: 2, fields: { ...GOOD.rfc3, reason: 13 } }],
  })).subarray(0, 0x80);
  const rules = validateImage(bytes, { regionSize: 0x10000 }).findings.map((f) => f.rule);
  assert.ok(rules.includes("HDR-TRUNCATED"));
  assert.ok(!rules.includes("REC-REASON"), "slot 2 is not in the image");
  assert.ok(!rules.includes("REC-TYPE"), "slot 2 must not be read as zeros");
});

// Regression: HDR-ENDIAN was once checked only when the capacity read above 0xffffff. A
// big-endian v9+ DMA_FAULT header read little-endian has nb_entries 512 -> 0x00020000 (below
// that gate) but entry_size 64 -> 0x40000000, the very example of domain.md 3.7 and of the
// rule's own "why".
Deno.test({
  name: "rule HDR-ENDIAN: fires for a big-endian DMA_FAULT header read with --layout",
  fn() {
    for (const layout of ["dma-fault", "dma-fault-response"] as const) {
      const be = buildRegion({ layout, producer: 2, consumer: 0, littleEndian: false });
      const rules = validateImage(be, { layout }).findings.map((f) => f.rule);
      assert.ok(rules.includes("HDR-ENDIAN"), `${layout}: ${rules}`);
    }
  },
});

// ---- clean regions ------------------------------------------------------------------------------

interface CleanCase {
  name: string;
  build: BuildOptions;
  open?: OpenOptions;
  /** Warnings the kernel's own values earn, with the reason. */
  allowed: string[];
}

const CLEAN: CleanCase[] = [
  { name: "rfc3 (1365 x 48)", build: rfc3(), allowed: [] },
  {
    name: "rfc3 rebuilt with 64-byte records (1023), said with --abi mainline",
    build: rfc3({
      abi: "mainline",
      records: [{ slot: 1, fields: GOOD.mainline }, { slot: 2, fields: PRQ_GOOD }],
    }),
    open: { abi: "mainline" },
    allowed: [],
  },
  // abi.md 3.2/4.5: PAGE_SIZE / 48 = 85 (4 KiB), 341 (16 KiB), 1365 (64 KiB): never a power of
  // two, so HDR-CAP-POW2 (CIRC_SPACE misjudges full) legitimately fires on the kernel's value.
  ...(["v4", "v7", "v8"] as const).flatMap((abi) =>
    [4096, 16384, 65536].map((pageSize) => ({
      name: `fault-prod ${abi}, ${pageSize / 1024} KiB pages`,
      build: prod({
        abi,
        pageSize,
        records: [{ slot: 1, fields: GOOD[abi] }, { slot: 2, fields: GOOD[abi] }],
      }),
      open: { abi, consumer: 1 } as OpenOptions,
      allowed: ["HDR-CAP-POW2"],
    }))
  ),
  ...[4096, 16384, 65536].map((pageSize) => ({
    name: `dma-fault, ${pageSize / 1024} KiB pages`,
    build: dma({ pageSize }),
    allowed: [],
  })),
  {
    name: "dma-fault wrapping (tail 510 -> head 1)",
    build: dma({
      producer: 1,
      consumer: 510,
      records: [510, 511, 0].map((slot) => ({ slot, fields: GOOD.mainline })),
    }),
    allowed: [],
  },
  { name: "dma-fault-response (resp24)", build: resp(), allowed: [] },
  { name: "dma-fault-response, 64 KiB pages", build: resp({ pageSize: 65536 }), allowed: [] },
  { name: "rfc3 empty", build: rfc3({ producer: 0, consumer: 0, records: [] }), allowed: [] },
];

for (const c of CLEAN) {
  for (const le of [true, false]) {
    Deno.test(`clean: ${c.name}${le ? "" : ", big-endian"}: no error or warning`, () => {
      const bytes = buildRegion({ ...c.build, littleEndian: le });
      const { region, findings } = validateImage(bytes, { ...c.open, littleEndian: le });
      assert.equal(region?.layout.id, c.build.layout, "detected the layout it was built as");
      const bad = findings.filter((f) => f.severity !== "info" && !c.allowed.includes(f.rule));
      assert.deepEqual(bad, []);
      for (const id of c.allowed) {
        assert.ok(findings.some((f) => f.rule === id), `${id} expected for ${c.name}`);
      }
      assert.ok(findings.some((f) => f.rule === "IDX-OCCUPANCY"), "occupancy reported");
    });
  }
}

Deno.test("clean: two snapshots of a ring making ordinary progress", () => {
  const a = rfc3({
    producer: 1363,
    consumer: 1360,
    records: [1360, 1361, 1362].map((slot) => ({ slot, fields: GOOD.rfc3 })),
  });
  const b = rfc3({
    producer: 2,
    consumer: 1362,
    records: [1362, 1363, 1364, 0, 1].map((slot) => ({ slot, fields: GOOD.rfc3 })),
  });
  assert.deepEqual(snap(a, b)(), []);
});
