/**
 * The facets operators filter and count by (src/codec/facets.ts): every field path of the table
 * names a field of its ABI's description (a renamed field fails here, not in a user's filter),
 * the filter reads the union member a record has, and the summary stays bounded on a storm of
 * distinct pages and types.
 */
import assert from "node:assert/strict";
import { ABI_IDS, RECORDS } from "../src/abi/records.ts";
import { decodeRecord } from "../src/codec/decode.ts";
import { encodeRecord } from "../src/codec/encode.ts";
import {
  FACET_FIELDS,
  facetsOf,
  FilterError,
  recordFilter,
  RecordSummary,
  SUMMARY_MAX_PAGES,
  SUMMARY_MAX_ROWS,
} from "../src/codec/facets.ts";

Deno.test("facets: every path of the table names a field of its ABI", () => {
  for (const key of Object.keys(FACET_FIELDS)) {
    const kind = key.startsWith("vevent:")
      ? key as `vevent:arm-smmuv3`
      : RECORDS[key as keyof typeof RECORDS];
    assert.ok(kind, key);
    assert.deepEqual(
      facetsOf(kind),
      Object.keys(FACET_FIELDS[key as "rfc3"]!).sort((a, b) =>
        ["type", "reason", "pasid", "device", "address"].indexOf(a) -
        ["type", "reason", "pasid", "device", "address"].indexOf(b)
      ),
      key,
    );
  }
  // Every fault record of the iommu_fault generations has type, reason, pasid and address.
  for (const id of ABI_IDS.filter((a) => RECORDS[a].family === "iommu_fault")) {
    assert.deepEqual(facetsOf(RECORDS[id]), ["type", "reason", "pasid", "address"], id);
  }
});

Deno.test("filter: the union member a record has (a page request's prm.pasid, a fault's event.pasid)", () => {
  const fault = decodeRecord(
    "v8",
    encodeRecord("v8", { type: 1, event: { reason: 6, pasid: 5, addr: 0x1000n } }),
  );
  const prq = decodeRecord(
    "v8",
    encodeRecord("v8", { type: 2, prm: { pasid: 5, grpid: 3, addr: 0x2000n } }),
  );
  const pasid5 = recordFilter(RECORDS.v8, { pasid: [5] })!;
  assert.equal(pasid5(fault), true);
  assert.equal(pasid5(prq), true);
  // A page request has no reason: a reason filter never keeps it.
  const perm = recordFilter(RECORDS.v8, { reason: ["PERMISSION"] })!;
  assert.equal(perm(fault), true);
  assert.equal(perm(prq), false);
  assert.equal(recordFilter(RECORDS.v8, {}), undefined, "no filter keeps everything");
  const range = recordFilter(RECORDS.v8, { address: { lo: 0x1800n, hi: 0x2000n } })!;
  assert.deepEqual([range(fault), range(prq)], [false, true]);
  assert.throws(
    () => recordFilter(RECORDS["hwpt-response"], { pasid: [1] }),
    (e) => e instanceof FilterError && e.message === "hwpt-response records carry no pasid",
  );
});

Deno.test("summary: bounded rows and pages on a storm, said as a lower bound", () => {
  const s = new RecordSummary(RECORDS.mainline);
  const pages = SUMMARY_MAX_PAGES + 10;
  for (let i = 0; i < pages; i++) {
    s.add({ type: 1, event: { reason: i % (SUMMARY_MAX_ROWS + 5), addr: BigInt(i) << 12n } });
  }
  const r = s.result();
  assert.equal(r.records, pages);
  assert.equal(r.pages, SUMMARY_MAX_PAGES);
  assert.equal(r.pagesExact, false);
  assert.equal(r.rows.length, SUMMARY_MAX_ROWS + 1, "256 rows and one 'other'");
  assert.equal(r.rows.at(-1)!.type, "other");
  assert.equal(r.rows.reduce((n, x) => n + x.count, 0), pages);
  assert.deepEqual(r.address, { min: 0n, max: BigInt(pages - 1) << 12n });
});
