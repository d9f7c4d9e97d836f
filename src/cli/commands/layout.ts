/**
 * `faultscope layout [GENERATION]`: offset/size tables of a record generation or region layout,
 * like `pahole`, with enums and flag bits, printed from the same data the decoder is compiled from.
 *
 * @example
 * ```ts
 * import { recordLayoutLines } from "./layout.ts";
 * import { RECORDS } from "../../abi/records.ts";
 * const lines = recordLayoutLines(RECORDS.rfc3); // the flat 48-byte record, pahole style
 * lines.at(-1);
 * // => "note: No source read documents the encoding of prot and access, the header included."
 * ```
 * @module
 */
import { ABI_IDS, recordLayout, RECORDS } from "../../abi/records.ts";
import { REGION_IDS, regionLayout, REGIONS } from "../../abi/regions.ts";
import { citationJson, citations, citationUrl, cite, type SourceKey } from "../../abi/sources.ts";
import type { EnumDesc, Field, FlagSet, RecordLayout, RegionLayout } from "../../abi/types.ts";
import { VEVENT_HEADER, VEVENT_SEQ_MAX, VEVENT_TYPES } from "../../abi/vevent.ts";
import type { LAYOUT } from "../commands.ts";
import { EXIT, type ExitCode, UsageError } from "../errors.ts";
import type { Io, Writer } from "../io.ts";
import { fit, wrap } from "../render.ts";
import type { Parsed } from "../spec.ts";

const COL = 48;
const row = (decl: string, off: number, size: number, note = "") =>
  `${decl.padEnd(COL)}/* ${String(off).padStart(5)} ${String(size).padStart(5)} */${
    note ? "  " + note : ""
  }`;

function fieldLines(
  fields: readonly Field[],
  base: number,
  indent: string,
  out: string[],
  enums: Set<EnumDesc | FlagSet>,
) {
  for (const f of fields) {
    if (f.kind === "union") {
      out.push(`${indent}union {`);
      for (const v of f.variants) {
        out.push(`${indent}\tstruct ${v.struct} {`);
        fieldLines(v.fields, base + f.offset, indent + "\t\t", out, enums);
        out.push(
          row(
            `${indent}\t} ${v.name};`.replaceAll("\t", "        "),
            base + f.offset,
            v.size,
            `when ${f.selector} == ${v.when}`,
          ),
        );
      }
      if (f.padding) {
        out.push(
          row(
            `${indent}\t__u8 ${f.padding.name}[${f.padding.size}];`.replaceAll("\t", "        "),
            base + f.offset,
            f.padding.size,
            f.padding.meaning,
          ),
        );
      }
      out.push(row(`${indent}};`.replaceAll("\t", "        "), base + f.offset, f.size));
      continue;
    }
    if (f.kind === "bits") {
      // pahole prints a bit field as `type name:width;`; the range and how the kernel takes it
      // (shifted down by FIELD_GET, or masked in place) follow in the comment.
      const how = `bits ${f.hi}:${f.lo}${f.take === "mask" ? " (masked, not shifted)" : ""}`;
      const note = [how, f.macro, f.meaning].filter(Boolean).join("; ");
      out.push(
        row(
          `${indent}__${f.type} ${f.name}:${f.hi - f.lo + 1};`,
          base + f.offset,
          f.type === "u32" ? 4 : 8,
          note,
        ),
      );
      if (f.enum) enums.add(f.enum);
      if (f.flags) enums.add(f.flags);
      continue;
    }
    const decl = f.kind === "array"
      ? `${indent}__u64 ${f.name}[${f.count}];`
      : f.kind === "bytes"
      ? `${indent}__u8 ${f.name}[${f.size}];`
      : `${indent}__${f.type} ${f.name};`;
    const size = f.kind === "array"
      ? 8 * f.count
      : f.kind === "bytes"
      ? f.size
      : f.type === "u32"
      ? 4
      : 8;
    if (f.kind === "scalar") {
      if (f.enum) enums.add(f.enum);
      if (f.flags) enums.add(f.flags);
    }
    out.push(row(decl.replaceAll("\t", "        "), base + f.offset, size, f.meaning));
  }
}

/**
 * Where a description comes from, two lines a source: `source: ` and where it is (a repository
 * at a commit and its files, a mail's Message-Id and its lore.kernel.org address, ...), then what
 * it is, under it.
 */
function sourceLines(l: { source: readonly SourceKey[] }): string[] {
  return citations(l.source).flatMap((c) => {
    const url = citationUrl(c);
    return [`source: ${cite(c)}${url && c.kind === "mail" ? ` ${url}` : ""}`, `        ${c.what}`];
  });
}

