/**
 * The rule catalogue: every consistency rule with its ID, severity, where it applies, the
 * invariant and why it matters. The validator takes each finding's severity from here, and
 * `faultscope rules` prints this same list.
 *
 * @example
 * ```ts
 * import { RULES, rule } from "./catalogue.ts";
 * rule("IDX-PROD-RANGE").severity; // => "error"
 * RULES.length > 20; // => true
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

/**
 * The input a rule needs beyond a region image or a capture: the rule is checked only when that
 * input is there. `hints` say how to give it to faultscope; `automatic` that faultscope gets it
 * itself when the input allows; neither means faultscope cannot take that input, and the rule is
 * listed as not checkable.
 */
export interface Needs {
  /** What input makes the rule checkable, in words. */
  readonly input: string;
  /** How to give it (the CLI names the flag); empty when the user cannot give it. */
  readonly hints: readonly Hint[];
  /** faultscope obtains the input itself where the input allows it. */
  readonly automatic?: boolean;
}

/** Whether faultscope can check a rule at all (with the right input). */
export function checkable(r: Rule): boolean {
  return !r.needs || r.needs.hints.length > 0 || r.needs.automatic === true;
}

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
  /** The input the rule needs beyond the image or capture; absent: always checked. */
  readonly needs?: Needs;
}

const ALL = "all" as const;

/** The layouts whose header has a field of this role (a rule about that field applies there). */
const withField = (role: HeaderRole): RegionLayoutId[] =>
  REGION_LIST.filter((l) => l.header.some((h) => h.role === role)).map((l) => l.id);

/** Layouts whose ring sits at the header's `offset` (the sparse-mmap layouts of v4+). */
const OFFSET_LAYOUTS = withField("ring_offset");

/** Layouts whose header names no record ABI: the VMM steps its compiled-in record (RFC v3). */
const STRIDE_LAYOUTS = REGION_LIST.filter((l) => l.abiEvidence === "stride").map((l) => l.id);

/** Layouts whose VMM keeps a private consumer index and never re-reads it (v4+ QEMU). */
const SHADOW_LAYOUTS = REGION_LIST.filter((l) => "simulator" in l && !l.simulator.rereadsConsumer)
  .map((l) => l.id);

