/**
 * The command table: every faultscope command described once, as data (arguments, options,
 * examples, notes), with the module that runs it. `main.ts` parses argv against it, `--help`,
 * shell completion and the manual are rendered from it, and a test runs every example in it.
 *
 * Only light data modules are imported here (for option choices); a command's own code is
 * imported when that command runs, so `inspect` does not pay for `simulate` or `bench`.
 *
 * @example
 * ```ts
 * import { COMMANDS } from "./commands.ts";
 * COMMANDS.map((c) => c.name).slice(0, 5); // => ["demo", "decode", "dmesg", "inspect", "validate"]
 * ```
 * @module
 */
import { ABI_IDS, FAULT_ABIS, HARDWARE_ABIS } from "../abi/records.ts";
import { PAGE_SIZES, REGION_IDS, SIMULATED_LAYOUTS } from "../abi/regions.ts";
import { VEVENT_TYPES, type VeventTypeId } from "../abi/vevent.ts";
import { DEFAULT_SPIN_US, MAX_SPIN_US, RING_LAYOUTS, WAIT_STRATEGIES } from "../ring/choices.ts";
import { RULES, type Severity } from "../rules/catalogue.ts";
import { INJECT_KINDS } from "../sim/choices.ts";
import { OUTPUT_IDS } from "./schemas/outputs.ts";
import { FORMATS, VENDORS } from "../klog/choices.ts";
import { parseTimeArg } from "../klog/time.ts";
import { MAX_REGION_SIZE } from "../region/detect.ts";
import {
  abiChoices,
  addrRange,
  choiceList,
  deviceList,
  intArg,
  intList,
  nameList,
  outputPath,
  parseOffset,
  parsePageSize,
  seconds,
  sizeArg,
} from "./options.ts";
import { ArgError, type CommandModule, type CommandSpec } from "./spec_core.ts";

type Loader = () => Promise<CommandModule>;

/** `--page-size`, shared by the region commands and simulate. */
const PAGE_SIZE = {
  value: "bytes",
  help: "host page size: 4k, 16k or 64k",
  parse: parsePageSize,
  complete: PAGE_SIZES.map((p) => `${p / 1024}k`),
} as const;

/** Options that locate and interpret a region image (inspect and validate share them). */
const REGION_OPTIONS = {
  layout: {
    value: "layout",
    help: "region layout (default: inferred from the header)",
    choices: REGION_IDS,
  },
  abi: {
    value: "abi",
    help: "record ABI generation (default: inferred, and said so)",
    // A region carries iommu_fault-era records, never an IOMMU's own hardware records.
    choices: ABI_IDS.filter((a) => !(HARDWARE_ABIS as readonly string[]).includes(a)),
  },
  endian: {
    value: "order",
    help: "byte order of the image",
    choices: ["little", "big"] as const,
    default: "little" as "little" | "big",
  },
  offset: {
    value: "bytes",
    help: "read the region at this byte offset (e.g. 9<<40)",
    parse: parseOffset,
    default: 0,
  },
  regionSize: {
    value: "bytes",
    help: "region size, e.g. 64k (default: the file's size from --offset, else the layout's " +
      "kernel size)",
    parse: sizeArg(1, MAX_REGION_SIZE),
  },
  pageSize: PAGE_SIZE,
  cons: {
    value: "index",
    help: "consumer index, for fault-prod regions (it lives in CONS)",
    parse: intArg(0),
  },
  shadow: {
    value: "index",
    help: "the VMM's private consumer index (QEMU's fault_tail_index), for IDX-SHADOW",
    parse: intArg(0),
  },
} as const;

/**
 * Filters and the summary over decoded records: `decode` and `inspect` share them, and the core
 * applies them (src/codec/facets.ts says where each facet lives in each ABI).
 */
export const FILTER_OPTIONS = {
  type: {
    value: "list",
    help: "only records of these types: names (DMA_UNRECOV, PAGE_REQ, F_TRANSLATION, ...) or " +
      "numbers, comma-separated",
    parse: nameList,
  },
  reason: {
    value: "list",
    help: "only records with these reasons, e.g. PERMISSION,WALK_EABT",
    parse: nameList,
  },
  pasid: {
    value: "list",
    help: "only records with these PASIDs (SubstreamIDs on SMMUv3), e.g. 5,0x10",
    parse: (v: string) => intList(v, 0, 0xffffffff),
  },
  device: {
    value: "list",
    help: "only records from these devices: PCI bb:dd.f, or an iommufd dev_id, StreamID or " +
      "endpoint number",
    parse: deviceList,
  },
  addr: {
    value: "lo-hi",
    help: "only records whose address is in lo-hi (both included), e.g. 0xdead0000-0xdeadffff",
    parse: addrRange,
  },
  summary: {
    help: "instead of the records: counts per type x reason, the address range and the " +
      "distinct 4 KiB pages (of the records the filters keep)",
  },
} as const;

