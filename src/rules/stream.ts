/**
 * Rules across records, checked in the order the consumer reads them (a capture's order, or a
 * ring's pending slots from the consumer index): page request groups (REC-PRQ-GROUP) for the
 * `iommu_fault` generations, and iommufd fault queue groups (FQ-GROUP) for
 * `iommu_hwpt_pgfault`. A checker takes one decoded record at a time and keeps only the group
 * being read, so it works on a stream of any length and on a live one.
 *
 * @example
 * ```ts
 * import { RECORDS } from "../abi/records.ts";
 * import { GroupChecker } from "./stream.ts";
 * const g = new GroupChecker(RECORDS["hwpt-pgfault"]);
 * const rec = (cookie: number, flags: number) =>
 *   ({ flags, dev_id: 1, pasid: 5, grpid: 7, perm: 1, __reserved: 0, addr: 0n, length: 0, cookie });
 * g.push(rec(1, 0x1), { index: 0 }); // => []: a partial request of group 1
 * g.push(rec(2, 0x3), { index: 1 }).map((f) => f.rule); // => ["FQ-GROUP"]: group 1 never ended
 * g.end(); // => []: group 2 ended with LAST_PAGE
 * ```
 * @module
 */
import { FAULT_TYPE } from "../abi/iommu_fault.ts";
import type { FlagSet, RecordLayout, ScalarField, UnionField } from "../abi/types.ts";
import type { DecodedFields } from "../codec/decode.ts";
import { bitByName, enumEntry } from "../codec/names.ts";
import { hex, plural } from "../codec/numbers.ts";
import { type Finding, finding } from "./finding.ts";
import type { RecordPlace } from "./records.ts";

/** Where a record sits, with its byte offset in the input when known. */
export type StreamPlace = RecordPlace & { offset?: number };

/** What a page request says about its group. */
interface Request {
  /** The group: PASID (when valid) and group index; for iommufd, the cookie. */
  key: string;
  /** Words for messages. */
  label: string;
  /** The last request of its group. */
  last: boolean;
  /** Fields that must not change within a group (iommufd: dev_id, grpid). */
  constant?: Readonly<Record<string, number>>;
}

/** How to read the page-request facts of one layout's decoded records. */
type Reader = (rec: DecodedFields) => Request | undefined;

const bit = (flags: FlagSet | undefined, name: string) =>
  flags ? bitByName(flags, name) : undefined;
const isSet = (v: unknown, b: number | undefined) =>
  b !== undefined && ((Number(v) >>> b) & 1) === 1;

/** The flags field of a struct, and its LAST_PAGE and pasid-guarding bits. */
function flagBits(fields: readonly { name: string }[]) {
  const flags = fields.find((f) => f.name === "flags") as ScalarField | undefined;
  const pasidBit = flags?.flags?.bits.find((b) => b.guards === "pasid")?.bit;
  return { flags, last: bit(flags?.flags, "LAST_PAGE"), pasidBit };
}

/** The reader for `layout`, or undefined when its records carry no page-request groups. */
function readerFor(layout: RecordLayout): Reader | undefined {
  if (layout.family === "iommufd_fault") {
    const { last } = flagBits(layout.fields);
    return (rec) => {
      const cookie = Number(rec.cookie);
      return {
        key: `cookie ${cookie}`,
        label: `cookie ${cookie}`,
        last: isSet(rec.flags, last),
        constant: { dev_id: Number(rec.dev_id), grpid: Number(rec.grpid) },
      };
    };
  }
  if (layout.family !== "iommu_fault") return undefined;
  const type = layout.fields.find((f): f is ScalarField =>
    f.kind === "scalar" && f.enum === FAULT_TYPE
  );
  if (!type) return undefined;
  const pageReq = enumEntry(FAULT_TYPE, 2)!.value;
  const union = layout.fields.find((f): f is UnionField => f.kind === "union");
  if (union) {
    const prm = union.variants.find((v) => v.when === pageReq);
    if (!prm) return undefined;
    const { last, pasidBit } = flagBits(prm.fields);
    return (rec) => {
      if (rec[type.name] !== pageReq) return undefined;
      const m = rec[prm.name] as DecodedFields;
      return request(Number(m.grpid), isSet(m.flags, pasidBit) ? Number(m.pasid) : undefined, {
        last: isSet(m.flags, last),
      });
    };
  }
  // The flat RFC v3 record: booleans instead of flags, and its own group-index name.
  const group = layout.fields.find((f) => f.kind === "scalar" && f.ranges !== undefined);
  const lastReq = layout.fields.find((f) => f.name === "last_req");
  const pasidValid = layout.fields.find((f) =>
    f.kind === "scalar" && f.role === "bool" && f.guards === "pasid"
  );
  if (!group || !lastReq) return undefined;
  return (rec) => {
    if (rec[type.name] !== pageReq) return undefined;
    const pasid = pasidValid && Number(rec[pasidValid.name]) ? Number(rec.pasid) : undefined;
    return request(Number(rec[group.name]), pasid, { last: Number(rec[lastReq.name]) !== 0 });
  };
}

