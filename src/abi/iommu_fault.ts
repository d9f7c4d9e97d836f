/**
 * The `iommu_fault` family shared by the generations from v4 on (`include/uapi/linux/iommu.h`
 * of each, sources S4 to S8, K1 and K4 in src/abi/sources.ts): the fault type and reason enums,
 * the flag and permission bits by generation, and the builder of the tagged-union record. Each
 * generation's own file (`records/v4.ts`, ...) picks its bits from here; RFC v3's flat record has
 * its own file and reason numbering.
 *
 * @example
 * ```ts
 * import { PERM_V4, PERM_V8 } from "./iommu_fault.ts";
 * PERM_V4.bits[0].name; // => "WRITE": v4-v7
 * PERM_V8.bits[0].name; // => "READ": v8 and mainline
 * ```
 * @module
 */
import { GRPID_RANGES, u32, u64, u64Array } from "./fields.ts";
import type { SourceKey } from "./sources.ts";
import type { EnumDesc, FlagSet, RecordLayout, UnionVariant } from "./types.ts";

/** `enum iommu_fault_type`: the same in every generation. */
export const FAULT_TYPE: EnumDesc = {
  name: "iommu_fault_type",
  prefix: "IOMMU_FAULT_",
  values: [
    { value: 1, name: "DMA_UNRECOV", meaning: "unrecoverable fault" },
    { value: 2, name: "PAGE_REQ", meaning: "page request (recoverable)" },
  ],
};

/**
 * `enum iommu_fault_reason` from v4 on (unchanged from source S4 to K4 in src/abi/sources.ts),
 * with the vSMMU event the last QEMU branch's `smmuv3_inject_faults` injects for each
 * (eauger/qemu@97129bfbeb2ed72a082d59093fdd8017a9a76546 `hw/arm/smmuv3.c`, on the branch of
 * source S12).
 */
export const REASON_V4: EnumDesc = {
  name: "iommu_fault_reason",
  prefix: "IOMMU_FAULT_REASON_",
  unmapped: 'QEMU\'s smmuv3_inject_faults warns "Unexpected fault reason" and drops the fault',
  values: [
    { value: 0, name: "UNKNOWN" },
    {
      value: 1,
      name: "PASID_FETCH",
      meaning: "could not fetch the PASID table",
      injects: "F_CD_FETCH",
    },
    {
      value: 2,
      name: "BAD_PASID_ENTRY",
      meaning: "PASID entry invalid or misconfigured",
      injects: "C_BAD_CD",
    },
    {
      value: 3,
      name: "PASID_INVALID",
      meaning: "PASID out of range or disabled",
      injects: "C_BAD_SUBSTREAMID",
    },
    {
      value: 4,
      name: "WALK_EABT",
      meaning: "external abort on a table walk",
      expectsFlag: "FETCH_ADDR_VALID",
      injects: "F_WALK_EABT",
    },
    {
      value: 5,
      name: "PTE_FETCH",
      meaning: "translation fault",
      expectsFlag: "ADDR_VALID",
      injects: "F_TRANSLATION",
    },
    {
      value: 6,
      name: "PERMISSION",
      meaning: "permission fault",
      expectsFlag: "ADDR_VALID",
      injects: "F_PERMISSION",
    },
    {
      value: 7,
      name: "ACCESS",
      meaning: "access flag fault",
      expectsFlag: "ADDR_VALID",
      injects: "F_ACCESS",
    },
    {
      value: 8,
      name: "OOR_ADDRESS",
      meaning: "address size fault",
      expectsFlag: "ADDR_VALID",
      injects: "F_ADDR_SIZE",
    },
  ],
};

/** `IOMMU_FAULT_PERM_*` in v4-v6 (bit 0 = WRITE; sources S4, S5). */
export const PERM_V4: FlagSet = {
  name: "iommu_fault_perm (v4-v6)",
  prefix: "IOMMU_FAULT_PERM_",
  bits: [
    { bit: 0, name: "WRITE" },
    { bit: 1, name: "EXEC" },
    { bit: 2, name: "PRIV" },
    { bit: 3, name: "INST" },
  ],
};

