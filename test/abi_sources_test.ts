/**
 * Every description cites public sources a reader can open: each key it names resolves to
 * citations (a repository at a commit and its files, a mail's Message-Id, a package, a document,
 * or what it is in words where no public location is known), and `layout` prints them and
 * `layout --json` carries them. The expected locations are the sources the ABI was written from
 * (the QEMU branch of RFC v3, the v9 region patch, the VT-d fault path), not the code's output.
 */
import assert from "node:assert/strict";
import { RECORD_LIST } from "../src/abi/records.ts";
import { REGION_LIST } from "../src/abi/regions.ts";
import { VEVENT_HEADER } from "../src/abi/vevent.ts";
import {
  type Citation,
  citationJson,
  citations,
  cite,
  SOURCE_KEYS,
  type SourceKey,
  SOURCES,
} from "../src/abi/sources.ts";
import { cli } from "./support/cli.ts";

const DESCRIPTIONS = [...RECORD_LIST, ...REGION_LIST];
const ALL: Citation[] = SOURCE_KEYS.flatMap((k) => [...SOURCES[k]] as Citation[]);

Deno.test("sources: every key a description names resolves to at least one citation", () => {
  for (const d of DESCRIPTIONS) {
    assert.ok(d.source.length > 0, `${d.id} names a source`);
    for (const k of d.source as readonly string[]) {
      assert.ok(Object.hasOwn(SOURCES, k), `${d.id}: source key ${k} is in SOURCES`);
      assert.ok(SOURCES[k as SourceKey].length > 0, `${k} has a citation`);
    }
    assert.equal(new Set(d.source).size, d.source.length, `${d.id} names each key once`);
  }
});

Deno.test("sources: every key of the table is cited by some description", () => {
  // The vEVENTQ stream (`layout vevent`) cites its own, beside the records and regions.
  const used = new Set([...DESCRIPTIONS, VEVENT_HEADER].flatMap((d) => [...d.source]));
  for (const k of SOURCE_KEYS) assert.ok(used.has(k), `${k} is cited`);
});

Deno.test("sources: each citation is a location anyone can look up", () => {
  for (const c of ALL) {
    assert.ok(c.what.length > 10, `what: ${c.what}`);
    switch (c.kind) {
      case "git":
        assert.match(c.repo, /^[\w.-]+\/[\w.-]+$/, c.repo);
        assert.match(c.commit, /^[0-9a-f]{12}([0-9a-f]{28})?$/, `${c.repo} commit ${c.commit}`);
        assert.ok(c.paths.length > 0 && c.paths.every((p) => !p.startsWith("/")), c.repo);
        break;
      case "mail":
        assert.match(c.messageId, /^[^<>\s]+@[^<>\s]+$/, c.messageId);
        assert.match(c.date, /^\d{4}-\d{2}-\d{2}$/);
        assert.match(c.subject, /^(Re: )?\[/);
        break;
      case "package":
        assert.match(c.package, /^[a-z0-9.+-]+ \S+$/);
        break;
      case "document":
        assert.match(c.url, /^https:\/\//);
        break;
      case "words":
        assert.ok(c.where.length > 20);
    }
    // Nothing a reader cannot open: no key of a private document, no search-index id.
    const text = JSON.stringify(citationJson(c));
    assert.doesNotMatch(text, /abi\.md|logs\.md|domain\.md|index (copy )?id/i, text);
  }
  assert.equal(new Set(ALL.map(cite)).size, ALL.length, "no citation is written twice");
});

Deno.test("sources: citations(keys) keeps their order and drops repeats", () => {
  const both = citations(["S1", "S2", "S1"]);
  assert.deepEqual(both, [...SOURCES.S1, ...SOURCES.S2]);
  // A mail is cited by Message-Id, with its lore.kernel.org address in JSON.
  const m = citationJson(citations(["M4"])[0]);
  assert.equal(m.message_id, "20190711135625.20684-5-eric.auger@redhat.com");
  assert.equal(m.url, "https://lore.kernel.org/r/20190711135625.20684-5-eric.auger@redhat.com");
  assert.equal(m.repo, null);
});

Deno.test("layout rfc3 names eauger/qemu and the commit of its RFC v3 branch, no private key", async () => {
  const r = await cli(["layout", "rfc3"]);
  assert.equal(r.code, 0);
  // abi.md S1: eauger/qemu, branch v3.1.0-rc5-2stage-v3-for-rfc3-test-only, tip 7b0de697...
  assert.match(
    r.stdout,
    /^source: eauger\/qemu@7b0de697afed142daf19f4ec09b3de77af788c65 linux-headers\/linux\/iommu\.h/m,
  );
  assert.match(r.stdout, /v3\.1\.0-rc5-2stage-v3-for-rfc3-test-only/);
  assert.doesNotMatch(r.stdout, /source S1|\bS1\b|abi\.md/);
  const j = JSON.parse((await cli(["layout", "rfc3", "--json"])).stdout);
  const rec = j.records[0], reg = j.regions[0];
  assert.equal(rec.source, undefined, "the keys stay inside");
  assert.deepEqual(
    rec.sources.map((s: { repo: string; commit: string }) => `${s.repo}@${s.commit}`),
    [
      "eauger/qemu@7b0de697afed142daf19f4ec09b3de77af788c65",
      "eauger/qemu@dd81ae770aa23c23bde46397e82436940ff42d70",
      "eauger/qemu@defdb241856b9d467bdbf8e6eeb4f9c13c4d358e",
    ],
  );
  // The region layout's first source is the RFC v3 18/21 thread, which has no Message-Id here.
  assert.equal(reg.sources[0].kind, "words");
  assert.match(reg.sources[0].cite, /RFC v3 18\/21/);
});

Deno.test("layout of a VFIO region and of a hardware record cite a mail and a kernel file", async () => {
  const d = await cli(["layout", "dma-fault"]);
  // abi.md M4: [PATCH v9 04/11], Message-Id <20190711135625.20684-5-eric.auger@redhat.com>.
  assert.match(
    d.stdout,
    /^source: Message-Id <20190711135625\.20684-5-eric\.auger@redhat\.com> "\[PATCH v9 04\/11\] .*https:\/\/lore\.kernel\.org\/r\/20190711135625\.20684-5-eric\.auger@redhat\.com$/m,
  );
  const v = await cli(["layout", "vtd-fault"]);
  // logs.md I1: the fault reason tables of drivers/iommu/intel/dmar.c @ c34e9ab9...
  assert.match(
    v.stdout,
    /^source: torvalds\/linux@c34e9ab9a612ee8b18273398ef75c207b01f516d drivers\/iommu\/intel\/dmar\.c/m,
  );
  const all = JSON.parse((await cli(["layout", "--json"])).stdout);
  for (const x of [...all.records, ...all.regions]) {
    assert.ok(x.sources.length > 0, `${x.id} has sources in JSON`);
  }
});
