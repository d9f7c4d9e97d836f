/**
 * The ABI description (src/abi) against abi.md: struct sizes, field offsets, enums and flag bits
 * by generation, region headers and the arithmetic of capacities and region sizes. Expected
 * values are the hand transcription in support/abi_tables.ts and numbers quoted from abi.md.
 * Also structural invariants any correct description must satisfy.
 */
import assert from "node:assert/strict";
import {
  FAULT_ABIS,
  PRQ_MAINLINE,
  REASON_RFC3 as CODE_REASON_RFC3,
  REASON_V4 as CODE_REASON_V4,
  recordLayout,
  RECORDS,
} from "../src/abi/records.ts";
import {
  capacityFor,
  DMA_FAULT_RING_LENGTH,
  headerField,
  regionLayout,
  REGIONS,
  regionSizeFor,
  ringOffsetFor,
  VFIO_FAULT_REGION_SIZE,
} from "../src/abi/regions.ts";
import type { AbiId, EnumDesc, RegionLayoutId } from "../src/abi/types.ts";
import {
  FAULT_TYPE,
  INDEX_FIELDS,
  IOMMUFD_RESP_CODE,
  PAGE_RESP_CODE,
  PAGE_RESP_FLAGS,
  PERM,
  PGFAULT_FLAGS,
  PGFAULT_PERM,
  PRQ,
  REASON_RFC3,
  REASON_V4,
  RECORD_TABLES,
  REGION_HEADERS,
  type Row,
  UNRECOV,
} from "./support/abi_tables.ts";
import { HW_TABLES } from "./support/hw_tables.ts";
import { bitMap, commonRows, scalarAt, unionOf, variantRows } from "./support/flatten.ts";

const ALL_ABIS = Object.keys(RECORD_TABLES) as AbiId[];
const UNION_ABIS: AbiId[] = ["v4", "v7", "v8", "mainline"];

const enumMap = (e: EnumDesc | undefined) =>
  Object.fromEntries((e?.values ?? []).map((v) => [v.name, v.value]));

Deno.test("abi: every generation of abi.md (and hardware record of logs.md) is described, and only those", () => {
  assert.deepEqual(Object.keys(RECORDS).sort(), [...ALL_ABIS, ...Object.keys(HW_TABLES)].sort());
  assert.deepEqual([...FAULT_ABIS].sort(), ["mainline", "rfc3", "v4", "v7", "v8"]);
  for (const id of ALL_ABIS) assert.equal(RECORDS[id].id, id);
  assert.equal(recordLayout("v9"), undefined);
  assert.equal(recordLayout("toString"), undefined, "prototype keys are not ABIs");
  assert.equal(recordLayout("mainline"), RECORDS.mainline);
});

Deno.test("abi: struct sizes are 48/48/48/48/64/20/24/40/8 (abi.md 2.1-2.7, 5.1)", () => {
  const sizes: Partial<Record<AbiId, number>> = {
    rfc3: 48,
    v4: 48,
    v7: 48,
    v8: 48,
    mainline: 64,
    resp20: 20,
    resp24: 24,
    "hwpt-pgfault": 40,
    "hwpt-response": 8,
  };
  for (const id of ALL_ABIS) assert.equal(RECORDS[id].size, sizes[id], id);
});

Deno.test("abi: struct names are the kernel's", () => {
  for (const id of FAULT_ABIS) assert.equal(RECORDS[id].struct, "iommu_fault", id);
  assert.equal(RECORDS.resp20.struct, "iommu_page_response");
  assert.equal(RECORDS.resp24.struct, "iommu_page_response");
  assert.equal(RECORDS["hwpt-pgfault"].struct, "iommu_hwpt_pgfault");
  assert.equal(RECORDS["hwpt-response"].struct, "iommu_hwpt_page_response");
});

for (const id of ALL_ABIS) {
  Deno.test(`abi: ${id} field names, offsets and sizes match abi.md`, () => {
    const table = RECORD_TABLES[id];
    assert.deepEqual(commonRows(RECORDS[id]), table.common);
    if (table.variants) {
      for (const [type, v] of Object.entries(table.variants)) {
        assert.deepEqual(variantRows(RECORDS[id], Number(type)), v.rows, `${id} type ${type}`);
      }
    } else {
      assert.equal(unionOf(RECORDS[id]), undefined, `${id} is flat`);
    }
  });
}

