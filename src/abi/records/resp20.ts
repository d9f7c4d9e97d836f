/**
 * `struct iommu_page_response` of v5.3 to v5.9: 20 bytes, no `argsz` (mainline
 * `include/uapi/linux/iommu.h`, source K1 in src/abi/sources.ts).
 *
 * @example
 * ```ts
 * import { RESP20 } from "./resp20.ts";
 * RESP20.size; // => 20
 * ```
 * @module
 */
import { pageResponse, type PageResponseRecord } from "../page_response.ts";

/** The 20-byte page response. */
export const RESP20: PageResponseRecord<"resp20"> = pageResponse({
  id: "resp20",
  argsz: false,
  era: "v5.3 to v5.9",
  source: ["K1", "S8"],
  guessRank: 8,
});