/** `faultscope demo`. */
export const DEMO = {
  name: "demo",
  summary: "simulate a fault storm on the seed's RFC v3 region, inspect and validate the " +
    "snapshot; then decode a kernel log's storm from Intel, AMD and ARM IOMMUs",
  args: [],
  options: {
    dir: {
      value: "dir",
      help: "keep the snapshot, chart and kernel log in DIR (created if missing); default: a " +
        "temporary directory, removed at the end",
      parse: outputPath,
      complete: "dir",
    },
  },
  examples: [
    "faultscope demo",
    "faultscope demo --dir demo     # keep the snapshot, chart and kernel log in ./demo",
  ],
  load: (() => import("./commands/demo.ts")) as Loader,
} as const satisfies CommandSpec;

/** `faultscope decode`. */
export const DECODE = {
  name: "decode",
  summary: "decode iommu_fault records (any generation) or an IOMMU's hardware records from a " +
    "capture, stdin or hex",
  args: [{
    name: "file",
    help: "raw capture (records back to back) or a hex dump; - for stdin",
    complete: "file",
  }],
  options: {
    hex: {
      value: "text",
      help: "decode hex given on the command line (xxd-style offsets tolerated)",
    },
    abi: {
      value: "abi",
      help: "record ABI generation, or vevent (default: inferred, and said so)",
      choices: abiChoices,
    },
    veventType: {
      value: "type",
      // No `default`: decode tells a type given without --abi vevent from none (watch sets one).
      help: "vEVENTQ type, with --abi vevent (default: arm-smmuv3)",
      choices: Object.keys(VEVENT_TYPES) as VeventTypeId[],
    },
    endian: REGION_OPTIONS.endian,
    hexGroups: {
      value: "how",
      help: "read hex groups wider than a byte as bytes (xxd -g N) or little-/big-endian words " +
        "(xxd -e, od -tx4, hexdump, 0x-lists); default: from the dump's format",
      choices: ["bytes", "little", "big"] as const,
    },
    oneRead: { help: "the input is one read() of a vEVENTQ FD (checks VEQ-LOST-LAST, VEQ-DEPTH)" },
    veventqDepth: {
      value: "n",
      help: "the vEVENTQ's veventq_depth, with --one-read (checks VEQ-DEPTH)",
      parse: intArg(1),
    },
    json: { help: "one JSON object (schema in the README)", short: "j", conflicts: ["ndjson"] },
    ndjson: { help: "one JSON object per line", conflicts: ["summary"] },
    raw: { help: "add each record's raw bytes (under its row; `raw` in JSON)" },
    check: { help: "run the record rules on each record; exit 1 on an error" },
    count: {
      value: "n",
      help: "show at most n records (after the filters); reading stops there",
      short: "n",
      parse: intArg(0),
    },
    ...FILTER_OPTIONS,
    asIommuFault: {
      help: "with a hardware record (--abi smmuv3-evt, vtd-prq, amd-ppr, ...): also show the " +
        "iommu_fault each record becomes on each kernel path, or why none",
    },
  },
  examples: [
    "faultscope decode testdata/mainline-capture.bin",
    "faultscope decode --abi rfc3 --hex '01 00 00 00 0a 00 00 00 00 b0 ad de 00 00 00 00 " +
    "00 00 00 00 00 00 00 00 05 00 00 00 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 " +
    "00 00 00 00'",
    "xxd testdata/rfc3-capture.bin | faultscope decode - --ndjson",
    "faultscope decode --abi smmuv3-evt --as-iommu-fault --hex '13 38 00 00 08 00 00 00 " +
    "2a 00 00 80 02 11 00 00 00 10 00 d0 aa aa 00 00 00 40 23 81 00 00 00 00'" +
    "     # a stalled SMMUv3 F_PERMISSION: a page request on 6.8+",
    "faultscope decode --abi amd-evt --hex '00 04 00 00 00 00 70 20 00 00 00 fd 00 00 00 00'" +
    "     # an AMD-Vi IO_PAGE_FAULT: a write to a present page, denied",
    "faultscope decode testdata/mainline-capture.bin --type DMA_UNRECOV --summary",
    "faultscope decode testdata/mainline-capture.bin --pasid 5 --addr 0xdead0000-0xdeadffff " +
    "--count 10     # the first 10 records of PASID 5 in that range",
  ],
  load: (() => import("./commands/decode.ts")) as Loader,
} as const satisfies CommandSpec;

