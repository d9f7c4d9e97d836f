/**
 * Whole-process measurements of `faultscope watch` for bench/RESULTS.md (Watch): the 10-million
 * fault soak of each kind of source (peak RSS, from /proc/PID/status VmHWM), the CPU an idle
 * region costs (from /proc/PID/stat, against an empty 100 ms Deno timer in the same run), and the
 * latency of a `/metrics` scrape with 1,000 series (against a static Deno.serve of the same text).
 *
 * @example
 * ```sh
 * deno run -A bench/watch_soak.ts soak region 10000000   # simulate --realtime + watch
 * deno run -A bench/watch_soak.ts soak stream 10000000   # mainline records on stdin
 * deno run -A bench/watch_soak.ts soak vevent 10000000   # vEVENTQ records on stdin
 * deno run -A bench/watch_soak.ts soak kmsg 10000000     # /dev/kmsg records through a FIFO
 * deno run -A bench/watch_soak.ts idle 60                # one 64 KiB region, default interval
 * deno run -A bench/watch_soak.ts scrape 500             # 500 scrapes of 1,000 series
 * ```
 * @module
 */
import { buildRegion } from "../src/region/model.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const GEN = new URL("./watch_gen.ts", import.meta.url).pathname;
const CLK_TCK = 100;

function deno(args: string[], o: Partial<Deno.CommandOptions> = {}): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...args],
    stdout: "null",
    stderr: "piped",
    ...o,
  }).spawn();
}

/** Peak RSS (VmHWM) of a running process, in MB. */
function peakMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync(`/proc/${pid}/status`));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** CPU seconds (user + system) a running process used so far. */
function cpuSeconds(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

const loadavg = () => Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Samples a process's peak RSS until it exits; returns the last sample. */
async function watchPeak(child: Deno.ChildProcess): Promise<number> {
  let peak = 0, done = false;
  child.status.then(() => (done = true));
  while (!done) {
    try {
      peak = Math.max(peak, peakMb(child.pid));
    } catch { /* exited */ }
    await sleep(200);
  }
  return peak;
}

async function soak(kind: string, n: number) {
  const dir = await Deno.makeTempDir({ prefix: "faultscope-soak-" });
  const metrics = ["--metrics-file", `${dir}/m.prom`, "-q"];
  const t0 = performance.now();
  let peak: number, summary: string;
  if (kind === "region") {
    // 10 M faults at 100,000 a second of simulated time, replayed as fast as the writer goes.
    await Deno.writeTextFile(
      `${dir}/s.json`,
      JSON.stringify({
        name: "watch-soak",
        seed: 3,
        events: 1e15,
        region: { layout: "rfc3" },
        producer: {
          arrivals: { kind: "steady", rate_per_s: 100000 },
          faults: n,
          mix: { reason: { PERMISSION: 1 }, address: { pattern: "sequential", pages: 4294967296 } },
        },
        consumer: { service_us: 1, wake_us: 5, batch: 64 },
      }),
    );
    const image = `${dir}/live.bin`;
    const watch = deno([MAIN, "watch", image, ...metrics], { stdout: "piped" });
    const peakP = watchPeak(watch);
    const sim = deno([
      MAIN,
      "simulate",
      "--realtime",
      "--speed",
      "1e6",
      "--scenario",
      `${dir}/s.json`,
      "--out",
      image,
    ]);
    await sim.status;
    await sleep(500); // the last poll (100 ms interval): not a budget of the measurement
    const hwm = peakMb(watch.pid);
    watch.kill("SIGTERM");
    const o = await watch.output();
    summary = new TextDecoder().decode(o.stdout).trim().split("\n").slice(-3).join("\n");
    peak = Math.max(hwm, await peakP);
  } else {
    const abi = kind === "stream" ? "mainline" : "vevent";
    const gen = kind === "stream" ? "mainline" : kind;
    let watch: Deno.ChildProcess;
    let writer: Deno.ChildProcess;
    if (kind === "kmsg") {
      const fifo = `${dir}/kmsg`;
      await new Deno.Command("mkfifo", { args: [fifo] }).output();
      watch = deno([MAIN, "watch", `${fifo},kind=kmsg`, ...metrics, "--duration", "86400"]);
      writer = deno([GEN, "kmsg", String(n)], { stdout: "piped" });
      const f = await Deno.open(fifo, { write: true });
      await writer.stdout.pipeTo(f.writable);
    } else {
      watch = deno([MAIN, "watch", "-", "--abi", abi, ...metrics], { stdin: "piped" });
      writer = deno([GEN, gen, String(n)], { stdout: "piped" });
      await writer.stdout.pipeTo(watch.stdin);
    }
    const peakP = watchPeak(watch);
    if (kind === "kmsg") {
      // The FIFO closed: watch waits for the next writer; its summary comes at SIGTERM.
      await waitMetrics(`${dir}/m.prom`, n);
      watch.kill("SIGTERM");
    }
    summary = new TextDecoder().decode((await watch.output()).stderr);
    peak = await peakP;
    await writer.status;
  }
  const s = (performance.now() - t0) / 1000;
  console.log(
    `soak ${kind} ${n}: peak RSS ${peak.toFixed(1)} MB, ${s.toFixed(1)} s wall, ` +
      `load ${loadavg()}`,
  );
  console.log(summary.trim().split("\n").slice(-4).join("\n"));
  await Deno.remove(dir, { recursive: true });
}

/** Waits until the metrics file counts `n` kernel-log faults (the soak's end). */
async function waitMetrics(path: string, n: number) {
  for (;;) {
    try {
      const t = Deno.readTextFileSync(path);
      const m = t.match(/^faultscope_faults_total\{[^}]*\} (\d+)$/gm) ?? [];
      const total = m.reduce((a, l) => a + Number(l.split(" ").at(-1)), 0);
      const lost = Number(/faultscope_lost_log_records_total\{[^}]*\} (\d+)/.exec(t)?.[1] ?? 0);
      if (total + lost >= n) return;
    } catch { /* not yet written */ }
    await sleep(200);
  }
}

