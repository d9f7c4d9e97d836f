/**
 * iommufd's page response `struct iommu_hwpt_page_response` (Linux v6.11+, 8 bytes;
 * `include/uapi/linux/iommufd.h`).
 *
 * @example
 * ```ts
 * import { HWPT_RESPONSE } from "./hwpt_response.ts";
 * HWPT_RESPONSE.size; // => 8
 * ```
 * @module
 */
import { u32 } from "../fields.ts";
import type { EnumDesc, RecordLayout } from "../types.ts";

/** `enum iommufd_page_response_code`. */
export const IOMMUFD_RESP_CODE: EnumDesc = {
  name: "iommufd_page_response_code",
  prefix: "IOMMUFD_PAGE_RESP_",
  values: [{ value: 0, name: "SUCCESS" }, { value: 1, name: "INVALID" }],
};

/** The iommufd page response. */
export const HWPT_RESPONSE = {
  id: "hwpt-response",
  struct: "iommu_hwpt_page_response",
  title: "iommufd page response",
  era: "Linux v6.11+",
  family: "iommufd_response",
  size: 8,
  guessRank: 9,
  source: ["K7"],
  fields: [
    u32("cookie", 0, "cookie of the fault group answered", { role: "cookie" }),
    u32("code", 4, "response code", { enum: IOMMUFD_RESP_CODE }),
  ],
} as const satisfies RecordLayout;
