/**
 * Types of the ABI description: every record and region header of every generation is
 * described once, as plain data of these shapes, and that data drives decoding, encoding,
 * validation and the `layout` command. A description also carries the traits that code would
 * otherwise test by name (which family a record belongs to, whether and in what order it is
 * guessed, how a region layout is detected and what its era's kernel and VMM did), so no module
 * outside `src/abi/` asks "is this rfc3?".
 *
 * Identifiers are not written here: `AbiId` and `RegionLayoutId` are derived from the
 * registries (`records.ts`, `regions.ts`), which are built from one file per generation.
 *
 * @example
 * ```ts
 * import type { RecordLayout } from "./types.ts";
 * const tiny: RecordLayout = {
 *   id: "tiny", struct: "example", title: "example", era: "example", family: "page_response",
 *   size: 4, source: [],
 *   fields: [{ kind: "scalar", name: "version", offset: 0, type: "u32", meaning: "version" }],
 * };
 * tiny.size; // => 4
 * ```
 * @module
 */
import type { AbiId } from "./records.ts";
import type { RegionLayoutId } from "./regions.ts";
import type { SourceKey } from "./sources.ts";

export type { AbiId, RegionLayoutId };

/** A named value of a C enum, e.g. `IOMMU_FAULT_REASON_PERMISSION = 6`. */
export interface EnumValue {
  /** The constant's value. */
  readonly value: number;
  /** Kernel name without the enum's prefix, e.g. `PERMISSION`. */
  readonly name: string;
  /** What it means, in a few words. */
  readonly meaning?: string;
  /** A flag bit (by name) that a record with this value is expected to carry. */
  readonly expectsFlag?: string;
  /**
   * The kernel's macro for the value when it is not the enum's prefix + `name`: a hardware
   * event the driver prints by one name and defines by another (SMMUv3 `F_TRANSLATION` is
   * `EVT_ID_TRANSLATION_FAULT`, AMD `IO_PAGE_FAULT` is `EVENT_TYPE_IO_FAULT`).
   */
  readonly kernelName?: string;
  /**
   * The fields of the record a value carries, when a hardware record's fields depend on its
   * event code (an SMMUv3 `F_CD_FETCH` carries `fetch_addr`, an `F_TRANSLATION` its `iova`).
   */
  readonly fields?: readonly string[];
  /**
   * The vSMMU event QEMU's `smmuv3_inject_faults` turns a fault of this reason into (absent: it
   * has none, so QEMU warns and drops the fault, or records an event type the guest never sees).
   */
  readonly injects?: string;
}

/** A C enum, with the prefix its constants share in the kernel headers. */
export interface EnumDesc {
  /** The C enum's name, with the generation when it differs between generations. */
  readonly name: string;
  /** Prefix of the kernel constants, e.g. `IOMMU_FAULT_REASON_`. */
  readonly prefix: string;
  /** Every value the generation defines. */
  readonly values: readonly EnumValue[];
  /** What QEMU does with a fault whose value has no `injects` (reason enums only). */
  readonly unmapped?: string;
}

/** One bit of a flags word. */
export interface BitDesc {
  /** Bit number (0 = least significant). */
  readonly bit: number;
  /** Kernel name without the set's prefix. */
  readonly name: string;
  /** What it means, in a few words. */
  readonly meaning?: string;
  /** Field (same struct) that is meaningful only when this bit is set. */
  readonly guards?: string;
  /** Another flag that must be set whenever this one is. */
  readonly requires?: string;
  /** The kernel's full name, when it does not share the set's prefix. */
  readonly kernelName?: string;
  /**
   * Set for a kernel-internal bit that the kernel copies into this uapi word unmasked: why it
   * appears. Decoded by its kernel name and reported as information, never as corruption.
   */
  readonly leak?: string;
}

/** A set of flag bits sharing a prefix, e.g. `IOMMU_FAULT_UNRECOV_`. */
export interface FlagSet {
  /** The flags word's name, with the generation when it differs between generations. */
  readonly name: string;
  /** Prefix of the kernel constants. */
  readonly prefix: string;
  /** Every bit the generation defines. */
  readonly bits: readonly BitDesc[];
}

