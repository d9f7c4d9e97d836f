/**
 * Where every description of `src/abi` comes from, as public sources anyone can open: a file of
 * a public repository at a commit, a mail by its Message-Id (on lore.kernel.org), a Debian
 * package, an architecture document, or, where no public location is known, what it is in words.
 * Descriptions name their sources by key (`source: ["S1", "S2"]`), typed, so a key that is not
 * here does not compile; `layout` prints the citations and `layout --json` carries them.
 *
 * Keys: S, M and K name the sources of the VFIO and iommufd record layouts (QEMU branches, mails,
 * kernel trees); `log:` keys name those of the hardware records and kernel log formats. A key
 * with several parts (a series of mails) has one key per part.
 *
 * @example
 * ```ts
 * import { citationJson, citations } from "./sources.ts";
 * const rfc3 = citationJson(citations(["S1"])[0]); // RFC v3's QEMU branch
 * `${rfc3.repo}@${rfc3.commit}`; // => "eauger/qemu@7b0de697afed142daf19f4ec09b3de77af788c65"
 * const v9 = citationJson(citations(["M4"])[0]); // the v9 DMA_FAULT region patch
 * v9.url; // => "https://lore.kernel.org/r/20190711135625.20684-5-eric.auger@redhat.com"
 * ```
 * @module
 */

/** A file or commit of a public git repository. */
export interface GitCitation {
  /** Always `git`. */
  readonly kind: "git";
  /** What it is and what it shows. */
  readonly what: string;
  /** `owner/name` on GitHub. */
  readonly repo: string;
  /** The commit (40 hex digits where known). */
  readonly commit: string;
  /** The branch it was read on, where that matters. */
  readonly branch?: string;
  /** Files read, relative to the repository root. */
  readonly paths: readonly string[];
  /** Functions, tables or macros read in those files. */
  readonly symbols?: readonly string[];
}

/** A mail of a public list, by Message-Id (without the angle brackets). */
export interface MailCitation {
  /** Always `mail`. */
  readonly kind: "mail";
  /** What it is and what it shows. */
  readonly what: string;
  /** The subject line. */
  readonly subject: string;
  /** Date sent, `YYYY-MM-DD`. */
  readonly date: string;
  /** The Message-Id, without `<` and `>`: `https://lore.kernel.org/r/<id>` finds it. */
  readonly messageId: string;
}

/** A file of a Debian package. */
export interface PackageCitation {
  /** Always `package`. */
  readonly kind: "package";
  /** What it is and what it shows. */
  readonly what: string;
  /** `name version`, as `apt-get install name=version` takes it. */
  readonly package: string;
  /** Files read, as installed. */
  readonly paths: readonly string[];
}

/** A published document (an architecture specification). */
export interface DocumentCitation {
  /** Always `document`. */
  readonly kind: "document";
  /** What it is and what it shows. */
  readonly what: string;
  /** Title, document number and section. */
  readonly title: string;
  /** Where it is published. */
  readonly url: string;
}

/** A source with no public location known: what it is, in words. */
export interface WordsCitation {
  /** Always `words`. */
  readonly kind: "words";
  /** What it is and what it shows. */
  readonly what: string;
  /** Where it can be found, as far as known. */
  readonly where: string;
}

/** One public source. */
export type Citation =
  | GitCitation
  | MailCitation
  | PackageCitation
  | DocumentCitation
  | WordsCitation;

/** Every kind of {@link Citation}. */
export const CITATION_KINDS: readonly Citation["kind"][] = [
  "git",
  "mail",
  "package",
  "document",
  "words",
];

const EAUGER_QEMU_HEADERS = ["linux-headers/linux/iommu.h", "linux-headers/linux/vfio.h"];

