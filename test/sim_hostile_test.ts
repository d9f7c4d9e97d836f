/**
 * `simulate` on the hostile inputs of issue 12 section 4, as a process: each ends with the
 * documented exit code and one line on stderr naming what and where, and leaves no output file
 * half-written (nor a temporary file). Expected values come from the issue and the scenario
 * reference (ranges: times <= 1e12 µs, rates >= 1e-6/s, regions <= 64 MiB), not from a run.
 */
import assert from "node:assert/strict";

const main = new URL("../main.ts", import.meta.url).pathname;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], cwd: string): Promise<Run> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--cached-only", "-A", main, "simulate", "--no-progress", ...args],
    cwd,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Exit code `code` and exactly one stderr line matching `want`. */
function oneLine(r: Run, code: number, want: RegExp): void {
  assert.equal(r.code, code, r.stderr);
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], want);
}

function files(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
}

async function scenarioDir(json: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "faultscope-hostile-" });
  await Deno.writeTextFile(`${dir}/s.json`, json);
  return dir;
}

const OUTPUTS = ["--trace", "t.ndjson", "--plot", "p.svg", "--out", "o.bin"];

Deno.test("rate_per_s 5e-324 (an infinite event time) is refused before anything is written", async () => {
  const dir = await scenarioDir('{"producer":{"arrivals":{"kind":"poisson","rate_per_s":5e-324}}}');
  const r = await cli(["--scenario", "s.json", ...OUTPUTS], dir);
  oneLine(
    r,
    2,
    /^faultscope: s\.json: producer\.arrivals\.rate_per_s: expected a number >= 1e-6, got 5e-324$/,
  );
  assert.deepEqual(files(dir), ["s.json"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("start_us 1e308 with --plot is refused: no chart, no endless axis", async () => {
  const dir = await scenarioDir('{"producer":{"arrivals":{"kind":"poisson","start_us":1e308}}}');
  const r = await cli(["--scenario", "s.json", "--plot", "p.svg"], dir);
  oneLine(r, 2, /^faultscope: s\.json: producer\.arrivals\.start_us: expected a number <= 1e12/);
  assert.deepEqual(files(dir), ["s.json"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("region_size 1e15 is a usage error naming the key, not an allocation failure", async () => {
  const dir = await scenarioDir('{"region":{"region_size":1e15}}');
  const r = await cli(["--scenario", "s.json"], dir);
  oneLine(r, 2, /^faultscope: s\.json: region\.region_size: expected a number <= 67108864/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("10^12 faults at one instant plus an injection: the cost of corruption ends", async () => {
  const dir = await scenarioDir(
    '{"producer":{"arrivals":{"kind":"storm","burst":1e12,"gap_us":0,"interval_us":1}},' +
      '"inject":[{"at_event":10,"kind":"prod_corrupt"}]}',
  );
  const r = await cli(["--scenario", "s.json", "--json"], dir);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  // The default 100,000 events all happen at t = 0; the run without the injection replays the
  // same faults, not the 10^12 that arrive "by" t = 0.
  assert.equal(j.events, 100_000);
  assert.equal(j.sim_time_us, 0);
  assert.equal(j.injection.baseline.produced, j.produced);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("--events 1e12 says what it would cost and needs --yes; nothing is written", async () => {
  const dir = await Deno.makeTempDir({ prefix: "faultscope-hostile-" });
  const r = await cli(["--events", "1e12", "--trace", "t.ndjson"], dir);
  oneLine(
    r,
    2,
    /^faultscope: this run would take up to 1000000000000 events, about \d+ days, an? \d+ TiB trace; pass --yes to start it/,
  );
  assert.deepEqual(files(dir), []);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("--snapshot-every 1 on the default run counts its images and needs --yes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "faultscope-hostile-" });
  const r = await cli(["--snapshot-every", "1", "--out", "s.bin"], dir);
  // Up to 4 events per fault (20,000 faults in 420 ms) plus the stall edges and the start.
  oneLine(
    r,
    2,
    /^faultscope: this run would take up to \d+ events, .* region images \(.*GiB\); pass --yes/,
  );
  assert.deepEqual(files(dir), []);
  await Deno.remove(dir, { recursive: true });
});

/** Starts a long run, signals it once it runs, and returns what it left. */
async function interrupt(
  signal: Deno.Signal,
  dir: string,
  args = ["--events", "1e9", "--yes", "--json", "--trace", "t.ndjson", "--plot", "p.svg"],
): Promise<Run> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--cached-only",
      "-A",
      main,
      "simulate",
      "--no-progress",
      ...args,
    ],
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  // The cost line on stderr comes just before the run starts.
  const err = child.stderr.getReader();
  const dec = new TextDecoder();
  let stderr = "";
  while (!stderr.includes("\n")) {
    const { value, done } = await err.read();
    if (done) break;
    stderr += dec.decode(value);
  }
  // Let it write part of the trace.
  for (let i = 0; i < 100 && !files(dir).some((f) => f.endsWith(".tmp")); i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill(signal);
  const [status, stdout] = await Promise.all([
    child.status,
    new Response(child.stdout).text(),
  ]);
  for (;;) {
    const { value, done } = await err.read();
    if (done) break;
    stderr += dec.decode(value);
  }
  return { code: status.code, stdout, stderr };
}

for (const [signal, code] of [["SIGTERM", 143], ["SIGINT", 130]] as const) {
  Deno.test(`${signal}: the partial summary, exit ${code}, the old trace untouched`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "faultscope-hostile-" });
    await Deno.writeTextFile(`${dir}/t.ndjson`, "old trace\n");
    const r = await interrupt(signal, dir);
    assert.equal(r.code, code, r.stderr);
    const lines = r.stderr.trimEnd().split("\n");
    assert.match(lines[0], /^faultscope: up to 1000000000 events/);
    assert.equal(lines.length, 2, r.stderr);
    assert.match(
      lines[1],
      new RegExp(
        `^faultscope: interrupted by ${signal} after [\\d,]+ events; the summary above covers ` +
          `them; not written: t\\.ndjson, p\\.svg$`,
      ),
    );
    const j = JSON.parse(r.stdout);
    assert.equal(j.interrupted, true);
    assert.ok(j.events > 0 && j.events < 1e9);
    assert.equal(j.produced, j.delivered + j.dropped + j.pending);
    assert.equal(j.trace, null);
    assert.equal(j.plot, null);
    // Whole or not at all: the previous trace stays, no chart, no temporary file.
    assert.deepEqual(files(dir), ["t.ndjson"]);
    assert.equal(await Deno.readTextFile(`${dir}/t.ndjson`), "old trace\n");
    await Deno.remove(dir, { recursive: true });
  });
}

Deno.test("a full disk: /dev/full as image or trace is one line naming it, exit 2", async () => {
  const dir = await Deno.makeTempDir({ prefix: "faultscope-hostile-" });
  oneLine(
    await cli(["--out", "/dev/full"], dir),
    2,
    /^faultscope: \/dev\/full: cannot write the region image: no space left on device$/,
  );
  oneLine(
    await cli(["--trace", "/dev/full"], dir),
    2,
    /^faultscope: \/dev\/full: cannot write the trace: no space left on device$/,
  );
  // Numbered files cannot be made from a device's name.
  oneLine(
    await cli(["--out", "/dev/full", "--snapshot-every", "5000"], dir),
    2,
    /^faultscope: --out \/dev\/full is not a regular file: several snapshots need a file name/,
  );
  assert.deepEqual(files(dir), []);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a full disk under the chart: the summary stays, one line names the chart, exit 2", async () => {
  // A device cannot be checked for space before the run: the run is done and printed, then the
  // chart's write fails (issue 12: "--plot a partial SVG" on a full disk).
  const dir = await Deno.makeTempDir({ prefix: "faultscope-hostile-" });
  const r = await cli(["--events", "3000", "--plot", "/dev/full"], dir);
  oneLine(r, 2, /^faultscope: \/dev\/full: cannot write the chart: no space left on device$/);
  assert.match(r.stdout, /^seed-storm-stalled \(seed 1\)\n/);
  assert.match(r.stdout, /simulated +3000 events/);
  assert.doesNotMatch(r.stdout, /chart +\/dev\/full/);
  assert.deepEqual(files(dir), []);
  await Deno.remove(dir, { recursive: true });
});

/** Runs simulate under a file size limit of `kib` KiB (SIGXFSZ ignored: writes fail, EFBIG). */
async function limited(kib: number, args: string, dir: string): Promise<Run> {
  const out = await new Deno.Command("bash", {
    args: [
      "-c",
      `trap '' XFSZ; ulimit -f ${kib}; exec "$0" run --cached-only -A "$1" simulate --no-progress ` +
      args,
      Deno.execPath(),
      main,
    ],
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("a full disk under the snapshots: no 0-byte or partial image, the old one kept", async () => {
  // Region images are 65536 bytes; a 32 KiB file size limit makes each write fail half-way,
  // as a disk that fills does (issue 12: "snapshots a 0-byte file").
  const dir = await Deno.makeTempDir({ prefix: "faultscope-hostile-" });
  await Deno.writeTextFile(`${dir}/snap.bin`, "old image\n");
  oneLine(
    await limited(32, "--events 3000 --out snap.bin", dir),
    2,
    /^faultscope: snap\.bin: cannot write the region image: file too large/,
  );
  assert.deepEqual(files(dir), ["snap.bin"]);
  assert.equal(await Deno.readTextFile(`${dir}/snap.bin`), "old image\n");
  // Numbered snapshots: the first one fails, and none is left, whole or not.
  oneLine(
    await limited(32, "--events 3000 --out s.bin --snapshot-every 1000", dir),
    2,
    /^faultscope: s-1000\.bin: cannot write the region image: file too large/,
  );
  assert.deepEqual(files(dir), ["snap.bin"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a scenario that is not a file: /dev/zero, a directory, a missing file; one line each", async () => {
  const dir = await Deno.makeTempDir({ prefix: "faultscope-hostile-" });
  // /dev/zero never ends: a scenario file is read up to 16 MiB, then refused (before, the whole
  // memory of the machine went into reading it).
  oneLine(
    await cli(["--scenario", "/dev/zero", ...OUTPUTS], dir),
    2,
    /^faultscope: \/dev\/zero: cannot read the scenario: more than 16777216 bytes$/,
  );
  oneLine(
    await cli(["--scenario", "."], dir),
    2,
    /^faultscope: \.: cannot read the scenario: is a directory$/,
  );
  oneLine(
    await cli(["--scenario", "gone.json"], dir),
    2,
    /^faultscope: gone\.json: cannot read the scenario: no such file$/,
  );
  assert.deepEqual(files(dir), []);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("bad flag values: one line naming the flag and what it takes, exit 2", async () => {
  const dir = await Deno.makeTempDir({ prefix: "faultscope-hostile-" });
  // Issue 12: "--page-size abc says 'must be an integer >= 0' instead of listing 4k/16k/64k";
  // "a typo prints two stderr lines".
  oneLine(
    await cli(["--page-size", "abc"], dir),
    2,
    /^faultscope: option '--page-size <bytes>' argument 'abc' is invalid: must be one of 4096, 16384, 65536 \(or 4k, 16k, 64k\)$/,
  );
  oneLine(
    await cli(["--evnts", "5"], dir),
    2,
    /^faultscope: unknown option '--evnts' for 'simulate' \(did you mean --events\?\)$/,
  );
  oneLine(
    await cli(["--inject", "cons_out_of_range"], dir),
    2,
    /^faultscope: --inject cons_out_of_range: expected KIND@EVENT/,
  );
  oneLine(
    await cli(["--seed", "5000000000"], dir),
    2,
    /^faultscope: option '--seed <n>' argument '5000000000' is invalid: must be an integer from 0 to 4294967295 \(decimal, 0x hex or 1e6\)$/,
  );
  assert.deepEqual(files(dir), []);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a file size limit (a full disk for a regular file) leaves the old trace whole", async () => {
  const dir = await Deno.makeTempDir({ prefix: "faultscope-hostile-" });
  await Deno.writeTextFile(`${dir}/t.ndjson`, "old trace\n");
  // SIGXFSZ ignored: writes past 256 KiB fail with EFBIG, as writes to a full disk fail.
  const out = await new Deno.Command("bash", {
    args: [
      "-c",
      `trap '' XFSZ; ulimit -f 256; exec "$0" run --cached-only -A "$1" simulate --no-progress ` +
      `--events 1000000 --trace t.ndjson`,
      Deno.execPath(),
      main,
    ],
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  oneLine(
    { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) },
    2,
    /^faultscope: t\.ndjson: cannot write the trace: file too large/,
  );
  assert.deepEqual(files(dir), ["t.ndjson"]);
  assert.equal(await Deno.readTextFile(`${dir}/t.ndjson`), "old trace\n");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("one file in two roles is a usage error, and the file is left alone", async () => {
  const dir = await scenarioDir('{"events": 3000}');
  const cases: [string[], RegExp][] = [
    [["--scenario", "s.json", "--trace", "s.json"], /^faultscope: --scenario and --trace name/],
    [["--out", "x", "--trace", "x"], /^faultscope: --out and --trace name the same file \(x\)/],
    [["--out", "x", "--plot", "./x"], /^faultscope: --out and --plot name the same file/],
  ];
  for (const [args, want] of cases) oneLine(await cli(args, dir), 2, want);
  assert.deepEqual(files(dir), ["s.json"]);
  assert.equal(await Deno.readTextFile(`${dir}/s.json`), '{"events": 3000}');
  await Deno.remove(dir, { recursive: true });
});

Deno.test("outputs are checked before the run: a missing directory fails at once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "faultscope-hostile-" });
  for (const flag of ["--plot", "--out", "--trace"]) {
    const r = await cli([flag, "/nonexistent/x"], dir);
    oneLine(
      r,
      2,
      /^faultscope: \/nonexistent\/x: cannot write the .*: no such directory \/nonexistent$/,
    );
    assert.equal(r.stdout, "", "no summary: nothing ran");
  }
  // A directory given as the file.
  oneLine(
    await cli(["--plot", "."], dir),
    2,
    /^faultscope: \.: cannot write the chart: is a directory$/,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("--layout dma-fault says which policies came with it; --kernel-policy sets them", async () => {
  const dir = await Deno.makeTempDir({ prefix: "faultscope-hostile-" });
  const dma = JSON.parse((await cli(["--layout", "dma-fault", "--json"], dir)).stdout);
  // The RFC v3 kernel used a true modulo and no header check; v4+ kernels CIRC_SPACE and
  // bounds checks; the v4+ VMM wrote cons once per drain (issue 12 section 3).
  assert.equal(dma.index_math, "circ");
  assert.equal(dma.header_check, "bounds");
  assert.deepEqual(dma.layout_defaults, {
    index_math: "circ",
    header_check: "bounds",
    cons_write: "per_drain",
  });
  const same = JSON.parse(
    (await cli(["--layout", "dma-fault", "--kernel-policy", "rfc3", "--json"], dir)).stdout,
  );
  assert.equal(same.index_math, "modulo");
  assert.equal(same.header_check, "none");
  assert.deepEqual(same.layout_defaults, { cons_write: "per_drain" });
  const human = await cli(["--layout", "dma-fault"], dir);
  assert.match(
    human.stdout,
    /^ {2}layout defaults +index_math circ, header_check bounds, cons_write per_drain \(dma-fault's/m,
  );
  const rfc3 = await cli([], dir);
  assert.doesNotMatch(rfc3.stdout, /layout defaults/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a trace to a device costs time, not disk: --events 1e8 --trace /dev/null starts", async () => {
  const dir = await Deno.makeTempDir({ prefix: "faultscope-hostile-" });
  // 10^8 events with a trace: about 40 s at 2.5 M events/s, under the 5 minutes that need
  // --yes, and 9 GiB of trace, over the 4 GiB that do. To a file it needs --yes; to /dev/null
  // it is no disk at all, so it starts (and is stopped here once it says so).
  oneLine(await cli(["--events", "1e8", "--trace", "t.ndjson"], dir), 2, /GiB trace; pass --yes/);
  const r = await interrupt("SIGINT", dir, ["--events", "1e8", "--trace", "/dev/null"]);
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /^faultscope: up to 100000000 events, about \d+ s\n/);
  assert.deepEqual(files(dir), []);
  await Deno.remove(dir, { recursive: true });
});
