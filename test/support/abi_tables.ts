/**
 * An independent, hand-made transcription of the tables of abi.md (sections
 * 2, 3 and 5.1): field names, absolute byte offsets and sizes, enums and flag bits. The tests
 * compare the code's ABI data against these tables and use them as the oracle for byte
 * positions; nothing here is computed from `src/`.
 *
 * Offsets are absolute (from the start of the record); members of a union are written
 * `event.addr`, array elements `prm.private_data[1]`.
 *
 * @module
 */

/** One field as abi.md gives it: name, absolute offset, size in bytes. */
export type Row = readonly [name: string, offset: number, size: number];

/** A record: its total size, the rows every record has, and the rows per union member. */
export interface RecordTable {
  readonly size: number;
  readonly common: readonly Row[];
  /** By `type` value; absent for flat records. */
  readonly variants?: Readonly<Record<number, { name: string; size: number; rows: Row[] }>>;
  /** Union position and size (absolute), for union records. */
  readonly union?: { offset: number; size: number };
}

/** abi.md 2.1: the flat RFC v3 record. */
const RFC3: RecordTable = {
  size: 48,
  common: [
    ["type", 0, 4],
    ["reason", 4, 4],
    ["addr", 8, 8],
    ["fetch_addr", 16, 8],
    ["pasid", 24, 4],
    ["page_req_group_id", 28, 4],
    ["last_req", 32, 4],
    ["pasid_valid", 36, 4],
    ["prot", 40, 4],
    ["access", 44, 4],
  ],
};

/** abi.md 2.2: `struct iommu_fault_unrecoverable` at union offset 8 (abs offsets). */
const EVENT_ROWS: Row[] = [
  ["event.reason", 8, 4],
  ["event.flags", 12, 4],
  ["event.pasid", 16, 4],
  ["event.perm", 20, 4],
  ["event.addr", 24, 8],
  ["event.fetch_addr", 32, 8],
];

/** abi.md 2.2: `struct iommu_fault_page_request` at union offset 8 (abs offsets). */
const PRM_ROWS: Row[] = [
  ["prm.flags", 8, 4],
  ["prm.pasid", 12, 4],
  ["prm.grpid", 16, 4],
  ["prm.perm", 20, 4],
  ["prm.addr", 24, 8],
  ["prm.private_data[0]", 32, 8],
  ["prm.private_data[1]", 40, 8],
];

function unionTable(word1: string, size: number): RecordTable {
  return {
    size,
    common: [["type", 0, 4], [word1, 4, 4]],
    union: { offset: 8, size: size - 8 },
    variants: {
      1: { name: "event", size: 32, rows: EVENT_ROWS },
      2: { name: "prm", size: 40, rows: PRM_ROWS },
    },
  };
}

/** Every record ABI of abi.md, by the ids the CLI uses. */
export const RECORD_TABLES: Readonly<Record<string, RecordTable>> = {
  rfc3: RFC3,
  // 2.2: v4-v6 call the word at offset 4 `reserved`; 2.3: v7 keeps the same byte layout.
  v4: unionTable("reserved", 48),
  v7: unionTable("reserved", 48),
  // 2.4: v8 renames it `padding`; 2.5: mainline is 64 bytes (`padding2[56]`).
  v8: unionTable("padding", 48),
  mainline: unionTable("padding", 64),
  // 2.7
  resp20: {
    size: 20,
    common: [["version", 0, 4], ["flags", 4, 4], ["pasid", 8, 4], ["grpid", 12, 4], [
      "code",
      16,
      4,
    ]],
  },
  resp24: {
    size: 24,
    common: [
      ["argsz", 0, 4],
      ["version", 4, 4],
      ["flags", 8, 4],
      ["pasid", 12, 4],
      ["grpid", 16, 4],
      ["code", 20, 4],
    ],
  },
  // 5.1
  "hwpt-pgfault": {
    size: 40,
    common: [
      ["flags", 0, 4],
      ["dev_id", 4, 4],
      ["pasid", 8, 4],
      ["grpid", 12, 4],
      ["perm", 16, 4],
      ["__reserved", 20, 4],
      ["addr", 24, 8],
      ["length", 32, 4],
      ["cookie", 36, 4],
    ],
  },
  "hwpt-response": { size: 8, common: [["cookie", 0, 4], ["code", 4, 4]] },
};

/** Name -> value (enums) or name -> bit (flag sets). */
export type NameMap = Readonly<Record<string, number>>;

/** Table 2.1a. */
export const REASON_RFC3: NameMap = {
  UNKNOWN: 0,
  INTERNAL: 1,
  PASID_FETCH: 2,
  DEVICE_CONTEXT_FETCH: 3,
  BAD_PASID_ENTRY: 4,
  BAD_DEVICE_CONTEXT_ENTRY: 5,
  PASID_INVALID: 6,
  SOURCEID_INVALID: 7,
  WALK_EABT: 8,
  PTE_FETCH: 9,
  PERMISSION: 10,
  ACCESS: 11,
  OOR_ADDRESS: 12,
};