Deno.test("abi: mainline offsets quoted in abi.md 2.5 (gcc against the 6.1 header)", () => {
  const ev = Object.fromEntries(variantRows(RECORDS.mainline, 1).map(([n, o]) => [n, o]));
  const prm = Object.fromEntries(variantRows(RECORDS.mainline, 2).map(([n, o]) => [n, o]));
  assert.equal(ev["event.addr"], 24);
  assert.equal(ev["event.fetch_addr"], 32);
  assert.equal(prm["prm.private_data[0]"], 32);
  // Bytes 40-63 are unused by event, 48-63 by prm.
  const end = (rows: Row[]) => Math.max(...rows.map(([, o, s]) => o + s));
  assert.equal(end(variantRows(RECORDS.mainline, 1)), 40);
  assert.equal(end(variantRows(RECORDS.mainline, 2)), 48);
});

Deno.test("abi: union records: union at 8 filling the record, members 32 and 40 bytes", () => {
  for (const id of UNION_ABIS) {
    const u = unionOf(RECORDS[id])!;
    assert.ok(u, id);
    assert.equal(u.offset, 8, id);
    assert.equal(u.offset + u.size, RECORDS[id].size, `${id}: union ends the record`);
    assert.equal(u.selector, "type", id);
    const byType = Object.fromEntries(u.variants.map((v) => [v.when, v]));
    assert.deepEqual(Object.keys(byType).sort(), ["1", "2"], id);
    assert.equal(byType[1].name, "event");
    assert.equal(byType[1].struct, "iommu_fault_unrecoverable");
    assert.equal(byType[1].size, 32);
    assert.equal(byType[2].name, "prm");
    assert.equal(byType[2].struct, "iommu_fault_page_request");
    assert.equal(byType[2].size, 40);
  }
  const pad = unionOf(RECORDS.mainline)!.padding;
  assert.equal(pad?.name, "padding2");
  assert.equal(pad?.size, 56);
  for (const id of ["v4", "v7", "v8"] as const) {
    assert.equal(unionOf(RECORDS[id])!.padding, undefined, `${id} has no padding2`);
  }
});

function assertNoOverlap(rows: Row[], size: number, what: string) {
  const sorted = [...rows].sort((a, b) => a[1] - b[1]);
  for (let i = 0; i < sorted.length; i++) {
    const [name, off, sz] = sorted[i];
    assert.ok(off >= 0 && off + sz <= size, `${what}: ${name} [${off}, ${off + sz}) fits ${size}`);
    assert.equal(off % sz, 0, `${what}: ${name} is naturally aligned`);
    if (i > 0) {
      const [pn, po, ps] = sorted[i - 1];
      assert.ok(po + ps <= off, `${what}: ${pn} overlaps ${name}`);
    }
  }
  assert.equal(new Set(rows.map((r) => r[0])).size, rows.length, `${what}: names unique`);
}

Deno.test("abi: fields never overlap and fit the struct; members fit the union", () => {
  for (const id of ALL_ABIS) {
    const layout = RECORDS[id];
    const u = unionOf(layout);
    if (!u) {
      assertNoOverlap(commonRows(layout), layout.size, id);
      continue;
    }
    // Common fields sit before the union.
    for (const [n, o, s] of commonRows(layout)) assert.ok(o + s <= u.offset, `${id}.${n}`);
    for (const v of u.variants) {
      assert.ok(v.size <= u.size, `${id}: ${v.name} (${v.size}) fits the union (${u.size})`);
      const rows = variantRows(layout, v.when);
      // Member-relative extents fit the member's own size.
      for (const [n, o, s] of rows) {
        assert.ok(o - u.offset + s <= v.size, `${id}: ${n} inside ${v.name}`);
      }
      assertNoOverlap([...commonRows(layout), ...rows], layout.size, `${id}/${v.name}`);
    }
    if (u.padding) assert.ok(u.padding.offset + u.padding.size <= u.size, `${id} padding`);
  }
});