/** `faultscope inspect`. */
export const INSPECT = {
  name: "inspect",
  summary: "show a region image: header, geometry, occupancy and the pending records in order",
  args: [{
    name: "file",
    help: "region image, device node, or - for stdin",
    required: true,
    complete: "file",
  }],
  options: {
    ...REGION_OPTIONS,
    all: { help: "list every readable slot, pending ones marked" },
    limit: {
      value: "n",
      help: "list at most n records, after the filters (and say how many were left out)",
      short: "n",
      parse: intArg(0),
    },
    raw: { help: "add the raw bytes of each record (under its row; `raw` in JSON)" },
    // The flag's old name: decode --hex takes input, so "show the bytes" is --raw on both.
    hex: { help: "the old name of --raw", hidden: true },
    ...FILTER_OPTIONS,
    brief: {
      help: "one line: layout, record ABI, occupancy, full (lossy) or not, like QMP's info",
      conflicts: ["json", "all", "raw", "hex", "summary", "limit"],
    },
    json: { help: "one JSON object (schema in the README)", short: "j" },
  },
  examples: [
    "faultscope inspect testdata/rfc3-sample.bin",
    "faultscope inspect testdata/dma-fault-sample.bin --layout dma-fault --raw",
    "faultscope inspect testdata/rfc3-sample.bin --brief",
    "faultscope inspect testdata/dma-fault-sample.bin --reason PERMISSION --summary",
    {
      line: "faultscope inspect /dev/vfio/devices/vfio0 --offset '9<<40' --json",
      skip: "needs a VFIO device node; examples_test.ts runs it on a sparse file in its place",
    },
  ],
  load: (() => import("./commands/inspect.ts")) as Loader,
} as const satisfies CommandSpec;

/** `faultscope validate`. */
export const VALIDATE = {
  name: "validate",
  summary: "check a region image (or two snapshots) against the rule catalogue",
  args: [{
    name: "file",
    help: "region image, device node, or - for stdin",
    required: true,
    complete: "file",
  }],
  options: {
    ...REGION_OPTIONS,
    previous: {
      value: "file",
      help: "an earlier snapshot of the same region, for the SNAP-* rules",
      complete: "file",
    },
    maxProgress: {
      value: "n",
      help: "neither index moved more than n slots since --previous (decides SNAP-OVERTAKE, " +
        "SNAP-PROGRESS, SNAP-LIVE-STABLE)",
      parse: intArg(0),
    },
    strict: { help: "exit 1 on warnings too" },
    json: {
      help: "{layout, abi, findings, errors, warnings, infos} (schema in the README)",
      short: "j",
    },
  },
  notes: [
    "Exit status: 0 no error found, 1 error found (or warning with --strict), 2 usage or input error.",
  ],
  examples: [
    "faultscope validate testdata/rfc3-sample.bin",
    "faultscope validate testdata/rfc3-corrupt.bin --previous testdata/rfc3-sample.bin --json",
  ],
  load: (() => import("./commands/validate.ts")) as Loader,
} as const satisfies CommandSpec;

const SEVERITIES = ["error", "warning", "info"] as const satisfies readonly Severity[];

/** `faultscope rules`. */
export const RULES_COMMAND = {
  name: "rules",
  summary:
    "print the validation rule catalogue (or one rule): ID, severity, layouts, invariant, why",
  args: [{
    name: "id",
    help: "print only this rule (any case), e.g. IDX-FULL",
    complete: RULES.map((r) => r.id),
  }],
  options: {
    severity: { value: "level", help: "only the rules of this severity", choices: SEVERITIES },
    json: {
      help: "one JSON array [{id, severity, scope, layouts, invariant, why, checkable, needs}] " +
        "(schema in the README)",
      short: "j",
    },
  },
  examples: [
    "faultscope rules IDX-FULL",
    "faultscope rules --severity error",
    "faultscope rules --json",
  ],
  load: (() => import("./commands/rules.ts")) as Loader,
} as const satisfies CommandSpec;

