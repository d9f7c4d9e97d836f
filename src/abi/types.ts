/**
 * Types of the ABI description: every record and region header of every generation is
 * described once, as plain data of these shapes, and that data drives decoding, encoding,
 * validation and the `layout` command.
 *
 * @example
 * ```ts
 * import type { RecordLayout } from "./types.ts";
 * const tiny: RecordLayout = {
 *   id: "resp20", struct: "iommu_page_response", title: "example", era: "v5.3",
 *   size: 4, source: "K1",
 *   fields: [{ kind: "scalar", name: "version", offset: 0, type: "u32", meaning: "version" }],
 * };
 * ```
 * @module
 */

/** A named value of a C enum, e.g. `IOMMU_FAULT_REASON_PERMISSION = 6`. */
export interface EnumValue {
  readonly value: number;
  /** Kernel name without the enum's prefix, e.g. `PERMISSION`. */
  readonly name: string;
  readonly meaning?: string;
  /** A flag bit (by name) that a record with this value is expected to carry. */
  readonly expectsFlag?: string;
}

/** A C enum, with the prefix its constants share in the kernel headers. */
export interface EnumDesc {
  readonly name: string;
  readonly prefix: string;
  readonly values: readonly EnumValue[];
}

/** One bit of a flags word. */
export interface BitDesc {
  readonly bit: number;
  readonly name: string;
  readonly meaning?: string;
  /** Field (same struct) that is meaningful only when this bit is set. */
  readonly guards?: string;
  /** Another flag that must be set whenever this one is. */
  readonly requires?: string;
  /** The kernel's full name, when it does not share the set's prefix. */
  readonly kernelName?: string;
}

/** A set of flag bits sharing a prefix, e.g. `IOMMU_FAULT_UNRECOV_`. */
export interface FlagSet {
  readonly name: string;
  readonly prefix: string;
  readonly bits: readonly BitDesc[];
}

/** What a field means to the validator, beyond its value. */
export type FieldRole =
  | "reserved" // must be zero
  | "padding" // should be zero
  | "bool" // 0 or 1
  | "selector"; // chooses the union variant

/** A `__u32` or `__u64` field. */
export interface ScalarField {
  readonly kind: "scalar";
  readonly name: string;
  /** Offset inside the enclosing struct (for a union variant: inside the union). */
  readonly offset: number;
  readonly type: "u32" | "u64";
  readonly meaning: string;
  readonly enum?: EnumDesc;
  readonly flags?: FlagSet;
  readonly role?: FieldRole;
  /** For a bool: the field it validates (rfc3 `pasid_valid` guards `pasid`). */
  readonly guards?: string;
  /** Upper bound that is plausible; larger values draw a warning. */
  readonly plausibleMax?: number;
  /** The only correct value (e.g. `argsz` = 24). */
  readonly expected?: number;
}

/** A fixed array of `__u64`, e.g. `private_data[2]`. */
export interface ArrayField {
  readonly kind: "array";
  readonly name: string;
  readonly offset: number;
  readonly type: "u64";
  readonly count: number;
  readonly meaning: string;
}

/** Opaque bytes, e.g. `padding2[56]`. */
export interface BytesField {
  readonly kind: "bytes";
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  readonly meaning: string;
  readonly role: "padding";
}

/** A member of a tagged union, selected by the value of the selector field. */
export interface UnionVariant {
  /** Selector value that chooses this member. */
  readonly when: number;
  /** Member name in the C union, e.g. `event`. */
  readonly name: string;
  /** C struct of the member, e.g. `iommu_fault_unrecoverable`. */
  readonly struct: string;
  readonly size: number;
  readonly fields: readonly (ScalarField | ArrayField)[];
}

/** A union keyed by another field of the record (always `type` in these ABIs). */
export interface UnionField {
  readonly kind: "union";
  readonly name: string;
  readonly offset: number;
  /** Bytes the union occupies, including members that only set its size. */
  readonly size: number;
  readonly selector: string;
  readonly variants: readonly UnionVariant[];
  /** Members that only pad the union (e.g. `padding2[56]`). */
  readonly padding?: BytesField;
  readonly meaning: string;
}

/** Any field of a record. */
export type Field = ScalarField | ArrayField | BytesField | UnionField;

/** Identifier of a record ABI that `decode --abi` accepts. */
export type AbiId =
  | "rfc3"
  | "v4"
  | "v7"
  | "v8"
  | "mainline"
  | "resp20"
  | "resp24"
  | "hwpt-pgfault"
  | "hwpt-response";

/** One record format of one generation. */
export interface RecordLayout {
  readonly id: AbiId;
  /** C struct name. */
  readonly struct: string;
  readonly title: string;
  /** Which posting or kernel release used it. */
  readonly era: string;
  readonly size: number;
  readonly fields: readonly Field[];
  /** Source keys of abi.md. */
  readonly source: string;
  readonly notes?: readonly string[];
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
  readonly name: string;
  readonly offset: number;
  readonly role: HeaderRole;
  readonly writer: Writer;
  readonly meaning: string;
}

/** Identifier of a region layout that `inspect --layout` accepts. */
export type RegionLayoutId = "rfc3" | "fault-prod" | "dma-fault" | "dma-fault-response";

/** A VFIO region: a header of indices followed by a ring of records. */
export interface RegionLayout {
  readonly id: RegionLayoutId;
  readonly struct: string;
  readonly title: string;
  readonly era: string;
  readonly headerSize: number;
  readonly header: readonly HeaderField[];
  /** Record ABI the region carries unless told otherwise. */
  readonly defaultAbi: AbiId;
  /** Record ABIs the region may carry. */
  readonly abis: readonly AbiId[];
  /** Ring offset when the header has no `offset` field. */
  readonly fixedRingOffset?: number;
  /** Capacity the kernel uses (fixed ring length), when it does not depend on the region size. */
  readonly fixedCapacity?: number;
  /** How the region size follows from the page size (bytes); see {@link regionSizeFor}. */
  readonly sizing: "fixed-64k" | "one-page-ring" | "align-ring-plus-page";
  /**
   * Where the consumer index lives when it is not in this region's header (v4-v8 keep it in a
   * separate CONS region): the other region's struct and the field's offset there.
   */
  readonly externalConsumer?: {
    readonly struct: string;
    readonly field: string;
    readonly offset: number;
  };
  readonly source: string;
  readonly notes?: readonly string[];
}
