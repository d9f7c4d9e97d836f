/**
 * Log containers: which program wrote the lines (`dmesg` and its time formats, `journalctl -k`
 * in its short, iso, precise and JSON modes, `/dev/kmsg` records, syslog files), detection from a
 * sample, and stripping a line down to the kernel's own text with its timestamp. Text pasted from
 * an issue is cleaned first: CR line ends, `> ` quoting, leading blanks and prompt markers.
 *
 * Formats from util-linux `sys-utils/dmesg.c`, systemd `src/shared/logs-show.c` and torvalds/linux
 * @ 07c7b547a79605f1041d55b84d91a4a4d9c5b363 `Documentation/ABI/testing/dev-kmsg`.
 *
 * @example
 * ```ts
 * import { stripLine } from "./container.ts";
 * const s = stripLine("[  812.004417] DMAR: DRHD: handling fault status reg 2", "auto");
 * s?.text; // => "DMAR: DRHD: handling fault status reg 2"
 * s?.time.boot; // => 812.004417
 * ```
 * @module
 */
import type { LogTime } from "./types.ts";
import { type Format, FORMATS } from "./choices.ts";
import { MONTHS, NO_YEAR, parseTimeArg, wallOf } from "./time.ts";
export { type Format, FORMATS, parseTimeArg };

/** A line reduced to the kernel's text. */
export interface Stripped {
  /** The kernel's message (prefixes of the container removed). */
  text: string;
  /** The timestamp the container gave the line. */
  time: LogTime;
  /** `/dev/kmsg` sequence number. */
  seq?: number;
  /** A `/dev/kmsg` continuation line (` KEY=value`): carries no message. */
  continuation?: boolean;
  /** Which container the line matched. */
  format: Exclude<Format, "auto">;
}

const NONE: LogTime = { text: null, boot: null, wall: null };

// printk's own timestamp, as dmesg and imklog print it: `[  812.004417] `.
/** printk's own timestamp, as dmesg and imklog print it: `[  812.004417] `. */
export const RE_PRINTK = /^\[\s*(\d+)\.(\d+)\] ?/;
// dmesg -r: `<3>[  812.004417] `.
const RE_RAW = /^<(\d+)>\[\s*(\d+)\.(\d+)\] ?/;
// dmesg -x: `kern  :err   : `.
const RE_X = /^[a-z]+\s*:[a-z]+\s*: /;
// dmesg -T: `[Tue Mar  5 10:15:42 2024] `.
const RE_T = /^\[[A-Z][a-z]{2} ([A-Z][a-z]{2}) +(\d{1,2}) (\d\d):(\d\d):(\d\d) (\d{4})\] ?/;
// dmesg --time-format iso: `2024-03-05T10:15:42,123456+01:00 `.
const RE_DMESG_ISO =
  /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d),(\d+)([+-]\d\d:?\d\d) (?!\S+ \S+?(?:\[\d+\])?: )/;
