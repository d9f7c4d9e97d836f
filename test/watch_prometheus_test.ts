/**
 * `watch`'s metrics against the real thing: Prometheus scrapes `--listen`, node_exporter's
 * textfile collector reads `--metrics-file`, and the counts Prometheus's HTTP query API returns
 * for both are compared with the workload's known counts; `promtool check metrics` lints both
 * outputs. Debian's `prometheus`, `promtool` and `prometheus-node-exporter` are used when they
 * are installed (`apt-get install prometheus prometheus-node-exporter`; CI installs them); the
 * test installs nothing and is ignored, with the reason, when they are missing.
 *
 * Everything listens on 127.0.0.1 (ports picked free), with temporary configuration and storage
 * directories; every process the test starts is stopped by it, also when it fails.
 */
import assert from "node:assert/strict";
import { buildRegion } from "../src/region/model.ts";
import {
  faultscope,
  freePorts,
  has,
  type Proc,
  Proc as Process,
  waitFor,
} from "./watch_support.ts";
import { kmsgRecords } from "./watch_writers.ts";
import { root } from "./support/cli.ts";

const NEEDED = ["prometheus", "promtool", "prometheus-node-exporter"];
const missing = NEEDED.filter((p) => !has(p));

/** The workload: an RFC v3 region with 7 PERMISSION and 3 PTE_FETCH faults pending (abi.md 2.1 reasons 10 and 9). */
function workloadRegion(): Uint8Array {
  const records = Array.from({ length: 10 }, (_, k) => ({
    slot: k,
    fields: {
      type: 1,
      reason: k < 7 ? 10 : 9,
      addr: BigInt(0x1000 * (k + 1)),
      pasid: 1,
      pasid_valid: 1,
    },
  }));
  return buildRegion({ layout: "rfc3", producer: 10, consumer: 0, records });
}