function request(grpid: number, pasid: number | undefined, o: { last: boolean }): Request {
  const label = `${pasid === undefined ? "no PASID" : `PASID ${pasid}`}, grpid ${hex(grpid)}`;
  return { key: `${pasid ?? "-"}/${grpid}`, label, last: o.last };
}

/** The group being read. */
interface Run {
  req: Request;
  count: number;
  place: StreamPlace;
  closed: boolean;
}

/**
 * Checks page-request groups across records of one layout, one record at a time: REC-PRQ-GROUP
 * for the `iommu_fault` generations (a run of requests of one group that stops without
 * LAST_PAGE), FQ-GROUP for `iommu_hwpt_pgfault` (a group cut, or fields changing within it).
 * Records of other families pass through without findings.
 */
export class GroupChecker {
  readonly #read: Reader | undefined;
  readonly #fq: boolean;
  #run: Run | undefined;

  /** A checker for records of `layout`. */
  constructor(layout: RecordLayout) {
    this.#read = readerFor(layout);
    this.#fq = layout.family === "iommufd_fault";
  }

  /** Takes the next record (decoded) at `place`; returns what it reveals about the groups. */
  push(rec: DecodedFields, place: StreamPlace): Finding[] {
    const req = this.#read?.(rec);
    if (!req) return [];
    const out: Finding[] = [];
    const run = this.#run;
    if (run && !run.closed && run.req.key === req.key) {
      for (const [k, v] of Object.entries(req.constant ?? {})) {
        if (run.req.constant?.[k] !== v) {
          out.push(finding(
            "FQ-GROUP",
            `${k} = ${v} within the group of ${run.req.label}, whose first record has ` +
              `${k} = ${run.req.constant?.[k]}`,
            { ...place, field: k },
          ));
        }
      }
      run.count++;
      run.place = place;
      run.closed = req.last;
      return out;
    }
    if (run && !run.closed) out.push(this.#unended(run, place));
    this.#run = { req, count: 1, place, closed: req.last };
    return out;
  }

  /** The stream ended: a group still open is reported for the iommufd queue (whole groups). */
  end(): Finding[] {
    const run = this.#run;
    this.#run = undefined;
    if (!run || run.closed || !this.#fq) return [];
    return [finding(
      "FQ-GROUP",
      `the input ends inside the group of ${run.req.label} (${
        plural(run.count, "record")
      }, none with LAST_PAGE): the kernel delivers whole groups, so the capture was cut`,
      run.place,
    )];
  }

  #unended(run: Run, next: StreamPlace): Finding {
    const at = next.index !== undefined ? `#${next.index}` : `slot ${next.slot}`;
    return this.#fq
      ? finding(
        "FQ-GROUP",
        `the group of ${run.req.label} ends after ${
          plural(run.count, "record")
        } without LAST_PAGE (${at} starts another group): the kernel delivers whole groups`,
        run.place,
      )
      : finding(
        "REC-PRQ-GROUP",
        `${plural(run.count, "page request")} of ${run.req.label} end without LAST_PAGE ` +
          `(${at} is another group's): that group is never answered`,
        run.place,
      );
  }
}

/**
 * The finding for bytes after the last whole record of a capture, for the iommufd fault queue
 * (FQ-ALIGN: its read() returns whole records only); none for other records, whose trailing
 * bytes are an input error rather than a property of the stream.
 */
export function trailingFinding(
  layout: RecordLayout,
  trailing: { offset: number; length: number } | undefined,
): Finding[] {
  if (!trailing || !layout.family.startsWith("iommufd")) return [];
  return [finding(
    "FQ-ALIGN",
    `trailing ${plural(trailing.length, "byte")} at ${hex(trailing.offset)} ` +
      `${trailing.length === 1 ? "is" : "are"} not a whole ` +
      `${layout.size}-byte ${layout.struct}`,
    { offset: trailing.offset },
  )];
}
