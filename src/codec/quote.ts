/**
 * Input text quoted in a message, made safe for a terminal and a one-line error: control
 * characters (C0, DEL, C1), format characters (bidi overrides, zero-width marks), line and
 * paragraph separators, surrogates, private-use and unassigned code points, and U+FFFD (a byte
 * that was no text) are written as escapes, a backslash as `\\`; the rest is kept as it is, and
 * a long text is cut. Raw bytes from a file or an argument never reach the terminal (an escape
 * sequence would be obeyed, a newline would split the line).
 *
 * @example
 * ```ts
 * import { escapeText, quoted } from "./quote.ts";
 * quoted("0g"); // => "'0g'"
 * escapeText("\x1b[2J\n"); // => "\\x1b[2J\\n"
 * escapeText("\ufffd"); // => "\\ufffd"
 * quoted("x".repeat(50), 8); // => "'xxxxxxxx...'"
 * safeLine("bad '\\x1b' in a\nb"); // => "bad '\\x1b' in a\\nb"
 * ```
 * @module
 */

/**
 * Code points written as escapes: invisible, or able to move the cursor or split the line. Built
 * on first use: V8 compiles the Unicode property classes (`Cn` is every unassigned code point)
 * when the literal is evaluated, 0.4 ms of every start-up when it was a module constant, though
 * it is only needed for an error or a bad value.
 */
let unsafeRe: RegExp | undefined;
const unsafe = (c: string) =>
  (unsafeRe ??= new RegExp("[\\p{Cc}\\p{Cf}\\p{Cs}\\p{Co}\\p{Cn}\\p{Zl}\\p{Zp}\\ufffd\\\\]", "u"))
    .test(c);

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\" };

function escape(c: string): string {
  if (c in NAMED) return NAMED[c];
  const cp = c.codePointAt(0)!;
  if (cp < 0x100) return `\\x${cp.toString(16).padStart(2, "0")}`;
  if (cp < 0x10000) return `\\u${cp.toString(16).padStart(4, "0")}`;
  return `\\u{${cp.toString(16)}}`;
}

/** `text` with every unsafe code point escaped, cut after `max` code points (then `...`). */
export function escapeText(text: string, max = Infinity): string {
  let out = "", n = 0;
  for (const c of text) {
    if (n++ >= max) return out + "...";
    out += unsafe(c) ? escape(c) : c;
  }
  return out;
}

/**
 * A message made safe as one line: its unsafe code points escaped as {@link escapeText} does,
 * except backslashes (the message may hold escapes already, from {@link quoted}).
 */
export function safeLine(message: string): string {
  let out = "";
  for (const c of message) out += c !== "\\" && unsafe(c) ? escape(c) : c;
  return out;
}

/** `text` escaped ({@link escapeText}) and cut after `max` code points, in single quotes. */
export function quoted(text: string, max = 40): string {
  return `'${escapeText(text, max)}'`;
}