/** Runs promtool check metrics on `text`; returns its exit status and output. */
async function promtool(text: string): Promise<{ code: number; out: string }> {
  const p = new Deno.Command("promtool", {
    args: ["check", "metrics"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = p.stdin.getWriter();
  await w.write(new TextEncoder().encode(text));
  await w.close();
  const o = await p.output();
  const dec = new TextDecoder();
  return { code: o.code, out: dec.decode(o.stdout) + dec.decode(o.stderr) };
}

/** One instant query; the values of the result vector. */
async function query(base: string, q: string): Promise<number[]> {
  const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(q)}`);
  const j = await res.json();
  if (j.status !== "success") throw new Error(`query ${q}: ${JSON.stringify(j)}`);
  return j.data.result.map((r: { value: [number, string] }) => Number(r.value[1]));
}

async function stopAll(procs: Proc[]) {
  for (const p of procs) p.kill("SIGTERM");
  await Promise.all(procs.map((p) => p.stop()));
}

Deno.test({
  name: "Prometheus scrapes --listen and node_exporter reads --metrics-file: the counts match" +
    (missing.length ? ` [skipped: ${missing.join(", ")} not installed]` : ""),
  ignore: missing.length > 0,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "faultscope-prom-" });
    const procs: Proc[] = [];
    try {
      await Deno.mkdir(`${dir}/textfile`);
      await Deno.mkdir(`${dir}/tsdb`);
      await Deno.writeFile(`${dir}/region.bin`, workloadRegion());
      await new Deno.Command("mkfifo", { args: [`${dir}/kmsg`] }).output();
      const [watchPort, nodePort, promPort] = freePorts(3);
      const watch = faultscope([
        "watch",
        `${dir}/region.bin,label=vm1`,
        `${dir}/kmsg,kind=kmsg,label=host`,
        "--from-start",
        "--quiet",
        "--interval",
        "50",
        "--listen",
        `127.0.0.1:${watchPort}`,
        "--metrics-file",
        `${dir}/textfile/faultscope.prom`,
      ]);
      procs.push(watch);
      // The kernel log: 20 VT-d faults as /dev/kmsg records, 4 records overwritten (logs.md 8.1).
      const kmsg = kmsgRecords(20, 1000, new Set([1005, 1006, 1007, 1008]));
      const f = await Deno.open(`${dir}/kmsg`, { write: true });
      await f.write(new TextEncoder().encode(kmsg.text));
      f.close();
      const file = () => Deno.readTextFile(`${dir}/textfile/faultscope.prom`).catch(() => "");
      await waitFor(
        async () =>
          /faultscope_lost_log_records_total\{source="host",cause="kmsg_overwritten"\} 4/.test(
            await file(),
          ),
        "watch to count the workload",
      );

      // promtool lints both renderings: the file (0.0.4) and the endpoint as curl gets it.
      const lintFile = await promtool(await file());
      assert.equal(lintFile.code, 0, lintFile.out);
      assert.equal(lintFile.out.trim(), "", `promtool has remarks:\n${lintFile.out}`);
      const scraped = await (await fetch(`http://127.0.0.1:${watchPort}/metrics`)).text();
      const lintHttp = await promtool(scraped);
      assert.equal(lintHttp.code, 0, lintHttp.out);

      procs.push(
        new Process("prometheus-node-exporter", [
          `--web.listen-address=127.0.0.1:${nodePort}`,
          "--collector.disable-defaults",
          "--collector.textfile",
          `--collector.textfile.directory=${dir}/textfile`,
        ]),
      );
      await Deno.writeTextFile(
        `${dir}/prometheus.yml`,
        [
          "global:",
          "  scrape_interval: 1s",
          "scrape_configs:",
          "  - job_name: watch",
          "    static_configs:",
          `      - targets: ["127.0.0.1:${watchPort}"]`,
          "  - job_name: node",
          "    static_configs:",
          `      - targets: ["127.0.0.1:${nodePort}"]`,
          "",
        ].join("\n"),
      );
      procs.push(
        new Process("prometheus", [
          `--config.file=${dir}/prometheus.yml`,
          `--storage.tsdb.path=${dir}/tsdb`,
          `--web.listen-address=127.0.0.1:${promPort}`,
        ]),
      );
      const base = `http://127.0.0.1:${promPort}`;
      await waitFor(async () => {
        try {
          // Prometheus' own answer, not another server's 200 on the port.
          const r = await fetch(`${base}/-/ready`);
          return r.ok && /Prometheus.*Ready/i.test(await r.text());
        } catch {
          return false;
        }
      }, "Prometheus to be ready");
      const one = async (q: string) => (await query(base, q))[0];
      await waitFor(
        async () =>
          (await one('sum(faultscope_faults_total{job="watch"})')) === 26 &&
          (await one('sum(faultscope_faults_total{job="node"})')) === 26,
        "both scrapes to hold the 26 faults",
      );
      for (const job of ["watch", "node"]) {
        const sel = `job="${job}"`;
        // The region: 7 PERMISSION and 3 PTE_FETCH (RFC v3 reasons 10 and 9).
        assert.deepEqual(
          await query(
            base,
            `faultscope_faults_total{${sel},source="vm1",name="PERMISSION",code="10"}`,
          ),
          [7],
        );
        assert.deepEqual(
          await query(
            base,
            `faultscope_faults_total{${sel},source="vm1",name="PTE_FETCH",code="9"}`,
          ),
          [3],
        );
        // The log: 16 reports of reason 6 from device 0000:3b:00.0, 4 records lost.
        assert.deepEqual(
          await query(
            base,
            `faultscope_faults_total{${sel},source="host",vendor="intel",device="0000:3b:00.0",code="6"}`,
          ),
          [16],
        );
        assert.deepEqual(
          await query(
            base,
            `faultscope_lost_log_records_total{${sel},source="host",cause="kmsg_overwritten"}`,
          ),
          [4],
        );
        assert.deepEqual(
          await query(base, `faultscope_loss_events_total{${sel},source="vm1"} > 0`),
          [],
        );
        assert.deepEqual(
          await query(base, `faultscope_ring_pending_records{${sel},source="vm1"}`),
          [10],
        );
        assert.deepEqual(
          await query(base, `faultscope_ring_capacity_records{${sel},source="vm1"}`),
          [1365],
        );
        assert.deepEqual(
          await query(base, `faultscope_source_up{${sel},source="vm1",kind="region"}`),
          [1],
        );
        assert.deepEqual(await query(base, `faultscope_build_info{${sel}}`), [1]);
      }
      assert.deepEqual(await query(base, 'up{job="watch"}'), [1]);
      assert.deepEqual(await query(base, "node_textfile_scrape_error"), [0]);
      // Prometheus asks for OpenMetrics and gets it from --listen: the info metric keeps its
      // type, under its OpenMetrics family name; node_exporter's copy (0.0.4) is a gauge.
      const meta = async (m: string) =>
        (await (await fetch(`${base}/api/v1/metadata?metric=${m}`)).json()).data[m] ?? [];
      assert.deepEqual((await meta("faultscope_build")).map((m: { type: string }) => m.type), [
        "info",
      ]);
      assert.deepEqual((await meta("faultscope_build_info")).map((m: { type: string }) => m.type), [
        "gauge",
      ]);
    } finally {
      await stopAll(procs);
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** The README's YAML block after `<!-- promtool check WHAT -->`. */
function readmeBlock(what: string): string {
  const readme = Deno.readTextFileSync(new URL("README.md", root));
  const at = readme.indexOf(`<!-- promtool check ${what} -->`);
  assert.ok(at >= 0, `the README has a block marked for promtool check ${what}`);
  const m = /```yaml\n([\s\S]*?)```/.exec(readme.slice(at));
  assert.ok(m, "a yaml block follows the marker");
  return m[1];
}

Deno.test({
  name: "the README's scrape configuration and alert rules pass promtool check config and rules" +
    (missing.includes("promtool") ? " [skipped: promtool not installed]" : ""),
  ignore: missing.includes("promtool"),
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(`${dir}/rules.yml`, readmeBlock("rules"));
      await Deno.writeTextFile(
        `${dir}/prometheus.yml`,
        readmeBlock("config") + "rule_files:\n  - rules.yml\n",
      );
      for (
        const args of [["check", "rules", `${dir}/rules.yml`], [
          "check",
          "config",
          `${dir}/prometheus.yml`,
        ]]
      ) {
        const o = await new Deno.Command("promtool", { args, stdout: "piped", stderr: "piped" })
          .output();
        const text = new TextDecoder().decode(o.stdout) + new TextDecoder().decode(o.stderr);
        assert.equal(o.code, 0, `promtool ${args.join(" ")}:\n${text}`);
        assert.match(text, /SUCCESS/);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