/** Snapshot rules decidable only when neither index can have lapped the ring. */
const WITHIN_A_LAP: Needs = {
  input: "a bound on how far each index moved between the snapshots, below the capacity",
  hints: [{ kind: "max-progress" }],
};

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
    layouts: REGION_LIST.filter((l) => l.abiEvidence !== "stride").map((l) => l.id),
    invariant: "fault-prod: nb_entries == PAGE_SIZE / entry_size; dma-fault and " +
      "dma-fault-response: nb_entries == 512",
    why: "the kernel derives the capacity from the page and record size, or fixes it; another " +
      "value means the header was changed or comes from another build",
  },
  {
    id: "HDR-CAP-RECORD",
    severity: "error",
    scope: "region",
    layouts: STRIDE_LAYOUTS,
    invariant: "rfc3: size == (region_size - 16) / 48, the capacity of the flat 48-byte record " +
      "(1365 in 64 KiB)",
    why: "the RFC v3 QEMU consumer (vfio_dma_fault_notifier_handler) reads slot i at 16 + 48 * i " +
      "and wraps at size, whatever size says; a size of 1023 (what a 64-byte record gives) means " +
      "the producer and the consumer disagree on where records are, or userspace wrote the " +
      "Read-Only size through its read-write mmap: faultscope reads 48-byte records, as QEMU does",
  },
  {
    id: "HDR-RING-BOUNDS",
    severity: "error",
    scope: "region",
    layouts: ALL,
    invariant: "ring offset + capacity * entry size <= region size",
    why: "a producer trusting this header would write past the end of the region, and a " +
      "consumer would read past it; inspect still shows the header and counts the slots that " +
      "do not fit (a short file is another thing: an input error, exit 2)",
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
    id: "HDR-RING-VIEWS",
    severity: "error",
    scope: "region",
    layouts: OFFSET_LAYOUTS,
    invariant: "offset == PAGE_SIZE (the page size given, or the one the region size implies)",
    why: "QEMU's v4-v8 and v9+ consumers read the ring through the sparse mmap (mmaps[0], which " +
      "the kernel starts at PAGE_SIZE) as struct iommu_fault queue[], slot i at PAGE_SIZE + " +
      "sizeof * i, ignoring offset; their pread fallback reads nb_entries * entry_size bytes at " +
      "offset. The two paths of one consumer deliver different records (inspect lists both). The " +
      "fallback runs only when mmaps[0].mmap is NULL: a region without the MMAP flag, or " +
      "x-no-mmap=on, leaves the mmaps array itself NULL and the v9+ handler dereferences it on " +
      "the first fault; and the fallback leaks its buffer on every short read",
  },
  {
    id: "HDR-PAGE-SIZE",
    severity: "warning",
    scope: "region",
    layouts: OFFSET_LAYOUTS,
    invariant: "offset is a page size (4 KiB, 16 KiB or 64 KiB) when the page size is unknown",
    why: "the ring is the sparse-mmap area from PAGE_SIZE; with neither --page-size nor a region " +
      "size that implies one, an offset that is no page size breaks the mmap path, but where " +
      "that path reads cannot be said ('Is this sufficient for 4K hosts?')",
    hint: { kind: "region-size" },
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
    id: "IDX-SHADOW",
    severity: "warning",
    scope: "region",
    layouts: SHADOW_LAYOUTS,
    invariant: "the VMM's private consumer index equals the header's tail / cons",
    why: "the v4+ QEMU consumers keep their own index (fault_cons_index, fault_tail_index), loop " +
      "from it up to head and write it back once per drain; they never re-read tail. The pending " +
      "list is what QEMU delivers only while its index equals tail: after a reset or a reopen " +
      "they diverge and QEMU re-delivers or skips records",
    needs: {
      input: "the VMM's private consumer index (QEMU's fault_tail_index, e.g. from gdb or a trace)",
      hints: [{ kind: "shadow" }],
    },
  },
  {
    id: "HDR-TORN",
    severity: "warning",
    scope: "region",
    layouts: ALL,
    invariant: "the header read before the ring and again after it are the same",
    why: "a live region changes while it is read: only reads through the kernel's region handler " +
      "are atomic against its mutex, and an mmapped header (RFC v3) is not; a header that changed " +
      "mid-read means the records listed mix two states (io_uring's fdinfo says the same of its " +
      "head/tail views)",
    needs: {
      input: "an input faultscope can read twice, a device node or a file, not a pipe or " +
        "stdin; an image copied from a live region cannot tear any more",
      hints: [],
      automatic: true,
    },
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
    invariant: "flags use only the bits the generation defines (and the kernel-internal bits " +
      "it is known to leak, REC-FLAG-LEAK)",
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
    id: "REC-FLAG-LEAK",
    severity: "info",
    scope: "record",
    layouts: ALL,
    invariant: "reported when a kernel-internal flag bit that the kernel copies into a uapi " +
      "record is set (iommu_hwpt_pgfault.flags bit 2, IOMMU_FAULT_PAGE_RESPONSE_NEEDS_PASID)",
    why:
      "iommufd_compose_fault_message copies the kernel's internal prm.flags unmasked, and VT-d's " +
      "intel_prq_report sets NEEDS_PASID on every page request with a PASID (AMD on every " +
      "one): flags = 0x7 on a healthy Intel host. It is the kernel's, not corruption",
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
    id: "REC-PRQ-GRPID",
    severity: "warning",
    scope: "record",
    layouts: ALL,
    invariant: "grpid <= 0xffff: up to 0x1ff a PCI PRI page request group index (9 bits) or an " +
      "SMMUv3 stall tag; 0x200-0xffff only an SMMUv3 stall tag (STAG, 16 bits)",
    why: "a record does not say which produced it: arm_smmu_handle_event puts the 16-bit stall " +
      "tag of a stall fault in grpid, so values up to 0xffff are a real kernel's; nothing " +
      "produces a wider one",
  },
  {
    id: "REC-PRQ-GROUP",
    severity: "warning",
    scope: "record",
    layouts: ALL,
    invariant: "consecutive page requests with the same PASID and grpid end with exactly one " +
      "LAST_PAGE, on the last of them",
    why:
      "PCI PRI and SMMUv3 stall groups end with their last request (LAST_PAGE), and the kernel " +
      "answers the group then: a group that stops without it is never answered, and LAST_PAGE " +
      "mid-run splits one group in two",
  },
  {
    id: "REC-UNMAPPED-REASON",
    severity: "info",
    scope: "record",
    layouts: ALL,
    invariant: "reported for a DMA_UNRECOV fault whose reason QEMU's smmuv3_inject_faults has " +
      "no vSMMU event for (UNKNOWN; RFC v3: UNKNOWN, INTERNAL)",
    why: 'the guest never sees such a fault: the last QEMU branch warns "Unexpected fault ' +
      'reason" and drops it; the RFC v3 one records event type 0, which smmuv3_record_event ' +
      "discards silently",
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
    id: "FQ-ALIGN",
    severity: "error",
    scope: "record",
    layouts: ALL,
    invariant: "an iommufd fault queue capture is whole records: a multiple of 40 bytes (8 for " +
      "responses)",
    why: "read() of the fault FD takes a multiple of sizeof(struct iommu_hwpt_pgfault) or fails " +
      "with -ESPIPE, and returns whole groups: a partial record means a cut capture",
  },
  {
    id: "FQ-COOKIE",
    severity: "error",
    scope: "record",
    layouts: ALL,
    invariant: "cookie >= 1",
    why: "the kernel allocates cookies from an xarray with XA_FLAGS_ALLOC1: 0 never names a " +
      "group, and a response carrying it is refused (-EINVAL)",
  },
  {
    id: "FQ-GROUP",
    severity: "error",
    scope: "record",
    layouts: ALL,
    invariant: "the records of one group are contiguous and share cookie, dev_id and grpid; the " +
      "last has LAST_PAGE and no other does",
    why: "iommufd_fault_fops_read delivers whole groups, each record composed from the group's " +
      "faults with the group's cookie, the partial requests first and the LAST_PAGE one last. A " +
      "cookie is freed when answered and may be given to a later group, so it may recur after " +
      "a LAST_PAGE",
  },
  {
    id: "FQ-LENGTH",
    severity: "info",
    scope: "record",
    layouts: ALL,
    invariant: "length == 0",
    why: "iommufd_compose_fault_message sets length to 0 (a prefetch hint no driver fills yet); " +
      "another value means a newer kernel, or the wrong record",
  },
  {
    id: "FQ-RESPONSE",
    severity: "error",
    scope: "record",
    layouts: ALL,
    invariant: "each response names an outstanding cookie and answers it once; cookies still " +
      "unanswered at close are answered INVALID by the kernel",
    why:
      "iommufd_fault_fops_write refuses an unknown cookie (-EINVAL); iommufd_auto_response_faults " +
      "fails what is left, so the device sees its requests fail",
    needs: {
      input: "the reads and the writes of one fault FD, in the order they happened",
      hints: [],
    },
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
    invariant: "each delivered event's sequence is the previous record's + 1, modulo 2^31",
    why: "a gap of d means d - 1 events were lost (a guest never hears of them); counting modulo " +
      "2^31 avoids QEMU's bogus loss of ~2^31 events at the INT_MAX -> 0 wrap",
  },
  {
    id: "VEQ-LOST-EVENTS",
    severity: "warning",
    scope: "record",
    layouts: ALL,
    invariant: "reported for every LOST_EVENTS header: (its sequence - the previous record's) " +
      "mod 2^31 events were lost",
    why: "on overflow iommufd_viommu_report_event passes its one lost_events_header through " +
      "iommufd_vevent_handler like an event, so each lost event takes a sequence number and the " +
      "header carries the last lost one's; the next event delivered has that + 1",
  },
  {
    id: "VEQ-LOST-LAST",
    severity: "warning",
    scope: "record",
    layouts: ALL,
    invariant: "a LOST_EVENTS header is the last record of the read() that returned it",
    why: "the kernel keeps the lost-events header at the tail of the queue. A capture is usually " +
      "several reads joined, where a header followed by more events is normal: only one read's " +
      "buffer says where the read ended",
    needs: {
      input: "the buffer of one read() of the vEVENTQ FD",
      hints: [{ kind: "one-read" }],
    },
  },
  {
    id: "VEQ-DEPTH",
    severity: "warning",
    scope: "record",
    layouts: ALL,
    invariant: "one read() returns at most veventq_depth events",
    why:
      "the queue holds at most veventq_depth events (num_events == depth drops the next); more " +
      "in one read means a producer racing the reader, or a different depth than allocated",
    needs: {
      input: "the buffer of one read() and the queue's veventq_depth",
      hints: [{ kind: "one-read" }, { kind: "veventq-depth" }],
    },
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
    invariant: "consumer progress <= pending before + producer progress",
    why: "a consumer that passes the producer reads slots that were never published. Modulo " +
      "indices carry no lap count: a producer that lapped the ring between the snapshots looks " +
      "the same, so without a bound on progress this is SNAP-AMBIGUOUS",
    needs: WITHIN_A_LAP,
  },
  {
    id: "SNAP-PROGRESS",
    severity: "error",
    scope: "snapshot",
    layouts: ALL,
    invariant: "pending before + producer progress - consumer progress <= capacity - 1, and " +
      "neither index moved more than the bound given",
    why: "more progress than the ring can hold means the producer overwrote unconsumed records; " +
      "a consumer that drained a whole lap between the snapshots (one cons write per drain) " +
      "looks the same, since modulo indices carry no lap count",
    needs: WITHIN_A_LAP,
  },
  {
    id: "SNAP-LIVE-STABLE",
    severity: "error",
    scope: "snapshot",
    layouts: ALL,
    invariant: "records pending in both snapshots are byte-identical",
    why: "the producer must never overwrite a slot the consumer has not released; after a lap " +
      "every slot is legitimately rewritten, so without a bound on progress a change is " +
      "SNAP-AMBIGUOUS",
    needs: WITHIN_A_LAP,
  },
  {
    id: "SNAP-AMBIGUOUS",
    severity: "warning",
    scope: "snapshot",
    layouts: ALL,
    invariant: "the progress between the snapshots can be determined",
    why: "modulo indices carry no lap count: when the index deltas read as an overtake or an " +
      "overflow, or a slot pending in both changed, a lap of the ring between the snapshots " +
      "explains it as well as corruption does. A bound on progress below the capacity decides",
    hint: { kind: "max-progress" },
  },
  {
    id: "SNAP-STALE",
    severity: "warning",
    scope: "snapshot",
    layouts: ALL,
    invariant: "the producer index moved if and only if the eventfd was signalled",
    why: "a head that did not move while the eventfd count grew (or the reverse) means a " +
      "coalesced or lost notification: the VMM drains late or never",
    needs: {
      input: "the eventfd signal count at each snapshot (e.g. from a trace of eventfd_signal)",
      hints: [],
    },
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