/** `faultscope layout`. */
export const LAYOUT = {
  name: "layout",
  summary: "print the byte layout of a record generation or region layout (pahole style) and " +
    "the public sources it was written from",
  args: [{
    name: "generation",
    help: `one of: ${[...new Set([...ABI_IDS, ...REGION_IDS, "vevent"])].join(", ")}`,
    complete: [...new Set([...ABI_IDS, ...REGION_IDS, "vevent"])],
  }],
  options: {
    json: {
      help: "{records, regions, streams}: the descriptions themselves, with their sources " +
        "(every one without GENERATION)",
      short: "j",
    },
  },
  examples: [
    "faultscope layout            # every generation, one line each",
    "faultscope layout rfc3",
    "faultscope layout dma-fault --json",
    "faultscope layout vevent     # the vEVENTQ header and each queue type's payload",
  ],
  load: (() => import("./commands/layout.ts")) as Loader,
} as const satisfies CommandSpec;

/** `--speed`: a positive factor, at most a million. */
function speedArg(v: string): number {
  const n = Number(v.trim());
  if (!/^\d+(\.\d+)?(e\d+)?$/i.test(v.trim()) || !(n > 0) || n > 1e6) {
    throw new ArgError("must be a number above 0 (at most 1e6)");
  }
  return n;
}

/** `faultscope simulate`. */
export const SIMULATE = {
  name: "simulate",
  summary: "simulate the kernel producer and the VMM consumer of a fault region, " +
    "deterministically: summary, NDJSON trace, region snapshots and an occupancy chart",
  args: [],
  options: {
    scenario: {
      value: "file",
      help: "scenario JSON file (default: the embedded seed-storm-stalled)",
      complete: "file",
    },
    scenarioKeys: { help: "print every scenario key with its range, default and meaning" },
    seed: { value: "n", help: "PRNG seed, 0..4294967295", parse: intArg(0, 0xffffffff) },
    layout: { value: "layout", help: "region layout", choices: SIMULATED_LAYOUTS },
    events: {
      value: "n",
      help: "events to simulate, e.g. 1000000 or 1e6 (also lifts the scenario's duration limit)",
      parse: intArg(1),
    },
    durationUs: { value: "us", help: "stop at this simulated time (µs)", parse: intArg(1) },
    pageSize: PAGE_SIZE,
    kernelPolicy: {
      value: "layout",
      help: "index math and header check of that layout's kernel (default: the simulated layout's)",
      choices: SIMULATED_LAYOUTS,
    },
    indexMath: {
      value: "math",
      help: "producer's full test: true modulo or CIRC_SPACE",
      choices: ["modulo", "circ"] as const,
    },
    headerCheck: {
      value: "check",
      help: "kernel header checks on each fault",
      choices: ["none", "bounds", "stop"] as const,
    },
    inject: {
      value: "kind@event[=value]",
      help: `corrupt the header after an event; kind: ${INJECT_KINDS.join(", ")} (repeatable)`,
      multiple: true,
    },
    json: { help: "print the summary as JSON", short: "j" },
    trace: {
      value: "file",
      help: "write the NDJSON event log",
      parse: outputPath,
      complete: "file",
    },
    snapshotAt: {
      value: "n",
      help: "snapshot the region after event N (comma list, repeatable)",
      parse: intList,
      multiple: true,
    },
    snapshotEvery: {
      value: "n",
      help: "snapshot the region every N events",
      parse: intArg(1),
    },
    out: {
      value: "file",
      help: "region image file (numbered when several; alone: the final state)",
      short: "o",
      parse: outputPath,
      complete: "file",
    },
    plot: {
      value: "file.svg",
      help: "write the occupancy/drops chart",
      parse: outputPath,
      complete: "file",
    },
    realtime: {
      help: "write --out in place as the run goes, paced to the wall clock: a live region for " +
        "watch (records first, then the index, as a kernel does)",
    },
    speed: {
      value: "x",
      help: "with --realtime: simulated seconds per wall-clock second (default 1)",
      parse: speedArg,
    },
    yes: {
      help: "start a run estimated at 5 minutes or more, 4 GiB of output or more, or 10000 files",
    },
    progress: { help: "no progress bar, even on a terminal", negate: true },
  },
  notes: [
    "An event is one line of the trace: a fault queued or dropped, a handler run, a record " +
    "delivered, a stall edge, an injection. Scenario files: testdata/scenarios/*.json; " +
    "--scenario-keys lists every key with its range and default.",
    "A layout brings its kernel's policy (rfc3: modulo, no header check; fault-prod and " +
    "dma-fault: CIRC_SPACE, bounds); the summary lists the ones taken from the layout, and " +
    "--kernel-policy LAYOUT applies one layout's kernel policy to another.",
    "Outputs are checked before the run and written whole or not at all (a temporary file, " +
    "renamed when complete). A run estimated at 5 minutes, 4 GiB or 10000 files or more needs " +
    "--yes. Exit status: 0; 2 bad input or an output that cannot be written; 130 Ctrl-C, " +
    "143 SIGTERM (the partial summary printed, the trace and chart not written).",
  ],
  examples: [
    "faultscope simulate                      # the seed's 64 KiB region, storm, stalled VMM",
    "faultscope simulate --scenario testdata/scenarios/v8-85-circ.json --plot v8.svg",
    "faultscope simulate --events 1000000 --trace run.ndjson --snapshot-every 250000 " +
    "--out snap.bin --json",
    // Mid-storm (faults every 0.25 µs, the VMM's next cons write 2 µs away), so the next fault
    // finds cons out of range: with 5000 the storm is over and the VMM rewrites cons first.
    "faultscope simulate --header-check stop --inject cons_out_of_range@1000   # the kernel " +
    "stops the queue",
    "faultscope simulate --layout dma-fault --kernel-policy rfc3   # the v9+ ring, RFC v3's kernel",
    "faultscope simulate --scenario-keys      # every scenario key: range, default, meaning",
    "faultscope simulate --realtime --speed 10 --out live.bin   # a live region to watch",
  ],
  load: (() => import("./commands/simulate.ts")) as Loader,
} as const satisfies CommandSpec;

