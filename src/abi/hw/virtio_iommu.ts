/**
 * `struct virtio_iommu_fault` (24 bytes, little endian), read as three 64-bit words.
 *
 * Source: torvalds/linux @ 0e1c438c44dd9cde56effb44c5f1cfeda72e108d,
 * `include/uapi/linux/virtio_iommu.h`; the driver's reason strings from torvalds/linux @
 * 00271ca5cbcd36d01f3c58a05378304ba9dd6a2a, `drivers/iommu/virtio-iommu.c`
 * `viommu_fault_handler`.
 *
 * @example
 * ```ts
 * import { VIRTIO_IOMMU_FAULT } from "./virtio_iommu.ts";
 * VIRTIO_IOMMU_FAULT.size; // 24
 * ```
 * @module
 */
import type { EnumDesc, FlagSet } from "../types.ts";
import type { HwRecord } from "./fields.ts";

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
    { bit: 0, name: "READ" },
    { bit: 1, name: "WRITE" },
    { bit: 2, name: "EXEC" },
    { bit: 8, name: "ADDRESS", meaning: "address is valid", guards: "address" },
  ],
};

/** The 24-byte fault event. */
export const VIRTIO_IOMMU_FAULT: HwRecord = {
  id: "virtio-iommu-fault",
  struct: "virtio_iommu_fault",
  title: "virtio-iommu fault event",
  size: 24,
  wordBits: 64,
  source: "torvalds/linux @ 0e1c438c44dd9cde56effb44c5f1cfeda72e108d, " +
    "include/uapi/linux/virtio_iommu.h",
  notes: ["The driver ignores events whose first u32 has bits in 0xffffff00 set."],
  fields: [
    {
      name: "reason",
      word: 0,
      lo: 0,
      hi: 7,
      meaning: "fault reason",
      enum: VIRTIO_IOMMU_REASON_ENUM,
    },
    { name: "reserved", word: 0, lo: 8, hi: 31, meaning: "reserved[3]" },
    {
      name: "flags",
      word: 0,
      lo: 32,
      hi: 63,
      meaning: "fault flags",
      flags: VIRTIO_IOMMU_FAULT_FLAGS,
    },
    { name: "endpoint", word: 1, lo: 0, hi: 31, meaning: "endpoint ID" },
    { name: "reserved2", word: 1, lo: 32, hi: 63, meaning: "reserved2[4]" },
    { name: "address", word: 2, lo: 0, hi: 63, meaning: "address, valid with F_ADDRESS" },
  ],
};
