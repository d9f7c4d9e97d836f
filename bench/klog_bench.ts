/**
 * In-process throughput of the kernel-log parser (lines/s), with baselines measured in the same
 * run: splitting the text into lines, counting newlines with `indexOf` (what `grep -c` must do at
 * least), and the prefilter scan alone. The log is generated in memory by bench/make_klog.ts
 * (1,000,000 lines, 10% fault reports of every vendor, seed 1) and fed in 64 KiB pieces, as
 * `faultscope dmesg` decodes its input. The whole-process figures are in bench/RESULTS.md.
 *
 * @example
 * ```sh
 * deno bench -A bench/klog_bench.ts
 * ```
 * @module
 */
import { klogLines } from "./make_klog.ts";
import { KlogParser, PREFILTER } from "../src/klog/parser.ts";
import { Summary } from "../src/klog/summary.ts";

const N = 1_000_000;
const TEXT = [...klogLines(N, 1)].join("\n") + "\n";
const CHUNK = 1 << 16;

function parse(summary: boolean): number {
  const s = new Summary();
  let n = 0;
  const p = new KlogParser({ onEvent: summary ? (e) => s.add(e) : () => n++ });
  for (let o = 0; o < TEXT.length; o += CHUNK) p.push(TEXT.slice(o, o + CHUNK));
  p.end();
  return p.lines + n;
}

Deno.bench("baseline: count newlines (indexOf)", { group: "klog" }, () => {
  let c = 0, p = 0;
  while ((p = TEXT.indexOf("\n", p) + 1) > 0) c++;
  if (c !== N) throw new Error(`${c} lines`);
});

Deno.bench("baseline: split into lines", { group: "klog" }, () => {
  if (TEXT.split("\n").length !== N + 1) throw new Error("lines");
});

Deno.bench("prefilter alone: find candidate lines", { group: "klog" }, () => {
  const re = new RegExp(PREFILTER.source, "g");
  let c = 0;
  while (re.test(TEXT)) {
    c++;
    re.lastIndex = TEXT.indexOf("\n", re.lastIndex) + 1 || TEXT.length;
    if (re.lastIndex >= TEXT.length) break;
  }
  if (!c) throw new Error("no candidates");
});

Deno.bench("parser: events only (64 KiB pieces)", { group: "klog", baseline: true }, () => {
  parse(false);
});

Deno.bench("parser + summary", { group: "klog" }, () => {
  parse(true);
});