/** What a field means to the validator, beyond its value. */
export type FieldRole =
  | "reserved" // must be zero
  | "padding" // should be zero
  | "bool" // 0 or 1
  | "selector" // chooses the union variant
  | "cookie" // names a fault group: allocated from 1, never 0
  | "hint"; // a hint the kernel always sets to 0 today

/**
 * What a range of a field's values means: a value up to `max` (and above the previous range's)
 * is read as `meaning`. A value above the last range is implausible.
 */
export interface ValueRange {
  /** Largest value of the range. */
  readonly max: number;
  /** What a value in the range is, in a few words. */
  readonly meaning: string;
}

/** A `__u32` or `__u64` field. */
export interface ScalarField {
  /** Discriminant. */
  readonly kind: "scalar";
  /** Kernel field name. */
  readonly name: string;
  /** Offset inside the enclosing struct (for a union variant: inside the union). */
  readonly offset: number;
  /** `__u32` (a JS number) or `__u64` (a BigInt). */
  readonly type: "u32" | "u64";
  /** What it holds, in a few words. */
  readonly meaning: string;
  /** The enum its values come from. */
  readonly enum?: EnumDesc;
  /** The flag bits it holds. */
  readonly flags?: FlagSet;
  /** What it is to the validator. */
  readonly role?: FieldRole;
  /** For a bool: the field it validates (rfc3 `pasid_valid` guards `pasid`). */
  readonly guards?: string;
  /**
   * What each range of values means, ascending (a group index is a PCI PRI PRGI up to 0x1ff and
   * an SMMUv3 stall tag up to 0xffff); a value above the last range draws a warning.
   */
  readonly ranges?: readonly ValueRange[];
  /** The only correct value (e.g. `argsz` = 24). */
  readonly expected?: number;
}

/** A fixed array of `__u64`, e.g. `private_data[2]`. */
export interface ArrayField {
  /** Discriminant. */
  readonly kind: "array";
  /** Kernel field name. */
  readonly name: string;
  /** Offset inside the enclosing struct. */
  readonly offset: number;
  /** Element type. */
  readonly type: "u64";
  /** Number of elements. */
  readonly count: number;
  /** What it holds, in a few words. */
  readonly meaning: string;
}

/** Opaque bytes, e.g. `padding2[56]`. */
export interface BytesField {
  /** Discriminant. */
  readonly kind: "bytes";
  /** Kernel field name. */
  readonly name: string;
  /** Offset inside the enclosing struct. */
  readonly offset: number;
  /** Bytes. */
  readonly size: number;
  /** What it is for, in a few words. */
  readonly meaning: string;
  /** Always padding. */
  readonly role: "padding";
}

/**
 * A bit field of a little- or host-endian `__u32` or `__u64` word, as hardware records have
 * them (an SMMUv3 event is four `__le64` words of bit fields). Several bit fields share a word:
 * they have the same `offset`. The kernel takes a field either with `FIELD_GET(GENMASK(hi, lo),
 * w)` (`take: "shift"`, the default: the value is shifted down to bit 0) or with
 * `w & GENMASK(hi, lo)` (`take: "mask"`: the value keeps its position, so an address field reads
 * as the address). A value that fits 32 bits decodes to a number, a wider one to a BigInt.
 */
export interface BitsField {
  /** Discriminant. */
  readonly kind: "bits";
  /** The kernel's name for the value. */
  readonly name: string;
  /** Offset of the word inside the enclosing struct. */
  readonly offset: number;
  /** The word's type. */
  readonly type: "u32" | "u64";
  /** Lowest bit of the field in its word. */
  readonly lo: number;
  /** Highest bit of the field in its word (inclusive, as in `GENMASK(hi, lo)`). */
  readonly hi: number;
  /** `shift` (`FIELD_GET`, the default) or `mask` (`& GENMASK`, value left in place). */
  readonly take?: "shift" | "mask";
  /** What it holds, in a few words. */
  readonly meaning: string;
  /** The kernel macro that names the mask, e.g. `EVTQ_3_IPA`. */
  readonly macro?: string;
  /** The enum its values come from. */
  readonly enum?: EnumDesc;
  /** Flag bits inside the field's value (bit 0 = the field's lowest bit). */
  readonly flags?: FlagSet;
  /** What it is to the validator. */
  readonly role?: FieldRole;
  /**
   * How to show the value besides its number: `bdf` is a PCI requester ID (bus 15:8, device
   * 7:3, function 2:0), shown `bb:dd.f` (a hardware record holds no PCI segment).
   */
  readonly format?: "bdf";
  /**
   * The field is part of the record only when another field of the same struct (an event code)
   * has one of these values: an SMMUv3 event carries `ipa` only for IDs 0x10-0x13. Decoding
   * always reads it; the JSON and table views show it, and the record rules check it, only then.
   */
  readonly onlyWhen?: {
    /** The field that decides (an event code). */
    readonly field: string;
    /** Its values for which this field's description holds. */
    readonly values: readonly number[];
  };
}

