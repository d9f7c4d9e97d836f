/**
 * The rule catalogue: every consistency rule with its ID, severity, where it applies, the
 * invariant and why it matters (domain.md section 3). The validator takes each finding's
 * severity from here, and `faultscope rules` prints this same list.
 *
 * @example
 * ```ts
 * import { RULES, rule } from "./catalogue.ts";
 * rule("IDX-PROD-RANGE").severity; // "error"
 * RULES.length > 20; // true
 * ```
 * @module
 */
import { REGION_LIST, type RegionLayoutId } from "../abi/regions.ts";
import type { HeaderRole } from "../abi/types.ts";
import type { Hint } from "../region/hint.ts";

/** How bad a finding is: errors make `validate` exit 1; warnings only with `--strict`. */
export type Severity = "error" | "warning" | "info";

/** What a rule looks at. */
export type Scope = "region" | "record" | "snapshot";

/** One rule of the catalogue. */
export interface Rule {
  /** Stable id, e.g. `IDX-PROD-RANGE` (the `RuleId` type lists them). */
  readonly id: string;
  /** How bad a finding of it is. */
  readonly severity: Severity;
  /** What it looks at. */
  readonly scope: Scope;
  /** Region layouts the rule applies to ("all" for every layout, or for records and captures). */
  readonly layouts: readonly RegionLayoutId[] | "all";
  /** What must hold. */
  readonly invariant: string;
  /** Why it matters. */
  readonly why: string;
  /** What the user can supply when it fires (the CLI names the flag). */
  readonly hint?: Hint;
}

const ALL = "all" as const;

/** The layouts whose header has a field of this role (a rule about that field applies there). */
const withField = (role: HeaderRole): RegionLayoutId[] =>
  REGION_LIST.filter((l) => l.header.some((h) => h.role === role)).map((l) => l.id);

/** Layouts whose ring sits at the header's `offset` (the sparse-mmap layouts of v4+). */
const OFFSET_LAYOUTS = withField("ring_offset");