/** Every source a description names, by key. */
export const SOURCES = {
  seed: [{
    kind: "words",
    what: "the RFC v3 fault region patch and its review: a 64 KiB region, header {size, prod, " +
      "cons, reserved}, then the queue",
    where: 'LKML thread "[RFC v3 18/21] vfio-pci: Add a new VFIO_REGION_TYPE_NESTED region ' +
      "type\": Eric Auger's patch of 2019-01-08, Alex Williamson's review and Eric Auger's " +
      "reply of 2019-01-14 (Message-Id not recorded; the subject finds it in LKML archives)",
  }],
  S1: [
    {
      kind: "git",
      what: "QEMU's RFC v3 test branch: the RFC v3 uapi headers (imported from eauger/linux " +
        "branch v5.0-rc1-2stage-rfc-v3 by commit 5ebfe0d75cb5bf6b140d2cf3a860707d57b964c0) and " +
        "the DMA fault consumer",
      repo: "eauger/qemu",
      commit: "7b0de697afed142daf19f4ec09b3de77af788c65",
      branch: "v3.1.0-rc5-2stage-v3-for-rfc3-test-only",
      paths: [...EAUGER_QEMU_HEADERS, "hw/vfio/pci.c"],
      symbols: ["vfio_dma_fault_notifier_handler"],
    },
    {
      kind: "git",
      what: "that branch's SMMUv3 fault injection: which RFC v3 reason becomes which event",
      repo: "eauger/qemu",
      commit: "dd81ae770aa23c23bde46397e82436940ff42d70",
      branch: "v3.1.0-rc5-2stage-v3-for-rfc3-test-only",
      paths: ["hw/arm/smmuv3.c"],
      symbols: ["smmuv3_inject_faults"],
    },
  ],
  S2: [{
    kind: "git",
    what: "QEMU's sibling RFC v3 test branch: the same headers (commit " +
      "52a1c350f7998c0b80289492275928926a1d80ff), and a consumer that falls back to reading " +
      "0x10000 bytes when the region is not mmapped",
    repo: "eauger/qemu",
    commit: "defdb241856b9d467bdbf8e6eeb4f9c13c4d358e",
    branch: "v3.1.0-rc5-2stage-v3-for-rfc3-test",
    paths: [...EAUGER_QEMU_HEADERS, "hw/vfio/pci.c"],
  }],
  S4: [{
    kind: "git",
    what: "the kernel's v4/v5-era uapi iommu.h: the tagged union with `reserved`",
    repo: "eauger/linux",
    commit: "047fabf3ca91320bb8d983e798a7177dd63e3dd0",
    paths: ["include/uapi/linux/iommu.h"],
  }],
  S5: [{
    kind: "git",
    what: "QEMU's import of the headers of kernel branch v5.0-2stage-v5 (fault definitions as " +
      "eauger/linux@047fabf3ca91320bb8d983e798a7177dd63e3dd0)",
    repo: "eauger/qemu",
    commit: "975e4daa11d3a6b78d3af68290982b26ef8c920e",
    branch: "v3.1.0-2stage-prev3-for-patchv4-testing",
    paths: EAUGER_QEMU_HEADERS,
  }],
  S6: [{
    kind: "git",
    what: "QEMU's import of the headers of kernel branch v5.1-rc3-2stage-v7",
    repo: "eauger/qemu",
    commit: "f842273350ff149b5daa5b1751cc1327f62c3d5f",
    branch: "v4.0.0-rc2-2stage-rfcv3",
    paths: EAUGER_QEMU_HEADERS,
  }],
  S7: [{
    kind: "git",
    what: "QEMU's import of the headers of kernel branch v5.2.0-rc1-2stage-v8, with the " +
      "producer/consumer region consumer (branch tip 3853f4be265090cc3b5958dae0f7cafa69b6e77d)",
    repo: "eauger/qemu",
    commit: "3e4e0ebed516ac6beeed15031195651666e05f5c",
    branch: "v4.0.0-2stage-rfcv4",
    paths: EAUGER_QEMU_HEADERS,
  }],
  S8: [
    {
      kind: "git",
      what: "QEMU's import of the headers of kernel branch v5.3.0-rc0-2stage-v9: the first " +
        "head/tail DMA_FAULT region",
      repo: "eauger/qemu",
      commit: "50d460cc1a973749390bee0f7582af580e9dd68b",
      branch: "v4.1.0-rc0-2stage-rfcv5",
      paths: EAUGER_QEMU_HEADERS,
    },
    {
      kind: "git",
      what: "that branch's DMA_FAULT region consumer",
      repo: "eauger/qemu",
      commit: "894da97598b0614ffb969fa49a1cc40316141b68",
      branch: "v4.1.0-rc0-2stage-rfcv5",
      paths: ["hw/vfio/pci.c"],
    },
  ],
  S9: [{
    kind: "git",
    what: "QEMU's import of the headers of kernel branch will-arm-smmu-updates-2stage-v10",
    repo: "eauger/qemu",
    commit: "15fb48d63e1292b59e8cf8e1fdd1269d189a18f3",
    branch: "v4.2.0-2stage-rfcv6",
    paths: EAUGER_QEMU_HEADERS,
  }],
  S10: [{
    kind: "git",
    what: 'QEMU\'s header import "against 5.10-rc4" (the VFIO series v11)',
    repo: "eauger/qemu",
    commit: "2465fdd6cdcdf4654e4c6421cfb51be01820afc5",
    branch: "v5.2.0-rc1-2stage-rfcv7",
    paths: EAUGER_QEMU_HEADERS,
  }],
  S11: [{
    kind: "git",
    what: 'QEMU\'s header import "against 5.11-rc2" (the VFIO series v12)',
    repo: "eauger/qemu",
    commit: "77e0c33446ee0696ccbb3f78c2c6f4a5f9851ce8",
    branch: "v5.2.0-2stage-rfcv8",
    paths: EAUGER_QEMU_HEADERS,
  }],
  S12: [
    {
      kind: "git",
      what: 'QEMU\'s last nested branch, headers "against 5.15" (tip ' +
        "bc504f47fc11003f73280f37e8761a0500388343)",
      repo: "eauger/qemu",
      commit: "42f10f3107ef01053a851678b64d580929a68bac",
      branch: "v6.1.0-rmr-v2-nested_smmuv3_v10",
      paths: EAUGER_QEMU_HEADERS,
    },
    {
      kind: "git",
      what: "that branch's DMA_FAULT consumer",
      repo: "eauger/qemu",
      commit: "47628864eafc4e4c560883d23d98e27dfea055dd",
      branch: "v6.1.0-rmr-v2-nested_smmuv3_v10",
      paths: ["hw/vfio/pci.c"],
    },
    {
      kind: "git",
      what: "that branch's page response producer (the DMA_FAULT_RESPONSE region)",
      repo: "eauger/qemu",
      commit: "bc504f47fc11003f73280f37e8761a0500388343",
      branch: "v6.1.0-rmr-v2-nested_smmuv3_v10",
      paths: ["hw/vfio/pci.c"],
    },
  ],
  M1: [{
    kind: "mail",
    what: "the v4-v8 producer region (VFIO_REGION_SUBTYPE_NESTED_FAULT_PROD) and its consumer " +
      "region",
    subject: "[PATCH v8 25/29] vfio-pci: Add a new VFIO_REGION_TYPE_NESTED region type",
    date: "2019-05-26",
    messageId: "20190526161004.25232-26-eric.auger@redhat.com",
  }],
  M4: [{
    kind: "mail",
    what: "the v9 DMA_FAULT region: header {tail, entry_size, nb_entries, offset, head}",
    subject: "[PATCH v9 04/11] vfio/pci: Add VFIO_REGION_TYPE_NESTED region type",
    date: "2019-07-11",
    messageId: "20190711135625.20684-5-eric.auger@redhat.com",
  }],
  M6: [{
    kind: "mail",
    what: "v10: the ring at offset PAGE_SIZE, mmapped through a sparse mmap",
    subject: "[PATCH v10 06/11] vfio/pci: Allow to mmap the fault queue",
    date: "2020-03-20",
    messageId: "20200320161911.27494-7-eric.auger@redhat.com",
  }],
  M7: [{
    kind: "mail",
    what: "v11: the DMA_FAULT_RESPONSE region and the page responses it carries",
    subject: "[PATCH v11 13/13] vfio/pci: Inject page response upon response region fill",
    date: "2020-11-16",
    messageId: "20201116110030.32335-14-eric.auger@redhat.com",
  }],
  "M9-04": [{
    kind: "mail",
    what: "the VFIO nested series v13: the DMA_FAULT region",
    subject: "[PATCH v13 04/13]",
    date: "2021-04-11",
    messageId: "20210411114659.15051-5-eric.auger@redhat.com",
  }],
  "M9-05": [{
    kind: "mail",
    what: "the VFIO nested series v13: the kernel's fault handler, the DMA_FAULT producer",
    subject: "[PATCH v13 05/13]",
    date: "2021-04-11",
    messageId: "20210411114659.15051-6-eric.auger@redhat.com",
  }],
  "M9-09": [{
    kind: "mail",
    what: "the VFIO nested series v13: the DMA_FAULT interrupt type",
    subject: "[PATCH v13 09/13]",
    date: "2021-04-11",
    messageId: "20210411114659.15051-10-eric.auger@redhat.com",
  }],
  "M9-12": [{
    kind: "mail",
    what: "the VFIO nested series v13: the DMA_FAULT_RESPONSE region",
    subject: "[PATCH v13 12/13]",
    date: "2021-04-11",
    messageId: "20210411114659.15051-13-eric.auger@redhat.com",
  }],
  M8: [{
    kind: "mail",
    what: "the nested series' IOMMU part: how an SMMUv3 event became an iommu_fault (v9-v12), " +
      "fetch_addr shifted",
    subject: "[PATCH v12 13/15] iommu/smmuv3: Report non recoverable faults",
    date: "2020-11-16",
    messageId: "20201116104316.31816-14-eric.auger@redhat.com",
  }],
  M10: [
    {
      kind: "mail",
      what: "the device fault reporting API that became mainline's iommu_fault",
      subject: "[PATCH v2 0/4] iommu: Add device fault reporting API",
      date: "2019-06-03",
      messageId: "20190603145749.46347-1-jean-philippe.brucker@arm.com",
    },
    {
      kind: "mail",
      what: "Jean-Philippe Brucker's reply on 2/4: the record is 48 bytes, a padding proposal, " +
        "the capacities it gives",
      subject: "Re: [PATCH v2 2/4]",
      date: "2019-06-05",
      messageId: "50dc3cc5-6019-ad42-6aba-d84fab4020f9@arm.com",
    },
  ],
  K1: [{
    kind: "git",
    what: "mainline uapi iommu.h between v5.5 and v5.8: the 64-byte iommu_fault and the 20-byte " +
      "iommu_page_response",
    repo: "torvalds/linux",
    commit: "1bdd3e05a0a3b4a97ea88bc46fef8fb265c8b94c",
    paths: ["include/uapi/linux/iommu.h"],
  }],
  K3: [
    {
      kind: "git",
      what: "uapi iommu.h of v5.10 and later: iommu_page_response with argsz, NEEDS_PASID",
      repo: "nicolinc/iommufd",
      commit: "013137a387f7622898e8ba516f2f6b80663acc43",
      paths: ["include/uapi/linux/iommu.h"],
    },
    {
      kind: "git",
      what: "the same header in another tree, as a cross-check",
      repo: "ctrliq/kernel-src-tree",
      commit: "8010a3d8f02457318471e2a2c38a96af84507283",
      paths: ["include/uapi/linux/iommu.h"],
    },
  ],
  K4: [{
    kind: "package",
    what: "Linux 6.1's uapi iommu.h, compiled against with gcc for every size and offset",
    package: "linux-libc-dev 6.1.187-1",
    paths: ["/usr/include/linux/iommu.h"],
  }],
  K7: [{
    kind: "git",
    what: "recent mainline iommufd uapi (v6.17 era): iommu_hwpt_pgfault, " +
      "iommu_hwpt_page_response, the vEVENTQ records",
    repo: "torvalds/linux",
    commit: "b4d90dbc4c1bc4bd3eb2d2989330af0eb95c98e8",
    paths: ["include/uapi/linux/iommufd.h"],
  }],
  K8: [{
    kind: "git",
    what: "the early iommufd fault queue uapi, before the v6.14 padding fix",
    repo: "qemu/qemu",
    commit: "0d2eeef77a33315187df8519491a900bde4a3d83",
    paths: ["linux-headers/linux/iommufd.h"],
  }],
  K9: [{
    kind: "git",
    what: 'the v6.14 fix "iommufd: Fix struct iommu_hwpt_pgfault init and padding" (the ' +
      "implicit padding made explicit; merged with the iommufd 6.14 merge window pull)",
    repo: "torvalds/linux",
    commit: "e721f619e3ec9bae08bf419c3944cf1e6966c821",
    paths: ["include/uapi/linux/iommufd.h"],
  }],
  K10: [{
    kind: "git",
    what: "the iommufd event queues: how a vEVENTQ read delivers headers and payloads, and the " +
      "LOST_EVENTS header queued when the queue is full",
    repo: "torvalds/linux",
    commit: "ec2e0fb07d789976c601bec19ecced7a501c3705",
    paths: ["drivers/iommu/iommufd/eventq.c"],
    symbols: ["iommufd_veventq_fops_read", "iommufd_veventq_deliver_restore"],
  }],
  "log:I1": [{
    kind: "git",
    what: "VT-d fault handling: the three fault reason tables and the fault recording register " +
      "reads (Linux about 6.12)",
    repo: "torvalds/linux",
    commit: "c34e9ab9a612ee8b18273398ef75c207b01f516d",
    paths: ["drivers/iommu/intel/dmar.c"],
    symbols: [
      "dma_remap_fault_reasons[]",
      "dma_remap_sm_fault_reasons[]",
      "irq_remap_fault_reasons[]",
      "dmar_get_fault_reason",
      "dmar_fault_do_one",
      "dmar_fault",
    ],
  }],
  "log:I10": [{
    kind: "words",
    what: "VT-d fault status and fault recording register macros (dma_frcd_*, DMA_FSTS_*)",
    where: "Linux drivers/iommu/intel/iommu.h (include/linux/intel-iommu.h before 5.11), read " +
      "alongside the dmar.c versions cited here; QEMU's hw/i386/intel_iommu_internal.h " +
      "(VTD_FRCD_*) has the same bits",
  }],
  "log:I11": [{
    kind: "git",
    what: "the VT-d page request queue (6.13 and later) and its iommu_fault conversion",
    repo: "torvalds/linux",
    commit: "1a7c3068143be177deea86d977d3042a0c256706",
    paths: ["drivers/iommu/intel/prq.c"],
    symbols: [
      "struct page_req_dsc",
      "prq_event_thread",
      "handle_bad_prq_event",
      "intel_prq_report",
      "prq_to_iommu_prot",
    ],
  }],
  "log:A1": [{
    kind: "git",
    what: "AMD-Vi event log printing (Linux about 5.18)",
    repo: "torvalds/linux",
    commit: "0217ed5a946b61cca3a608d1ba9a422f8f85baf6",
    paths: ["drivers/iommu/amd/iommu.c"],
    symbols: ["iommu_print_event", "amd_iommu_report_page_fault"],
  }],
  "log:A7": [{
    kind: "git",
    what: "AMD-Vi event, PPR and status constants",
    repo: "torvalds/linux",
    commit: "014e756247e847cde8a06fc27ee3a72a5140b972",
    paths: ["drivers/iommu/amd/amd_iommu_types.h"],
  }],
  "log:A8": [{
    kind: "words",
    what: "AMD-Vi PPR log handling: which entries become an iommu_fault page request",
    where: "Linux drivers/iommu/amd/ppr.c, 6.9 and later (read from a copy whose commit was not " +
      "recorded)",
  }],
  "log:A9": [{
    kind: "git",
    what: "the AMD-Vi event log entry's bit layout, written from the AMD IOMMU specification " +
      "(a secondary source, for the bit names)",
    repo: "mirror/vbox",
    commit: "0720f5fac2ac",
    paths: ["include/VBox/iommu-amd.h"],
  }],
  "log:S2": [{
    kind: "git",
    what: "SMMUv3 event decoding after the 6.15 logging rework (6.18.y)",
    repo: "atlanticdg/linux-6.18.y",
    commit: "6c3dcfd01987448ad4e21c303ab436b68bbe36f3",
    paths: ["drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.c"],
    symbols: ["event_str[]", "event_class_str[]", "arm_smmu_decode_event"],
  }],
  "log:S3": [{
    kind: "git",
    what: "SMMUv3 event and PRI queue field masks and event IDs (after the logging rework)",
    repo: "ColinIanKing/linux-next",
    commit: "3cdb4bc78b47daa9f9db999d79754744e1b14f0d",
    paths: ["drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.h"],
  }],
  "log:S6": [{
    kind: "git",
    what: 'arm-smmu context fault registers, from "iommu/arm-smmu: Pretty-print context fault ' +
      'related regs" (Linux 6.11)',
    repo: "torvalds/linux",
    commit: "d525b0af0c3b8275e6f83fa0c0640338ed90661a",
    paths: ["drivers/iommu/arm/arm-smmu/arm-smmu.h"],
    symbols: ["ARM_SMMU_CB_FSR_*", "ARM_SMMU_CB_FSYNR0_*"],
  }],
  "log:V1": [{
    kind: "git",
    what: "virtio-iommu uapi: struct virtio_iommu_fault",
    repo: "torvalds/linux",
    commit: "0e1c438c44dd9cde56effb44c5f1cfeda72e108d",
    paths: ["include/uapi/linux/virtio_iommu.h"],
  }],
  "arm-ihi-0070": [{
    kind: "document",
    what: "the SMMUv3 architecture: event record fields, meanings and RES0 bits",
    title: "Arm System Memory Management Unit Architecture Specification, SMMU architecture " +
      "version 3 (ARM IHI 0070), section 7.3 Event records",
    url: "https://developer.arm.com/documentation/ihi0070/latest",
  }],
  "vbox-vtd": [{
    kind: "git",
    what: "the VT-d fault recording register's bit fields (a secondary source, for the fields " +
      "the kernel does not read)",
    repo: "mirror/vbox",
    commit: "0720f5fac2ac",
    paths: ["include/VBox/iommu-intel.h"],
    symbols: ["VTD_BF_*_FRCD_REG_*"],
  }],
} as const satisfies Readonly<Record<string, readonly Citation[]>>;

