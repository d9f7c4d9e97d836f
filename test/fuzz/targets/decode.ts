/**
 * Fuzz targets of `decode`: one per record ABI of the registry (the `iommu_fault` generations,
 * page responses, the iommufd records and the IOMMUs' own hardware records), and one for ABI
 * inference. Each input is a capture (a few records, sometimes a cut one) read the way `decode`
 * reads it: in chunks of a random size through the capture reader, every record decoded, turned
 * into its JSON object and its NDJSON line, checked by the record and group rules, and (hardware
 * records) followed to the `iommu_fault` each kernel makes of it.
 *
 * Nothing here may throw: a record is bytes, and every byte pattern decodes to something.
 * Properties: the reader yields floor(length / size) records and the rest as trailing bytes;
 * the NDJSON line is the same text as the JSON object (`jsonline.ts` promises it); findings name
 * catalogue rules and point inside the capture.
 *
 * @module
 */
import { ABI_IDS, type AbiId, RECORDS } from "../../../src/abi/records.ts";
import { captureUnit, readCapture } from "../../../src/codec/capture.ts";
import { decoderFor } from "../../../src/codec/decode.ts";
import { guessAbi, looksLikeText } from "../../../src/codec/guess.ts";
import { iommuFaultOutcomes, outcomeJson } from "../../../src/codec/hw_fault.ts";
import { recordJson } from "../../../src/codec/json.ts";
import { jsonLineWriter } from "../../../src/codec/jsonline.ts";
import { RULES } from "../../../src/rules/catalogue.ts";
import type { Finding } from "../../../src/rules/finding.ts";
import { checkRecord } from "../../../src/rules/records.ts";
import { GroupChecker, trailingFinding } from "../../../src/rules/stream.ts";
import type { Rand } from "../rand.ts";
import { check, type Target } from "../target.ts";

const RULE_IDS = new Set<string>(RULES.map((r) => r.id));

/** Findings name catalogue rules, and any offset lies inside the input. */
export function checkFindings(findings: readonly Finding[], length: number): void {
  for (const f of findings) {
    check(RULE_IDS.has(f.rule), () => `unknown rule ${f.rule}`);
    check(typeof f.message === "string" && !f.message.includes("\n"), () => `${f.rule}: message`);
    if (f.offset !== undefined) {
      check(
        Number.isInteger(f.offset) && f.offset >= 0 && f.offset <= length,
        () => `${f.rule}: offset ${f.offset} outside a ${length}-byte input`,
      );
    }
  }
}

/** Chunks of `size` bytes (the last shorter), as a reader gets them from a file or a pipe. */
async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

/** Records of `size` bytes: fully random, or with the type word and flags a kernel writes. */
function capture(r: Rand, size: number, typed: boolean): Uint8Array {
  const records = r.int(0, 6);
  const tail = r.chance(0.3) ? r.int(1, size - 1) : 0;
  const bytes = r.bytes(records * size + tail);
  if (typed && r.chance(0.7)) {
    const dv = new DataView(bytes.buffer);
    for (let i = 0; i < records; i++) {
      // Mostly real fault types (1, 2), so the union members and their rules are reached.
      dv.setUint32(i * size, r.chance(0.8) ? r.int(1, 2) : r.hostileU32(), r.chance(0.9));
    }
  }
  return bytes;
}

