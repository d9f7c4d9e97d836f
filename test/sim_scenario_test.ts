/**
 * Scenario files: each checked-in scenario loads and shows what its name says, and bad input
 * (unknown key, wrong type, negative rate, impossible geometry) is one line naming the key.
 */
import assert from "node:assert/strict";
import { loadScenario, scenarioKeysText } from "../src/cli/commands/simulate.ts";
import { UsageError } from "../src/cli/errors.ts";
import { DEFAULT_SCENARIO_JSON, runScenario } from "../src/sim/mod.ts";
import type { FieldSpec } from "../src/sim/fields.ts";
import {
  captureRecords,
  parseScenario,
  parseScenarioText,
  SCENARIO_FIELDS,
  ScenarioError,
  scenarioKeys,
} from "../src/sim/scenario.ts";

const dir = new URL("../testdata/scenarios/", import.meta.url).pathname;
const load = async (name: string, flags: Record<string, unknown> = {}) =>
  (await loadScenario({ scenario: dir + name, ...flags })).scenario;

Deno.test("every checked-in scenario loads, with its capture when it replays one", async () => {
  const names = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".json"));
  assert.ok(names.length >= 19);
  for (const n of names) {
    const { scenario, capture } = await loadScenario({ scenario: dir + n, events: 2000 });
    assert.equal(scenario.name + ".json", n, "the name matches the file");
    assert.equal(scenario.producer.arrivals.kind === "replay", capture !== undefined);
    const s = runScenario(scenario, capture ? { capture } : {}).summary;
    assert.equal(s.produced, s.delivered + s.dropped + s.pending, n);
  }
});

Deno.test("seed-storm-stalled.json is the embedded default scenario", async () => {
  const text = await Deno.readTextFile(dir + "seed-storm-stalled.json");
  assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(DEFAULT_SCENARIO_JSON)));
  const s = await load("seed-storm-stalled.json");
  assert.equal(s.region.capacity, 1365); // (0x10000 - 16) / 48
  assert.equal(s.region.regionSize, 0x10000);
});

Deno.test("v8 85-entry ring: the mask bug drops faults the true modulo keeps", async () => {
  const circ = runScenario(await load("v8-85-circ.json")).summary;
  const mod = runScenario(await load("v8-85-modulo.json")).summary;
  assert.equal(circ.capacity, 85); // 4096 / 48
  assert.equal(circ.produced, mod.produced, "same arrivals, same simulated time");
  assert.equal(mod.dropped_by_cause.spurious_full, 0);
  assert.ok(circ.dropped_by_cause.spurious_full > 0);
  assert.ok(circ.dropped > mod.dropped);
  // The same one-page ring on a 64 KiB host: sixteen times the entries, and no loss.
  const big = runScenario(await load("v8-1365-64k.json")).summary;
  assert.equal(big.capacity, 1365);
  assert.equal(big.produced, circ.produced);
  assert.ok(big.dropped < circ.dropped);
});

Deno.test("dma-fault on 4 KiB and 64 KiB pages: same 512-entry ring, same loss, other regions", async () => {
  const a = runScenario(await load("dma-fault-4k.json"), { snapshotAtEnd: true });
  const b = runScenario(await load("dma-fault-64k.json"), { snapshotAtEnd: true });
  assert.equal(a.summary.capacity, 512);
  assert.equal(b.summary.capacity, 512);
  assert.ok(a.summary.dropped > 0);
  for (const k of ["produced", "delivered", "dropped", "pending", "max_occupancy"] as const) {
    assert.equal(a.summary[k], b.summary[k], k);
  }
  // ALIGN(64 * 512, PAGE_SIZE) + PAGE_SIZE (abi.md 3.3).
  assert.equal(a.snapshots[0].image.length, 0x9000);
  assert.equal(b.snapshots[0].image.length, 0x20000);
});

const POLICY = ["none", "bounds", "stop"] as const;
const KINDS = ["cons-out-of-range", "reserved-nonzero", "size-changed", "prod-corrupt"] as const;

Deno.test("each corruption under each policy: what the kernel would do", async () => {
  for (const kind of KINDS) {
    for (const policy of POLICY) {
      const s = runScenario(await load(`corrupt-${kind}-${policy}.json`, { events: 60_000 }))
        .summary;
      const inj = s.injection!;
      const at = `${kind} under ${policy}`;
      assert.equal(inj.injected.length, 1, at);
      assert.equal(s.header_check, policy);
      if (policy === "stop") {
        // The first fault after the corruption stops the queue; every later one is lost.
        assert.equal(inj.queue_stopped, true, at);
        assert.equal(inj.would_write_oob, false, at);
        assert.equal(s.dropped_by_cause.queue_stopped, inj.lost_by_cause.queue_stopped, at);
        assert.ok(inj.extra_lost! > 0, at);
      } else {
        assert.equal(inj.queue_stopped, false, at);
      }
      if (policy === "bounds") assert.equal(inj.would_write_oob, false, at);
      if (kind === "reserved-nonzero" && policy !== "stop") {
        assert.equal(inj.extra_lost, 0, `${at}: nobody reads reserved`);
      }
      if (policy === "none" && (kind === "size-changed" || kind === "prod-corrupt")) {
        // Trusting a size of 2730 or a prod of 1366 sends the copy past the 64 KiB region.
        assert.equal(inj.would_write_oob, true, at);
        assert.ok(inj.first_oob_offset! >= 0x10000, at);
      }
      if ((kind === "cons-out-of-range" || kind === "prod-corrupt") && policy === "bounds") {
        assert.ok(inj.lost_by_cause.bad_index > 0, at);
      }
    }
  }
});

