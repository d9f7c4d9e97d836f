/**
 * REFACTORING GUARD. Unlike every other test here, the expected bytes below were produced by the
 * simulator itself (at the commit that added this file), not worked out from the references: the
 * point is only that a restructuring of `src/sim/` and `simulate` changes nothing a user sees.
 * Each case runs `faultscope simulate` as a process and compares its stdout (the `--json` summary
 * or the human table), a trace, snapshots and charts with the recorded ones (small outputs in
 * full, large ones by SHA-256).
 *
 * When a change of behaviour is intended, regenerate and say why in the commit:
 *
 *     FAULTSCOPE_UPDATE_GOLDEN=1 deno test -A --frozen test/sim_golden_test.ts
 */
import assert from "node:assert/strict";

const main = new URL("../main.ts", import.meta.url).pathname;
const scenarios = new URL("../testdata/scenarios/", import.meta.url).pathname;
const golden = new URL("../testdata/scenarios/golden/", import.meta.url).pathname;
const UPDATE = Deno.env.get("FAULTSCOPE_UPDATE_GOLDEN") === "1";

/** A small scenario whose trace shows start, stall, resume, inject, trap and oob drops (size-changed-none hangs). */
const EVERY_EVENT = {
  name: "every-event",
  seed: 5,
  events: 700,
  region: { layout: "rfc3" },
  producer: { arrivals: { kind: "storm", burst: 200, gap_us: 0.5, interval_us: 400 } },
  consumer: { start_us: 150, wake_us: 3, service_us: 1, stalls: [{ at_us: 420, for_us: 60 }] },
  inject: [
    { at_event: 450, kind: "prod_corrupt", value: 1366 },
    { at_event: 600, kind: "size_changed", value: 0 },
  ],
};

interface Case {
  name: string;
  args: string[];
  /** Output files compared whole (small text). */
  whole?: string[];
  /** Output files compared by SHA-256. */
  hashed?: string[];
}

const CASES: Case[] = [
  {
    name: "default",
    args: ["--json", "--out", "snap.bin", "--plot", "chart.svg", "--trace", "trace.ndjson"],
    hashed: ["snap.bin", "chart.svg", "trace.ndjson"],
  },
  { name: "default-human", args: ["--out", "snap.bin"] },
  {
    name: "v8-85-circ",
    args: [
      "--scenario",
      scenarios + "v8-85-circ.json",
      "--events",
      "20000",
      "--json",
      "--trace",
      "t.ndjson",
      "--plot",
      "c.svg",
    ],
    hashed: ["t.ndjson", "c.svg"],
  },
  {
    name: "prod-corrupt-none",
    args: [
      "--scenario",
      scenarios + "corrupt-prod-corrupt-none.json",
      "--events",
      "30000",
      "--json",
      "--snapshot-every",
      "10000",
      "--out",
      "snap.bin",
      "--trace",
      "t.ndjson",
    ],
    hashed: ["snap-10000.bin", "snap-20000.bin", "snap-30000.bin", "t.ndjson"],
  },
  {
    name: "cons-stop",
    args: ["--scenario", scenarios + "corrupt-cons-out-of-range-stop.json", "--events", "40000"],
  },
  {
    name: "size-changed-none",
    args: [
      "--scenario",
      scenarios + "corrupt-size-changed-none.json",
      "--events",
      "30000",
      "--json",
      "--trace",
      "t.ndjson",
    ],
    hashed: ["t.ndjson"],
  },
  {
    name: "replay",
    args: ["--scenario", scenarios + "replay-rfc3-capture.json", "--json", "--out", "r.bin"],
    hashed: ["r.bin"],
  },
  {
    name: "dma-fault-64k-flags",
    args: [
      "--scenario",
      scenarios + "dma-fault-64k.json",
      "--seed",
      "9",
      "--header-check",
      "stop",
      "--inject",
      "prod_corrupt@3000",
      "--events",
      "9000",
      "--json",
      "--snapshot-at",
      "2999,3001",
      "--out",
      "d.bin",
    ],
    hashed: ["d-2999.bin", "d-3001.bin"],
  },
  {
    name: "every-event",
    args: ["--scenario", "every-event.json", "--json", "--trace", "t.ndjson"],
    whole: ["t.ndjson"],
  },
];

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function runCase(c: Case): Promise<Record<string, string>> {
  const dir = await Deno.makeTempDir({ prefix: "faultscope-golden-" });
  try {
    await Deno.writeTextFile(`${dir}/every-event.json`, JSON.stringify(EVERY_EVENT));
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--cached-only", "-A", main, "simulate", "--no-progress", ...c.args],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    const dec = new TextDecoder();
    assert.equal(out.code, 0, `${c.name}: ${dec.decode(out.stderr)}`);
    const got: Record<string, string> = { stdout: dec.decode(out.stdout) };
    for (const f of c.whole ?? []) got[f] = await Deno.readTextFile(`${dir}/${f}`);
    for (const f of c.hashed ?? []) got[f] = await sha256(await Deno.readFile(`${dir}/${f}`));
    return got;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("refactoring guard: simulate's outputs are byte-identical to the recorded ones", async () => {
  const results = await Promise.all(CASES.map(runCase));
  const hashes: Record<string, Record<string, string>> = {};
  for (const [i, c] of CASES.entries()) {
    const got = results[i];
    const stdoutFile = `${golden}${c.name}.stdout`;
    if (UPDATE) {
      await Deno.mkdir(golden, { recursive: true });
      await Deno.writeTextFile(stdoutFile, got.stdout);
      for (const f of c.whole ?? []) await Deno.writeTextFile(`${golden}${c.name}.${f}`, got[f]);
      hashes[c.name] = Object.fromEntries((c.hashed ?? []).map((f) => [f, got[f]]));
      continue;
    }
    assert.equal(got.stdout, await Deno.readTextFile(stdoutFile), `${c.name}: stdout`);
    for (const f of c.whole ?? []) {
      assert.equal(got[f], await Deno.readTextFile(`${golden}${c.name}.${f}`), `${c.name}: ${f}`);
    }
    const want = JSON.parse(await Deno.readTextFile(`${golden}hashes.json`))[c.name] ?? {};
    for (const f of c.hashed ?? []) assert.equal(got[f], want[f], `${c.name}: ${f} (SHA-256)`);
  }
  if (UPDATE) {
    await Deno.writeTextFile(`${golden}hashes.json`, JSON.stringify(hashes, null, 2) + "\n");
  }
});