/** `faultscope bench`. */
export const BENCH = {
  name: "bench",
  summary: "benchmark the lock-free fault ring between two workers against postMessage, " +
    "ringbuf.js, a minimal ring and (--c-reference) C; every record is verified",
  args: [],
  options: {
    records: {
      value: "n",
      help: "records per configuration, instead of a --duration",
      parse: intArg(1, 2 ** 40),
      conflicts: ["duration"],
    },
    duration: {
      value: "s",
      help: "seconds of measurement per configuration (default 1)",
      parse: seconds,
    },
    batch: {
      value: "list",
      help: "producer batch sizes (default 1,16,64,256)",
      parse: (v: string) => [...new Set(intList(v, 1, 1 << 16))],
    },
    layout: {
      value: "list",
      help: `region layouts (default ${RING_LAYOUTS.join(",")})`,
      parse: choiceList(RING_LAYOUTS, "layout"),
      complete: RING_LAYOUTS,
    },
    wait: {
      value: "list",
      help: `wait strategies (default ${WAIT_STRATEGIES.join(",")})`,
      parse: choiceList(WAIT_STRATEGIES, "wait strategy"),
      complete: WAIT_STRATEGIES,
    },
    repeat: {
      value: "n",
      help: "run each configuration n times, round after round, and show the median (default 1)",
      parse: intArg(1, 100),
    },
    cReference: {
      help: "also build bench/c/ring.c with cc and run its C11 twin of every ring configuration",
    },
    split: { help: "skip the indices-on-separate-cache-lines variants", negate: true },
    baselines: {
      help: "skip postMessage, ringbuf.js and the minimal ring (no ratios then)",
      negate: true,
    },
    idle: {
      help: "skip the latency probes and the idle-CPU check of the wait strategies",
      negate: true,
    },
    warmup: {
      value: "ms",
      help: "warm-up per configuration before measuring (default 200)",
      parse: intArg(1, 60_000),
    },
    spinUs: {
      value: "us",
      help: `spin-wait: first and smallest spin budget in µs, adapted up to ${MAX_SPIN_US} ` +
        `(default ${DEFAULT_SPIN_US})`,
      parse: intArg(1, 1_000_000),
    },
    // Self-test of the verifier and of exit 1: ring consumers scribble on their index.
    corruptConsAt: {
      value: "n",
      help: "corrupt cons at record n",
      parse: intArg(1, 2 ** 40),
      hidden: true,
    },
    // For tests and scripts: an empty file created once the first run's workers are going.
    readyFile: {
      value: "path",
      help: "create this file once the first run is going",
      hidden: true,
    },
    json: {
      help: "one JSON object {machine, options, c_reference, verified, results, headline, " +
        "latency, idle} on stdout",
      short: "j",
    },
  },
  notes: [
    "Records are 64-byte mainline iommu_fault events (48-byte RFC v3 ones in the rfc3 layout) " +
    "carrying a sequence number, a timestamp and a checksum; the consumer checks every one.",
    "Exit status: 0 all verified, 1 a record was lost, duplicated, reordered or torn, 2 usage " +
    "error, 130 interrupted (partial results printed).",
  ],
  examples: [
    { line: "faultscope bench", slow: "about 50 s of measurement" },
    "faultscope bench --duration 0.1 --batch 1,64 --layout dma-fault --no-idle --json > bench.json",
    {
      line: "faultscope bench --c-reference --batch 256 --no-split   # against C, in the same run",
      slow: "about 25 s of measurement, and a C compiler",
    },
    {
      line: "faultscope bench --records 100000000 --wait spin-wait   # a long verified soak",
      slow: "minutes: 10^8 records through every configuration and baseline",
    },
  ],
  load: (() => import("./commands/bench.ts")) as Loader,
} as const satisfies CommandSpec;

