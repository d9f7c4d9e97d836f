/**
 * The `iommu_page_response` family (`include/uapi/linux/iommu.h`, sources K1 and K3 in
 * src/abi/sources.ts): the 20-byte v5.3-v5.9 form and the 24-byte form with `argsz` that the
 * v11+ VFIO response region carries. Each form has its own file in `records/`; this is what
 * they share.
 *
 * @example
 * ```ts
 * import { pageResponse } from "./page_response.ts";
 * pageResponse({ id: "example", argsz: true, era: "v5.10+", source: ["K3"] }).size; // => 24
 * ```
 * @module
 */
import { GRPID_RANGES, u32 } from "./fields.ts";
import type { SourceKey } from "./sources.ts";
import type { EnumDesc, FlagSet, RecordLayout } from "./types.ts";

/** `IOMMU_PAGE_RESP_VERSION_*`. */
export const PAGE_RESP_VERSION: EnumDesc = {
  name: "iommu_page_response version",
  prefix: "IOMMU_PAGE_RESP_VERSION_",
  values: [{ value: 1, name: "1" }],
};

/** `iommu_page_response.flags`. */
export const PAGE_RESP_FLAGS: FlagSet = {
  name: "iommu_page_response.flags",
  prefix: "IOMMU_PAGE_RESP_",
  bits: [{ bit: 0, name: "PASID_VALID", guards: "pasid" }],
};

/** `enum iommu_page_response_code` (PCI PRI response codes). */
export const PAGE_RESP_CODE: EnumDesc = {
  name: "iommu_page_response_code",
  prefix: "IOMMU_PAGE_RESP_",
  values: [
    { value: 0, name: "SUCCESS", meaning: "PCI PRI Success" },
    { value: 1, name: "INVALID", meaning: "PCI PRI Invalid Request" },
    { value: 2, name: "FAILURE", meaning: "PCI PRI Response Failure" },
  ],
};

/** What differs between the two forms. */
export interface PageResponseForm<Id extends string> {
  /** The id `decode --abi` takes. */
  readonly id: Id;
  /** Whether `argsz` leads the struct (v5.10+). */
  readonly argsz: boolean;
  /** Which kernel releases used it. */
  readonly era: string;
  /** Where it comes from: keys of `sources.ts`, each a list of public citations. */
  readonly source: readonly SourceKey[];
  /** Rank in ABI inference. */
  readonly guessRank?: number;
}

/** A page response form's description, with its literal id. */
export type PageResponseRecord<Id extends string> = RecordLayout & {
  /** The form's id. */
  readonly id: Id;
  /** Always the `page_response` family. */
  readonly family: "page_response";
};

/** `struct iommu_page_response` in one of its two forms. */
export function pageResponse<const Id extends string>(
  form: PageResponseForm<Id>,
): PageResponseRecord<Id> {
  const o = form.argsz ? 4 : 0;
  return {
    id: form.id,
    struct: "iommu_page_response",
    title: form.argsz ? "iommu_page_response with argsz" : "iommu_page_response (no argsz)",
    era: form.era,
    family: "page_response",
    size: form.argsz ? 24 : 20,
    source: form.source,
    guessRank: form.guessRank,
    fields: [
      ...(form.argsz ? [u32("argsz", 0, "size of the user-filled data", { expected: 24 })] : []),
      u32("version", o, "IOMMU_PAGE_RESP_VERSION_1", { enum: PAGE_RESP_VERSION }),
      u32("flags", o + 4, "response flags", { flags: PAGE_RESP_FLAGS }),
      u32("pasid", o + 8, "PASID"),
      u32("grpid", o + 12, "page request group index", { ranges: GRPID_RANGES }),
      u32("code", o + 16, "response code", { enum: PAGE_RESP_CODE }),
    ],
  };
}