Deno.test("abi: enums by generation (tables 2.1a, 2.5a, 2.7, 5.1)", () => {
  for (const id of FAULT_ABIS) {
    assert.deepEqual(enumMap(scalarAt(RECORDS[id], "type")?.enum), FAULT_TYPE, `${id} type`);
  }
  assert.deepEqual(enumMap(scalarAt(RECORDS.rfc3, "reason")?.enum), REASON_RFC3);
  assert.equal(CODE_REASON_RFC3.values.length, 13, "RFC v3 has 13 reasons");
  for (const id of UNION_ABIS) {
    assert.deepEqual(enumMap(scalarAt(RECORDS[id], "event.reason")?.enum), REASON_V4, id);
  }
  assert.equal(CODE_REASON_V4.values.length, 9, "v4+ has 9 reasons");
  for (const id of ["resp20", "resp24"] as const) {
    assert.deepEqual(enumMap(scalarAt(RECORDS[id], "code")?.enum), PAGE_RESP_CODE, id);
    assert.deepEqual(
      scalarAt(RECORDS[id], "version")?.enum?.values.map((v) => v.value),
      [1],
      `${id}: IOMMU_PAGE_RESP_VERSION_1 = 1 is the only version`,
    );
  }
  assert.deepEqual(enumMap(scalarAt(RECORDS["hwpt-response"], "code")?.enum), IOMMUFD_RESP_CODE);
});

Deno.test("abi: flag and perm bits by generation (tables 2.6a-c, 2.7, 5.1)", () => {
  for (const id of UNION_ABIS) {
    const L = RECORDS[id];
    assert.deepEqual(bitMap(scalarAt(L, "event.flags")?.flags), UNRECOV[id], `${id} event.flags`);
    assert.deepEqual(bitMap(scalarAt(L, "event.perm")?.flags), PERM[id], `${id} event.perm`);
    assert.deepEqual(bitMap(scalarAt(L, "prm.perm")?.flags), PERM[id], `${id} prm.perm`);
    assert.deepEqual(bitMap(scalarAt(L, "prm.flags")?.flags), PRQ[id], `${id} prm.flags`);
  }
  for (const id of ["resp20", "resp24"] as const) {
    assert.deepEqual(bitMap(scalarAt(RECORDS[id], "flags")?.flags), PAGE_RESP_FLAGS, id);
  }
  const pg = RECORDS["hwpt-pgfault"];
  assert.deepEqual(bitMap(scalarAt(pg, "flags")?.flags), PGFAULT_FLAGS);
  assert.deepEqual(bitMap(scalarAt(pg, "perm")?.flags), PGFAULT_PERM);
  // The RFC v3 record has no flags or perm words at all (abi.md 2.1).
  assert.ok(RECORDS.rfc3.fields.every((f) => f.kind !== "scalar" || !f.flags));
});

Deno.test("abi: abi.md 7.4/7.5: the same raw bit means different things across versions", () => {
  const name = (id: AbiId, path: string, bit: number) =>
    scalarAt(RECORDS[id], path)?.flags?.bits.find((b) => b.bit === bit)?.name;
  assert.equal(name("v7", "event.perm", 0), "WRITE");
  assert.equal(name("v8", "event.perm", 0), "READ");
  assert.equal(name("mainline", "event.perm", 1), "WRITE");
  assert.equal(name("v7", "event.flags", 1), "PERM_VALID");
  assert.equal(name("mainline", "event.flags", 1), "ADDR_VALID");
  assert.equal(name("v4", "prm.flags", 0), "PASID_PRESENT");
  assert.equal(name("v7", "prm.flags", 0), "PASID_VALID");
  assert.equal(name("v8", "prm.flags", 3), undefined, "NEEDS_PASID is mainline only");
  assert.equal(name("mainline", "prm.flags", 3), "NEEDS_PASID");
  assert.equal(
    PRQ_MAINLINE.bits.find((b) => b.name === "NEEDS_PASID")?.requires,
    "PASID_VALID",
    "domain.md REC-PRQ-FLAGS: NEEDS_PASID => PASID_VALID",
  );
});

Deno.test("abi: flag bits are unique and in 0..31; enum values unique", () => {
  for (const id of ALL_ABIS) {
    const L = RECORDS[id];
    const paths = [...commonRows(L), ...variantRows(L, 1), ...variantRows(L, 2)]
      .map(([n]) => n.replace(/\[\d+\]$/, ""));
    for (const p of new Set(paths)) {
      const f = scalarAt(L, p);
      if (f?.flags) {
        const bits = f.flags.bits.map((b) => b.bit);
        assert.equal(new Set(bits).size, bits.length, `${id}.${p}: bits unique`);
        assert.ok(bits.every((b) => Number.isInteger(b) && b >= 0 && b < 32), `${id}.${p}`);
        const names = f.flags.bits.map((b) => b.name);
        assert.equal(new Set(names).size, names.length, `${id}.${p}: names unique`);
        for (const b of f.flags.bits) {
          if (b.requires) assert.ok(names.includes(b.requires), `${id}.${p}: ${b.requires}`);
        }
      }
      if (f?.enum) {
        const vals = f.enum.values.map((v) => v.value);
        assert.equal(new Set(vals).size, vals.length, `${id}.${p}: values unique`);
      }
    }
  }
});