/** Record ABIs `watch --abi` takes: a region's, or a stream's (iommufd's two queues included). */
const WATCH_ABIS = [...FAULT_ABIS, "hwpt-pgfault", "vevent"] as const;

/** `faultscope watch`. */
export const WATCH = {
  name: "watch",
  summary: "follow live fault sources (regions, record streams, the kernel log): print each " +
    "fault as it comes, declare every loss, export Prometheus metrics",
  args: [{
    name: "source",
    help: "a region image or device node (polled; --offset), a FIFO, device or - carrying " +
      "records (--abi), or /dev/kmsg; PATH,key=value,... sets label, kind, abi, vevent-type, " +
      "offset, layout or endian for that source alone",
    variadic: true,
    complete: "file",
  }],
  options: {
    log: {
      value: "file",
      help: "follow a kernel log file like tail -F (- for stdin: journalctl -kf -o json | ...); " +
        "repeatable",
      multiple: true,
      complete: "file",
    },
    abi: {
      value: "abi",
      help: "record ABI: a region's (default: inferred) or a stream's (required)",
      choices: WATCH_ABIS,
    },
    veventType: {
      ...DECODE.options.veventType,
      help: "vEVENTQ type, with --abi vevent",
      default: "arm-smmuv3" as VeventTypeId,
    },
    layout: REGION_OPTIONS.layout,
    offset: REGION_OPTIONS.offset,
    endian: REGION_OPTIONS.endian,
    pageSize: PAGE_SIZE,
    interval: {
      value: "ms",
      help: "poll regions and log files every ms milliseconds (at least 1)",
      parse: intArg(1, 3_600_000),
      default: 100,
    },
    stallMs: {
      value: "ms",
      help: "a region consumer with faults pending that does not move for ms is stalled",
      parse: intArg(1),
      default: 1000,
    },
    fromStart: {
      help: "also report what is there at the start: a region's pending records, a log file " +
        "from its first line, the kmsg buffer (a region or log file that appears while " +
        "watched is read from its start anyway)",
    },
    ndjson: { help: "one JSON object per fault, loss, finding and state (schema in the README)" },
    quiet: { help: "no line per fault; losses, findings and the summary still", short: "q" },
    count: {
      value: "n",
      help: "stop after n faults (exit 0); 0: open the outputs, report the sources, stop",
      short: "n",
      parse: intArg(0),
    },
    duration: { value: "s", help: "stop after s seconds (exit 0)", parse: seconds },
    listen: {
      value: "host:port",
      help: "serve /metrics over HTTP: Prometheus text, or OpenMetrics when the scraper asks " +
        "(port 0: any free port, printed on stderr)",
      parse: parseListenArg,
    },
    metricsFile: {
      value: "file",
      help: "keep the metrics in this file, rewritten atomically every interval (node_exporter " +
        "textfile collector: a .prom file in its directory)",
      parse: outputPath,
      complete: "file",
    },
    maxDevices: {
      value: "n",
      help:
        'distinct device labels in the metrics; faults of further devices count as device="other"',
      parse: intArg(1, 100_000),
      default: 64,
    },
  },
  notes: [
    "A region is read whole every --interval (header, ring, header again); the records between " +
    "the last and the new producer index are the new faults. Indices carry no lap count: when " +
    "the producer may have gone round the ring between two polls, watch says so as a loss with " +
    "bounds (at_least, at_most; null when no bound exists), never as a count. A full ring and a " +
    "stalled consumer are reported when they begin and end.",
    "Sources missing at the start are waited for; a file truncated, replaced, rotated or deleted, " +
    "a FIFO writer that closes, a device that goes away: one line each, and watch keeps " +
    "following. Exit status: 0 at --duration, --count or when every source ended; 2 usage or " +
    "input error, a --listen port taken, a --metrics-file directory not writable; 130 Ctrl-C, " +
    "143 SIGTERM (each after the summary).",
  ],
  examples: [
    "faultscope watch testdata/rfc3-sample.bin --from-start --duration 0.3",
    "faultscope watch - --abi mainline --ndjson < testdata/mainline-capture.bin",
    "faultscope watch --log testdata/klog/vectors_logs_md_9.log --from-start --duration 0.5 --ndjson",
    {
      line: "faultscope watch /dev/kmsg --listen 127.0.0.1:9464 --quiet",
      skip: "runs until Ctrl-C, on the host's kernel log",
    },
    {
      line: "journalctl -kf -o json | faultscope watch --log -",
      skip: "needs systemd-journald; runs until Ctrl-C",
    },
    {
      line: "faultscope watch /dev/vfio/devices/vfio0,offset=9<<40,label=vm1 /tmp/veventq," +
        "abi=vevent,label=vm1-smmu --metrics-file /var/lib/node_exporter/textfile/faultscope.prom",
      skip: "needs a VFIO device and a vEVENTQ reader; runs until Ctrl-C",
    },
  ],
  load: (() => import("./commands/watch.ts")) as Loader,
} as const satisfies CommandSpec;