/** Pahole-style lines for a record layout, then its enums and flag bits, sources and notes. */
export function recordLayoutLines(l: RecordLayout): string[] {
  const out = [`/* ${l.id}: ${l.title}; ${l.era} */`, `struct ${l.struct} {`];
  const sets = new Set<EnumDesc | FlagSet>();
  fieldLines(l.fields, 0, "\t", out, sets);
  out.push(`\t/* size: ${l.size} */`.replaceAll("\t", "        "), "};");
  for (const s of sets) {
    out.push("");
    if ("values" in s) {
      out.push(`enum ${s.name}:`);
      for (const v of s.values) {
        out.push(
          `        ${s.prefix}${v.name} = ${v.value}${v.meaning ? `  /* ${v.meaning} */` : ""}`,
        );
      }
    } else {
      out.push(`flags ${s.name}:`);
      for (const b of s.bits) {
        out.push(
          `        ${b.kernelName ?? s.prefix + b.name} = (1 << ${b.bit})${
            b.meaning ? `  /* ${b.meaning} */` : ""
          }`,
        );
      }
    }
  }
  out.push("", ...sourceLines(l));
  for (const n of l.notes ?? []) out.push("", `note: ${n}`);
  return out.map((line) => line.replaceAll("\t", "        "));
}

/** The name `layout` takes for the iommufd vEVENTQ stream. */
export const VEVENT_STREAM = "vevent";

/**
 * Pahole-style lines for the vEVENTQ stream: the 8-byte header, then each queue type's payload
 * (the SMMUv3 one field by field, from the shared `smmuv3-evt` description), and how loss is
 * counted.
 */
export function veventLayoutLines(): string[] {
  const h = VEVENT_HEADER;
  const out = [
    "/* vevent: iommufd vEVENTQ read buffer (Linux v6.15+): each record is an " +
    "iommufd_vevent_header, then the payload of the queue's type; a LOST_EVENTS header has none */",
    `struct ${h.struct} {`,
  ];
  for (const f of h.fields) out.push(row(`        __u32 ${f.name};`, f.offset, 4, f.meaning));
  out.push(`        /* size: ${h.size} */`, "};");
  for (const b of h.fields[0].flags.bits) {
    out.push(
      `${h.fields[0].flags.prefix}${b.name} = (1 << ${b.bit})  ${b.meaning ?? ""}`.trimEnd(),
    );
  }
  for (const t of Object.values(VEVENT_TYPES)) {
    out.push(
      "",
      `struct ${t.struct} {  /* IOMMU_VEVENTQ_TYPE_${t.id.replaceAll("-", "_").toUpperCase()} = ` +
        `${t.value}; --vevent-type ${t.id} */`,
      row(
        `        __aligned_le64 ${t.array.name}[${t.array.count}];`,
        h.size,
        t.payloadSize,
        "after the header",
      ),
      `        /* size: ${t.payloadSize} */`,
      "};",
    );
    for (const f of t.fields) {
      const bits = f.lo === f.hi ? `bit ${f.lo}` : `bits ${f.hi}:${f.lo}`;
      const take = f.take === "mask" ? " (taken masked, not shifted)" : "";
      const meaning = f.meaning.replace(/ \(masked\)$/, "");
      out.push(`    ${t.array.name}[${f.word}] ${bits}: ${f.name}: ${meaning}${take}`);
    }
  }
  out.push(
    "",
    `note: sequence counts 0..${VEVENT_SEQ_MAX} and wraps to 0; a LOST_EVENTS header carries ` +
      "the sequence number of the last event lost, so (lost.sequence - previous.sequence) mod " +
      "2^31 events were lost before it, and a gap of d between delivered events loses d - 1.",
    "note: the arm-smmuv3 payload is the SMMUv3 event record with the StreamID replaced by the " +
      "virtual one (layout smmuv3-evt has the whole record).",
    "decode: faultscope decode --abi vevent [--vevent-type TYPE] --check",
    "",
    ...sourceLines(VEVENT_HEADER),
  );
  return out;
}

/** Pahole-style lines for a region header, then its ring, sources and notes. */
export function regionLayoutLines(l: RegionLayout): string[] {
  const out = [`/* ${l.id}: ${l.title}; ${l.era} */`, `struct ${l.struct} {`];
  for (const f of l.header) {
    out.push(
      row(
        `        __u32 ${f.name};`,
        f.offset,
        4,
        `${f.role}, written by ${f.writer}: ${f.meaning}`,
      ),
    );
  }
  out.push(`        /* size: ${l.headerSize} */`, "};");
  out.push(
    "",
    `records: ${
      l.abis.map((a) => `${a} (${RECORDS[a].size} bytes)`).join(", ")
    }; default ${l.defaultAbi}`,
  );
  out.push(
    `ring: ${
      l.fixedRingOffset !== undefined
        ? `at offset ${l.fixedRingOffset}`
        : "at the header's offset (PAGE_SIZE)"
    }` +
      (l.fixedCapacity ? `, ${l.fixedCapacity} entries` : ""),
  );
  if (l.externalConsumer) {
    out.push(
      `consumer index: ${l.externalConsumer.field} at offset ${l.externalConsumer.offset} of struct ${l.externalConsumer.struct}`,
    );
  }
  out.push(...sourceLines(l));
  for (const n of l.notes ?? []) out.push(`note: ${n}`);
  return out;
}