Deno.test("abi: valid bits guard the fields domain.md REC-VALID-BITS names", () => {
  for (const id of UNION_ABIS) {
    const guards = (path: string) =>
      Object.fromEntries(
        (scalarAt(RECORDS[id], path)?.flags?.bits ?? []).filter((b) => b.guards).map((
          b,
        ) => [b.name, b.guards]),
      );
    const ev = guards("event.flags");
    assert.equal(ev.PASID_VALID, "pasid", id);
    assert.equal(ev.ADDR_VALID, "addr", id);
    assert.equal(ev.FETCH_ADDR_VALID, "fetch_addr", id);
    assert.equal(guards("prm.flags").PRIV_DATA, "private_data", id);
  }
  // Reasons that carry an address (domain.md REC-VALID-BITS; abi.md 6).
  const expects = Object.fromEntries(
    CODE_REASON_V4.values.filter((v) => v.expectsFlag).map((v) => [v.name, v.expectsFlag]),
  );
  assert.deepEqual(expects, {
    WALK_EABT: "FETCH_ADDR_VALID",
    PTE_FETCH: "ADDR_VALID",
    PERMISSION: "ADDR_VALID",
    ACCESS: "ADDR_VALID",
    OOR_ADDRESS: "ADDR_VALID",
  });
  assert.equal(scalarAt(RECORDS.rfc3, "pasid_valid")?.guards, "pasid");
  assert.equal(scalarAt(RECORDS.resp24, "argsz")?.expected, 24);
});

Deno.test("abi: reserved and padding words carry that role", () => {
  for (const id of ["v4", "v7", "v8", "mainline"] as const) {
    const word = RECORD_TABLES[id].common[1][0];
    const role = scalarAt(RECORDS[id], word)?.role;
    assert.ok(role === "reserved" || role === "padding", `${id}.${word}: ${role}`);
  }
  const r = scalarAt(RECORDS["hwpt-pgfault"], "__reserved")?.role;
  assert.ok(r === "reserved" || r === "padding");
  assert.equal(scalarAt(RECORDS.rfc3, "last_req")?.role, "bool");
  assert.equal(scalarAt(RECORDS.rfc3, "pasid_valid")?.role, "bool");
});

// ---------------------------------------------------------------------------------------------
// Regions (abi.md section 3)

const REGION_IDS = Object.keys(REGION_HEADERS) as RegionLayoutId[];

Deno.test("abi: region headers match abi.md 3.1-3.4", () => {
  assert.deepEqual(Object.keys(REGIONS).sort(), [...REGION_IDS].sort());
  for (const id of REGION_IDS) {
    const L = REGIONS[id];
    assert.equal(L.id, id);
    assert.equal(L.headerSize, REGION_HEADERS[id].size, id);
    assert.deepEqual(L.header.map((h) => [h.name, h.offset, 4]), REGION_HEADERS[id].rows, id);
    assertNoOverlap(L.header.map((h) => [h.name, h.offset, 4]), L.headerSize, id);
    assert.equal(headerField(L, "producer")?.name, INDEX_FIELDS[id].producer, `${id} producer`);
    assert.equal(headerField(L, "consumer")?.name, INDEX_FIELDS[id].consumer, `${id} consumer`);
    const roles = L.header.map((h) => h.role);
    assert.equal(new Set(roles).size, roles.length, `${id}: one field per role`);
  }
  assert.equal(regionLayout("nope"), undefined);
  assert.equal(regionLayout("constructor"), undefined);
});