/** `IOMMU_FAULT_PERM_*` in v7 (PERM_INST removed). */
export const PERM_V7: FlagSet = {
  name: "iommu_fault_perm (v7)",
  prefix: "IOMMU_FAULT_PERM_",
  bits: [{ bit: 0, name: "WRITE" }, { bit: 1, name: "EXEC" }, { bit: 2, name: "PRIV" }],
};

/** `IOMMU_FAULT_PERM_*` from v8 and in mainline (READ inserted at bit 0). */
export const PERM_V8: FlagSet = {
  name: "iommu_fault_perm",
  prefix: "IOMMU_FAULT_PERM_",
  bits: [
    { bit: 0, name: "READ" },
    { bit: 1, name: "WRITE" },
    { bit: 2, name: "EXEC" },
    { bit: 3, name: "PRIV" },
  ],
};

/** `IOMMU_FAULT_UNRECOV_*` in v4-v7 (PERM_VALID at bit 1; sources S4 to S6). */
export const UNRECOV_V4: FlagSet = {
  name: "iommu_fault_unrecoverable.flags (v4-v7)",
  prefix: "IOMMU_FAULT_UNRECOV_",
  bits: [
    { bit: 0, name: "PASID_VALID", guards: "pasid" },
    { bit: 1, name: "PERM_VALID", guards: "perm" },
    { bit: 2, name: "ADDR_VALID", guards: "addr" },
    { bit: 3, name: "FETCH_ADDR_VALID", guards: "fetch_addr" },
  ],
};

/** `IOMMU_FAULT_UNRECOV_*` from v8 and in mainline. */
export const UNRECOV_V8: FlagSet = {
  name: "iommu_fault_unrecoverable.flags",
  prefix: "IOMMU_FAULT_UNRECOV_",
  bits: [
    { bit: 0, name: "PASID_VALID", guards: "pasid" },
    { bit: 1, name: "ADDR_VALID", guards: "addr" },
    { bit: 2, name: "FETCH_ADDR_VALID", guards: "fetch_addr" },
  ],
};

const PRQ_BITS_V4 = [
  { bit: 0, name: "PASID_PRESENT", guards: "pasid" },
  { bit: 1, name: "LAST_PAGE", meaning: "last request of a page request group" },
  { bit: 2, name: "PRIV_DATA", meaning: "private_data is valid", guards: "private_data" },
] as const;

/** `IOMMU_FAULT_PAGE_REQUEST_*` in v4-v6 (source S4). */
export const PRQ_V4: FlagSet = {
  name: "iommu_fault_page_request.flags (v4-v6)",
  prefix: "IOMMU_FAULT_PAGE_REQUEST_",
  bits: PRQ_BITS_V4,
};

/** `IOMMU_FAULT_PAGE_REQUEST_*` from v7 to v5.8 (PASID_PRESENT renamed PASID_VALID). */
export const PRQ_V7: FlagSet = {
  name: "iommu_fault_page_request.flags",
  prefix: "IOMMU_FAULT_PAGE_REQUEST_",
  bits: [{ ...PRQ_BITS_V4[0], name: "PASID_VALID" }, PRQ_BITS_V4[1], PRQ_BITS_V4[2]],
};

/** Mainline page-request flags, with NEEDS_PASID (bit 3) from about v5.9. */
export const PRQ_MAINLINE: FlagSet = {
  name: "iommu_fault_page_request.flags (v5.9+)",
  prefix: "IOMMU_FAULT_PAGE_REQUEST_",
  bits: [
    ...PRQ_V7.bits,
    {
      bit: 3,
      name: "NEEDS_PASID",
      kernelName: "IOMMU_FAULT_PAGE_RESPONSE_NEEDS_PASID",
      meaning: "the response must carry the PASID (v5.9+)",
      requires: "PASID_VALID",
    },
  ],
};