/** Every rule, in the order `faultscope rules` prints them. */
export const RULES = [
  {
    id: "LAYOUT-DETECT",
    severity: "error",
    scope: "region",
    layouts: ALL,
    invariant: "the header matches one of the known layouts (or the layout is given)",
    why: "three incompatible generations exist (16- vs 20-byte headers, 48- vs 64-byte records); " +
      "decoding under the wrong one produces plausible nonsense",
  },
  {
    id: "HDR-TRUNCATED",
    severity: "error",
    scope: "region",
    layouts: ALL,
    invariant: "the image holds the whole region (header and every ring slot)",
    why: "a short read or a truncated dump hides records; slots past the end cannot be checked",
  },
  {
    id: "HDR-RESERVED-ZERO",
    severity: "error",
    scope: "region",
    layouts: withField("reserved"),
    invariant: "reserved == 0",
    why: "the RFC v3 header says 'must be 0'; the header is mmapped read-write, so a non-zero " +
      "value means userspace wrote into the kernel's fields",
  },
  {
    id: "HDR-CAP-NONZERO",
    severity: "error",
    scope: "region",
    layouts: ALL,
    invariant: "capacity (size / nb_entries) > 0",
    why: "consumers compute (index + 1) % capacity: QEMU's consumer traps on zero",
  },
  {
    id: "HDR-CAP-DERIVED",
    severity: "warning",
    scope: "region",
    layouts: ALL,
    invariant: "rfc3: size == (region_size - 16) / entry (1365 for 64 KiB, 48-byte records); " +
      "fault-prod: nb_entries == PAGE_SIZE / entry_size; dma-fault: nb_entries == 512",
    why: "the kernel derives the capacity from the region and record size; another value means " +
      "the header was changed or the record size guessed wrong",
  },
  {
    id: "HDR-RING-BOUNDS",
    severity: "error",
    scope: "region",
    layouts: ALL,
    invariant: "ring offset + capacity * entry size <= region size",
    why: "a producer trusting this header would write past the end of the region",
  },
  {
    id: "HDR-CAP-POW2",
    severity: "warning",
    scope: "region",
    layouts: OFFSET_LAYOUTS,
    invariant: "capacity is a power of two",
    why: "the v4+ kernels test space with CIRC_SPACE, a mask that assumes a power of two; with " +
      "85 entries it reports 'full' wrongly in 916 of 7,225 states and drops faults early",
  },
  {
    id: "HDR-ENTRY-SIZE",
    severity: "error",
    scope: "region",
    layouts: withField("entry_size"),
    invariant: "entry_size == sizeof the record of the ABI (48, 64, 20 or 24)",
    why: "QEMU strides by its compiled-in sizeof and ignores entry_size: a mismatch misreads " +
      "every record after the first",
  },
  {
    id: "HDR-OFFSET",
    severity: "error",
    scope: "region",
    layouts: OFFSET_LAYOUTS,
    invariant: "offset >= header size and offset % 8 == 0",
    why: "the ring must not overlap the header, and records hold naturally aligned __u64s",
  },
  {
    id: "HDR-PAGE-SIZE",
    severity: "warning",
    scope: "region",
    layouts: OFFSET_LAYOUTS,
    invariant: "offset == PAGE_SIZE (4 KiB, 16 KiB or 64 KiB; the page size given)",
    why: "the ring is the sparse-mmap area from PAGE_SIZE; any other offset breaks the mmap " +
      "path, and is 'sufficient for 4K hosts?' only if the page size is known",
  },
  {
    id: "HDR-REGION-SIZE",
    severity: "warning",
    scope: "region",
    layouts: OFFSET_LAYOUTS,
    invariant: "dma-fault: region size == ALIGN(entry_size * nb_entries, PAGE_SIZE) + PAGE_SIZE; " +
      "fault-prod: 2 pages",
    why: "the kernel's allocation formula; another size means a different build or a bad dump",
  },
  {
    id: "HDR-VERSION",
    severity: "info",
    scope: "region",
    layouts: withField("version"),
    invariant: "version != 0xFFFFFFFF",
    why: "v8 initialises version to -1; until userspace picks an ABI the kernel fails reads of " +
      "this region. The v8 code never seems to update it after negotiation, so on a v8 image " +
      "this is information, not proof that no ABI was chosen",
  },
  {
    id: "HDR-ENDIAN",
    severity: "warning",
    scope: "region",
    layouts: ALL,
    invariant: "capacity and entry_size do not read as byte-swapped expected values",
    why: "VFIO headers are host-endian; a big-endian dump read as little-endian looks like " +
      "garbage (entry_size 0x40000000)",
    hint: { kind: "endian", order: "big" },
  },
  {
    id: "IDX-PROD-RANGE",
    severity: "error",
    scope: "region",
    layouts: ALL,
    invariant: "prod / head < capacity",
    why: "RFC v3 never checked it, and QEMU's loop `while (cons != prod)` with cons reduced " +
      "modulo the capacity never ends: the VMM hangs",
  },
  {
    id: "IDX-CONS-RANGE",
    severity: "error",
    scope: "region",
    layouts: ALL,
    invariant: "cons / tail < capacity",
    why: "an out-of-range consumer index makes the producer misjudge space; v9-v11 kernels " +
      "accepted tail == nb_entries (off-by-one fixed in v12)",
  },
  {
    id: "IDX-OCCUPANCY",
    severity: "info",
    scope: "region",
    layouts: ALL,
    invariant: "pending = (prod - cons) mod capacity, in [0, capacity - 1]",
    why: "one slot is kept empty to tell full from empty; reported for the record",
  },
  {
    id: "IDX-FULL",
    severity: "warning",
    scope: "region",
    layouts: ALL,
    invariant: "pending < capacity - 1",
    why: "a full ring means the kernel is dropping new faults (-ENOSPC) and no counter records " +
      "how many: the guest silently misses faults",
  },
  {
    id: "REC-TYPE",
    severity: "error",
    scope: "record",
    layouts: ALL,
    invariant: "type is DMA_UNRECOV (1) or PAGE_REQ (2)",
    why: "the union member is chosen by type; any other value leaves the record undecodable",
  },
  {
    id: "REC-TYPE-RING",
    severity: "warning",
    scope: "record",
    layouts: REGION_LIST.filter((l) => "ringTypes" in l).map((l) => l.id),
    invariant: "records in a DMA_FAULT ring are DMA_UNRECOV",
    why: "v9-v11 kernels refuse PAGE_REQ (-ENOENT); only v12+ queue recoverable faults, which " +
      "userspace must then answer through the response region",
  },
  {
    id: "REC-REASON",
    severity: "error",
    scope: "record",
    layouts: ALL,
    invariant: "reason is defined by the generation's enum (RFC v3: 0-12; v4+: 0-8)",
    why: "the enum was renumbered after RFC v3 (PERMISSION is 10, then 6): an out-of-range " +
      "reason usually means the wrong generation",
  },
  {
    id: "REC-ENUM",
    severity: "error",
    scope: "record",
    layouts: ALL,
    invariant: "other enum fields (response version and code) hold defined values",
    why: "the kernel rejects responses with an unknown code or version",
  },
  {
    id: "REC-FLAGS",
    severity: "error",
    scope: "record",
    layouts: ALL,
    invariant: "flags use only the bits the generation defines",
    why: "flag bits moved between generations (PERM_VALID existed only in v4-v7): an unknown " +
      "bit means corruption or the wrong generation",
  },
  {
    id: "REC-PERM",
    severity: "error",
    scope: "record",
    layouts: ALL,
    invariant: "perm uses only the generation's IOMMU_FAULT_PERM_* bits",
    why: "bit 0 is WRITE in v4-v7 but READ from v8: the same raw value means different accesses",
  },
  {
    id: "REC-FLAG-REQUIRES",
    severity: "error",
    scope: "record",
    layouts: ALL,
    invariant: "a flag that needs another has it (NEEDS_PASID => PASID_VALID)",
    why: "a response that must carry the PASID cannot when none was reported",
  },
  {
    id: "REC-PADDING",
    severity: "warning",
    scope: "record",
    layouts: ALL,
    invariant: "reserved/padding words and union bytes beyond the active member are zero",
    why: "producers zero the record first; non-zero padding means a stale or torn record, or " +
      "(iommufd before v6.14) leaked stack memory",
  },
  {
    id: "REC-BOOL",
    severity: "warning",
    scope: "record",
    layouts: ALL,
    invariant: "RFC v3 boolean words (last_req, pasid_valid) are 0 or 1",
    why: "they are C booleans in a __u32; any other value is corruption",
  },
  {
    id: "REC-VALID-BITS",
    severity: "warning",
    scope: "record",
    layouts: ALL,
    invariant: "a field guarded by a valid bit is zero when the bit is clear, and reasons that " +
      "carry an address set its valid bit",
    why: "producers write pasid/addr/fetch_addr/private_data only with their flag; QEMU copies " +
      "addr for PTE_FETCH/PERMISSION/ACCESS/OOR_ADDRESS and fetch_addr for WALK_EABT",
  },
  {
    id: "REC-RANGE",
    severity: "warning",
    scope: "record",
    layouts: ALL,
    invariant: "grpid <= 0x1ff (PCI PRI page request group index is 9 bits)",
    why: "a larger group index cannot come from a PCI PRI request",
  },
  {
    id: "REC-EXPECTED",
    severity: "error",
    scope: "record",
    layouts: ALL,
    invariant: "fields with one correct value hold it (argsz == 24)",
    why: "the kernel checks argsz against the structure size it knows",
  },
  {
    id: "VEQ-TRUNCATED",
    severity: "error",
    scope: "record",
    layouts: ALL,
    invariant: "a vEVENTQ buffer holds whole records (header, then the type's payload)",
    why: "the kernel copies whole records only; a partial one means a cut capture",
  },
  {
    id: "VEQ-FLAGS",
    severity: "error",
    scope: "record",
    layouts: ALL,
    invariant: "vEVENT header flags use only LOST_EVENTS",
    why: "the uapi defines one flag; anything else is corruption or a newer kernel",
  },
  {
    id: "VEQ-SEQ-RANGE",
    severity: "error",
    scope: "record",
    layouts: ALL,
    invariant: "0 <= sequence <= INT_MAX",
    why: "the kernel counts (sequence + 1) & INT_MAX",
  },
  {
    id: "VEQ-SEQ-GAP",
    severity: "warning",
    scope: "record",
    layouts: ALL,
    invariant: "each sequence is the previous + 1, modulo 2^31",
    why: "a gap of d means d - 1 events were lost; counting modulo 2^31 avoids QEMU's bogus " +
      "loss of ~2^31 events at the INT_MAX -> 0 wrap",
  },
  {
    id: "VEQ-LOST-LAST",
    severity: "warning",
    scope: "record",
    layouts: ALL,
    invariant: "a LOST_EVENTS header is the last record of a read",
    why: "the kernel keeps the lost-events marker at the tail of the queue (in a capture of " +
      "several reads joined together it may legitimately appear earlier)",
  },
  {
    id: "VEQ-EVENT-ID",
    severity: "error",
    scope: "record",
    layouts: ALL,
    invariant: "an SMMUv3 vEVENT carries one of the reported event IDs (0x04, 0x06, 0x08, 0x0a, " +
      "0x10-0x13)",
    why: "the kernel forwards only these stage-1 events to a vEVENTQ",
  },
  {
    id: "SNAP-SAME-REGION",
    severity: "error",
    scope: "snapshot",
    layouts: ALL,
    invariant: "layout, capacity, entry size and ring offset are equal in both snapshots",
    why: "only the kernel writes them and it never changes them; a change means userspace " +
      "scribbled on the header (RFC v3's RW mmap) or the snapshots are of different regions",
  },
  {
    id: "SNAP-OVERTAKE",
    severity: "error",
    scope: "snapshot",
    layouts: ALL,
    invariant: "consumer progress <= pending before + producer progress (snapshots taken less " +
      "than one lap of the ring apart)",
    why: "a consumer that passes the producer reads slots that were never published; modulo " +
      "indices cannot show a full lap, so a producer that wrapped the ring between the snapshots " +
      "looks the same: take snapshots closer together than capacity - 1 faults",
  },
  {
    id: "SNAP-PROGRESS",
    severity: "error",
    scope: "snapshot",
    layouts: ALL,
    invariant: "pending before + producer progress - consumer progress <= capacity - 1 " +
      "(snapshots taken less than one lap apart)",
    why: "more progress than the ring can hold means the producer overwrote unconsumed records; " +
      "a consumer that drained a whole lap between the snapshots (one cons write per drain) " +
      "looks the same, since modulo indices carry no lap count",
  },
  {
    id: "SNAP-LIVE-STABLE",
    severity: "error",
    scope: "snapshot",
    layouts: ALL,
    invariant: "records pending in both snapshots are byte-identical",
    why: "the producer must never overwrite a slot the consumer has not released",
  },
  {
    id: "SNAP-DROPS",
    severity: "warning",
    scope: "snapshot",
    layouts: ALL,
    invariant: "the ring is not full in both snapshots",
    why: "occupancy pinned at capacity - 1 means sustained, uncounted loss of faults",
  },
] as const satisfies readonly Rule[];

/** The id of a rule of the catalogue: derived from {@link RULES}, so a typo does not compile. */
export type RuleId = typeof RULES[number]["id"];

const BY_ID = new Map<string, Rule>(RULES.map((r) => [r.id, r]));

/** The rule with this ID. */
export function rule(id: RuleId): Rule {
  return BY_ID.get(id)!;
}

/** The rule with this ID, if the catalogue has one (for ids typed by a user). */
export function findRule(id: string): Rule | undefined {
  return BY_ID.get(id);
}

/** Whether a rule applies to a layout. */
export function appliesTo(r: Rule, layout: RegionLayoutId): boolean {
  return r.layouts === "all" || (r.layouts as readonly string[]).includes(layout);
}