Deno.test("abi: region roles: capacity fields, writers, external CONS, default ABIs", () => {
  assert.equal(headerField(REGIONS.rfc3, "capacity")?.name, "size");
  assert.equal(headerField(REGIONS.rfc3, "reserved")?.name, "reserved");
  assert.equal(headerField(REGIONS["fault-prod"], "capacity")?.name, "nb_entries");
  assert.equal(headerField(REGIONS["fault-prod"], "version")?.name, "version");
  assert.equal(REGIONS["fault-prod"].externalConsumer?.offset, 4, "CONS region: cons at 4");
  assert.equal(headerField(REGIONS["dma-fault"], "consumer")?.writer, "userspace");
  assert.equal(headerField(REGIONS["dma-fault"], "producer")?.writer, "kernel");
  // 3.4: mirrored: userspace produces responses, the kernel consumes them.
  assert.equal(headerField(REGIONS["dma-fault-response"], "producer")?.writer, "userspace");
  assert.equal(headerField(REGIONS["dma-fault-response"], "consumer")?.writer, "kernel");
  for (const id of ["fault-prod", "dma-fault", "dma-fault-response"] as const) {
    assert.equal(headerField(REGIONS[id], "entry_size")?.offset !== undefined, true, id);
    assert.equal(headerField(REGIONS[id], "ring_offset")?.name, "offset", id);
  }
  assert.equal(REGIONS.rfc3.defaultAbi, "rfc3");
  assert.ok(["v4", "v7", "v8"].includes(REGIONS["fault-prod"].defaultAbi));
  assert.equal(REGIONS["dma-fault"].defaultAbi, "mainline");
  assert.equal(REGIONS["dma-fault-response"].defaultAbi, "resp24");
  for (const id of REGION_IDS) {
    assert.ok(REGIONS[id].abis.includes(REGIONS[id].defaultAbi), id);
  }
});

Deno.test("abi: RFC v3 region: 1365 x 48 + 16 = 65536; 1023 x 64 leaves 48 bytes", () => {
  const L = REGIONS.rfc3;
  assert.equal(VFIO_FAULT_REGION_SIZE, 0x10000);
  assert.equal(ringOffsetFor(L, 4096), 16);
  assert.equal(ringOffsetFor(L, 65536), 16);
  const cap48 = capacityFor(L, 48, 4096);
  assert.equal(cap48, 1365);
  assert.equal(16 + cap48 * 48, 65536);
  const cap64 = capacityFor(L, 64, 4096);
  assert.equal(cap64, 1023);
  assert.equal(0x10000 - (16 + cap64 * 64), 48);
  assert.equal(regionSizeFor(L, 48, 1365, 4096), 0x10000);
  assert.equal(regionSizeFor(L, 64, 1023, 65536), 0x10000, "fixed, whatever the page size");
});

Deno.test("abi: v4-v8 PROD region: 85 entries on 4 KiB pages, 1365 on 64 KiB, 2 pages", () => {
  const L = REGIONS["fault-prod"];
  assert.equal(capacityFor(L, 48, 4096), 85);
  assert.equal(capacityFor(L, 48, 65536), 1365);
  assert.equal(capacityFor(L, 48, 16384), 341);
  assert.equal(ringOffsetFor(L, 4096), 4096);
  assert.equal(regionSizeFor(L, 48, 85, 4096), 8192);
  assert.equal(L.fixedRingOffset, undefined, "the ring offset comes from the header");
});

Deno.test("abi: v9+ DMA_FAULT region: 512 entries, 0x9000 on 4 KiB, 0x20000 on 64 KiB", () => {
  const L = REGIONS["dma-fault"];
  assert.equal(DMA_FAULT_RING_LENGTH, 512);
  for (const page of [4096, 16384, 65536]) {
    assert.equal(capacityFor(L, 64, page), 512, `page ${page}`);
    assert.equal(ringOffsetFor(L, page), page);
  }
  assert.equal(regionSizeFor(L, 64, 512, 4096), 0x9000);
  assert.equal(regionSizeFor(L, 64, 512, 65536), 0x20000);
  assert.equal(regionSizeFor(L, 64, 512, 16384), 0xc000, "ALIGN(32 KiB, 16 KiB) + 16 KiB");
});

Deno.test("abi: v11+ response region: 24 x 512 -> 16 KiB on 4 KiB pages", () => {
  const L = REGIONS["dma-fault-response"];
  assert.equal(capacityFor(L, 24, 4096), 512);
  assert.equal(regionSizeFor(L, 24, 512, 4096), 0x4000);
  // ALIGN(12288, 65536) + 65536
  assert.equal(regionSizeFor(L, 24, 512, 65536), 0x20000);
});