function message(json: unknown): string {
  try {
    parseScenario(json);
  } catch (e) {
    assert.ok(e instanceof ScenarioError, String(e));
    assert.doesNotMatch(e.message, /\n/);
    return e.message;
  }
  assert.fail("expected a ScenarioError");
}

Deno.test("bad scenarios: one line that names the key", () => {
  const cases: [unknown, RegExp][] = [
    [{ sead: 1 }, /^sead: unknown key/],
    [{ consumer: { servce_us: 1 } }, /^consumer\.servce_us: unknown key/],
    [{ events: "many" }, /^events: expected a number, got "many"/],
    [{ events: 1.5 }, /^events: expected an integer/],
    [{ consumer: { service_us: -1 } }, /^consumer\.service_us: expected a number > 0, got -1/],
    [
      { producer: { arrivals: { kind: "poisson", rate_per_s: -5 } } },
      /^producer\.arrivals\.rate_per_s: expected a number > 0/,
    ],
    [
      { producer: { arrivals: { kind: "steady", burst: 4 } } },
      /^producer\.arrivals\.burst: unknown key/,
    ],
    [
      { producer: { arrivals: { kind: "storm", burst: 1000, gap_us: 1, interval_us: 500 } } },
      /^producer\.arrivals\.interval_us: a burst of 1000/,
    ],
    [
      { region: { layout: "rfc3", capacity: 2000 } },
      /^region\.capacity: 2000 entries of 48 bytes from offset 16 do not fit a 65536-byte rfc3 region/,
    ],
    [
      { region: { layout: "dma-fault", page_size: 8192 } },
      /^region\.page_size: expected one of 4096, 16384, 65536/,
    ],
    [
      { region: { layout: "fault-prod", abi: "mainline" } },
      /^region\.abi: expected one of v4, v7, v8/,
    ],
    [{ region: { capacity: 1 } }, /^region\.capacity: a ring needs at least 2 entries/],
    [
      { region: { layout: "dma-fault" }, inject: [{ kind: "reserved_nonzero" }] },
      /^inject\[0\]\.kind: the dma-fault header has no reserved field/,
    ],
    [{ inject: [{ kind: "cons_out_of_range", value: 3 }] }, /^inject\[0\]\.value: 3 is in range/],
    [
      { consumer: { stalls: [{ at_us: 10, for_us: 100 }, { at_us: 50, for_us: 1 }] } },
      /^consumer\.stalls\[1\]: stalls must be sorted/,
    ],
    [
      { producer: { mix: { reason: { PERMISION: 1 } } } },
      /^producer\.mix\.reason\.PERMISION: unknown key/,
    ],
    [
      { producer: { mix: { address: { base: "12" } } } },
      /^producer\.mix\.address\.base: expected a 0x-prefixed/,
    ],
    [
      { kernel: { index_math: "mask" } },
      /^kernel\.index_math: expected one of modulo, circ, got "mask"/,
    ],
    [[1, 2], /expected an object, got an array/],
  ];
  for (const [json, want] of cases) assert.match(message(json), want);
});

Deno.test("reason names follow the generation: RFC v3 has INTERNAL, later ones do not", () => {
  assert.ok(parseScenario({ producer: { mix: { reason: { INTERNAL: 1 } } } }));
  assert.match(
    message({ region: { layout: "dma-fault" }, producer: { mix: { reason: { INTERNAL: 1 } } } }),
    /^producer\.mix\.reason\.INTERNAL: unknown key/,
  );
});

Deno.test("loadScenario turns a bad file into a UsageError naming file and key", async () => {
  const p = await Deno.makeTempFile({ suffix: ".json" });
  await Deno.writeTextFile(p, JSON.stringify({ consumer: { wake_us: "soon" } }));
  await assert.rejects(() => loadScenario({ scenario: p }), (e: unknown) => {
    assert.ok(e instanceof UsageError);
    assert.equal(e.exitCode, 2);
    assert.equal(e.message, `${p}: consumer.wake_us: expected a number, got "soon"`);
    return true;
  });
  await Deno.writeTextFile(p, "{ not json");
  await assert.rejects(() => loadScenario({ scenario: p }), /not valid JSON/);
  await assert.rejects(
    () => loadScenario({ scenario: p + ".missing" }),
    /cannot read the scenario/,
  );
  await Deno.remove(p);
});

