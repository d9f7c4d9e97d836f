// `faultscope bench` as a user and a script see it: real processes, exit codes, one-line
// errors, the JSON schema, Ctrl-C. Runs are tiny (50 ms per configuration): these check the
// command, not performance, which is measured by `faultscope bench` and `deno bench` only.
import assert from "node:assert/strict";

const root = new URL("../", import.meta.url);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function spawn(args: string[]) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--cached-only", "-A", new URL("main.ts", root).pathname, "bench", ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
}

async function bench(args: string[]): Promise<Result> {
  const out = await spawn(args).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

function assertOneLineError(r: Result, code: number, needle: RegExp) {
  assert.equal(r.code, code, `exit code (stderr: ${r.stderr})`);
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line on stderr, got: ${r.stderr}`);
  assert.match(lines[0], /^faultscope: /);
  assert.match(lines[0], needle);
  assert.doesNotMatch(r.stderr, /\bat .*:\d+:\d+|Stack backtrace|Uncaught/);
}

// A record count, not a duration: the measurement window opens after a fifth of the records
// whatever the load, so every row has records/s above zero even when the suite runs in
// parallel with other processes.
const TINY = ["--records", "20000", "--warmup", "10", "--no-idle"];

Deno.test("bench: bad flag values are one-line usage errors, exit 2", async () => {
  assertOneLineError(await bench(["--batch", "0"]), 2, /batch/);
  assertOneLineError(await bench(["--batch", "16,x"]), 2, /batch/);
  assertOneLineError(await bench(["--duration", "-1"]), 2, /duration/);
  assertOneLineError(await bench(["--records", "1.5"]), 2, /records/);
  // A run is either a record count or a duration (the JSON has one of records and duration_ms
  // null): both is refused, not one silently preferred.
  assertOneLineError(
    await bench(["--records", "100", "--duration", "1"]),
    2,
    /option '--records <n>' cannot be used with option '--duration <s>'/,
  );
  assertOneLineError(await bench(["--layout", "fault-prod"]), 2, /fault-prod/);
  assertOneLineError(await bench(["--wait", "sleep"]), 2, /sleep/);
});

Deno.test("bench --help documents the options with an example", async () => {
  const r = await bench(["--help"]);
  assert.equal(r.code, 0);
  for (const o of ["--records", "--duration", "--json", "--batch", "--wait", "Examples:"]) {
    assert.ok(r.stdout.includes(o), `help mentions ${o}`);
  }
  assert.match(r.stdout, /faultscope bench --/);
  assert.doesNotMatch(r.stdout, /corrupt-cons-at/, "the self-test hook stays hidden");
});

Deno.test("bench --json: one row per configuration and baseline, every one verified", async () => {
  const r = await bench([
    ...TINY,
    "--batch",
    "4,32",
    "--layout",
    "dma-fault",
    "--wait",
    "spin",
    "--json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "", "no progress bar when stderr is not a terminal");
  const j = JSON.parse(r.stdout);
  assert.equal(j.verified, true);
  const names = j.results.map((x: { name: string }) => x.name);
  assert.deepEqual(names, [
    "dma-fault b4 spin",
    "dma-fault b32 spin",
    "dma-fault/split b4 spin",
    "dma-fault/split b32 spin",
    "postMessage",
    "postMessage-batched",
    "ringbuf.js",
    "minimal-ring",
  ]);
  for (const row of j.results) {
    for (const k of ["name", "layout", "batch", "wait", "records_per_s", "mb_per_s", "verified"]) {
      assert.ok(k in row, `${row.name} has ${k}`);
    }
    assert.equal(row.verified, true, row.name);
    assert.ok(row.records_per_s > 0, row.name);
    // 64-byte records: MB/s is records/s x 64 / 1e6.
    assert.ok(Math.abs(row.mb_per_s - row.records_per_s * 64 / 1e6) < 0.02 * row.mb_per_s + 0.01);
    assert.deepEqual(Object.keys(row.latency_ns), ["p50", "p99", "p999", "max"]);
    assert.ok(
      row.latency_ns.p50 <= row.latency_ns.p99 && row.latency_ns.p99 <= row.latency_ns.p999,
    );
    // Ratios are against the baselines measured in this very run.
    const rb = j.results.find((x: { name: string }) => x.name === "ringbuf.js");
    assert.ok(Math.abs(row.ratio["ringbuf.js"] - row.records_per_s / rb.records_per_s) < 0.01);
  }
  for (const swept of j.results.slice(-2)) {
    assert.deepEqual(swept.sweep.map((p: { batch: number }) => p.batch), [4, 32]);
    assert.equal(
      swept.records_per_s,
      Math.max(...swept.sweep.map((p: { records_per_s: number }) => p.records_per_s)),
    );
  }
  assert.equal(j.results[2].indices, "split");
  assert.equal(j.results[4].batch, 1);
  assert.equal(j.results[5].batch, 32, "batched postMessage uses the largest batch");
});

Deno.test("bench: the human table is plain when piped and shows the verdict", async () => {
  const r = await bench([
    ...TINY,
    "--batch",
    "8",
    "--layout",
    "rfc3",
    "--no-split",
    "--no-baselines",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "");
  assert.ok(!r.stdout.includes("\x1b["), "no escape codes when not a terminal");
  const lines = r.stdout.split("\n");
  assert.match(lines[0], /^machine: .*\d+ logical CPUs/);
  assert.match(lines[2], /^configuration\s+rec\/s\s+MB\/s\s+p50\s+p99\s+p99\.9/);
  assert.match(r.stdout, /^rfc3 b8 spin\s+\S+M?\s.*\sok$/m);
  assert.match(r.stdout, /^rfc3 b8 spin-wait\s.*\sok$/m);
});

Deno.test("bench: a record lost to a corrupted index fails loudly with exit 1", async () => {
  // A record count, not a duration: under load (the suite runs files in parallel) 50 ms may not
  // reach record 2000, and the run would end clean.
  const r = await bench([
    "--records",
    "20000",
    "--warmup",
    "10",
    "--no-idle",
    "--batch",
    "8",
    "--layout",
    "dma-fault",
    "--wait",
    "spin",
    "--no-split",
    "--no-baselines",
    "--corrupt-cons-at",
    "2000",
  ]);
  assertOneLineError(r, 1, /VERIFICATION FAILED.*producer stopped: tail 512 is out of range/);
  assert.match(r.stdout, /^dma-fault b8 spin\s.*FAILED$/m);
});

Deno.test("bench: Ctrl-C stops the workers, prints the partial table, exit 130", async () => {
  const dir = await Deno.makeTempDir();
  const ready = `${dir}/ready`;
  const child = spawn(["--duration", "20", "--batch", "16", "--no-idle", "--ready-file", ready]);
  // Interrupt once the first configuration's workers are going (the command says so by
  // creating the file), however long start-up took.
  for (;;) {
    try {
      await Deno.stat(ready);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  child.kill("SIGINT");
  const out = await child.output();
  await Deno.remove(dir, { recursive: true });
  const r = {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
  assertOneLineError(r, 130, /interrupted/);
  assert.match(r.stdout, /^rfc3 b16 spin\s.*partial$/m);
  assert.match(r.stdout, /interrupted: the table holds the runs finished so far/);
});

Deno.test("bench --repeat: every repeat is run and verified, the row is the median", async () => {
  const r = await bench([
    ...TINY,
    "--repeat",
    "3",
    "--batch",
    "8",
    "--layout",
    "rfc3",
    "--wait",
    "spin",
    "--no-split",
    "--no-baselines",
    "--json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.options.repeat, 3);
  const [row] = j.results;
  assert.equal(row.runs.length, 3);
  assert.equal(row.records_per_s, [...row.runs].sort((a: number, b: number) => a - b)[1]);
});

/** The keys and JSON types of a value, recursively: what "type-stable" means. */
function shape(v: unknown): unknown {
  if (v === null) return "null";
  if (Array.isArray(v)) return v.length === 0 ? "array" : ["array", shape(v[0])];
  if (typeof v === "object") {
    return Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, shape(x)]));
  }
  return typeof v;
}

Deno.test("bench --json is complete and type-stable: every row has the same keys and types", async () => {
  const r = await bench([
    "--records",
    "20000",
    "--warmup",
    "10",
    "--batch",
    "8",
    "--layout",
    "dma-fault",
    "--wait",
    "spin",
    "--no-split",
    "--json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  // What was run, always stated: no duration_ms 0 for a record-count run.
  assert.deepEqual(j.options, {
    records: 20000,
    duration_ms: null,
    warmup_ms: 10,
    batches: [8],
    layouts: ["dma-fault"],
    waits: ["spin"],
    split: false,
    baselines: true,
    c_reference: false,
    spin_us: 50,
    spin_max_us: 2000,
    sleep_ms: 50,
    repeat: 1,
  });
  assert.equal(j.c_reference.available, false);
  // The machine, and where the workers ran.
  assert.equal(typeof j.machine.logical_cpus, "number");
  assert.ok(j.machine.cpu_model === null || typeof j.machine.cpu_model === "string");
  for (const row of j.results) {
    for (const s of ["producer", "consumer"]) {
      if (row[s] === null) continue;
      assert.ok(Array.isArray(row[s].cpus), `${row.name} ${s}.cpus`);
      assert.equal(typeof row[s].index_loads, "number");
      assert.equal(typeof row[s].clock_reads, "number");
    }
    assert.equal(typeof row.seconds, "number");
    assert.ok(row.seconds > 0, `${row.name} measured for some time`);
  }
  // Type-stable: the ring row's shape, with nulls where a value does not apply, is every row's
  // key set (nulls aside).
  const keys = (o: object) => Object.keys(o).sort();
  const first = j.results[0];
  for (const row of j.results) {
    assert.deepEqual(keys(row), keys(first), row.name);
    assert.deepEqual(keys(row.ratio), [
      "c-reference",
      "minimal-ring",
      "postMessage",
      "postMessage-batched",
      "ringbuf.js",
    ]);
    assert.deepEqual(keys(row.latency_ns), ["max", "p50", "p99", "p999"]);
  }
  // A baseline without latency (the minimal ring stamps nothing) says null, not 0.
  const min = j.results.find((x: { name: string }) => x.name === "minimal-ring");
  assert.deepEqual(min.latency_ns, { p50: null, p99: null, p999: null, max: null });
  assert.deepEqual(shape(j.headline), {
    best: "string",
    records_per_s: "number",
    vs_minimal_ring: "number",
    vs_c_reference: "null",
    best_per_layout: { rfc3: "null", "dma-fault": "string" },
    dma_fault_vs_rfc3: "null",
  });
  // The latency probes ran for each wait strategy asked for.
  assert.deepEqual(
    j.latency.map((p: { kind: string; wait: string }) => `${p.kind} ${p.wait}`),
    ["paced spin", "wake-up spin"],
  );
  for (const p of j.latency) {
    assert.ok(p.ring.p50 <= p.ring.p99 && p.ring.p99 <= p.ring.max);
    assert.equal(p.c_reference, null);
  }
});

Deno.test("bench --c-reference without a C compiler: one line on stderr, the rest still runs", async () => {
  const empty = await Deno.makeTempDir();
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--cached-only",
      "-A",
      new URL("main.ts", root).pathname,
      "bench",
      ...TINY,
      "--batch",
      "8",
      "--layout",
      "rfc3",
      "--wait",
      "spin",
      "--no-split",
      "--no-baselines",
      "--c-reference",
      "--json",
    ],
    env: { NO_COLOR: "1", PATH: empty },
    stdout: "piped",
    stderr: "piped",
  }).output();
  await Deno.remove(empty);
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  assert.deepEqual(stderr.trimEnd().split("\n").length, 1, stderr);
  assert.match(
    stderr,
    /^faultscope: bench: C reference skipped: no C compiler: `cc` is not on PATH$/m,
  );
  const j = JSON.parse(new TextDecoder().decode(out.stdout));
  assert.equal(j.c_reference.available, false);
  assert.match(j.c_reference.reason, /cc/);
  assert.deepEqual(j.results.map((x: { name: string }) => x.name), ["rfc3 b8 spin"]);
  assert.equal(j.results[0].ratio["c-reference"], null);
});

Deno.test("bench --c-reference: each ring row has its C11 twin, verified, and the ratio to it", async () => {
  const cc = await new Deno.Command("cc", { args: ["--version"], stdout: "null", stderr: "null" })
    .output().then((o) => o.success, () => false);
  if (!cc) return; // the no-compiler path is tested above
  const r = await bench([
    "--duration",
    "0.05",
    "--warmup",
    "10",
    "--batch",
    "16",
    "--layout",
    "dma-fault",
    "--wait",
    "spin-wait",
    "--no-split",
    "--no-baselines",
    "--c-reference",
    "--json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "");
  const j = JSON.parse(r.stdout);
  assert.equal(j.c_reference.available, true);
  const [ring, c] = j.results;
  assert.equal(ring.name, "dma-fault b16 spin-wait");
  assert.equal(c.name, "C11 dma-fault b16 spin-wait");
  assert.equal(c.twin_of, ring.name);
  assert.equal(c.transport, "c-reference");
  assert.equal(c.verified, true);
  assert.equal(c.record_size, 64);
  assert.ok(c.records_per_s > 0);
  assert.ok(Math.abs(ring.ratio["c-reference"] - ring.records_per_s / c.records_per_s) < 0.01);
  assert.equal(j.headline.vs_c_reference, ring.ratio["c-reference"]);
  // The probes ran for the C reference too.
  assert.ok(
    j.latency.length === 2 &&
      j.latency.every((p: { c_reference: unknown }) => p.c_reference !== null),
  );
});