// journalctl short/short-precise and syslog: `Mar 05 10:15:43[.101203] host kernel: `.
const RE_SHORT =
  /^([A-Z][a-z]{2}) +(\d{1,2}) (\d\d):(\d\d):(\d\d)(?:\.(\d+))? (\S+) ([^\s:[]+)(?:\[\d+\])?: /;
// journalctl short-iso(-precise), RFC 3339 syslog: `2024-03-05T10:15:43[.1][+01:00] host kernel: `.
const RE_ISO =
  /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:[.,](\d+))?(Z|[+-]\d\d:?\d\d)? (\S+) ([^\s:[]+)(?:\[\d+\])?: /;
// journalctl short-monotonic: `[  812.004421] host kernel: `.
const RE_MONO_HOST = /^(\S+) kernel: /;
// /dev/kmsg: `3,48213,812004421,-[,caller=T57];`.
const RE_KMSG = /^(\d+),(\d+),(\d+),[^;]*;/;
// Quoting and prompts of pasted text.
const RE_PASTE = /^(?:\s*>)+ ?|^\s+|^[$#] (?=[[<A-Za-z0-9])/;

const digit = (c: number) => c >= 48 && c <= 57;

/**
 * The index of the `]` closing a printk stamp `[  812.004417]` at the start of `line`, or -1:
 * RE_PRINTK without a match array, for the lines of a storm.
 */
export function printkStampEnd(line: string): number {
  if (line.charCodeAt(0) !== 91 /* [ */) return -1;
  let i = 1;
  for (let c = line.charCodeAt(i); c === 32 || (c >= 9 && c <= 13); c = line.charCodeAt(++i));
  const d0 = i;
  while (digit(line.charCodeAt(i))) i++;
  if (i === d0 || line.charCodeAt(i) !== 46 /* . */) return -1;
  const f0 = ++i;
  while (digit(line.charCodeAt(i))) i++;
  return i > f0 && line.charCodeAt(i) === 93 /* ] */ ? i : -1;
}

/** Undoes `/dev/kmsg` escaping: `\xHH` for control bytes, bytes >= 0x7f and `\`. */
export function unescapeKmsg(s: string): string {
  if (s.indexOf("\\x") < 0) return s;
  return s.replace(/\\x([0-9a-fA-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
}

/** Strips a kernel `[s.us] ` stamp left inside a message (syslog via imklog, `-x`). */
function innerPrintk(text: string, time: LogTime): { text: string; time: LogTime } {
  if (text.charCodeAt(0) !== 91 /* [ */) return { text, time };
  const m = RE_PRINTK.exec(text);
  if (!m) return { text, time };
  return {
    text: text.slice(m[0].length),
    time: { ...time, boot: Number(m[1] + "." + m[2]), text: time.text ?? m[0].trim() },
  };
}

function fromJson(line: string): Stripped | null {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return null;
  }
  if (!o || typeof o !== "object" || Array.isArray(o)) return null;
  const r = o as Record<string, unknown>;
  let msg = r.MESSAGE;
  // journalctl prints a message with unprintable bytes as an array of byte values.
  if (Array.isArray(msg)) {
    msg = new TextDecoder().decode(new Uint8Array(msg.map((b) => Number(b) & 0xff)));
  }
  if (typeof msg !== "string") return null;
  const mono = r._SOURCE_MONOTONIC_TIMESTAMP ?? r.__MONOTONIC_TIMESTAMP;
  const real = r._SOURCE_REALTIME_TIMESTAMP ?? r.__REALTIME_TIMESTAMP;
  const boot = typeof mono === "string" && /^\d+$/.test(mono) ? Number(mono) / 1e6 : null;
  const wall = typeof real === "string" && /^\d+$/.test(real) ? Number(real) / 1e6 : null;
  const text = typeof mono === "string" ? mono : typeof real === "string" ? real : null;
  return { text: msg.replace(/\n$/, ""), time: { text, boot, wall }, format: "journal-json" };
}

function fromKmsg(line: string): Stripped | null {
  if (line.charCodeAt(0) === 32 && line.indexOf("=") > 0) {
    return { text: "", time: NONE, continuation: true, format: "kmsg" };
  }
  const m = RE_KMSG.exec(line);
  if (!m) return null;
  const us = m[3];
  return {
    text: unescapeKmsg(line.slice(m[0].length)),
    time: { text: us, boot: Number(us) / 1e6, wall: null },
    seq: Number(m[2]),
    format: "kmsg",
  };
}

function fromShort(m: RegExpExecArray, line: string, syslogDay: boolean): Stripped {
  const wall = wallOf(NO_YEAR, MONTHS[m[1]] ?? -1, +m[2], m[3], m[4], m[5], m[6]);
  const stamp = line.slice(0, line.indexOf(" " + m[7] + " "));
  const inner = innerPrintk(line.slice(m[0].length), { text: stamp, boot: null, wall });
  // journalctl zero-pads the day (`Mar 05`); traditional syslog pads it with a space (`Mar  5`).
  return { ...inner, format: syslogDay ? "syslog" : "journal" };
}

function fromIso(m: RegExpExecArray, line: string): Stripped {
  const wall = wallOf(+m[1], +m[2] - 1, +m[3], m[4], m[5], m[6], m[7], m[8]);
  const stamp = line.slice(0, line.indexOf(" "));
  const inner = innerPrintk(line.slice(m[0].length), { text: stamp, boot: null, wall });
  return { ...inner, format: "journal" };
}

/** Removes what pasting into an issue adds: CR, quoting `> `, indentation, a prompt `$ `. */
export function cleanPaste(line: string): string {
  let s = line;
  if (s.charCodeAt(s.length - 1) === 13) s = s.slice(0, -1);
  const c = s.charCodeAt(0);
  // Fast path: the common first characters of container lines need no cleaning.
  if (c === 91 /* [ */ || (c >= 48 && c <= 57) || (c >= 65 && c <= 90)) return s;
  if (c === 123 /* { */ || c === 60 /* < */) return s;
  for (let i = 0; i < 4; i++) {
    const m = RE_PASTE.exec(s);
    if (!m || !m[0].length) break;
    s = s.slice(m[0].length);
  }
  return s;
}

/**
 * Strips one line of `format` (or any format, `auto`) to the kernel's text; null for a line of
 * the format that carries no kernel message. Unrecognised lines are returned whole as `plain`.
 */
export function stripLine(raw: string, format: Format): Stripped | null {
  if (format === "kmsg") {
    return fromKmsg(raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw);
  }
  if (format === "journal-json") return fromJson(raw);
  // A /dev/kmsg continuation line (` SUBSYSTEM=pci`) carries no message.
  if (format === "auto" && raw.charCodeAt(0) === 32 && /^ [A-Z_]+=/.test(raw)) {
    return { text: "", time: NONE, continuation: true, format: "kmsg" };
  }
  const line = cleanPaste(raw);
  const c = line.charCodeAt(0);
  if (format === "auto") {
    if (c === 123 /* { */) return fromJson(line) ?? plain(line);
    if (c >= 48 && c <= 57) {
      const k = fromKmsg(line);
      if (k) return k;
      const iso = RE_DMESG_ISO.exec(line);
      if (iso) return dmesgIso(iso, line);
      const j = RE_ISO.exec(line);
      if (j) return fromIso(j, line);
      return plain(line);
    }
  }
  if (c === 91 /* [ */ && (format === "auto" || format === "dmesg" || format === "dmesg-T")) {
    const close = printkStampEnd(line);
    if (close > 0) {
      const text = line.slice(close + (line.charCodeAt(close + 1) === 32 ? 2 : 1));
      const time = {
        text: line.slice(0, close + 1),
        boot: Number(line.slice(1, close)),
        wall: null,
      };
      // journalctl -o short-monotonic: `[  812.004421] host kernel: `.
      const h = text.indexOf(" kernel: ");
      if (h > 0 && h < 64) {
        const mh = RE_MONO_HOST.exec(text);
        if (mh) return { text: text.slice(mh[0].length), time, format: "journal" };
      }
      return { text, time, format: "dmesg" };
    }
    const t = RE_T.exec(line);
    if (t) {
      const wall = wallOf(+t[6], MONTHS[t[1]] ?? -1, +t[2], t[3], t[4], t[5]);
      return {
        text: line.slice(t[0].length),
        time: { text: t[0].trim().slice(1, -1), boot: null, wall },
        format: "dmesg-T",
      };
    }
  }
  if (c === 60 /* < */ && (format === "auto" || format === "dmesg")) {
    const m = RE_RAW.exec(line);
    if (m) {
      return {
        text: line.slice(m[0].length),
        time: { text: `[${m[2]}.${m[3]}]`, boot: Number(m[2] + "." + m[3]), wall: null },
        format: "dmesg",
      };
    }
  }
  if (c >= 97 && c <= 122 && (format === "auto" || format === "dmesg")) {
    const m = RE_X.exec(line);
    if (m) {
      const inner = innerPrintk(line.slice(m[0].length), NONE);
      if (inner.time.text) return { ...inner, format: "dmesg" };
      const rest = stripLine(line.slice(m[0].length), format);
      if (rest) return { ...rest, format: rest.format === "plain" ? "dmesg" : rest.format };
    }
  }
  if (c >= 65 && c <= 90 && format !== "dmesg" && format !== "dmesg-T") {
    const m = RE_SHORT.exec(line);
    if (m) return fromShort(m, line, line.charCodeAt(4) === 32);
  }
  if (format === "dmesg-iso" || format === "journal" || format === "syslog") {
    const iso = RE_DMESG_ISO.exec(line);
    if (iso && format === "dmesg-iso") return dmesgIso(iso, line);
    const j = RE_ISO.exec(line);
    if (j) return fromIso(j, line);
  }
  return plain(line);
}

function dmesgIso(m: RegExpExecArray, line: string): Stripped {
  const stamp = line.slice(0, line.indexOf(" "));
  return {
    text: line.slice(m[0].length),
    time: {
      text: stamp,
      boot: null,
      wall: wallOf(+m[1], +m[2] - 1, +m[3], m[4], m[5], m[6], m[7], m[8]),
    },
    format: "dmesg-iso",
  };
}

function plain(line: string): Stripped {
  return { text: line, time: NONE, format: "plain" };
}

/** A line holding only a timestamp: pasted text wrapped before the message. */
export function bareTimestamp(raw: string): LogTime | null {
  const line = cleanPaste(raw).trimEnd();
  const m = /^\[\s*(\d+)\.(\d+)\]$/.exec(line);
  return m ? { text: line, boot: Number(m[1] + "." + m[2]), wall: null } : null;
}

/**
 * The container of a sample of lines: the format most lines match, `plain` when none does.
 * Detection looks at up to 200 non-empty lines.
 */
export function detectFormat(lines: Iterable<string>): Exclude<Format, "auto"> {
  const votes = new Map<Exclude<Format, "auto">, number>();
  let n = 0;
  for (const l of lines) {
    if (!l.trim()) continue;
    const s = stripLine(l, "auto");
    if (s && !s.continuation) votes.set(s.format, (votes.get(s.format) ?? 0) + 1);
    if (++n >= 200) break;
  }
  let best: Exclude<Format, "auto"> = "plain", bestN = 0;
  for (const [f, c] of votes) {
    if (f !== "plain" && c > bestN) (best = f, bestN = c);
  }
  return best;
}