/** A key of {@link SOURCES}: what a description's `source` lists. */
export type SourceKey = keyof typeof SOURCES;

/** Every key, in the table's order. */
export const SOURCE_KEYS: readonly SourceKey[] = Object.keys(SOURCES) as SourceKey[];

/** The citations of `keys`, in order, each once. */
export function citations(keys: readonly SourceKey[]): Citation[] {
  const out: Citation[] = [];
  for (const k of keys) {
    for (const c of SOURCES[k] as readonly Citation[]) if (!out.includes(c)) out.push(c);
  }
  return out;
}

/** The lore.kernel.org address of a mail. */
export function loreUrl(messageId: string): string {
  return `https://lore.kernel.org/r/${messageId}`;
}

/**
 * Where a citation is, in one line: `repo@commit path, path (symbols)`, `Message-Id <id>
 * "subject", date`, `Debian package name version: path`, a document's title, or the words.
 */
export function cite(c: Citation): string {
  switch (c.kind) {
    case "git":
      return `${c.repo}@${c.commit} ${c.paths.join(", ")}` +
        (c.symbols?.length ? ` (${c.symbols.join(", ")})` : "") +
        (c.branch ? `, branch ${c.branch}` : "");
    case "mail":
      return `Message-Id <${c.messageId}> "${c.subject}", ${c.date}`;
    case "package":
      return `Debian package ${c.package}: ${c.paths.join(", ")}`;
    case "document":
      return c.title;
    case "words":
      return c.where;
  }
}

