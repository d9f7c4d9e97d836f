/**
 * The registries are built from one file per generation and nothing else: every file in
 * `src/abi/records/` (`src/abi/regions/`) describes exactly one record generation (region layout)
 * and is in the list, and the list holds nothing else. Every id, order and set the rest of the
 * code uses is derived from the lists; the traits say what abi.md section 4 says each era did.
 */
import assert from "node:assert/strict";
import { ABI_IDS, FAULT_ABIS, GUESS_ORDER, RECORD_LIST, RECORDS } from "../src/abi/records.ts";
import {
  DETECT_ORDER,
  REGION_IDS,
  REGION_LIST,
  REGIONS,
  SIMULATED_LAYOUTS,
} from "../src/abi/regions.ts";

const isRecord = (v: unknown) =>
  typeof v === "object" && v !== null && "id" in v && "family" in v && "fields" in v;
const isRegion = (v: unknown) =>
  typeof v === "object" && v !== null && "id" in v && "header" in v && "headerSize" in v;

/** The description each file in `dir` exports (exactly one per file), by file name. */
async function describedIn(dir: string, is: (v: unknown) => boolean) {
  const url = new URL(`../src/abi/${dir}/`, import.meta.url);
  const found = new Map<string, unknown>();
  for await (const e of Deno.readDir(url)) {
    if (!e.isFile || !e.name.endsWith(".ts")) continue;
    const mod = await import(new URL(e.name, url).href);
    const descs = Object.values(mod).filter(is);
    assert.equal(descs.length, 1, `${dir}/${e.name} describes exactly one generation`);
    found.set(e.name, descs[0]);
  }
  return found;
}

Deno.test("registry: RECORD_LIST is exactly the descriptions of src/abi/records/, one per file", async () => {
  const files = await describedIn("records", isRecord);
  assert.equal(files.size, RECORD_LIST.length, [...files.keys()].join(", "));
  for (const [name, desc] of files) {
    assert.ok((RECORD_LIST as readonly unknown[]).includes(desc), `${name} is in RECORD_LIST`);
  }
  assert.equal(new Set(ABI_IDS).size, ABI_IDS.length, "ids are unique");
});

Deno.test("registry: REGION_LIST is exactly the descriptions of src/abi/regions/, one per file", async () => {
  const files = await describedIn("regions", isRegion);
  assert.equal(files.size, REGION_LIST.length, [...files.keys()].join(", "));
  for (const [name, desc] of files) {
    assert.ok((REGION_LIST as readonly unknown[]).includes(desc), `${name} is in REGION_LIST`);
  }
  assert.equal(new Set(REGION_IDS).size, REGION_IDS.length, "ids are unique");
  const ranks = REGION_LIST.map((r) => r.detectRank);
  assert.equal(new Set(ranks).size, ranks.length, "detection ranks are unique");
});

Deno.test("registry: ids, lookups and sets are derived from the lists", () => {
  assert.deepEqual(ABI_IDS, RECORD_LIST.map((r) => r.id));
  assert.deepEqual(Object.keys(RECORDS), [...ABI_IDS]);
  for (const r of RECORD_LIST) assert.equal(RECORDS[r.id], r);
  assert.deepEqual(REGION_IDS, REGION_LIST.map((r) => r.id));
  for (const r of REGION_LIST) assert.equal(REGIONS[r.id], r);
  // abi.md 2.1-2.5: the generations of struct iommu_fault (the records with a fault type).
  assert.deepEqual([...FAULT_ABIS].sort(), ["mainline", "rfc3", "v4", "v7", "v8"]);
  for (const id of FAULT_ABIS) assert.equal(RECORDS[id].family, "iommu_fault");
  // Every ABI a region carries is a registered record.
  for (const r of REGION_LIST) {
    for (const a of [r.defaultAbi, ...r.abis]) assert.ok(ABI_IDS.includes(a), `${r.id}: ${a}`);
  }
});

Deno.test("registry: ABI inference tries every generation, mainline, rfc3 and v8 first", () => {
  // Issue 8: every generation whose size divides the input is considered, v4 and v7 too (they
  // have v8's bytes, abi.md 2.2-2.4: a tie among them is reported as ambiguous) and the
  // response and iommufd records of TV8 and TV9. Of candidates that score alike the pick is the
  // first here, and the tie is said.
  assert.deepEqual(GUESS_ORDER.slice(0, 5), ["mainline", "rfc3", "v8", "v4", "v7"]);
  const families = ["iommu_fault", "page_response", "iommufd_fault", "iommufd_response"];
  const expected = RECORD_LIST.filter((r) => families.includes(r.family)).map((r) => r.id);
  assert.deepEqual(GUESS_ORDER.filter((id) => expected.includes(id)).sort(), expected.sort());
});

Deno.test("registry: detection tries rfc3, dma-fault, dma-fault-response, then fault-prod", () => {
  assert.deepEqual(DETECT_ORDER, ["rfc3", "dma-fault", "dma-fault-response", "fault-prod"]);
});

Deno.test("registry: simulator defaults are what abi.md section 4 says each era did", () => {
  // The simulator drives the fault rings, not the response ring (abi.md 4.4 mirrors the roles).
  assert.deepEqual([...SIMULATED_LAYOUTS], ["rfc3", "fault-prod", "dma-fault"]);
  // 4.1: the RFC v3 QEMU consumer stores cons into the mmapped header once per entry and reads
  // cons, prod and size from it on every signal; the RFC v3 kernel is [U]: modelled as the true
  // modulo with no checks.
  assert.deepEqual(REGIONS.rfc3.simulator, {
    indexMath: "modulo",
    headerCheck: "none",
    consWrite: "per_record",
    rereadsConsumer: true,
  });
  // 4.2, 4.3: v4-v8 and v9+ kernels drop on CIRC_SPACE < 1; QEMU keeps a private index and makes
  // one pwrite after the loop.
  for (const id of ["fault-prod", "dma-fault"] as const) {
    assert.deepEqual(REGIONS[id].simulator, {
      indexMath: "circ",
      headerCheck: "bounds",
      consWrite: "per_drain",
      rereadsConsumer: false,
    }, id);
  }
  assert.equal(REGIONS["dma-fault-response"].simulator, undefined);
});

Deno.test("registry: how each header names its record ABI (abi.md 3.1-3.4, 9)", () => {
  // 3.1 and 4.1: RFC v3 has no entry_size, and its QEMU consumer indexes the queue with the
  // compiled-in 48-byte stride whatever size says (issue 8: size 1023 is corruption, not a
  // 64-byte ring). The others have an entry_size.
  assert.equal(REGIONS.rfc3.abiEvidence, "stride");
  for (const id of ["fault-prod", "dma-fault", "dma-fault-response"] as const) {
    assert.equal(REGIONS[id].abiEvidence, "entry_size", id);
  }
  // 4.3: v9-v11 kernels refused non-UNRECOV faults in the DMA_FAULT ring.
  assert.deepEqual(REGIONS["dma-fault"].ringTypes?.types, ["DMA_UNRECOV"]);
});
