/**
 * The fuzz target of the kernel-log parser: lines of real reports (the kernel's own format
 * strings, `bench/make_klog.ts`; the demo's storm; `testdata/klog/`) in every container (dmesg
 * with and without timestamps, /dev/kmsg records, journal, syslog, ISO times), then damaged:
 * numbers swapped for hostile ones, lines cut, SMMUv3 dumps broken up, noise, a very long line,
 * kmsg sequence numbers that jump. Fed to `KlogParser` in chunks of random size, with the
 * container forced or detected.
 *
 * Nothing may throw. Properties: every event has a type, 1-based line numbers within the input,
 * its source lines, hex addresses, whole non-negative finite counts, and is JSON; with the container
 * forced, the events do not depend on where the chunks were cut (the same as one `push`).
 *
 * @module
 */
import { klogLines } from "../../../bench/make_klog.ts";
import { demoKernelLog } from "../../../src/cli/demo_log.ts";
import { FORMATS } from "../../../src/klog/container.ts";
import { KlogParser } from "../../../src/klog/parser.ts";
import type { FaultEvent, LossEvent } from "../../../src/klog/types.ts";
import type { Rand } from "../rand.ts";
import { check, type Target } from "../target.ts";

/** Report lines to start from: generated, the demo's, and the repository's log vectors. */
let corpus: string[] | undefined;
function lines(): string[] {
  if (corpus) return corpus;
  const strip = (l: string) => l.replace(/^\[\s*\d+\.\d+\]\s/, "");
  const out = [...klogLines(3000, 7)].map(strip);
  out.push(...demoKernelLog().split("\n").filter(Boolean).map(strip));
  const dir = new URL("../../../testdata/klog/", import.meta.url);
  for (const f of Deno.readDirSync(dir)) {
    if (!f.isFile) continue;
    out.push(...Deno.readTextFileSync(new URL(f.name, dir)).split("\n").filter(Boolean));
  }
  return (corpus = out);
}

const HOSTILE_NUMBERS = [
  "0",
  "0x0",
  "0xffffffffffffffff",
  "0x10000000000000000",
  "18446744073709551616",
  "99999999999999999999",
  "-1",
  "0x",
  "ffffffff",
  "1e308",
  "NaN",
];

/** One line as a container prints it. */
function contain(r: Rand, text: string, i: number, seq: number[]): string {
  const t = (812 + i * 0.001).toFixed(6);
  switch (r.pick(["dmesg", "dmesg", "plain", "kmsg", "journal", "syslog", "iso", "keep"])) {
    case "dmesg":
      return `[${t.padStart(12)}] ${text}`;
    case "kmsg":
      // Sequence numbers mostly consecutive; sometimes a gap or a step back (overwritten).
      seq[0] += r.chance(0.9) ? 1 : r.int(-5, 1000);
      return `${r.int(0, 7)},${seq[0]},${Math.round(Number(t) * 1e6)},-;${text}`;
    case "journal":
      return `Mar 05 10:15:${String(i % 60).padStart(2, "0")} host kernel: ${text}`;
    case "syslog":
      return `<${r.int(0, 191)}>Mar  5 10:15:43 host kernel: [${t}] ${text}`;
    case "iso":
      return `2024-03-05T10:15:43,${String(i).padStart(6, "0")}+00:00 ${text}`;
    case "plain":
      return text;
    default:
      return text;
  }
}

/** Damage to one line's text. */
function damage(r: Rand, text: string): string {
  const u = r.float();
  if (u < 0.5) return text;
  if (u < 0.7) {
    // A number replaced by a hostile one.
    const nums = [...text.matchAll(/0x[0-9a-fA-F]+|\b\d+\b/g)];
    if (!nums.length) return text;
    const m = r.pick(nums);
    return text.slice(0, m.index) + r.pick(HOSTILE_NUMBERS) + text.slice(m.index! + m[0].length);
  }
  if (u < 0.85) return text.slice(0, r.int(0, text.length)); // cut
  if (u < 0.95) {
    const at = r.int(0, text.length);
    return text.slice(0, at) +
      r.pick(["[", "]", "\t", "\\x09", "0x", "=", ",", "\u0000", "é", " "]) +
      text.slice(at);
  }
  return text + " " + "x".repeat(r.int(100, 20_000));
}

/** What every event must look like. */
function checkEvent(e: FaultEvent | LossEvent, total: number): void {
  check(e.type === "fault" || e.type === "loss", () => `event type ${e.type}`);
  check(Number.isInteger(e.line) && e.line >= 1 && e.line <= total, () => `line ${e.line}`);
  check(e.raw.length > 0 && e.raw.every((l) => typeof l === "string"), "the event's lines");
  // Numbers are what the line says: the kernel prints them with %d or %x, so one past 2^53 is a
  // damaged line and may come out inexact, but never negative, NaN or infinite.
  const count = (v: number) => Number.isInteger(v) && v >= 0 && v < Infinity;
  if (e.type === "fault") {
    check(e.addr === null || /^0x[0-9a-f]+$/.test(e.addr), () => `addr ${e.addr}`);
    check(e.pasid === null || count(e.pasid), () => `pasid ${e.pasid}`);
    check(e.code === null || count(e.code), () => `code ${e.code}`);
  } else {
    check(e.count === null || count(e.count), () => `loss count ${e.count}`);
    check(count(e.faults_at_least), () => `faults_at_least ${e.faults_at_least}`);
  }
  JSON.stringify(e);
}

/** Events of `text` fed in chunks of the given sizes (cycled). */
function parse(text: string, format: string, chunks: number[]): (FaultEvent | LossEvent)[] {
  const events: (FaultEvent | LossEvent)[] = [];
  const p = new KlogParser({ format: format as "auto", onEvent: (e) => events.push(e) });
  for (let at = 0, k = 0; at < text.length; k++) {
    const n = chunks[k % chunks.length];
    p.push(text.slice(at, at + n));
    at += n;
  }
  p.end();
  check(p.unparsed.length <= 1000, "unparsed lines kept are bounded");
  return events;
}

/** The kernel-log parser. */
export const KLOG_TARGET: Target = {
  name: "klog",
  doc: "kernel log lines of every vendor and container, damaged: KlogParser in random chunks",
  errors: "none (a line that does not parse is counted as unparsed)",
  cap: 64 * 1024,
  gen(r) {
    const pool = lines();
    const seq = [r.int(0, 1e6)];
    const out: string[] = [];
    for (let i = 0, n = r.int(1, 30); i < n; i++) {
      if (r.chance(0.03)) {
        out.push(String.fromCharCode(...r.bytes(r.int(0, 80))));
        continue;
      }
      out.push(contain(r, damage(r, r.pick(pool)), i, seq));
    }
    const text = out.join(r.chance(0.05) ? "\r\n" : "\n") + (r.chance(0.8) ? "\n" : "");
    return {
      format: r.chance(0.5) ? "auto" : r.pick(FORMATS),
      chunks: Array.from({ length: r.int(1, 4) }, () => r.pick([1, 3, 17, 80, 4096, 65536])),
      text: text.slice(0, 64 * 1024),
    };
  },
  run(input) {
    const text = input.text as string, format = input.format as string;
    const total = text.split("\n").length;
    const events = parse(text, format, input.chunks as number[]);
    for (const e of events) checkEvent(e, total);
    if (format !== "auto") {
      const whole = parse(text, format, [text.length || 1]);
      check(
        JSON.stringify(whole) === JSON.stringify(events),
        () => `${events.length} events in chunks, ${whole.length} in one piece`,
      );
    }
    return events.length ? "events" : "none";
  },
};
