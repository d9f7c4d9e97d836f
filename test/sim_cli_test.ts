/**
 * `faultscope simulate` as a process: byte-identical outputs from two runs in two directories,
 * numbered snapshot files, and one-line errors with exit 2 for bad scenario files.
 */
import assert from "node:assert/strict";
import { openRegion } from "../src/region/model.ts";
import { validateRegion } from "../src/rules/validate.ts";

const main = new URL("../main.ts", import.meta.url).pathname;
const scenarios = new URL("../testdata/scenarios/", import.meta.url).pathname;

async function cli(args: string[], cwd?: string) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--cached-only", "-A", main, "simulate", ...args],
    cwd,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("two runs give byte-identical JSON, trace, snapshots and chart", async () => {
  const args = [
    "--scenario",
    scenarios + "corrupt-prod-corrupt-none.json",
    "--events",
    "30000",
    "--json",
    "--trace",
    "trace.ndjson",
    "--snapshot-every",
    "10000",
    "--out",
    "snap.bin",
    "--plot",
    "chart.svg",
  ];
  const dirs = [await Deno.makeTempDir(), await Deno.makeTempDir()];
  const runs = await Promise.all(dirs.map((d) => cli(args, d)));
  for (const r of runs) assert.equal(r.code, 0, r.stderr);
  assert.equal(runs[0].stdout, runs[1].stdout);
  const files = [...Deno.readDirSync(dirs[0])].map((e) => e.name).sort();
  assert.deepEqual(files, [
    "chart.svg",
    "snap-10000.bin",
    "snap-20000.bin",
    "snap-30000.bin",
    "trace.ndjson",
  ]);
  for (const f of files) {
    assert.deepEqual(Deno.readFileSync(`${dirs[1]}/${f}`), Deno.readFileSync(`${dirs[0]}/${f}`), f);
  }
  const j = JSON.parse(runs[0].stdout);
  for (
    const k of ["produced", "delivered", "dropped", "dropped_by_cause", "pending", "max_occupancy"]
  ) {
    assert.ok(k in j, k);
  }
  assert.deepEqual(Object.keys(j.latency).slice(0, 3), ["p50", "p99", "max"]);
  assert.equal(j.produced, j.delivered + j.dropped + j.pending);
  assert.deepEqual(j.snapshots.map((s: { file: string }) => s.file), [
    "snap-10000.bin",
    "snap-20000.bin",
    "snap-30000.bin",
  ]);
  // The trace: a begin line, one line per event numbered 1..N, and the summary last.
  const lines = Deno.readTextFileSync(`${dirs[0]}/trace.ndjson`).trimEnd().split("\n");
  assert.equal(JSON.parse(lines[0]).ev, "begin");
  assert.equal(lines.length, 30000 + 2);
  assert.equal(JSON.parse(lines[1]).n, 1);
  assert.equal(JSON.parse(lines[30000]).n, 30000);
  assert.deepEqual(JSON.parse(lines[30001]).summary.produced, j.produced);
  assert.ok(lines.some((l) => l.includes('"ev":"inject"')));
  assert.ok(Deno.readTextFileSync(`${dirs[0]}/chart.svg`).startsWith("<svg"));
  // Snapshot 10000 is before the injection (event 20000): it validates clean.
  const img = Deno.readFileSync(`${dirs[0]}/snap-10000.bin`);
  const errs = validateRegion(openRegion(img)).filter((f) => f.severity === "error");
  assert.deepEqual(errs, []);
  const other = await cli([...args.slice(0, 4), "--seed", "2", "--trace", "t2.ndjson"], dirs[0]);
  assert.equal(other.code, 0, other.stderr);
  assert.notDeepEqual(
    Deno.readFileSync(`${dirs[0]}/t2.ndjson`),
    Deno.readFileSync(`${dirs[0]}/trace.ndjson`),
  );
  for (const d of dirs) await Deno.remove(d, { recursive: true });
});

Deno.test("the human summary is a plain table without colour when piped", async () => {
  const r = await cli(["--events", "5000"]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!r.stdout.includes("\x1b["), "no escape codes");
  for (
    const k of [
      "produced",
      "delivered",
      "dropped",
      "pending at end",
      "occupancy",
      "time full",
      "latency",
    ]
  ) {
    assert.match(r.stdout, new RegExp(`^  ${k} +\\S`, "m"), k);
  }
  assert.match(r.stdout, /^ {2}peak over time +[▁▂▃▄▅▆▇█]+$/m);
});

async function badFile(json: unknown): Promise<string> {
  const p = await Deno.makeTempFile({ suffix: ".json" });
  await Deno.writeTextFile(p, JSON.stringify(json));
  return p;
}

Deno.test("bad scenario files: exit 2 and one line naming the file and the key", async () => {
  const cases: [unknown, string][] = [
    [{ consumer: { stall: [] } }, "consumer.stall: unknown key"],
    [{ seed: "one" }, 'seed: expected a number, got "one"'],
    [
      { producer: { arrivals: { kind: "poisson", rate_per_s: -1 } } },
      "producer.arrivals.rate_per_s",
    ],
    [
      { region: { layout: "fault-prod", page_size: 4096, capacity: 100 } },
      "region.capacity: 100 entries",
    ],
  ];
  const files = await Promise.all(cases.map(([j]) => badFile(j)));
  const runs = await Promise.all(files.map((f) => cli(["--scenario", f])));
  runs.forEach((r, i) => {
    assert.equal(r.code, 2, r.stderr);
    const lines = r.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, r.stderr);
    assert.ok(lines[0].startsWith(`faultscope: ${files[i]}: `), lines[0]);
    assert.ok(lines[0].includes(cases[i][1]), lines[0]);
  });
  const noOut = await cli(["--snapshot-at", "5"]);
  assert.equal(noOut.code, 2);
  assert.match(noOut.stderr, /^faultscope: .*--out/);
  for (const f of files) await Deno.remove(f);
});

Deno.test("--realtime --json: the live image's entry has the indices the image ends with", async () => {
  const dir = await Deno.makeTempDir({ prefix: "faultscope-live-" });
  for (const layout of ["rfc3", "fault-prod"]) {
    const r = await cli(
      [
        "--layout",
        layout,
        "--events",
        "3000",
        "--realtime",
        "--speed",
        "1e6",
        "--out",
        "live.bin",
        "--json",
      ],
      dir,
    );
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    const [snap] = j.snapshots;
    // abi.md 3.1: RFC v3's header is {size, prod, cons, reserved}; 3.2: v4-v8's PROD region has
    // prod at offset 16 and keeps cons in the separate CONS region, so the image holds no cons.
    const dv = new DataView((await Deno.readFile(`${dir}/live.bin`)).buffer);
    if (layout === "rfc3") {
      assert.deepEqual([snap.prod, snap.cons, snap.cons_in_image], [
        j.header.prod,
        j.header.cons,
        true,
      ]);
      assert.deepEqual([dv.getUint32(4, true), dv.getUint32(8, true)], [snap.prod, snap.cons]);
    } else {
      assert.deepEqual([snap.prod, snap.cons, snap.cons_in_image], [
        j.header.prod,
        j.header.cons,
        false,
      ]);
      assert.equal(dv.getUint32(16, true), snap.prod);
    }
    assert.equal(snap.event, j.events);
  }
  await Deno.remove(dir, { recursive: true });
});