Deno.test("--layout swaps the record ABI and geometry of a scenario written for another layout", async () => {
  const s = await load("seed-storm-stalled.json", { layout: "fault-prod", pageSize: 65536 });
  assert.equal(s.region.abi, "v8");
  assert.equal(s.region.capacity, 1365);
  assert.equal(s.kernel.indexMath, "circ");
});

Deno.test("--inject specs are checked before the scenario: kind and syntax", async () => {
  await assert.rejects(
    () => loadScenario({ inject: ["bogus@1"] }),
    /^UsageError: --inject bogus@1: the kind/,
  );
  await assert.rejects(() => loadScenario({ inject: ["prod_corrupt"] }), /KIND@EVENT/);
  const { scenario } = await loadScenario({ inject: ["prod_corrupt@900=5000", "size_changed@10"] });
  assert.deepEqual(scenario.inject.map((i) => [i.kind, i.atEvent, i.value]), [
    ["size_changed", 10, 2730],
    ["prod_corrupt", 900, 5000],
  ]);
});

Deno.test("every scenario number has a finite, documented range", () => {
  const walk = (fields: readonly FieldSpec[], path: string): string[] =>
    fields.flatMap((f) => {
      const p = path ? `${path}.${f.key}` : f.key;
      if (f.type === "number" || f.type === "integer") {
        const bounded = f.oneOf !== undefined ||
          (Number.isFinite(f.max) && (f.min !== undefined || f.above !== undefined));
        return bounded ? [] : [p];
      }
      if (f.type === "object") return walk(f.fields, p);
      if (f.type === "array") {
        return [...(Number.isFinite(f.maxItems) ? [] : [p]), ...walk(f.of, p)];
      }
      if (f.type === "variant") return Object.values(f.kinds).flatMap((k) => walk(k, p));
      if (f.type === "weights") return Number.isFinite(f.max) ? [] : [p];
      return [];
    });
  assert.deepEqual(walk(SCENARIO_FIELDS, ""), []);
  // The reference shows each range.
  const keys = scenarioKeys();
  const row = (k: string) => keys.find((r) => r.key === k)!;
  assert.equal(row("consumer.service_us").type, "number > 0, <= 1e12");
  assert.equal(row("producer.arrivals(steady, poisson).rate_per_s").type, "number 1e-6 .. 1e9");
  assert.equal(row("region.region_size").type, "integer > 0, <= 67108864");
});

Deno.test("the hostile numbers of issue 12 are refused with one line naming the key", () => {
  const cases: [unknown, RegExp][] = [
    [
      { producer: { arrivals: { kind: "poisson", rate_per_s: 5e-324 } } },
      /^producer\.arrivals\.rate_per_s: expected a number >= 1e-6, got 5e-324$/,
    ],
    [
      { producer: { arrivals: { kind: "poisson", start_us: 1e308 } } },
      /^producer\.arrivals\.start_us: expected a number <= 1e12, got 1e\+308$/,
    ],
    [{ region: { region_size: 1e15 } }, /^region\.region_size: expected a number <= 67108864/],
    // A capacity whose kernel-sized region would be 543 MB.
    [
      { region: { layout: "dma-fault", capacity: 8488704 } },
      /^region\.capacity: 8488704 entries make a 543281152-byte dma-fault region; at most 67108864/,
    ],
    [
      { consumer: { stall_every: { every_us: 1e13 } } },
      /^consumer\.stall_every\.every_us: .*<= 1e12/,
    ],
    [{ duration_us: 1e300 }, /^duration_us: expected a number <= 1e12/],
  ];
  for (const [json, want] of cases) assert.match(message(json), want);
});

Deno.test("the README's scenario key reference is what simulate --scenario-keys prints", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const block = /<!-- scenario-keys -->\n+```\n([\s\S]*?)```\n+<!-- \/scenario-keys -->/.exec(
    readme,
  );
  assert.ok(block, "the README has the marked block");
  assert.equal(block[1], scenarioKeysText());
});

Deno.test("scenario errors quote input escaped, on one line, and count in the right number", () => {
  // JSON.parse quotes the start of the text: a newline, an escape sequence, a NUL must not
  // reach the terminal (nor split the one-line message).
  assert.throws(() => parseScenarioText("H\n\x1b[2J\u0000"), (e: unknown) => {
    assert.ok(e instanceof ScenarioError);
    assert.match(e.message, /^not valid JSON: /);
    assert.ok(e.message.includes("\\n\\x1b[2J\\x00"), e.message);
    assert.doesNotMatch(e.message, /\p{Cc}/u);
    return true;
  });
  // A replay capture of one byte (48-byte rfc3 records by default).
  assert.throws(
    () => captureRecords(parseScenario({}), new Uint8Array(1)),
    { message: "1 byte is not a whole number of 48-byte rfc3 records" },
  );
});