/** `--listen`: `HOST:PORT` or `[V6]:PORT`. */
function parseListenArg(v: string): { hostname: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(v.trim()) ?? /^([^:\s]+):(\d+)$/.exec(v.trim());
  if (!m) throw new ArgError("must be HOST:PORT, e.g. 127.0.0.1:9464 or [::1]:9464");
  const port = Number(m[2]);
  if (port > 65535) throw new ArgError("the port must be 0 to 65535");
  return { hostname: m[1], port };
}

/** Shells `faultscope complete` writes a script for. */
export const SHELLS = ["bash", "zsh", "fish"] as const;

/** A `--since`/`--until` value: seconds since boot, or a date and time. */
function logTime(v: string): string {
  if (!parseTimeArg(v)) {
    throw new ArgError(
      "not a time: seconds since boot (812.5), a date-time (2024-03-05T10:15:42[+01:00]) " +
        "or 'Mar 5 10:15[:42]'",
    );
  }
  return v;
}

/** `faultscope dmesg`. */
export const DMESG = {
  name: "dmesg",
  summary: "decode the IOMMU faults in a kernel log (dmesg, journalctl -k, /dev/kmsg, syslog): " +
    "Intel VT-d, AMD-Vi, ARM SMMUv3 and arm-smmu, virtio-iommu; summary and loss",
  args: [{
    name: "file",
    help: "kernel log text (also .gz), /dev/kmsg records, or - for stdin",
    complete: "file",
  }],
  options: {
    format: {
      value: "container",
      help: "how the log was written (default: detected from its first lines)",
      choices: FORMATS,
      default: "auto" as (typeof FORMATS)[number],
    },
    json: { help: "one JSON object {events, summary, lost} (schema in the README)", short: "j" },
    ndjson: {
      help: 'one event per line, then the summary as a last line with "type":"summary"',
      conflicts: ["json"],
    },
    events: { help: "print only the summary, not a line per fault", negate: true },
    asIommuFault: {
      help: "with --json/--ndjson: add to each SMMUv3 event and VT-d page request the " +
        "iommu_fault each kernel path reports for it (record.iommu_fault)",
    },
    device: {
      value: "dev",
      help: "only this device: a PCI address (00:02.0, 0000:3b:00.0), sid:0x100 or ep:8 " +
        "(repeatable, comma list)",
      parse: (v: string) => v.split(",").map((x) => x.trim()).filter(Boolean),
      multiple: true,
    },
    vendor: {
      value: "vendor",
      help: `only these IOMMUs: ${VENDORS.join(", ")} (repeatable, comma list)`,
      parse: choiceList(VENDORS, "vendor"),
      multiple: true,
      complete: VENDORS,
    },
    code: {
      value: "n",
      help: "only these reason or event codes, e.g. 0x06 or 0x10 (repeatable, comma list)",
      parse: (v: string) => intList(v, 0, 0xffffffff),
      multiple: true,
    },
    since: {
      value: "time",
      help: "only reports at or after this log time: seconds since boot or a date-time",
      parse: logTime,
    },
    until: { value: "time", help: "only reports at or before this log time", parse: logTime },
    check: { help: "exit 1 if any fault or sign of loss is found (a CI gate)" },
    verbose: {
      short: "v",
      help: "list the lines that look like fault reports but do not parse",
    },
    iomem: {
      value: "file",
      help: "a copy of /proc/iomem (as root): name the region each fault address falls in",
      complete: "file",
    },
    lspci: {
      value: "file",
      help: "lspci -mm or -vmm output: name each device",
      complete: "file",
    },
  },
  notes: [
    "Containers: plain dmesg (also -r, -x, -T, --time-format iso), journalctl -k (short, " +
    "short-precise, short-iso, short-monotonic, -o json), /dev/kmsg records, syslog files, and " +
    "text pasted from an issue. Lines that are not IOMMU reports are skipped.",
    "Exit status: 0 done (with --check: no fault and no loss found), 1 --check found a fault or " +
    "a sign of loss, 2 usage or input error (missing, empty, binary or compressed input), " +
    "130 interrupted (the summary so far is printed).",
  ],
  examples: [
    "faultscope dmesg testdata/klog/vectors_logs_md_9.log",
    "faultscope dmesg testdata/klog/amd.log --iomem testdata/klog/iomem.txt " +
    "--lspci testdata/klog/lspci.txt --no-events",
    { line: "dmesg | faultscope dmesg - --check --no-events", skip: "reads this host's log" },
    {
      line: "journalctl -k -o json | faultscope dmesg - --ndjson --vendor amd",
      skip: "reads this host's journal",
    },
  ],
  load: (() => import("./commands/dmesg.ts")) as Loader,
} as const satisfies CommandSpec;

