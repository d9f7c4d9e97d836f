/**
 * virtio-iommu for the code that reads records as words (the kernel-log parser): the word view
 * of the registry's `virtio-iommu-fault` description (three 64-bit words) and its reasons. The
 * description itself is in `src/abi/records/virtio_iommu_fault.ts`.
 *
 * @example
 * ```ts
 * import { VIRTIO_IOMMU_FAULT } from "./virtio_iommu.ts";
 * VIRTIO_IOMMU_FAULT.size; // => 24
 * ```
 * @module
 */
import { VIRTIO_IOMMU_FAULT as FAULT } from "../records/virtio_iommu_fault.ts";
import { type HwRecord, wordView } from "./fields.ts";

export {
  VIRTIO_IOMMU_FAULT_FLAGS,
  VIRTIO_IOMMU_REASON_ENUM,
  VIRTIO_IOMMU_REASONS,
} from "../records/virtio_iommu_fault.ts";

/** The word view of the 24-byte fault event. */
export const VIRTIO_IOMMU_FAULT: HwRecord = wordView(FAULT);