/** What differs between the union generations (the byte layout is shared). */
export interface UnionGeneration<Id extends string> {
  /** The id `decode --abi` takes. */
  readonly id: Id;
  /** One line for humans. */
  readonly title: string;
  /** Which posting or kernel release used it. */
  readonly era: string;
  /** Where it comes from: keys of `sources.ts`, each a list of public citations. */
  readonly source: readonly SourceKey[];
  /** Name of the word at offset 4: `reserved` (v4-v7) or `padding` (v8 on). */
  readonly word1: "reserved" | "padding";
  /** `IOMMU_FAULT_PERM_*` of the generation. */
  readonly perm: FlagSet;
  /** `IOMMU_FAULT_UNRECOV_*` of the generation. */
  readonly unrecov: FlagSet;
  /** `IOMMU_FAULT_PAGE_REQUEST_*` of the generation. */
  readonly prq: FlagSet;
  /** 48 (v4-v8) or 64 (mainline, with `padding2[56]`). */
  readonly size: 48 | 64;
  /** Rank in ABI inference. */
  readonly guessRank?: number;
  /** Caveats shown by `layout`. */
  readonly notes?: readonly string[];
}

/** A union `iommu_fault` generation's description, with its literal id. */
export type UnionRecord<Id extends string> = RecordLayout & {
  /** The generation's id. */
  readonly id: Id;
  /** Always the `iommu_fault` family. */
  readonly family: "iommu_fault";
};

/** The tagged-union `struct iommu_fault` of a generation, cited by its `source` keys. */
export function unionRecord<const Id extends string>(g: UnionGeneration<Id>): UnionRecord<Id> {
  const event: UnionVariant = {
    when: 1,
    name: "event",
    struct: "iommu_fault_unrecoverable",
    size: 32,
    fields: [
      u32("reason", 0, "fault reason", { enum: REASON_V4 }),
      u32("flags", 4, "validity flags", { flags: g.unrecov }),
      u32("pasid", 8, "PASID"),
      u32("perm", 12, "access permissions of the faulting request", { flags: g.perm }),
      u64("addr", 16, "offending page address"),
      u64("fetch_addr", 24, "address of the fetch that aborted"),
    ],
  };
  const prm: UnionVariant = {
    when: 2,
    name: "prm",
    struct: "iommu_fault_page_request",
    size: 40,
    fields: [
      u32("flags", 0, "page request flags", { flags: g.prq }),
      u32("pasid", 4, "PASID"),
      u32("grpid", 8, "page request group index", { ranges: GRPID_RANGES }),
      u32("perm", 12, "requested permissions", { flags: g.perm }),
      u64("addr", 16, "page address"),
      u64Array("private_data", 24, 2, "device-specific data (VT-d); meaningful with PRIV_DATA"),
    ],
  };
  return {
    id: g.id,
    struct: "iommu_fault",
    title: g.title,
    era: g.era,
    family: "iommu_fault",
    size: g.size,
    source: g.source,
    notes: g.notes,
    guessRank: g.guessRank,
    fields: [
      u32("type", 0, "fault type: selects the union member", {
        enum: FAULT_TYPE,
        role: "selector",
      }),
      u32(g.word1, 4, g.word1 === "reserved" ? "reserved" : "reserved, should be zero", {
        role: "reserved",
      }),
      {
        kind: "union",
        name: "",
        offset: 8,
        size: g.size - 8,
        selector: "type",
        variants: [event, prm],
        padding: g.size === 64
          ? {
            kind: "bytes",
            name: "padding2",
            offset: 0,
            size: 56,
            meaning: "sets the union size; unused bytes are zero",
            role: "padding",
          }
          : undefined,
        meaning: "event (type 1) or prm (type 2)",
      },
    ],
  };
}
