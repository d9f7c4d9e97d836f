/**
 * The Intel VT-d page request descriptor `struct page_req_dsc`: 32 bytes, four little-endian
 * 64-bit words. Linux turns a valid one into an `iommu_fault` page request (`intel_prq_report`;
 * `intel_svm_prq_report` before 6.13).
 *
 * Source: torvalds/linux @ 1a7c3068143be177deea86d977d3042a0c256706,
 * `drivers/iommu/intel/prq.c` (`struct page_req_dsc`, `prq_event_thread`, `intel_prq_report`);
 * bit 9 as `decode_prq_descriptor` tests it (`drivers/iommu/intel/iommu.h`).
 *
 * @example
 * ```ts
 * import { VTD_PRQ } from "./vtd_prq.ts";
 * VTD_PRQ.size; // => 32
 * ```
 * @module
 */
import { u64Array } from "../fields.ts";
import { b64, res0 } from "../hw/fields.ts";
import type { RecordLayout } from "../types.ts";

/** The 32-byte page request descriptor. */
export const VTD_PRQ = {
  id: "vtd-prq",
  struct: "page_req_dsc",
  title: "Intel VT-d page request descriptor",
  era: "VT-d 3.0+ hardware (256-bit descriptors); reported by Linux since about 5.0",
  family: "hardware",
  size: 32,
  source: ["log:I11"],
  notes: [
    "addr is the struct's 52-bit bit field, a page number: the address is addr << 12 " +
    "(intel_prq_report; before about 5.12 the kernel reported the page number itself).",
    "rid is bus 15:8, devfn 7:0 on the DMAR unit's PCI segment.",
    "Bit 9 is 'private data present' in svm.c and decode_prq_descriptor; prq.c folds it into " +
    "its rsvd:7.",
  ],
  fields: [
    b64("type", 0, 7, 0, "descriptor type"),
    b64("pasid_present", 0, 8, 8, "the PASID field is valid"),
    b64("priv_data_present", 0, 9, 9, "private data present (qwords 2 and 3)"),
    res0("res0", 0, "u64", 15, 10),
    b64("rid", 0, 31, 16, "requester ID (bus 15:8, devfn 7:0)", { format: "bdf" }),
    b64("pasid", 0, 51, 32, "PASID"),
    b64("exe_req", 0, 52, 52, "execute access requested"),
    b64("pm_req", 0, 53, 53, "privileged-mode access requested"),
    res0("res0_hi", 0, "u64", 63, 54),
    b64("rd_req", 8, 0, 0, "read access requested"),
    b64("wr_req", 8, 1, 1, "write access requested"),
    b64("lpig", 8, 2, 2, "last page in group"),
    b64("prg_index", 8, 11, 3, "page request group index"),
    b64("addr", 8, 63, 12, "page number of the request (address >> 12)"),
    u64Array("priv_data", 16, 2, "private data (qw_2, qw_3)"),
  ],
} as const satisfies RecordLayout;
