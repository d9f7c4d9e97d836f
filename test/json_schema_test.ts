/**
 * The published JSON Schemas: the committed files are what the generator builds; every
 * `--json`/`--ndjson` option has one; each command's outputs match theirs (checked by
 * `cli()`/`spawnCli()` on every run, here on outputs chosen to reach every branch: every ABI
 * and union member, vEVENTQ types and LOST_EVENTS, null occupancy, LAYOUT-DETECT, injections,
 * every scenario); and the validation fails where it must (the old non-stable shapes, u64 as a
 * number, an extra key, a member under the wrong selector, a command without a schema).
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { Ajv2020 } from "ajv/dist/2020.js";
import { ABI_IDS, RECORDS } from "../src/abi/records.ts";
import { REGION_IDS } from "../src/abi/regions.ts";
import { COMMANDS } from "../src/cli/commands.ts";
import {
  JSON_OUTPUTS,
  jsonOutput,
  OUTPUT_IDS,
  outputSchema,
  schemaFileName,
  schemaText,
} from "../src/cli/schemas/mod.ts";
import type { CommandSpec } from "../src/cli/spec.ts";
import { decoderFor } from "../src/codec/decode.ts";
import { parseHex } from "../src/codec/hex.ts";
import { recordJson } from "../src/codec/json.ts";
import { parseVevents, veventJson } from "../src/codec/vevent.ts";
import { jsonLineWriter } from "../src/codec/jsonline.ts";
import { RULES } from "../src/rules/catalogue.ts";
import { assertOneLineError, cli, data, root, spawnCli, tmpFile } from "./support/cli.ts";
import { checkJsonOutputs, schemaErrors, validatorFor } from "./support/schema.ts";
import { RECORD_VECTORS, TV10 } from "./support/vectors.ts";

const SCHEMA_DIR = new URL("schemas/", root);
const json = (s: string) => JSON.parse(s);
const ndjson = (s: string) => s.trimEnd().split("\n").map(json);

// --- the files and the list of outputs -------------------------------------------------------

Deno.test("schemas/ holds exactly the generated schemas (run 'deno task schemas' after a change)", () => {
  const files = [...Deno.readDirSync(SCHEMA_DIR)].map((e) => e.name).sort();
  assert.deepEqual(files, OUTPUT_IDS.map(schemaFileName).sort());
  for (const id of OUTPUT_IDS) {
    const text = Deno.readTextFileSync(new URL(schemaFileName(id), SCHEMA_DIR));
    assert.ok(text === schemaText(id), `schemas/${schemaFileName(id)} is stale`);
  }
});

Deno.test("every schema is a valid draft 2020-12 schema that compiles in Ajv's strict mode", () => {
  const ajv = new Ajv2020({ strict: true, strictRequired: false, allowUnionTypes: true });
  for (const id of OUTPUT_IDS) {
    const s = outputSchema(id);
    assert.equal(s.$schema, "https://json-schema.org/draft/2020-12/schema");
    assert.ok(ajv.validateSchema(s), `${id}: ${ajv.errorsText(ajv.errors)}`);
    ajv.compile(s); // throws on an unknown keyword or a keyword of the wrong type
  }
});

Deno.test("every --json/--ndjson option has a schema, and every schema names a real option", () => {
  for (const c of COMMANDS) {
    for (const key of ["json", "ndjson"]) {
      if (key in c.options) assert.ok(jsonOutput(c.name, key), `no schema for ${c.name} --${key}`);
    }
  }
  for (const o of JSON_OUTPUTS) {
    const c = COMMANDS.find((x) => x.name === o.command);
    assert.ok(c && o.option in c.options, `${o.id}: ${o.command} has no option ${o.option}`);
  }
});

Deno.test("a command with a JSON option and no schema fails the tests loudly", () => {
  const future = {
    name: "future",
    summary: "",
    args: [],
    options: { json: { help: "" }, ndjson: { help: "" } },
    examples: [],
    load: () => Promise.reject(new Error("not run")),
  } satisfies CommandSpec;
  const lookup = (name: string) => name === "future" ? future : undefined;
  assert.throws(() => checkJsonOutputs(["future", "--json"], "[]", { lookup }), {
    message: /^no schema for future --json/,
  });
  assert.throws(() => checkJsonOutputs(["future", "--ndjson"], "", { lookup }), {
    message: /^no schema for future --ndjson/,
  });
  checkJsonOutputs(["future"], "human text", { lookup }); // no JSON asked for: nothing to check
});

Deno.test("the hook rejects what does not match: a bad document, a bad NDJSON line, not JSON", () => {
  assert.throws(() => checkJsonOutputs(["rules", "--json"], '[{"id":"IDX-FULL"}]\n'), {
    message: /rules --json does not match schemas\/rules\.json\.schema\.json/,
  });
  assert.throws(() => checkJsonOutputs(["rules", "-j"], "IDX-FULL  warning\n"), {
    message: /rules -?-json is not JSON/,
  });
  const good = JSON.stringify(
    recordJson("rfc3", decoderFor("rfc3")(new DataView(new ArrayBuffer(48)), 0, true), {
      index: 0,
      offset: 0,
    }),
  );
  checkJsonOutputs(["decode", "x", "--ndjson"], `${good}\n${good}\n`);
  assert.throws(
    () =>
      checkJsonOutputs(["decode", "x", "--ndjson"], `${good}\n${good.replace('"abi"', '"ABI"')}\n`),
    { message: /decode --ndjson line 2 does not match/ },
  );
});

// --- what each command prints ----------------------------------------------------------------

/** Random records of one ABI, the union selector set to each member in turn (and past them). */
function capture(abi: string, n: number, seed: number): Uint8Array {
  const size = RECORDS[abi as keyof typeof RECORDS].size;
  const bytes = new Uint8Array(size * n);
  let x = seed;
  for (let i = 0; i < bytes.length; i++) bytes[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  const hasUnion = RECORDS[abi as keyof typeof RECORDS].fields.some((f) => f.kind === "union");
  const dv = new DataView(bytes.buffer);
  for (let i = 0; i < n; i++) if (hasUnion) dv.setUint32(i * size, i % 4, true);
  return bytes;
}

for (const abi of ABI_IDS) {
  Deno.test(`decode --abi ${abi}: --json with --raw and --check, and --ndjson, match the schema`, async () => {
    const file = await tmpFile(capture(abi, 12, abi.length));
    try {
      const j = await cli(["decode", file, "--abi", abi, "--json", "--raw", "--check"]);
      assert.ok(j.code === 0 || j.code === 1, j.stderr); // 1: random bytes break record rules
      const records = json(j.stdout).records;
      assert.equal(records.length, 12);
      assert.ok(records.every((r: { abi: string }) => r.abi === abi));
      assert.ok(records.every((r: { raw: string }) => r.raw.length === 2 * RECORDS[abi].size));
      const l = await cli(["decode", file, "--abi", abi, "--ndjson", "--count", "5"]);
      assert.equal(ndjson(l.stdout).length, 5);
    } finally {
      await Deno.remove(file);
    }
  });
}

Deno.test("decode: abi.md's record vectors print JSON that matches the schema", async () => {
  for (const v of RECORD_VECTORS) {
    const r = await cli(["decode", "--abi", v.abi, "--hex", v.hex, "--json"]);
    assert.equal(r.code, 0, `${v.abi}: ${r.stderr}`);
    assert.equal(json(r.stdout).records[0].abi, v.abi);
  }
});

Deno.test("decode --abi vevent: SMMUv3 events, LOST_EVENTS, an unknown flag bit, Tegra payloads", async () => {
  // TV10 (abi.md 8): an F_PERMISSION event then a LOST_EVENTS header; then a header with an
  // undefined flag bit (bit 1) and a payload.
  const tv10 = parseHex(TV10.hex);
  const odd = new Uint8Array(40);
  new DataView(odd.buffer).setUint32(0, 0x2, true);
  new DataView(odd.buffer).setUint32(4, 2, true);
  const stream = new Uint8Array([...tv10.subarray(0, 40), ...odd, ...tv10.subarray(40)]);
  const file = await tmpFile(stream);
  try {
    const r = await cli(["decode", file, "--abi", "vevent", "--json", "--check"]);
    const recs = json(r.stdout).records;
    assert.deepEqual(recs.map((x: { flags_names: string[] }) => x.flags_names), [
      [],
      ["0x2"], // an undefined bit is listed as hex, never dropped
      ["LOST_EVENTS"],
    ]);
    assert.equal(recs[0].event.id_name, "F_PERMISSION");
    assert.equal("evt" in recs[2], false);
    const t = await cli([
      "decode",
      "--abi",
      "vevent",
      "--vevent-type",
      "tegra241-cmdqv",
      "--hex",
      "00 00 00 00 07 00 00 00" + " 11".repeat(16),
      "--ndjson",
    ]);
    assert.equal(t.code, 0, t.stderr);
    assert.deepEqual(json(t.stdout).lvcmdq_err_map, ["0x1111111111111111", "0x1111111111111111"]);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("inspect --json: every listed slot, raw bytes, and null occupancy, match the schema", async () => {
  const all = await cli([
    "inspect",
    data("rfc3-sample.bin"),
    "--all",
    "--hex",
    "--limit",
    "8",
    "--json",
  ]);
  assert.equal(all.code, 0, all.stderr);
  assert.equal(json(all.stdout).records.length, 8);
  const dma = await cli(["inspect", data("dma-fault-sample.bin"), "-j"]);
  assert.equal(json(dma.stdout).layout, "dma-fault");
  // prod 4000 of 1365 (testdata/generate.ts): indices out of range, occupancy unknown.
  const bad = await cli(["inspect", data("rfc3-corrupt.bin"), "--json"]);
  const b = json(bad.stdout);
  assert.equal(b.pending, null);
  assert.equal(b.lossy, null);
  // A fault-prod image keeps its consumer index in another region: occupancy unknown.
  const dir = await Deno.makeTempDir();
  try {
    const img = `${dir}/fp.bin`;
    const s = await cli(["simulate", "--layout", "fault-prod", "--events", "2000", "--out", img]);
    assert.equal(s.code, 0, s.stderr);
    const fp = json((await cli(["inspect", img, "--json"])).stdout);
    assert.equal(fp.layout, "fault-prod");
    assert.equal(fp.full, null);
    const withCons = json((await cli(["inspect", img, "--cons", "0", "--json"])).stdout);
    assert.equal(typeof withCons.full, "boolean");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("validate --json: findings of two snapshots, and LAYOUT-DETECT with null layout", async () => {
  const r = await cli([
    "validate",
    data("rfc3-corrupt.bin"),
    "--previous",
    data("rfc3-sample.bin"),
    "--json",
  ]);
  assert.equal(r.code, 1);
  const garbage = await tmpFile(new Uint8Array(100).fill(0xff));
  try {
    const g = json((await cli(["validate", garbage, "--json"])).stdout);
    assert.equal(g.layout, null);
    assert.equal(g.findings[0].rule, "LAYOUT-DETECT");
  } finally {
    await Deno.remove(garbage);
  }
});

Deno.test("rules --json: the catalogue, one rule, one severity", async () => {
  assert.equal(json((await cli(["rules", "--json"])).stdout).length, RULES.length);
  assert.equal(json((await cli(["rules", "idx-full", "--json"])).stdout)[0].id, "IDX-FULL");
  const infos = json((await cli(["rules", "--severity", "info", "-j"])).stdout);
  assert.ok(infos.every((r: { severity: string }) => r.severity === "info"));
});

Deno.test("layout --json is one shape for a record, a region layout, both, and all", async () => {
  const both = json((await cli(["layout", "rfc3", "--json"])).stdout);
  assert.deepEqual([both.records.length, both.regions.length], [1, 1]);
  const rec = json((await cli(["layout", "mainline", "--json"])).stdout);
  assert.deepEqual([rec.records[0].size, rec.regions.length], [64, 0]);
  const reg = json((await cli(["layout", "dma-fault", "--json"])).stdout);
  assert.deepEqual([reg.records.length, reg.regions[0].id], [0, "dma-fault"]);
  const every = json((await cli(["layout", "--json"])).stdout);
  assert.deepEqual(every.records.map((r: { id: string }) => r.id), ABI_IDS);
  assert.deepEqual(every.regions.map((r: { id: string }) => r.id), REGION_IDS);
  assert.deepEqual(every.streams.map((s: { id: string }) => s.id), ["vevent"]);
  for (const g of new Set([...ABI_IDS, ...REGION_IDS])) {
    assert.equal((await cli(["layout", g, "--json"])).code, 0);
  }
});

Deno.test("layout vevent --json: the vEVENTQ header and payloads as include/uapi/linux/iommufd.h has them", async () => {
  const r = await cli(["layout", "vevent", "--json"]);
  assert.equal(r.code, 0);
  const j = json(r.stdout);
  assert.deepEqual([j.records.length, j.regions.length, j.streams.length], [0, 0, 1]);
  const [s] = j.streams;
  // struct iommufd_vevent_header { __u32 flags; __u32 sequence; }, LOST_EVENTS = 1 << 0,
  // sequence in [0, INT_MAX].
  assert.deepEqual(
    s.header.fields.map((
      f: { name: string; offset: number; size: number },
    ) => [f.name, f.offset, f.size]),
    [["flags", 0, 4], ["sequence", 4, 4]],
  );
  assert.deepEqual(s.header.flags.bits.map((b: { bit: number; name: string }) => [b.bit, b.name]), [
    [0, "LOST_EVENTS"],
  ]);
  assert.equal(s.header.sequence_max, 2 ** 31 - 1);
  // IOMMU_VEVENTQ_TYPE_ARM_SMMUV3 = 1 (evt[4], 32 bytes), IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV = 2
  // (lvcmdq_err_map[2], 16 bytes).
  assert.deepEqual(
    s.types.map((
      t: { value: number; struct: string; size: number },
    ) => [t.value, t.struct, t.size]),
    [[1, "iommu_vevent_arm_smmuv3", 32], [2, "iommu_vevent_tegra241_cmdqv", 16]],
  );
  // Where it comes from: the uapi header and the read path in eventq.c, public locations.
  assert.ok(
    s.sources.some((c: { cite: string }) => /include\/uapi\/linux\/iommufd\.h/.test(c.cite)),
  );
  assert.ok(
    s.sources.some((c: { cite: string }) =>
      /drivers\/iommu\/iommufd\/eventq\.c \(iommufd_veventq_fops_read/.test(c.cite)
    ),
  );
  assert.deepEqual(schemaErrors("layout.json", j), []);
});

Deno.test("simulate --json and its --trace match their schemas, injections and snapshots included", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = await cli([
      "simulate",
      "--events",
      "6000",
      "--inject",
      "cons_out_of_range@3000",
      "--trace",
      `${dir}/t.ndjson`,
      "--snapshot-at",
      "1000,5000",
      "--out",
      `${dir}/s.bin`,
      "--json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const s = json(r.stdout);
    assert.equal(s.snapshots.length, 2);
    assert.equal(typeof s.injection.extra_lost, "number"); // the baseline was run
    const lines = ndjson(await Deno.readTextFile(`${dir}/t.ndjson`));
    assert.equal(lines[0].ev, "begin");
    assert.equal(lines.at(-1).ev, "end");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("every scenario in testdata/scenarios: summary and trace match the schemas", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const e of Deno.readDirSync(data("scenarios"))) {
      if (!e.name.endsWith(".json")) continue;
      const r = await cli([
        "simulate",
        "--scenario",
        data(`scenarios/${e.name}`),
        "--events",
        "1500",
        "--trace",
        `${dir}/t.ndjson`,
        "--json",
      ]);
      assert.equal(r.code, 0, `${e.name}: ${r.stderr}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bench --json matches its schema and says what the run used", async () => {
  const r = await spawnCli([
    "bench",
    "--duration",
    "0.05",
    "--warmup",
    "10",
    "--no-idle",
    "--no-split",
    "--no-baselines",
    "--batch",
    "16",
    "--layout",
    "dma-fault",
    "--wait",
    "spin",
    "--json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const j = json(r.stdout);
  assert.equal(j.results.length, 1);
  // What the run used, defaults included; the limit not given is null, not 0.
  assert.deepEqual(j.options.layouts, ["dma-fault"]);
  assert.deepEqual(j.options.waits, ["spin"]);
  assert.equal(j.options.warmup_ms, 10);
  assert.equal(j.options.duration_ms, 50);
  assert.equal(j.options.records, null);
  assert.equal(j.options.spin_us, 50); // the documented default spin budget
  assert.equal(j.results[0].sweep, null);
});

Deno.test("schema prints each published file, lists the outputs, and refuses an unknown one", async () => {
  for (const id of OUTPUT_IDS) {
    const r = await cli(["schema", id]);
    assert.equal(r.stdout, Deno.readTextFileSync(new URL(schemaFileName(id), SCHEMA_DIR)));
  }
  const list = (await cli(["schema"])).stdout.trimEnd().split("\n");
  assert.deepEqual(list.map((l) => l.split(/\s+/)[0]), OUTPUT_IDS);
  assertOneLineError(await cli(["schema", "decode.jsn"]), 2, "decode.jsn", "decode.json");
});

// --- the record schemas follow the JSON view, and refuse what is not it ----------------------

Deno.test("random records of every ABI, both JSON writers, match the generated record schema", () => {
  const v = validatorFor("decode.ndjson");
  for (const abi of ABI_IDS) {
    const size = RECORDS[abi].size;
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: size, maxLength: size }),
        fc.constantFrom(0, 1, 2, 3, 0xffffffff),
        fc.boolean(),
        (bytes, type, le) => {
          const dv = new DataView(bytes.buffer);
          if (RECORDS[abi].fields.some((f) => f.kind === "union")) dv.setUint32(0, type, le);
          const slow = recordJson(abi, decoderFor(abi)(dv, 0, le), { index: 7, offset: 7 * size });
          assert.ok(v(slow), `${abi}: ${JSON.stringify(v.errors)}`);
          const fast = JSON.parse(jsonLineWriter(abi)(dv, 0, le, `"index":7,"offset":${7 * size}`));
          assert.ok(v(fast), `${abi}: ${JSON.stringify(v.errors)}`);
        },
      ),
      { numRuns: 200 },
    );
  }
});

/** TV1 (abi.md 8): the mainline PERMISSION fault, as `decode --json` prints it. */
function tv1(): Record<string, unknown> & { event: Record<string, unknown> } {
  const bytes = parseHex(RECORD_VECTORS.find((v) => v.abi === "mainline")!.hex);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return recordJson("mainline", decoderFor("mainline")(dv, 0, true), { index: 0, offset: 0 }) as
    & Record<string, unknown>
    & { event: Record<string, unknown> };
}

Deno.test("the record schema refuses what the README says a record is not", () => {
  const ok = tv1();
  assert.deepEqual(schemaErrors("decode.ndjson", ok), []);
  const bad = (what: string, edit: (r: ReturnType<typeof tv1>) => void, needle: RegExp) => {
    const r = structuredClone(ok);
    edit(r);
    const errors = schemaErrors("decode.ndjson", r);
    assert.ok(errors.some((e) => needle.test(e)), `${what}: ${errors.join("; ") || "accepted"}`);
  };
  bad("u64 as a number", (r) => (r.event.addr = 0xdeadb000), /\/event\/addr must be string/);
  bad("u64 zero-padded", (r) => (r.event.addr = "0x00000000deadb000"), /\/event\/addr must match/);
  bad("u64 in upper case", (r) => (r.event.addr = "0xDEADB000"), /\/event\/addr must match/);
  bad("an extra key", (r) => (r.severity = "error"), /must NOT have additional properties/);
  bad("a key missing", (r) => delete r.event.pasid, /must have required property 'pasid'/);
  bad(
    "a name not in the enum",
    (r) => (r.event.reason_name = "NOPE"),
    /reason_name must be equal to one of/,
  );
  bad("several bits as one hex", (r) => (r.event.perm_names = ["0x3"]), /perm_names\/0 must match/);
  bad(
    "the event member under type 2",
    (r) => (r.type = 2),
    /must NOT be valid|required property 'prm'/,
  );
  bad("a member for an undefined type", (r) => (r.type = 9), /must NOT be valid/);
  bad("u32 as a string", (r) => (r.event.pasid = "5"), /\/event\/pasid must be integer/);
  bad("u32 past 32 bits", (r) => (r.event.pasid = 2 ** 32), /\/event\/pasid must be <= 4294967295/);
});

Deno.test("a vEVENT has its payload exactly when it is not a LOST_EVENTS marker", () => {
  const recs = [...parseVevents(parseHex(TV10.hex), "arm-smmuv3")];
  const event = veventJson("arm-smmuv3", recs[0], 0), lost = veventJson("arm-smmuv3", recs[1], 1);
  assert.deepEqual(schemaErrors("decode.ndjson", event), []);
  assert.deepEqual(schemaErrors("decode.ndjson", lost), []);
  const { evt: _evt, event: _event, ...noPayload } = event;
  assert.ok(
    schemaErrors("decode.ndjson", noPayload).some((e) => /required property 'evt'/.test(e)),
  );
  assert.notDeepEqual(schemaErrors("decode.ndjson", { ...lost, evt: event.evt }), []);
  assert.notDeepEqual(
    schemaErrors("decode.ndjson", { ...event, vevent_type: "tegra241-cmdqv" }),
    [],
  );
});

Deno.test("the old, non-stable shapes are refused", () => {
  // rules --json once said "all" instead of listing the layouts.
  const rule = {
    id: "IDX-FULL",
    severity: "warning",
    scope: "region",
    layouts: "all",
    invariant: "",
    why: "",
  };
  assert.ok(schemaErrors("rules.json", [rule]).some((e) => /layouts must be array/.test(e)));
  // layout --json once printed a bare description, or {record, region} for rfc3.
  assert.notDeepEqual(schemaErrors("layout.json", RECORDS.mainline), []);
  assert.notDeepEqual(schemaErrors("layout.json", { record: RECORDS.rfc3 }), []);
});