/** The target for one record ABI. */
function decodeTarget(abi: AbiId): Target {
  const layout = RECORDS[abi];
  const typed = layout.family === "iommu_fault";
  const hardware = layout.family === "hardware";
  return {
    name: `decode:${abi}`,
    doc: `${layout.size}-byte ${layout.struct} captures: capture reader, decoder, JSON object ` +
      `and NDJSON line, record and group rules${hardware ? ", iommu_fault outcomes" : ""}`,
    errors: "none (every byte pattern decodes)",
    cap: 7 * layout.size,
    gen(r) {
      return {
        le: r.chance(0.8),
        chunk: r.pick([1, 7, layout.size, captureUnit(), r.int(1, 4 * layout.size)]),
        limit: r.chance(0.1) ? r.int(0, 3) : null,
        bytes: capture(r, layout.size, typed),
      };
    },
    async run(input) {
      const bytes = input.bytes as Uint8Array, le = input.le as boolean;
      const limit = (input.limit as number | null) ?? Infinity;
      const size = layout.size;
      const decode = decoderFor(layout), line = jsonLineWriter(layout);
      const groups = new GroupChecker(layout);
      const cap = readCapture(chunked(bytes, input.chunk as number), size, limit);
      let seen = 0;
      for await (const run of cap.runs) {
        check(run.index === seen && run.size === size, "runs in order, of the record size");
        check(run.base === seen * size, () => `run at ${run.base}, expected ${seen * size}`);
        for (let i = 0; i < run.count; i++) {
          const off = i * size, index = run.index + i, at = run.base + off;
          check(
            run.bytes.subarray(off, off + size).every((b, k) => b === bytes[at + k]),
            () => `record ${index}: the reader's bytes are not the input's at ${at}`,
          );
          const rec = decode(run.dv, off, le);
          const text = JSON.stringify(recordJson(layout, rec, { index, offset: at }));
          const fast = line(run.dv, off, le, `"index":${index},"offset":${at}`);
          check(fast === text, () => `record ${index}: NDJSON line ${fast} != JSON ${text}`);
          const findings = checkRecord(layout, run.bytes, off, { index }, undefined, le, rec);
          checkFindings(findings.map((f) => ({ ...f, offset: undefined })), bytes.length);
          checkFindings(groups.push(rec, { index, offset: at }), bytes.length);
          if (hardware) JSON.stringify(iommuFaultOutcomes(abi, rec).map(outcomeJson));
          seen++;
        }
      }
      const end = cap.end();
      const whole = Math.floor(bytes.length / size);
      check(end.records === Math.min(whole, limit), () => `${end.records} records of ${whole}`);
      if (!end.limited) {
        const rest = bytes.length - whole * size;
        check(
          (end.trailing?.length ?? 0) === rest,
          () => `trailing ${end.trailing?.length}, expected ${rest}`,
        );
        checkFindings([...groups.end(), ...trailingFinding(layout, end.trailing)], bytes.length);
      }
      return end.trailing ? "cut" : "ok";
    },
  };
}

/** Text and binary captures for ABI inference (what `decode` does without `--abi`). */
const GUESS: Target = {
  name: "decode:guess",
  doc: "ABI inference and text detection on binary captures, text and hex dumps",
  errors: "none (a guess, or no fitting size)",
  cap: 4096,
  gen(r) {
    const size = RECORDS[r.pick(ABI_IDS)].size;
    let bytes: Uint8Array;
    const u = r.float();
    if (u < 0.5) bytes = capture(r, size, true);
    else if (u < 0.7) {
      bytes = new TextEncoder().encode(
        Array.from({ length: r.int(0, 40) }, () => r.int(0, 255).toString(16).padStart(2, "0"))
          .join(r.pick([" ", "\n", ", 0x", ""])),
      );
    } else bytes = r.bytes(r.length(4096));
    return { le: r.chance(0.8), declared: r.chance(0.8) ? bytes.length : null, bytes };
  },
  run(input) {
    const bytes = input.bytes as Uint8Array;
    const declared = (input.declared as number | null) ?? undefined;
    const g = guessAbi(bytes, declared, input.le as boolean);
    if (g.kind === "guessed" && declared !== undefined) {
      check(declared % RECORDS[g.abi].size === 0, () => `${g.abi} does not divide ${declared}`);
    }
    JSON.stringify(g);
    looksLikeText(bytes);
    return "ok";
  },
};

/** Every decode target: one per registered record ABI, and inference. */
export const DECODE_TARGETS: readonly Target[] = [...ABI_IDS.map(decodeTarget), GUESS];