/** Table 2.5a. */
export const REASON_V4: NameMap = {
  UNKNOWN: 0,
  PASID_FETCH: 1,
  BAD_PASID_ENTRY: 2,
  PASID_INVALID: 3,
  WALK_EABT: 4,
  PTE_FETCH: 5,
  PERMISSION: 6,
  ACCESS: 7,
  OOR_ADDRESS: 8,
};

/** `enum iommu_fault_type`, the same in every version. */
export const FAULT_TYPE: NameMap = { DMA_UNRECOV: 1, PAGE_REQ: 2 };

/** Table 2.6a, by generation. */
export const PERM: Readonly<Record<string, NameMap>> = {
  v4: { WRITE: 0, EXEC: 1, PRIV: 2, INST: 3 },
  v7: { WRITE: 0, EXEC: 1, PRIV: 2 },
  v8: { READ: 0, WRITE: 1, EXEC: 2, PRIV: 3 },
  mainline: { READ: 0, WRITE: 1, EXEC: 2, PRIV: 3 },
};

/** Table 2.6b, by generation. */
export const UNRECOV: Readonly<Record<string, NameMap>> = {
  v4: { PASID_VALID: 0, PERM_VALID: 1, ADDR_VALID: 2, FETCH_ADDR_VALID: 3 },
  v7: { PASID_VALID: 0, PERM_VALID: 1, ADDR_VALID: 2, FETCH_ADDR_VALID: 3 },
  v8: { PASID_VALID: 0, ADDR_VALID: 1, FETCH_ADDR_VALID: 2 },
  mainline: { PASID_VALID: 0, ADDR_VALID: 1, FETCH_ADDR_VALID: 2 },
};

/**
 * Table 2.6c, by generation. The issue asks for mainline with NEEDS_PASID (v5.9+ column); its
 * kernel name is IOMMU_FAULT_PAGE_RESPONSE_NEEDS_PASID.
 */
export const PRQ: Readonly<Record<string, NameMap>> = {
  v4: { PASID_PRESENT: 0, LAST_PAGE: 1, PRIV_DATA: 2 },
  v7: { PASID_VALID: 0, LAST_PAGE: 1, PRIV_DATA: 2 },
  v8: { PASID_VALID: 0, LAST_PAGE: 1, PRIV_DATA: 2 },
  mainline: { PASID_VALID: 0, LAST_PAGE: 1, PRIV_DATA: 2, NEEDS_PASID: 3 },
};

/** 2.7: response code and flags. */
export const PAGE_RESP_CODE: NameMap = { SUCCESS: 0, INVALID: 1, FAILURE: 2 };
export const PAGE_RESP_FLAGS: NameMap = { PASID_VALID: 0 };
/** 5.1 */
/**
 * 5.1: the uapi defines bits 0-1; the corrected 5.1 adds bit 2, the kernel-internal
 * IOMMU_FAULT_PAGE_RESPONSE_NEEDS_PASID that iommufd_compose_fault_message copies unmasked.
 */
export const PGFAULT_FLAGS: NameMap = { PASID_VALID: 0, LAST_PAGE: 1, NEEDS_PASID: 2 };
export const PGFAULT_PERM: NameMap = { READ: 0, WRITE: 1, EXEC: 2, PRIV: 3 };
export const IOMMUFD_RESP_CODE: NameMap = { SUCCESS: 0, INVALID: 1 };

/** Section 3: region header rows (all `__u32`). */
export const REGION_HEADERS: Readonly<Record<string, { size: number; rows: Row[] }>> = {
  // 3.1
  rfc3: { size: 16, rows: [["size", 0, 4], ["prod", 4, 4], ["cons", 8, 4], ["reserved", 12, 4]] },
  // 3.2 (note the field order)
  "fault-prod": {
    size: 20,
    rows: [["version", 0, 4], ["nb_entries", 4, 4], ["entry_size", 8, 4], ["offset", 12, 4], [
      "prod",
      16,
      4,
    ]],
  },
  // 3.3
  "dma-fault": {
    size: 20,
    rows: [["tail", 0, 4], ["entry_size", 4, 4], ["nb_entries", 8, 4], ["offset", 12, 4], [
      "head",
      16,
      4,
    ]],
  },
  // 3.4: roles mirrored
  "dma-fault-response": {
    size: 20,
    rows: [["head", 0, 4], ["entry_size", 4, 4], ["nb_entries", 8, 4], ["offset", 12, 4], [
      "tail",
      16,
      4,
    ]],
  },
};

/** Which header field is the producer / consumer index (abi.md 3.x "writer" columns and 4.5). */
export const INDEX_FIELDS: Readonly<Record<string, { producer: string; consumer?: string }>> = {
  rfc3: { producer: "prod", consumer: "cons" },
  "fault-prod": { producer: "prod" }, // cons lives in the separate CONS region (offset 4)
  "dma-fault": { producer: "head", consumer: "tail" },
  "dma-fault-response": { producer: "head", consumer: "tail" },
};

/** Byte ranges [from, to) of a record that the active member (or flat struct) uses. */
export function usedRanges(abi: string, type: number): Array<[number, number]> {
  const t = RECORD_TABLES[abi];
  const rows = [...t.common, ...(t.variants?.[type]?.rows ?? [])];
  return rows.map(([, off, size]) => [off, off + size]);
}
