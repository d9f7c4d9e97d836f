/**
 * Every `iommu_fault` generation and the records that travel with it, described once as data
 * (abi.md sections 2 and 5). Offsets of union members are relative to the union.
 *
 * @example
 * ```ts
 * import { RECORDS } from "./records.ts";
 * RECORDS.rfc3.size; // 48: the flat RFC v3 record, 1365 of them fill a 64 KiB region
 * RECORDS.mainline.size; // 64
 * ```
 * @module
 */
import type {
  AbiId,
  ArrayField,
  EnumDesc,
  FlagSet,
  RecordLayout,
  ScalarField,
  UnionVariant,
} from "./types.ts";

/** `enum iommu_fault_type`: the same in every generation. */
export const FAULT_TYPE: EnumDesc = {
  name: "iommu_fault_type",
  prefix: "IOMMU_FAULT_",
  values: [
    { value: 1, name: "DMA_UNRECOV", meaning: "unrecoverable fault" },
    { value: 2, name: "PAGE_REQ", meaning: "page request (recoverable)" },
  ],
};

/** `enum iommu_fault_reason` as numbered in RFC v3 (abi.md table 2.1a). */
export const REASON_RFC3: EnumDesc = {
  name: "iommu_fault_reason (RFC v3)",
  prefix: "IOMMU_FAULT_REASON_",
  values: [
    { value: 0, name: "UNKNOWN" },
    { value: 1, name: "INTERNAL" },
    { value: 2, name: "PASID_FETCH" },
    { value: 3, name: "DEVICE_CONTEXT_FETCH" },
    { value: 4, name: "BAD_PASID_ENTRY" },
    { value: 5, name: "BAD_DEVICE_CONTEXT_ENTRY" },
    { value: 6, name: "PASID_INVALID" },
    { value: 7, name: "SOURCEID_INVALID" },
    { value: 8, name: "WALK_EABT" },
    { value: 9, name: "PTE_FETCH" },
    { value: 10, name: "PERMISSION" },
    { value: 11, name: "ACCESS" },
    { value: 12, name: "OOR_ADDRESS" },
  ],
};

/** `enum iommu_fault_reason` from v4 on (abi.md table 2.5a). */
export const REASON_V4: EnumDesc = {
  name: "iommu_fault_reason",
  prefix: "IOMMU_FAULT_REASON_",
  values: [
    { value: 0, name: "UNKNOWN" },
    { value: 1, name: "PASID_FETCH", meaning: "could not fetch the PASID table" },
    { value: 2, name: "BAD_PASID_ENTRY", meaning: "PASID entry invalid or misconfigured" },
    { value: 3, name: "PASID_INVALID", meaning: "PASID out of range or disabled" },
    {
      value: 4,
      name: "WALK_EABT",
      meaning: "external abort on a table walk",
      expectsFlag: "FETCH_ADDR_VALID",
    },
    { value: 5, name: "PTE_FETCH", meaning: "translation fault", expectsFlag: "ADDR_VALID" },
    { value: 6, name: "PERMISSION", meaning: "permission fault", expectsFlag: "ADDR_VALID" },
    { value: 7, name: "ACCESS", meaning: "access flag fault", expectsFlag: "ADDR_VALID" },
    { value: 8, name: "OOR_ADDRESS", meaning: "address size fault", expectsFlag: "ADDR_VALID" },
  ],
};

/** `IOMMU_FAULT_PERM_*` in v4-v6 (bit 0 = WRITE; abi.md table 2.6a). */
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

/** `IOMMU_FAULT_UNRECOV_*` in v4-v7 (PERM_VALID at bit 1; abi.md table 2.6b). */
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

/** `IOMMU_FAULT_PAGE_REQUEST_*` in v4-v6 (abi.md table 2.6c). */
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

const u32 = (
  name: string,
  offset: number,
  meaning: string,
  extra: Partial<ScalarField> = {},
): ScalarField => ({ kind: "scalar", name, offset, type: "u32", meaning, ...extra });
const u64 = (name: string, offset: number, meaning: string): ScalarField => ({
  kind: "scalar",
  name,
  offset,
  type: "u64",
  meaning,
});

/** PCI PRI page request group index is 9 bits; the SMMU stall tag is 16. */
const PRGI_MAX = 0x1ff;

