/**
 * `struct virtio_iommu_fault`: the virtio-iommu fault event, 24 bytes, little endian.
 *
 * Source: torvalds/linux @ 0e1c438c44dd9cde56effb44c5f1cfeda72e108d,
 * `include/uapi/linux/virtio_iommu.h`; the driver's reason words from torvalds/linux @
 * 00271ca5cbcd36d01f3c58a05378304ba9dd6a2a, `drivers/iommu/virtio-iommu.c`
 * `viommu_fault_handler`.
 *
 * @example
 * ```ts
 * import { VIRTIO_IOMMU_FAULT } from "./virtio_iommu_fault.ts";
 * VIRTIO_IOMMU_FAULT.size; // => 24
 * ```
 * @module
 */
import { u32, u64 } from "../fields.ts";
import { b32, res0 } from "../hw/fields.ts";
import type { EnumDesc, FlagSet, RecordLayout } from "../types.ts";

/** `VIRTIO_IOMMU_FAULT_R_*`; `print` is the word the driver logs for it. */
export const VIRTIO_IOMMU_REASONS = [
  {
    code: 0,
    name: "UNKNOWN",
    print: "unknown",
    text: "The device reported a fault of unknown reason.",
  },
  {
    code: 1,
    name: "DOMAIN",
    print: "domain",
    text: "The endpoint is not attached to a domain, or the domain is invalid.",
  },
  {
    code: 2,
    name: "MAPPING",
    print: "page",
    text: "The address has no mapping in the endpoint's domain, or the access is not allowed.",
  },
] as const;

/** Reasons as an enum. */
export const VIRTIO_IOMMU_REASON_ENUM: EnumDesc = {
  name: "virtio_iommu_fault.reason",
  prefix: "VIRTIO_IOMMU_FAULT_R_",
  values: VIRTIO_IOMMU_REASONS.map((r) => ({ value: r.code, name: r.name, meaning: r.text })),
};

/** `VIRTIO_IOMMU_FAULT_F_*`. */
export const VIRTIO_IOMMU_FAULT_FLAGS: FlagSet = {
  name: "virtio_iommu_fault.flags",
  prefix: "VIRTIO_IOMMU_FAULT_F_",
  bits: [
    { bit: 0, name: "READ", meaning: "the access was a read" },
    { bit: 1, name: "WRITE", meaning: "the access was a write" },
    { bit: 2, name: "EXEC", meaning: "the access was an instruction fetch" },
    { bit: 8, name: "ADDRESS", meaning: "address is valid", guards: "address" },
  ],
};

/** The 24-byte fault event. */
export const VIRTIO_IOMMU_FAULT = {
  id: "virtio-iommu-fault",
  struct: "virtio_iommu_fault",
  title: "virtio-iommu fault event",
  era: "virtio-iommu devices; logged by Linux viommu_fault_handler (5.3+)",
  family: "hardware",
  size: 24,
  source: ["log:V1"],
  notes: [
    "The driver ignores an event whose first u32 has bits in 0xffffff00 (VIOMMU_FAULT_RESV_MASK).",
    "endpoint is the virtio-iommu endpoint ID (from the firmware tables), not a PCI BDF.",
  ],
  fields: [
    b32("reason", 0, 7, 0, "fault reason (__u8)", { enum: VIRTIO_IOMMU_REASON_ENUM }),
    res0("reserved", 0, "u32", 31, 8, { meaning: "reserved[3], must be 0" }),
    u32("flags", 4, "fault flags", { flags: VIRTIO_IOMMU_FAULT_FLAGS }),
    u32("endpoint", 8, "endpoint ID"),
    u32("reserved2", 12, "reserved2[4], must be 0", { role: "reserved" }),
    u64("address", 16, "address, valid with F_ADDRESS"),
  ],
} as const satisfies RecordLayout;
