/**
 * The ARM SMMUv3 PRI queue entry: a PCIe page request, 16 bytes, two little-endian 64-bit words.
 * Mainline Linux does not turn it into an `iommu_fault`: `arm_smmu_handle_ppr` logs
 * `unexpected PRI request received` and, for the last request of a group, denies it.
 *
 * Source: ColinIanKing/linux-next @ 3cdb4bc78b47daa9f9db999d79754744e1b14f0d,
 * `drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.h` (`PRIQ_*`); torvalds/linux @
 * 0468be89b3fa5b9249cee1097f1d50314950a2df, `arm-smmu-v3.c` `arm_smmu_handle_ppr`.
 *
 * @example
 * ```ts
 * import { SMMUV3_PRIQ } from "./smmuv3_priq.ts";
 * SMMUV3_PRIQ.size; // => 16
 * ```
 * @module
 */
import { b64 } from "../hw/fields.ts";
import type { FlagSet, RecordLayout } from "../types.ts";

/** PRI queue permission and group bits, as flags of word 0 bits 63:58 (`PRIQ_0_*`). */
export const PRIQ_PERM: FlagSet = {
  name: "PRIQ_0 permission bits",
  prefix: "PRIQ_0_",
  bits: [
    { bit: 0, name: "PERM_PRIV", meaning: "privileged access requested" },
    { bit: 1, name: "PERM_EXEC", meaning: "execute access requested" },
    { bit: 2, name: "PERM_READ", meaning: "read access requested" },
    { bit: 3, name: "PERM_WRITE", meaning: "write access requested" },
    { bit: 4, name: "PRG_LAST", meaning: "last request of the page request group" },
    { bit: 5, name: "SSID_V", meaning: "the SubstreamID (PASID) is valid" },
  ],
};

/** The 16-byte PRI queue entry. */
export const SMMUV3_PRIQ = {
  id: "smmuv3-priq",
  struct: "smmuv3_priq_ent", // the driver reads it as u64 evt[PRIQ_ENT_DWORDS]
  title: "ARM SMMUv3 PRI queue entry (page request)",
  era: "SMMUv3 hardware with PRI; Linux logs it, never reports it",
  family: "hardware",
  size: 16,
  source: ["log:S3"],
  notes: ["addr is evt[1] & PRIQ_1_ADDR_MASK (bits 63:12): the page address, not shifted."],
  fields: [
    b64("sid", 0, 31, 0, "StreamID", { macro: "PRIQ_0_SID" }),
    b64("ssid", 0, 51, 32, "SubstreamID (PASID)", { macro: "PRIQ_0_SSID" }),
    b64("perm", 0, 63, 58, "permission and group bits", {
      macro: "PRIQ_0_PERM_*",
      flags: PRIQ_PERM,
    }),
    b64("grpid", 8, 8, 0, "page request group index", { macro: "PRIQ_1_PRG_IDX" }),
    b64("addr", 8, 63, 12, "page address (masked)", { macro: "PRIQ_1_ADDR_MASK", take: "mask" }),
  ],
} as const satisfies RecordLayout;