/** A member of a tagged union, selected by the value of the selector field. */
export interface UnionVariant {
  /** Selector value that chooses this member. */
  readonly when: number;
  /** Member name in the C union, e.g. `event`. */
  readonly name: string;
  /** C struct of the member, e.g. `iommu_fault_unrecoverable`. */
  readonly struct: string;
  /** Bytes of the member. */
  readonly size: number;
  /** The member's fields, offsets inside the union. */
  readonly fields: readonly (ScalarField | ArrayField)[];
}

/** A union keyed by another field of the record (always `type` in these ABIs). */
export interface UnionField {
  /** Discriminant. */
  readonly kind: "union";
  /** Name of the union member (empty for an anonymous union). */
  readonly name: string;
  /** Offset inside the enclosing struct. */
  readonly offset: number;
  /** Bytes the union occupies, including members that only set its size. */
  readonly size: number;
  /** The field (of the enclosing struct) whose value selects the member. */
  readonly selector: string;
  /** The members, by selector value. */
  readonly variants: readonly UnionVariant[];
  /** Members that only pad the union (e.g. `padding2[56]`). */
  readonly padding?: BytesField;
  /** What it holds, in a few words. */
  readonly meaning: string;
}

/** Any field of a record. */
export type Field = ScalarField | ArrayField | BytesField | UnionField | BitsField;

/**
 * What a record is: a fault of the `iommu_fault` generations (those with a fault type and a
 * union or flat body), a page response, the iommufd fault queue's records, or a hardware (or
 * paravirtual) IOMMU's own record, always little endian (an SMMUv3 event, an AMD-Vi event log
 * entry, a VT-d fault recording register). Code asks the family, never the id, when it needs
 * "the fault generations".
 */
export type RecordFamily =
  | "iommu_fault"
  | "page_response"
  | "iommufd_fault"
  | "iommufd_response"
  | "hardware";

/** One record format of one generation. */
export interface RecordLayout {
  /** The id `decode --abi` takes; unique across records. */
  readonly id: string;
  /** C struct name. */
  readonly struct: string;
  /** One line for humans. */
  readonly title: string;
  /** Which posting or kernel release used it. */
  readonly era: string;
  /** What kind of record it is. */
  readonly family: RecordFamily;
  /** Bytes. */
  readonly size: number;
  /** Fields in C order. */
  readonly fields: readonly Field[];
  /** Where it comes from: keys of `sources.ts`, each a list of public citations. */
  readonly source: readonly SourceKey[];
  /** Caveats shown by `layout`. */
  readonly notes?: readonly string[];
  /**
   * Rank among the generations ABI inference tries when none is given (1 first; of candidates
   * that score the same, the pick is the lower rank, and the tie is said). Absent: never inferred.
   */
  readonly guessRank?: number;
}

/** Which party writes a header field. */
export type Writer = "kernel" | "userspace";

/** What a region header field is to the ring. */
export type HeaderRole =
  | "capacity"
  | "producer"
  | "consumer"
  | "entry_size"
  | "ring_offset"
  | "reserved"
  | "version";

/** A `__u32` of a region header. */
export interface HeaderField {
  /** Kernel field name. */
  readonly name: string;
  /** Offset in the header. */
  readonly offset: number;
  /** What the field is to the ring. */
  readonly role: HeaderRole;
  /** Who writes it. */
  readonly writer: Writer;
  /** What it holds, in a few words. */
  readonly meaning: string;
}