/** `faultscope complete`. */
export const COMPLETE = {
  name: "complete",
  summary: "print the shell completion script for bash, zsh or fish",
  args: [{
    name: "shell",
    help: SHELLS.join(", "),
    required: true,
    complete: SHELLS,
  }],
  options: {},
  notes: [
    "The script is generated from this command table and needs nothing else: no bash-completion " +
    "package, and no faultscope process on each TAB. bash: `source <(faultscope complete bash)` " +
    "in ~/.bashrc. zsh: `source <(faultscope complete zsh)` after compinit, or save it as " +
    "_faultscope in a directory of $fpath. fish: `faultscope complete fish | source`, or save it " +
    "as ~/.config/fish/completions/faultscope.fish. Loading it again replaces it.",
  ],
  examples: [
    "source <(faultscope complete bash)",
    "faultscope complete zsh > _faultscope",
  ],
  load: (() => import("./commands/complete.ts")) as Loader,
} as const satisfies CommandSpec;

/** `faultscope schema`. */
export const SCHEMA = {
  name: "schema",
  summary: "print the JSON Schema (draft 2020-12) of a --json or --ndjson output",
  args: [{
    name: "output",
    help: `one of: ${OUTPUT_IDS.join(", ")} (none: list them)`,
    complete: OUTPUT_IDS,
  }],
  options: {},
  notes: [
    "An output is named <command>.<option>: decode.ndjson is each line of `decode --ndjson`, " +
    "simulate.trace each line of the `simulate --trace` file. The same schemas are in the " +
    "repository as schemas/<output>.schema.json. Any 2020-12 validator checks an output " +
    "against them, e.g. `npx ajv-cli validate --spec=draft2020 -s rules.json.schema.json " +
    "-d rules.json`.",
  ],
  examples: [
    "faultscope schema            # every output, one line each",
    "faultscope schema decode.ndjson > decode.ndjson.schema.json",
  ],
  load: (() => import("./commands/schema.ts")) as Loader,
} as const satisfies CommandSpec;

/** `faultscope man`. */
export const MAN = {
  name: "man",
  summary: "print the manual page (roff), generated from the same table as --help",
  args: [],
  options: {},
  examples: [
    "faultscope man | man -l -",
    "faultscope man > faultscope.1",
  ],
  load: (() => import("./commands/man.ts")) as Loader,
} as const satisfies CommandSpec;

/** Every command, in the order `faultscope --help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  DEMO,
  DECODE,
  DMESG,
  INSPECT,
  VALIDATE,
  RULES_COMMAND,
  LAYOUT,
  SIMULATE,
  WATCH,
  BENCH,
  SCHEMA,
  COMPLETE,
  MAN,
];

/** Looks a command up by name. */
export function command(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}
