/**
 * The test vectors of abi.md section 8, written once: the hex text exactly as abi.md prints it,
 * the generation it is stated for, its stated length and the field values abi.md states in the
 * prose above each dump. Every test that needs a vector takes it from here; nothing here is
 * computed from `src/`.
 *
 * @example
 * ```ts
 * import { TV3 } from "./vectors.ts";
 * TV3.size; // 48
 * ```
 * @module
 */
import type { EncodeInput } from "../../src/codec/encode.ts";

/** One vector: the dump, its stated length, and (for records) its generation and values. */
export interface Vector {
  /** The hex text as abi.md prints it. */
  readonly hex: string;
  /** Bytes, as abi.md states ("48 bytes in total", or the struct size). */
  readonly size: number;
  /** The generation (`decode --abi` id) abi.md states the record in, for record vectors. */
  readonly abi?: string;
  /** The values abi.md states for the record (fields not named are zero). */
  readonly fields?: EncodeInput;
}

/** TV1: mainline 64-byte unrecoverable fault (type 1, PERMISSION, flags 0x3, pasid 5, perm 0x3). */
export const TV1 = {
  hex: `
0000: 01 00 00 00 00 00 00 00 06 00 00 00 03 00 00 00
0010: 05 00 00 00 03 00 00 00 00 b0 ad de 00 00 00 00
0020: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
0030: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
`,
  size: 64,
  abi: "mainline",
  fields: {
    type: 1,
    event: { reason: 6, flags: 3, pasid: 5, perm: 3, addr: 0xdeadb000n, fetch_addr: 0n },
  },
} as const satisfies Vector;

/** TV2: the same event for v4-v6 (48 bytes): flags 0x7 (PASID|PERM|ADDR valid), perm WRITE. */
export const TV2 = {
  hex: `
0000: 01 00 00 00 00 00 00 00 06 00 00 00 07 00 00 00
0010: 05 00 00 00 01 00 00 00 00 b0 ad de 00 00 00 00
0020: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
`,
  size: 48,
  abi: "v4",
  fields: { type: 1, event: { reason: 6, flags: 7, pasid: 5, perm: 1, addr: 0xdeadb000n } },
} as const satisfies Vector;

/** TV3: RFC v3 flat 48-byte fault: reason 10 (PERMISSION in RFC v3 numbering), pasid_valid. */
export const TV3 = {
  hex: `
0000: 01 00 00 00 0a 00 00 00 00 b0 ad de 00 00 00 00
0010: 00 00 00 00 00 00 00 00 05 00 00 00 00 00 00 00
0020: 00 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00
`,
  size: 48,
  abi: "rfc3",
  fields: { type: 1, reason: 10, addr: 0xdeadb000n, pasid: 5, pasid_valid: 1 },
} as const satisfies Vector;

/** TV4: mainline 64-byte page request: LAST_PAGE, grpid 7, perm READ, addr 0x10000. */
export const TV4 = {
  hex: `
0000: 02 00 00 00 00 00 00 00 02 00 00 00 00 00 00 00
0010: 07 00 00 00 01 00 00 00 00 00 01 00 00 00 00 00
0020: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
0030: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
`,
  size: 64,
  abi: "mainline",
  fields: {
    type: 2,
    prm: { flags: 2, pasid: 0, grpid: 7, perm: 1, addr: 0x10000n, private_data: [0n, 0n] },
  },
} as const satisfies Vector;

/** TV5: RFC v3 flat page request: addr 0x10000, page_req_group_id 7, last_req 1. */
export const TV5 = {
  hex: `
0000: 02 00 00 00 00 00 00 00 00 00 01 00 00 00 00 00
0010: 00 00 00 00 00 00 00 00 00 00 00 00 07 00 00 00
0020: 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
`,
  size: 48,
  abi: "rfc3",
  fields: { type: 2, addr: 0x10000n, page_req_group_id: 7, last_req: 1 },
} as const satisfies Vector;

/** TV6: RFC v3 region header: size 1365, prod 3, cons 1, reserved 0 (slots 1, 2 at 0x40, 0x70). */
export const TV6 = {
  hex: `55 05 00 00 03 00 00 00 01 00 00 00 00 00 00 00`,
  size: 16,
} as const satisfies Vector;

/** TV7: v9+ DMA fault header: tail 0, entry_size 64, nb_entries 512, offset 4096, head 2. */
export const TV7 = {
  hex: `00 00 00 00 40 00 00 00 00 02 00 00 00 10 00 00 02 00 00 00`,
  size: 20,
} as const satisfies Vector;

/** TV8, v5.3-v5.9: `iommu_page_response` (20 bytes), PASID_VALID, pasid 5, grpid 7, SUCCESS. */
export const TV8_20 = {
  hex: `  01 00 00 00 01 00 00 00 05 00 00 00 07 00 00 00 00 00 00 00`,
  size: 20,
  abi: "resp20",
  fields: { version: 1, flags: 1, pasid: 5, grpid: 7, code: 0 },
} as const satisfies Vector;

/** TV8, v5.10+: the same response with argsz = 24 (24 bytes). */
export const TV8_24 = {
  hex: `  18 00 00 00 01 00 00 00 01 00 00 00 05 00 00 00 07 00 00 00 00 00 00 00`,
  size: 24,
  abi: "resp24",
  fields: { argsz: 24, version: 1, flags: 1, pasid: 5, grpid: 7, code: 0 },
} as const satisfies Vector;

/** TV9: iommufd `iommu_hwpt_pgfault` (40 bytes): flags 0x3, dev_id 1, pasid 5, cookie 1. */
export const TV9 = {
  hex: `
0000: 03 00 00 00 01 00 00 00 05 00 00 00 07 00 00 00
0010: 03 00 00 00 00 00 00 00 00 b0 ad de 00 00 00 00
0020: 00 00 00 00 01 00 00 00
`,
  size: 40,
  abi: "hwpt-pgfault",
  fields: { flags: 3, dev_id: 1, pasid: 5, grpid: 7, perm: 3, addr: 0xdeadb000n, cookie: 1 },
} as const satisfies Vector;

/** TV9's response, `iommu_hwpt_page_response`: cookie 1, SUCCESS. */
export const TV9_RESPONSE = {
  hex: `01 00 00 00 00 00 00 00`,
  size: 8,
  abi: "hwpt-response",
  fields: { cookie: 1, code: 0 },
} as const satisfies Vector;

/**
 * TV10: a vEVENTQ read buffer: an SMMUv3 F_PERMISSION event (sequence 0; SSV, SSID 5, vSID 8,
 * RnW; input address 0xdeadb000), then a LOST_EVENTS header with sequence 1 (48 bytes). As
 * corrected in abi.md 5.3, the header carries the last lost event's number: one event
 * (sequence 1) was lost.
 */
export const TV10 = {
  hex: `
0000: 00 00 00 00 00 00 00 00 13 58 00 00 08 00 00 00
0010: 00 00 00 00 08 00 00 00 00 b0 ad de 00 00 00 00
0020: 00 00 00 00 00 00 00 00 01 00 00 00 01 00 00 00
`,
  size: 48,
} as const satisfies Vector;

/** Every record vector (those stated for one generation), in abi.md order. */
export const RECORD_VECTORS: readonly (Vector & { abi: string; fields: EncodeInput })[] = [
  TV1,
  TV2,
  TV3,
  TV4,
  TV5,
  TV8_20,
  TV8_24,
  TV9,
  TV9_RESPONSE,
];