/**
 * What the kernel and VMM of a layout's era did, which the simulator models by default: the
 * RFC v3 kernel tested "full" with a true modulo and checked nothing, and its VMM wrote `cons`
 * after every record and re-read it from the header on each signal; v4+ kernels used
 * `CIRC_SPACE` and checked the header's bounds, and their VMMs kept a private index and wrote it
 * once per drain.
 */
export interface SimulatorDefaults {
  /** The kernel's "ring full" test: a true modulo, or `CIRC_SPACE` (a power-of-two mask). */
  readonly indexMath: "modulo" | "circ";
  /** What the kernel checks in the header before each enqueue. */
  readonly headerCheck: "none" | "bounds" | "stop";
  /** When the VMM writes its consumer index: after every record or once per drain. */
  readonly consWrite: "per_record" | "per_drain";
  /** The VMM re-reads its consumer index from the header on every signal (no private copy). */
  readonly rereadsConsumer: boolean;
}

/**
 * How a header tells which record ABI its ring carries: by an `entry_size` field (the candidates
 * of that size), or not at all (`stride`: the header has no entry size and the VMM steps its
 * compiled-in record whatever the header says, so the ring carries the layout's default record:
 * RFC v3's QEMU steps 48 bytes even when `size` reads 1023).
 */
export type AbiEvidence = "entry_size" | "stride";

/**
 * A VFIO region: a header of indices followed by a ring of records. `Id` is a registered layout
 * id by default; a layout's own file checks itself against `RegionLayout<string>`.
 */
export interface RegionLayout<Id extends string = RegionLayoutId> {
  /** The id `inspect --layout` takes; unique across layouts. */
  readonly id: Id;
  /** C struct of the header. */
  readonly struct: string;
  /** One line for humans. */
  readonly title: string;
  /** Which postings used it. */
  readonly era: string;
  /** Bytes of the header. */
  readonly headerSize: number;
  /** Header fields in C order (all `__u32`). */
  readonly header: readonly HeaderField[];
  /** Record ABI the region carries unless told otherwise. */
  readonly defaultAbi: AbiId;
  /**
   * Record ABIs the region may carry: what `--abi` and the simulator may choose. Inference picks
   * among those the header's evidence allows (see {@link AbiEvidence}).
   */
  readonly abis: readonly AbiId[];
  /** Ring offset when the header has no `offset` field. */
  readonly fixedRingOffset?: number;
  /** Capacity the kernel uses (fixed ring length), when it does not depend on the region size. */
  readonly fixedCapacity?: number;
  /** How the region size follows from the page size (bytes); see `regionSizeFor`. */
  readonly sizing: "fixed-64k" | "one-page-ring" | "align-ring-plus-page";
  /**
   * Where the consumer index lives when it is not in this region's header (v4-v8 keep it in a
   * separate CONS region): the other region's struct and the field's offset there.
   */
  readonly externalConsumer?: {
    /** The other region's struct. */
    readonly struct: string;
    /** The field's name there. */
    readonly field: string;
    /** The field's offset there. */
    readonly offset: number;
  };
  /** Rank in layout detection (1 first): the first plausible layout in this order wins ties. */
  readonly detectRank: number;
  /** How the header names the record ABI the ring carries. */
  readonly abiEvidence: AbiEvidence;
  /**
   * Fault types the ring carries on every kernel that used the layout, by enum name, and why;
   * absent when it carries every type. A record of another type draws REC-TYPE-RING.
   */
  readonly ringTypes?: {
    /** The fault types, by `enum iommu_fault_type` name. */
    readonly types: readonly string[];
    /** The ring's name in messages (the kernel's region subtype, e.g. `DMA_FAULT`). */
    readonly ring: string;
    /** Why other types do not belong there. */
    readonly why: string;
  };
  /** What the era's kernel and VMM did; absent for a layout the simulator does not drive. */
  readonly simulator?: SimulatorDefaults;
  /** Where it comes from: keys of `sources.ts`, each a list of public citations. */
  readonly source: readonly SourceKey[];
  /** Caveats shown by `layout`. */
  readonly notes?: readonly string[];
}