function unionRecord(
  id: AbiId,
  title: string,
  era: string,
  source: string,
  opts: {
    word1: "reserved" | "padding";
    perm: FlagSet;
    unrecov: FlagSet;
    prq: FlagSet;
    size: 48 | 64;
    notes?: string[];
  },
): RecordLayout {
  const event: UnionVariant = {
    when: 1,
    name: "event",
    struct: "iommu_fault_unrecoverable",
    size: 32,
    fields: [
      u32("reason", 0, "fault reason", { enum: REASON_V4 }),
      u32("flags", 4, "validity flags", { flags: opts.unrecov }),
      u32("pasid", 8, "PASID"),
      u32("perm", 12, "access permissions of the faulting request", { flags: opts.perm }),
      u64("addr", 16, "offending page address"),
      u64("fetch_addr", 24, "address of the fetch that aborted"),
    ],
  };
  const privateData: ArrayField = {
    kind: "array",
    name: "private_data",
    offset: 24,
    type: "u64",
    count: 2,
    meaning: "device-specific data (VT-d); meaningful with PRIV_DATA",
  };
  const prm: UnionVariant = {
    when: 2,
    name: "prm",
    struct: "iommu_fault_page_request",
    size: 40,
    fields: [
      u32("flags", 0, "page request flags", { flags: opts.prq }),
      u32("pasid", 4, "PASID"),
      u32("grpid", 8, "page request group index", { plausibleMax: PRGI_MAX }),
      u32("perm", 12, "requested permissions", { flags: opts.perm }),
      u64("addr", 16, "page address"),
      privateData,
    ],
  };
  return {
    id,
    struct: "iommu_fault",
    title,
    era,
    size: opts.size,
    source,
    notes: opts.notes,
    fields: [
      u32("type", 0, "fault type: selects the union member", {
        enum: FAULT_TYPE,
        role: "selector",
      }),
      u32(opts.word1, 4, opts.word1 === "reserved" ? "reserved" : "reserved, should be zero", {
        role: "reserved",
      }),
      {
        kind: "union",
        name: "",
        offset: 8,
        size: opts.size - 8,
        selector: "type",
        variants: [event, prm],
        padding: opts.size === 64
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

/** RFC v3 (Jan 2019): the flat 48-byte record (abi.md 2.1). */
const RFC3: RecordLayout = {
  id: "rfc3",
  struct: "iommu_fault",
  title: "RFC v3 flat iommu_fault",
  era: "RFC v3, Jan 2019 (v5.0-rc1-2stage-rfc-v3)",
  size: 48,
  source: "S1, S2",
  notes: [
    "Flat struct: no flags word; validity is carried by the boolean words pasid_valid and last_req.",
    "Reason numbering differs from every later generation (PERMISSION = 10 here, 6 from v4).",
    "The encoding of prot and access is not documented in the header (abi.md: [U]).",
  ],
  fields: [
    u32("type", 0, "fault type", { enum: FAULT_TYPE }),
    u32("reason", 4, "fault reason (RFC v3 numbering)", { enum: REASON_RFC3 }),
    u64("addr", 8, "offending page address"),
    u64("fetch_addr", 16, "address whose fetch aborted, if any"),
    u32("pasid", 24, "PASID / SSID"),
    u32("page_req_group_id", 28, "page request group index", { plausibleMax: PRGI_MAX }),
    u32("last_req", 32, "last request in a page request group", { role: "bool" }),
    u32("pasid_valid", 36, "the pasid field is valid", { role: "bool", guards: "pasid" }),
    u32("prot", 40, "access protection (encoding undocumented)"),
    u32("access", 44, "undocumented"),
  ],
};

const PAGE_RESP_VERSION: EnumDesc = {
  name: "iommu_page_response version",
  prefix: "IOMMU_PAGE_RESP_VERSION_",
  values: [{ value: 1, name: "1" }],
};
const PAGE_RESP_FLAGS: FlagSet = {
  name: "iommu_page_response.flags",
  prefix: "IOMMU_PAGE_RESP_",
  bits: [{ bit: 0, name: "PASID_VALID", guards: "pasid" }],
};
const PAGE_RESP_CODE: EnumDesc = {
  name: "iommu_page_response_code",
  prefix: "IOMMU_PAGE_RESP_",
  values: [
    { value: 0, name: "SUCCESS", meaning: "PCI PRI Success" },
    { value: 1, name: "INVALID", meaning: "PCI PRI Invalid Request" },
    { value: 2, name: "FAILURE", meaning: "PCI PRI Response Failure" },
  ],
};

function pageResponse(argsz: boolean): RecordLayout {
  const o = argsz ? 4 : 0;
  return {
    id: argsz ? "resp24" : "resp20",
    struct: "iommu_page_response",
    title: argsz ? "iommu_page_response with argsz" : "iommu_page_response (no argsz)",
    era: argsz ? "v5.10+; the v11+ VFIO response region" : "v5.3 to v5.9",
    size: argsz ? 24 : 20,
    source: argsz ? "K3, K4, S10-S12" : "K1, S8",
    fields: [
      ...(argsz ? [u32("argsz", 0, "size of the user-filled data", { expected: 24 })] : []),
      u32("version", o, "IOMMU_PAGE_RESP_VERSION_1", { enum: PAGE_RESP_VERSION }),
      u32("flags", o + 4, "response flags", { flags: PAGE_RESP_FLAGS }),
      u32("pasid", o + 8, "PASID"),
      u32("grpid", o + 12, "page request group index", { plausibleMax: PRGI_MAX }),
      u32("code", o + 16, "response code", { enum: PAGE_RESP_CODE }),
    ],
  };
}

const PGFAULT_FLAGS: FlagSet = {
  name: "iommu_hwpt_pgfault.flags",
  prefix: "IOMMU_PGFAULT_FLAGS_",
  bits: [
    { bit: 0, name: "PASID_VALID", guards: "pasid" },
    { bit: 1, name: "LAST_PAGE", meaning: "last request of the group" },
  ],
};
const PGFAULT_PERM: FlagSet = {
  ...PERM_V8,
  name: "iommu_hwpt_pgfault.perm",
  prefix: "IOMMU_PGFAULT_PERM_",
};
const IOMMUFD_RESP_CODE: EnumDesc = {
  name: "iommufd_page_response_code",
  prefix: "IOMMUFD_PAGE_RESP_",
  values: [{ value: 0, name: "SUCCESS" }, { value: 1, name: "INVALID" }],
};

/** Every record ABI, by the id `decode --abi` takes. */
export const RECORDS: Readonly<Record<AbiId, RecordLayout>> = {
  rfc3: RFC3,
  v4: unionRecord("v4", "v4-v6 union iommu_fault", "PATCH v4-v6, Feb-Mar 2019", "S4, S5", {
    word1: "reserved",
    perm: PERM_V4,
    unrecov: UNRECOV_V4,
    prq: PRQ_V4,
    size: 48,
    notes: ["PERM bit 0 is WRITE; a read fault is a fault with WRITE clear."],
  }),
  v7: unionRecord("v7", "v7 union iommu_fault", "PATCH v7, Apr 2019", "S6", {
    word1: "reserved",
    perm: PERM_V7,
    unrecov: UNRECOV_V4,
    prq: PRQ_V7,
    size: 48,
  }),
  v8: unionRecord("v8", "v8 union iommu_fault", "PATCH v8, May 2019", "S7, M10", {
    word1: "padding",
    perm: PERM_V8,
    unrecov: UNRECOV_V8,
    prq: PRQ_V7,
    size: 48,
    notes: ["PERM_READ inserted at bit 0 and UNRECOV_PERM_VALID removed: raw values shift."],
  }),
  mainline: unionRecord(
    "mainline",
    "mainline iommu_fault",
    "Linux v5.3+ (v9+ VFIO series)",
    "K1, K4, S8",
    {
      word1: "padding",
      perm: PERM_V8,
      unrecov: UNRECOV_V8,
      prq: PRQ_MAINLINE,
      size: 64,
      notes: ["NEEDS_PASID (page-request flag bit 3) exists from about v5.9."],
    },
  ),
  resp20: pageResponse(false),
  resp24: pageResponse(true),
  "hwpt-pgfault": {
    id: "hwpt-pgfault",
    struct: "iommu_hwpt_pgfault",
    title: "iommufd fault queue record",
    era: "Linux v6.11+ (padding explicit since the v6.14 fix)",
    size: 40,
    source: "K7, K8, K9",
    notes: ["Bytes 20-23 were implicit, unzeroed padding before the v6.14 fix."],
    fields: [
      u32("flags", 0, "fault flags", { flags: PGFAULT_FLAGS }),
      u32("dev_id", 4, "iommufd device object ID"),
      u32("pasid", 8, "PASID"),
      u32("grpid", 12, "page request group index", { plausibleMax: PRGI_MAX }),
      u32("perm", 16, "requested permissions", { flags: PGFAULT_PERM }),
      u32("__reserved", 20, "must be 0", { role: "reserved" }),
      u64("addr", 24, "fault address"),
      u32("length", 32, "prefetch-size hint, 0 if none"),
      u32("cookie", 36, "fault group cookie, echoed in the response"),
    ],
  },
  "hwpt-response": {
    id: "hwpt-response",
    struct: "iommu_hwpt_page_response",
    title: "iommufd page response",
    era: "Linux v6.11+",
    size: 8,
    source: "K7",
    fields: [
      u32("cookie", 0, "cookie of the fault group answered"),
      u32("code", 4, "response code", { enum: IOMMUFD_RESP_CODE }),
    ],
  },
};

/** Record ABI ids in presentation order. */
export const ABI_IDS: readonly AbiId[] = Object.keys(RECORDS) as AbiId[];

/** The `iommu_fault` generations (those with a fault type). */
export const FAULT_ABIS: readonly AbiId[] = ["rfc3", "v4", "v7", "v8", "mainline"];

/** Looks up a record ABI by id; undefined when unknown. */
export function recordLayout(id: string): RecordLayout | undefined {
  return Object.hasOwn(RECORDS, id) ? RECORDS[id as AbiId] : undefined;
}