/** A link to the citation where one is certain: a mail on lore.kernel.org, a document. */
export function citationUrl(c: Citation): string | null {
  return c.kind === "mail" ? loreUrl(c.messageId) : c.kind === "document" ? c.url : null;
}

/** A citation as `layout --json` writes it (schema: `schemas/layout.json.schema.json`). */
export interface CitationJson {
  /** The citation's kind. */
  kind: Citation["kind"];
  /** Where it is, in one line ({@link cite}). */
  cite: string;
  /** What it is and what it shows. */
  what: string;
  /** A git citation's repository, else null. */
  repo: string | null;
  /** A git citation's commit, else null. */
  commit: string | null;
  /** Files read (git and package citations), else empty. */
  paths: string[];
  /** A mail's Message-Id, without angle brackets, else null. */
  message_id: string | null;
  /** A mail's lore.kernel.org address or a document's, else null ({@link citationUrl}). */
  url: string | null;
}

/** {@link CitationJson} of `c`: every key present, null where it does not apply. */
export function citationJson(c: Citation): CitationJson {
  return {
    kind: c.kind,
    cite: cite(c),
    what: c.what,
    repo: c.kind === "git" ? c.repo : null,
    commit: c.kind === "git" ? c.commit : null,
    paths: c.kind === "git" || c.kind === "package" ? [...c.paths] : [],
    message_id: c.kind === "mail" ? c.messageId : null,
    url: citationUrl(c),
  };
}