function unknown(generation: string): UsageError {
  return new UsageError(
    `unknown generation '${generation}': expected one of ${
      [...new Set([...ABI_IDS, ...REGION_IDS, VEVENT_STREAM])].join(", ")
    }`,
  );
}

/**
 * A line of the layout fitted to a terminal: a row's note (after its `*\/`) or a note line
 * continues under itself; piped (`columns` undefined), every line is whole.
 */
function say(out: Writer, line: string, columns: number | undefined): void {
  if (columns === undefined || line.length <= columns) return out.line(line);
  const close = line.indexOf("*/");
  const at = close >= 0 ? close + 4 : line.startsWith("note: ") ? 6 : 8;
  if (columns - at < 20) return out.line(fit(line, columns));
  for (const l of wrap(line, columns, " ".repeat(at))) out.line(l);
}

/** A description as `layout --json` writes it: its source keys resolved to public citations. */
function described<L extends RecordLayout | RegionLayout>({ source, ...l }: L) {
  return { ...l, sources: citations(source).map(citationJson) };
}

/**
 * Prints one layout, or the list of every generation. `--json` is always
 * `{records, regions, streams}`: the descriptions of the name given (a record, a region layout,
 * both for `rfc3`, or the vEVENTQ stream), or all.
 */
export function run(o: Parsed<typeof LAYOUT>, io: Io): Promise<ExitCode> {
  const out = io.out;
  const cols = io.columns;
  const generation = o.generation;
  if (o.json) {
    // One shape whatever was asked: `rfc3` names a record and a region layout, no name all.
    const all = generation === undefined;
    const records = all ? ABI_IDS.map((id) => RECORDS[id]) : [];
    const regions = all ? REGION_IDS.map((id) => REGIONS[id]) : [];
    const streams = all || generation === VEVENT_STREAM ? [veventJson()] : [];
    if (!all && generation !== VEVENT_STREAM) {
      const rec = recordLayout(generation), reg = regionLayout(generation);
      if (!rec && !reg) throw unknown(generation);
      if (rec) records.push(rec);
      if (reg) regions.push(reg);
    }
    out.line(
      JSON.stringify(
        { records: records.map(described), regions: regions.map(described), streams },
        null,
        2,
      ),
    );
    return Promise.resolve(EXIT.OK);
  }
  if (!generation) {
    for (const id of ABI_IDS) {
      say(
        out,
        `${id.padEnd(20)}record  ${String(RECORDS[id].size).padStart(3)} bytes  struct ${
          RECORDS[id].struct
        }: ${RECORDS[id].era}`,
        cols,
      );
    }
    for (const id of REGION_IDS) {
      say(
        out,
        `${id.padEnd(20)}region  ${String(REGIONS[id].headerSize).padStart(3)} bytes  struct ${
          REGIONS[id].struct
        }: ${REGIONS[id].era}`,
        cols,
      );
    }
    say(
      out,
      `${VEVENT_STREAM.padEnd(20)}stream  ${
        String(VEVENT_HEADER.size).padStart(3)
      } bytes  struct ${VEVENT_HEADER.struct} + a payload per queue type: Linux v6.15+`,
      cols,
    );
    for (const id of ABI_IDS.filter((a) => (REGION_IDS as readonly string[]).includes(a))) {
      out.line();
      out.line(`(${id} names both a record and a region layout; \`layout ${id}\` shows both)`);
    }
    return Promise.resolve(EXIT.OK);
  }
  if (generation === VEVENT_STREAM) {
    for (const l of veventLayoutLines()) say(out, l, cols);
    return Promise.resolve(EXIT.OK);
  }
  const rec = recordLayout(generation), reg = regionLayout(generation);
  if (!rec && !reg) throw unknown(generation);
  if (rec) { for (const l of recordLayoutLines(rec)) say(out, l, cols); }
  if (rec && reg) out.line();
  if (reg) { for (const l of regionLayoutLines(reg)) say(out, l, cols); }
  out.flush();
  return Promise.resolve(EXIT.OK);
}

/** The vEVENTQ stream in `layout --json`: the header, each queue type's payload and its fields. */
function veventJson() {
  return {
    id: VEVENT_STREAM,
    header: {
      struct: VEVENT_HEADER.struct,
      size: VEVENT_HEADER.size,
      fields: VEVENT_HEADER.fields.map((f) => ({
        name: f.name,
        offset: f.offset,
        size: 4,
        meaning: f.meaning,
      })),
      flags: VEVENT_HEADER.fields[0].flags,
      sequence_max: VEVENT_SEQ_MAX,
    },
    types: Object.values(VEVENT_TYPES).map((t) => ({
      id: t.id,
      value: t.value,
      struct: t.struct,
      array: t.array.name,
      words: t.array.count,
      size: t.payloadSize,
      fields: t.fields.map((f) => ({
        name: f.name,
        word: f.word,
        lo: f.lo,
        hi: f.hi,
        take: f.take ?? "shift",
        meaning: f.meaning,
      })),
    })),
    sources: citations(VEVENT_HEADER.source).map(citationJson),
  };
}
