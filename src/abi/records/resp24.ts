/**
 * `struct iommu_page_response` from v5.10: `argsz` first, 24 bytes; the v11+ VFIO response
 * region carries it (`include/uapi/linux/iommu.h`, sources K3 and S10-S12 in
 * src/abi/sources.ts).
 *
 * @example
 * ```ts
 * import { RESP24 } from "./resp24.ts";
 * RESP24.size; // => 24
 * ```
 * @module
 */
import { pageResponse, type PageResponseRecord } from "../page_response.ts";

/** The 24-byte page response. */
export const RESP24: PageResponseRecord<"resp24"> = pageResponse({
  id: "resp24",
  argsz: true,
  era: "v5.10+; the v11+ VFIO response region",
  source: ["K3", "K4", "S10", "S11", "S12"],
  guessRank: 7,
});