async function idle(seconds: number) {
  const dir = await Deno.makeTempDir({ prefix: "faultscope-idle-" });
  const region = `${dir}/r.bin`;
  await Deno.writeFile(region, buildRegion({ layout: "rfc3", producer: 7, consumer: 2 }));
  await Deno.writeTextFile(`${dir}/timer.ts`, "setInterval(() => {}, 100);\n");
  const watch = deno([MAIN, "watch", region, "-q"]);
  const timer = deno([`${dir}/timer.ts`]);
  await sleep(5000); // past startup and compilation: what is measured is the steady state
  const a = [cpuSeconds(watch.pid), cpuSeconds(timer.pid)];
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const b = [cpuSeconds(watch.pid), cpuSeconds(timer.pid)];
  const wall = (performance.now() - t0) / 1000;
  watch.kill("SIGTERM");
  timer.kill("SIGTERM");
  await watch.status;
  await timer.status;
  const pct = (i: number) => ((b[i] - a[i]) / wall) * 100;
  console.log(
    `idle ${wall.toFixed(1)} s: watch of a 64 KiB region at 100 ms: ${pct(0).toFixed(2)}% of a ` +
      `core (${(b[0] - a[0]).toFixed(2)} s CPU); empty 100 ms Deno timer: ${pct(1).toFixed(2)}%; ` +
      `load ${loadavg()}`,
  );
  await Deno.remove(dir, { recursive: true });
}

function stats(ms: number[]) {
  const s = [...ms].sort((x, y) => x - y);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return `p50 ${q(0.5).toFixed(2)} ms, p99 ${q(0.99).toFixed(2)} ms, max ${
    s.at(-1)!.toFixed(2)
  } ms`;
}

async function timeScrapes(url: string, n: number, accept?: string): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const r = await fetch(url, accept ? { headers: { accept } } : {});
    await r.text();
    out.push(performance.now() - t);
  }
  return out;
}

async function scrape(n: number) {
  const dir = await Deno.makeTempDir({ prefix: "faultscope-scrape-" });
  const fifo = `${dir}/q`;
  await new Deno.Command("mkfifo", { args: [fifo] }).output();
  const port = 19000 + Math.floor(Math.random() * 1000);
  const watch = deno([
    MAIN,
    "watch",
    `${fifo},abi=hwpt-pgfault`,
    "--listen",
    `127.0.0.1:${port}`,
    "--max-devices",
    "1000",
    "-q",
  ]);
  const gen = deno([GEN, "hwpt", "100000", "1000"], { stdout: "piped" });
  const f = await Deno.open(fifo, { write: true });
  for await (const c of gen.stdout) await f.write(c); // the FIFO stays open: watch keeps going
  const url = `http://127.0.0.1:${port}/metrics`;
  let text = "";
  for (;;) {
    try {
      text = await (await fetch(url)).text();
      if ((text.match(/^faultscope_faults_total\{/gm) ?? []).length === 1000) break;
    } catch { /* not listening yet */ }
    await sleep(100);
  }
  const series = text.split("\n").filter((l) => l && !l.startsWith("#")).length;
  // The same text from a server that only returns it: what HTTP and the client cost.
  const ctl = new AbortController();
  const base = Deno.serve({
    hostname: "127.0.0.1",
    port: port + 1,
    signal: ctl.signal,
    onListen() {},
  }, () => new Response(text, { headers: { "content-type": "text/plain; version=0.0.4" } }));
  await timeScrapes(url, 50);
  await timeScrapes(`http://127.0.0.1:${port + 1}/`, 50);
  const text004 = await timeScrapes(url, n);
  const om = await timeScrapes(url, n, "application/openmetrics-text;version=1.0.0");
  const staticMs = await timeScrapes(`http://127.0.0.1:${port + 1}/`, n);
  console.log(
    `scrape of ${series} series (${text.length} bytes), ${n} scrapes each, load ${loadavg()}`,
  );
  console.log(`  watch /metrics, 0.0.4 text:   ${stats(text004)}`);
  console.log(`  watch /metrics, OpenMetrics:  ${stats(om)}`);
  console.log(`  static Deno.serve, same text: ${stats(staticMs)}`);
  ctl.abort();
  await base.finished;
  f.close();
  watch.kill("SIGTERM");
  await watch.status;
  await gen.status;
  await Deno.remove(dir, { recursive: true });
}

const [mode, a, b] = Deno.args;
if (mode === "soak") await soak(a, Number(b ?? 10_000_000));
else if (mode === "idle") await idle(Number(a ?? 60));
else if (mode === "scrape") await scrape(Number(a ?? 500));
else {
  console.error(
    "usage: deno run -A bench/watch_soak.ts soak region|stream|vevent|kmsg [N] | idle [S] | scrape [N]",
  );
  Deno.exit(2);
}
