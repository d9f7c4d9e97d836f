/**
 * Simulation scenarios. Every key is described once, in {@link SCENARIO_FIELDS} (key, type,
 * default, range, meaning): that table drives validation (one line naming the offending key,
 * `consumer.service_us: expected a number > 0, got -1`), the defaults, the reference that
 * `faultscope simulate --scenario-keys` prints and the README shows, and the JSON written back
 * into traces. Keys are snake_case in JSON and camelCase in the resolved {@link Scenario}.
 *
 * Every number has a range that keeps the run finite: times stay at most {@link MAX_TIME_US}
 * (about 11.6 days, so no simulated time overflows or stalls), rates at least 1e-6/s, the region
 * at most {@link MAX_REGION_SIZE}, and a run never processes more than `events` events.
 *
 * Defaults follow what each generation's code did, as its region layout's registry entry says
 * (`REGIONS[layout].simulator`): the RFC v3 consumer wrote `cons` after every record and its
 * kernel checked nothing; v4+ consumers wrote it once per drain and the kernel decided "full"
 * with `CIRC_SPACE`.
 *
 * @example
 * ```ts
 * import { parseScenario } from "./scenario.ts";
 * const s = parseScenario({ region: { layout: "fault-prod" } });
 * s.region.capacity; // => 85: PAGE_SIZE / 48 on a 4 KiB host
 * s.kernel.indexMath; // => "circ", as v8 did
 * ```
 * @module
 */
import { ABI_IDS, type AbiId, FAULT_ABIS, RECORDS } from "../abi/records.ts";
import {
  capacityFor,
  headerField,
  PAGE_SIZES,
  REGIONS,
  regionSizeFor,
  ringOffsetFor,
  SIMULATED_LAYOUTS,
  type SimulatedLayoutId,
} from "../abi/regions.ts";
import type { SimulatorDefaults } from "../abi/types.ts";
import type { IndexMath } from "./circ.ts";
import {
  type FieldRow,
  fieldRows,
  type FieldSpec,
  fieldsToJson,
  join,
  type NumberSpec,
  resolveFields,
  ScenarioError,
  type Scope,
} from "./fields.ts";
import { INJECT_KINDS, type InjectKind } from "./choices.ts";
import { plural } from "../codec/numbers.ts";
import { escapeText } from "../codec/quote.ts";

export { ScenarioError } from "./fields.ts";

/** A layout the simulator drives: one with simulator defaults in the region registry. */
export type SimLayout = SimulatedLayoutId;

// The injection kinds the command table offers live in a light module: start-up loads them, not
// this one.
export { INJECT_KINDS, type InjectKind } from "./choices.ts";

/** Kernel header checks on each enqueue. */
export type HeaderCheck = SimulatorDefaults["headerCheck"];
/** When the consumer publishes its index. */
export type ConsWrite = SimulatorDefaults["consWrite"];

/**
 * The layout a scenario gets when it names none: the first the simulator drives in the
 * registry's presentation order, the seed thread's RFC v3 region.
 *
 * @example
 * ```ts
 * import { DEFAULT_LAYOUT, parseScenario } from "./scenario.ts";
 * parseScenario({}).region.layout === DEFAULT_LAYOUT; // => true
 * DEFAULT_LAYOUT; // => "rfc3"
 * ```
 */
export const DEFAULT_LAYOUT: SimLayout = SIMULATED_LAYOUTS[0];

/** What the kernel and VMM of a simulated layout's era did (its registry entry's traits). */
function policy(layout: SimLayout): SimulatorDefaults {
  return REGIONS[layout].simulator!;
}

/**
 * How the reference documents a policy default: each value with the layouts that have it,
 * e.g. `modulo for rfc3, circ for fault-prod and dma-fault`.
 */
function policyDoc(prop: "indexMath" | "headerCheck" | "consWrite"): string {
  const by = new Map<string, SimLayout[]>();
  for (const l of SIMULATED_LAYOUTS) {
    const v = policy(l)[prop];
    by.set(v, [...(by.get(v) ?? []), l]);
  }
  const list = (ls: SimLayout[]) =>
    ls.length > 1 ? `${ls.slice(0, -1).join(", ")} and ${ls[ls.length - 1]}` : ls[0];
  return [...by].map(([v, ls]) => `${v} for ${list(ls)}`).join(", ");
}

/** Record ABIs some simulated layout carries, in the registry's presentation order. */
const SIMULATED_ABIS = ABI_IDS.filter((a) =>
  SIMULATED_LAYOUTS.some((l) => REGIONS[l].abis.includes(a))
);

/**
 * Max event count: well under 2^53 so that counters stay exact.
 *
 * @example
 * ```ts
 * import { MAX_EVENTS, parseScenario } from "./scenario.ts";
 * parseScenario({ events: MAX_EVENTS }).events; // => 1e15
 * ```
 */
export const MAX_EVENTS = 1e15;

/**
 * Largest time value of a scenario, in µs (about 11.6 days). With it every simulated time stays
 * finite, so a chart's axis and a trace's numbers are too.
 *
 * @example
 * ```ts
 * import { throws } from "node:assert/strict";
 * import { MAX_TIME_US, parseScenario } from "./scenario.ts";
 * MAX_TIME_US; // => 1e12
 * throws(() => parseScenario({ producer: { arrivals: { kind: "poisson", start_us: 1e308 } } }), {
 *   message: "producer.arrivals.start_us: expected a number <= 1e12, got 1e+308",
 * });
 * ```
 */
export const MAX_TIME_US = 1e12;

/**
 * Largest simulated region in bytes (64 MiB; the kernel's largest is 128 KiB). The model keeps
 * 17 bytes per slot and a snapshot builds the whole image, so memory stays under ~100 MB.
 *
 * @example
 * ```ts
 * import { throws } from "node:assert/strict";
 * import { MAX_REGION_SIZE, parseScenario } from "./scenario.ts";
 * MAX_REGION_SIZE; // => 67108864
 * throws(() => parseScenario({ region: { region_size: 1e15 } }), {
 *   message: "region.region_size: expected a number <= 67108864, got 1000000000000000",
 * });
 * ```
 */
export const MAX_REGION_SIZE = 64 * 1024 * 1024;

/** Fault arrival process. */
export type Arrivals =
  | { kind: "steady" | "poisson"; ratePerS: number; startUs: number }
  | { kind: "storm"; burst: number; gapUs: number; intervalUs: number; startUs: number }
  | {
    kind: "replay";
    file: string;
    abi: AbiId;
    ratePerS: number;
    timing: "steady" | "poisson";
    loop: boolean;
    startUs: number;
  };

/** Fault contents. */
export interface Mix {
  /** Weights by fault type name. */
  type: Record<string, number>;
  /** Weights by reason name (the generation's enum). */
  reason: Record<string, number>;
  /** PASIDs used, `first` to `first + count - 1`. */
  pasid: { first: number; count: number };
  /** Faulting addresses. */
  address: {
    pattern: "sequential" | "random" | "hotspot";
    base: bigint;
    stride: number;
    pages: number;
  };
}

/** A consumer stall window. */
export interface Stall {
  /** Start (µs). */
  atUs: number;
  /** Length (µs). */
  forUs: number;
}

/** One fault injection. */
export interface Injection {
  /** Event number after which the header is corrupted. */
  atEvent: number;
  /** What is corrupted. */
  kind: InjectKind;
  /** The value written. */
  value: number;
}

/** A fully resolved scenario: every default applied, every value checked. */
export interface Scenario {
  /** Shown in summaries and charts. */
  name: string;
  /** Free text. */
  description: string;
  /** PRNG seed. */
  seed: number;
  /** Stop after this many events. */
  events: number;
  /** Stop at this simulated time (µs); null: no limit. */
  durationUs: number | null;
  /** The fault region. */
  region: {
    layout: SimLayout;
    pageSize: number;
    abi: AbiId;
    capacity: number;
    regionSize: number;
  };
  /** The kernel producer's policies. */
  kernel: { full: "drop-new"; indexMath: IndexMath; headerCheck: HeaderCheck };
  /** Fault arrivals and contents. */
  producer: { arrivals: Arrivals; faults: number | null; mix: Mix };
  /** The VMM consumer. */
  consumer: {
    startUs: number;
    drainAtStart: boolean;
    wakeUs: number;
    serviceUs: number;
    serviceJitterUs: number;
    batch: number;
    repoll: boolean;
    consWrite: ConsWrite;
    stalls: Stall[];
    stallEvery: { firstUs: number; everyUs: number; forUs: number } | null;
  };
  /** Header corruptions, in event order. */
  inject: Injection[];
  /**
   * Policies the scenario did not choose and took from its layout, where they differ from those
   * of {@link DEFAULT_LAYOUT} (the RFC v3 kernel's): what silently changes with `--layout`. JSON
   * keys.
   */
  layoutDefaults: Partial<Record<"index_math" | "header_check" | "cons_write", string>>;
}

/**
 * The reason enum's names for an ABI (RFC v3 numbers them differently).
 *
 * @example
 * ```ts
 * import { reasonNames } from "./scenario.ts";
 * reasonNames("rfc3").includes("INTERNAL"); // => true: RFC v3 numbering
 * reasonNames("v8").includes("INTERNAL"); // => false
 * ```
 */
export function reasonNames(abi: AbiId): string[] {
  for (const f of RECORDS[abi].fields) {
    if (f.kind === "scalar" && f.name === "reason" && f.enum) {
      return f.enum.values.map((v) => v.name);
    }
    if (f.kind === "union") {
      for (const v of f.variants) {
        for (const g of v.fields) {
          if (g.kind === "scalar" && g.name === "reason" && g.enum) {
            return g.enum.values.map((e) => e.name);
          }
        }
      }
    }
  }
  return [];
}

// ---- The field table ------------------------------------------------------------------------

type Region = Scenario["region"];

const rootOf = (s: Scope): Scope => (s.parent ? rootOf(s.parent) : s);
const regionOf = (s: Scope) => rootOf(s).get("region") as Region;
const layoutOf = (s: Scope) => regionOf(s).layout;

/** A time in µs, at least 0 (or above 0 when `positive`), at most MAX_TIME_US. */
const time = <K extends string>(
  key: K,
  dflt: number,
  doc: string,
  positive = false,
): NumberSpec & { key: K } => ({
  key,
  type: "number",
  default: dflt,
  ...(positive ? { above: 0 } : { min: 0 }),
  max: MAX_TIME_US,
  doc,
});

const RATE_MIN = 1e-6, RATE_MAX = 1e9;
const rate = (dflt: number): NumberSpec & { key: "rate_per_s" } => ({
  key: "rate_per_s",
  type: "number",
  default: dflt,
  above: 0,
  min: RATE_MIN,
  max: RATE_MAX,
  doc: "mean faults per second",
});
const START = time("start_us", 0, "time of the first fault (µs)");
const RATE_50K = rate(50_000);

const REGION_FIELDS = [
  {
    key: "layout",
    type: "choice",
    values: SIMULATED_LAYOUTS,
    default: DEFAULT_LAYOUT,
    doc: "rfc3 (RFC v3, 2019), fault-prod (v4-v8), dma-fault (v9+)",
  },
  {
    key: "page_size",
    type: "integer",
    default: 4096,
    oneOf: PAGE_SIZES,
    doc: "host page size; sets the fault-prod capacity and dma-fault offsets",
  },
  {
    key: "abi",
    type: "choice",
    values: (s) => REGIONS[s.get("layout") as SimLayout].abis,
    default: (s) => REGIONS[s.get("layout") as SimLayout].defaultAbi,
    valuesDoc: `${SIMULATED_ABIS.join(" | ")}, one the layout carries`,
    defaultDoc: "the layout's",
    doc: "record ABI: rfc3 and v4-v8 are 48 bytes, mainline 64",
  },
  {
    key: "capacity",
    type: "integer",
    default: (s) => {
      // The kernel's: from the page size, a fixed ring length, or (RFC v3) the region's size.
      const layout = REGIONS[s.get("layout") as SimLayout];
      const entry = RECORDS[s.get("abi") as AbiId].size;
      const given = s.given("region_size") as number | undefined;
      return capacityFor(layout, entry, s.get("page_size") as number, given);
    },
    min: 2,
    max: 2 ** 24,
    // One slot is always left empty, so a ring needs two slots to hold anything.
    rangeMessage: (v) =>
      v < 2
        ? `a ring needs at least 2 entries, got ${v}`
        : `at most ${2 ** 24} entries are simulated`,
    defaultDoc: "the kernel's",
    doc: "ring entries (nb_entries / size), fitting a region of at most 64 MiB",
  },
  {
    key: "region_size",
    type: "integer",
    above: 0,
    max: MAX_REGION_SIZE,
    default: (s) =>
      regionSizeFor(
        REGIONS[s.get("layout") as SimLayout],
        RECORDS[s.get("abi") as AbiId].size,
        s.get("capacity") as number,
        s.get("page_size") as number,
      ),
    defaultDoc: "the kernel's",
    doc: "region bytes",
  },
] as const satisfies readonly FieldSpec[];

function checkRegion(o: Record<string, unknown>, s: Scope): void {
  const r = o as unknown as Region;
  const p = s.path;
  // One slot is always left empty, so a ring needs two slots to hold anything.
  if (r.capacity < 2) {
    throw new ScenarioError(
      join(p, "capacity"),
      `a ring needs at least 2 entries, got ${r.capacity}`,
    );
  }
  const layout = REGIONS[r.layout];
  const entry = RECORDS[r.abi].size;
  const offset = ringOffsetFor(layout, r.pageSize);
  if (offset < layout.headerSize || offset + r.capacity * entry > r.regionSize) {
    throw new ScenarioError(
      s.given("capacity") !== undefined ? join(p, "capacity") : join(p, "region_size"),
      `${r.capacity} entries of ${entry} bytes from offset ${offset} do not fit a ` +
        `${r.regionSize}-byte ${r.layout} region`,
    );
  }
  if (r.capacity > 2 ** 24) {
    throw new ScenarioError(join(p, "capacity"), `at most ${2 ** 24} entries are simulated`);
  }
  if (r.regionSize > MAX_REGION_SIZE) {
    // Reached by a capacity whose default region (the kernel's sizing) outgrows the limit.
    throw new ScenarioError(
      join(p, "capacity"),
      `${r.capacity} entries make a ${r.regionSize}-byte ${r.layout} region; at most ` +
        `${MAX_REGION_SIZE} bytes are simulated`,
    );
  }
}

const KERNEL_FIELDS = [
  {
    key: "full",
    type: "choice",
    values: ["drop-new"],
    default: "drop-new",
    doc: "what the kernel does when the ring is full (drop the new fault)",
  },
  {
    key: "index_math",
    type: "choice",
    values: ["modulo", "circ"],
    default: (s) => policy(layoutOf(s)).indexMath,
    defaultDoc: policyDoc("indexMath"),
    doc: "the full test: true modulo, or CIRC_SPACE (right only for power-of-two sizes)",
  },
  {
    key: "header_check",
    type: "choice",
    values: ["none", "bounds", "stop"],
    default: (s) => policy(layoutOf(s)).headerCheck,
    defaultDoc: policyDoc("headerCheck"),
    doc: "none: trust the header; bounds: drop on an index out of range; stop: stop the queue",
  },
] as const satisfies readonly FieldSpec[];

function checkStorm(o: Record<string, unknown>, s: Scope): void {
  if (o.kind !== "storm") return;
  const { burst, gapUs, intervalUs } = o as { burst: number; gapUs: number; intervalUs: number };
  // Bursts must not overlap, or arrival times would run backwards.
  if ((burst - 1) * gapUs >= intervalUs) {
    throw new ScenarioError(
      join(s.path, "interval_us"),
      `a burst of ${burst} faults ${gapUs} µs apart lasts ${(burst - 1) * gapUs} µs, ` +
        `which does not fit in interval_us ${intervalUs}`,
    );
  }
}

const ARRIVALS = {
  key: "arrivals",
  type: "variant",
  defaultKind: "poisson",
  doc: "steady or Poisson at a rate, storms of bursts, or the replay of a capture",
  kinds: {
    steady: [RATE_50K, START],
    poisson: [RATE_50K, START],
    storm: [
      {
        key: "burst",
        type: "integer",
        default: 4000,
        min: 1,
        max: MAX_EVENTS,
        doc: "faults per burst",
      },
      time("gap_us", 0.25, "time between the faults of a burst (µs)"),
      time("interval_us", 100_000, "time between burst starts (µs); a burst must fit", true),
      START,
    ],
    replay: [
      {
        key: "file",
        type: "string",
        default: "",
        maxLength: 4096,
        required: "a replay needs the capture file name",
        doc: "raw records to replay, relative to the scenario file",
      },
      {
        key: "abi",
        type: "choice",
        values: FAULT_ABIS,
        default: (s) => regionOf(s).abi,
        defaultDoc: "region.abi",
        check: (v, s, p) => {
          const abi = regionOf(s).abi;
          if (v !== abi) {
            throw new ScenarioError(
              p,
              `${v} records cannot be replayed into a ring of ${abi} records (set region.abi)`,
            );
          }
        },
        doc: "the capture's record ABI; must be region.abi",
      },
      rate(10_000),
      {
        key: "timing",
        type: "choice",
        values: ["steady", "poisson"],
        default: "steady",
        doc: "arrival times of replayed records",
      },
      { key: "loop", type: "boolean", default: false, doc: "start the capture again at its end" },
      START,
    ],
  },
  check: checkStorm,
} as const satisfies FieldSpec;

const MIX = {
  key: "mix",
  type: "object",
  doc: "what the faults contain",
  fields: [
    {
      key: "type",
      type: "weights",
      names: () => ["DMA_UNRECOV", "PAGE_REQ"],
      default: { DMA_UNRECOV: 1 },
      max: 1e9,
      doc: "weights by fault type: DMA_UNRECOV, PAGE_REQ",
    },
    {
      key: "reason",
      type: "weights",
      names: (s) => reasonNames(regionOf(s).abi),
      default: { PERMISSION: 4, PTE_FETCH: 2, ACCESS: 1, WALK_EABT: 1 },
      max: 1e9,
      doc: "weights by reason name of the generation's enum (RFC v3 has INTERNAL, ...)",
    },
    {
      key: "pasid",
      type: "object",
      doc: "PASIDs used: first .. first + count - 1",
      fields: [
        { key: "first", type: "integer", default: 1, min: 0, max: 0xfffff, doc: "first PASID" },
        {
          key: "count",
          type: "integer",
          default: 4,
          min: 1,
          max: 0x100000,
          doc: "how many PASIDs",
        },
      ],
    },
    {
      key: "address",
      type: "object",
      doc: "faulting addresses: base + page * stride",
      fields: [
        {
          key: "pattern",
          type: "choice",
          values: ["sequential", "random", "hotspot"],
          default: "sequential",
          doc: "page order; hotspot: 9 in 10 in the first sixteenth",
        },
        {
          key: "base",
          type: "string",
          default: "0x100000000",
          pattern: /^0x[0-9a-fA-F]{1,16}$/,
          patternDoc: "a 0x-prefixed 64-bit hex string",
          parse: (s) => BigInt(s),
          toJson: (v) => "0x" + (v as bigint).toString(16),
          doc: "first address",
        },
        {
          key: "stride",
          type: "integer",
          default: 4096,
          min: 1,
          max: 2 ** 32,
          doc: "bytes between pages",
        },
        {
          key: "pages",
          type: "integer",
          default: 4096,
          min: 1,
          max: 2 ** 32,
          doc: "pages in the range",
        },
      ],
    },
  ],
} as const satisfies FieldSpec;

const PRODUCER_FIELDS = [
  ARRIVALS,
  {
    key: "faults",
    type: "integer",
    default: null,
    nullable: true,
    above: 0,
    max: MAX_EVENTS,
    defaultDoc: "null",
    doc: "stop producing after this many faults; null: no limit",
  },
  MIX,
] as const satisfies readonly FieldSpec[];

function checkStalls(items: Record<string, unknown>[], s: Scope): void {
  const st = items as unknown as Stall[];
  for (let i = 1; i < st.length; i++) {
    if (st[i].atUs < st[i - 1].atUs + st[i - 1].forUs) {
      throw new ScenarioError(
        join(join(s.path, "stalls"), i),
        "stalls must be sorted by at_us and must not overlap",
      );
    }
  }
}

function checkConsumer(o: Record<string, unknown>, s: Scope): void {
  const c = o as unknown as Scenario["consumer"];
  const sp = join(s.path, "stall_every");
  if (c.stallEvery && c.stallEvery.forUs >= c.stallEvery.everyUs) {
    throw new ScenarioError(join(sp, "for_us"), "a periodic stall must be shorter than every_us");
  }
  if (c.stallEvery && c.stalls.length) {
    throw new ScenarioError(sp, "use either stalls or stall_every, not both");
  }
}

const CONSUMER_FIELDS = [
  time("start_us", 0, "the VMM starts (arms the eventfd) at this time (µs)"),
  {
    key: "drain_at_start",
    type: "boolean",
    default: true,
    doc: "a late start drains the ring at once",
  },
  time("wake_us", 10, "eventfd signal to handler start (µs)"),
  time("service_us", 2, "time per record (µs)", true),
  time("service_jitter_us", 0, "plus a uniform random 0 .. this (µs)"),
  {
    key: "batch",
    type: "integer",
    default: 0,
    min: 0,
    max: MAX_EVENTS,
    doc: "at most this many records per handler run; 0: drain all",
  },
  {
    key: "repoll",
    type: "boolean",
    default: true,
    doc: "after a bounded batch, run again at once",
  },
  {
    key: "cons_write",
    type: "choice",
    values: ["per_record", "per_drain"],
    default: (s) => policy(layoutOf(s)).consWrite,
    defaultDoc: policyDoc("consWrite"),
    doc: "when the VMM publishes cons",
  },
  {
    key: "stalls",
    type: "array",
    maxItems: 100_000,
    doc: "windows where the VMM does nothing, sorted, not overlapping",
    of: [time("at_us", 0, "start (µs)"), {
      ...time("for_us", 0, "length (µs)", true),
      default: (s: Scope) => {
        throw new ScenarioError(join(s.path, "for_us"), "a stall needs its length (> 0 µs)");
      },
      defaultDoc: "required",
    }],
    check: checkStalls,
  },
  {
    key: "stall_every",
    type: "object",
    optional: true,
    doc: "periodic stalls (instead of stalls)",
    fields: [
      time("first_us", 0, "first stall (µs)"),
      time("every_us", 1_000_000, "period (µs)", true),
      time("for_us", 100_000, "length (µs), shorter than every_us", true),
    ],
  },
] as const satisfies readonly FieldSpec[];

/** The value an injection writes when the scenario gives none. */
function injectionDefault(kind: InjectKind, cap: number): number {
  return {
    cons_out_of_range: cap,
    reserved_nonzero: 1,
    size_changed: 2 * cap,
    prod_corrupt: cap + 1,
  }[kind];
}

const INJECT_FIELDS = [
  {
    key: "at_event",
    type: "integer",
    default: 0,
    min: 0,
    max: MAX_EVENTS,
    doc: "corrupt the header after this event",
  },
  {
    key: "kind",
    type: "choice",
    values: INJECT_KINDS,
    default: "cons_out_of_range",
    check: (v, s, p) => {
      const layout = layoutOf(s);
      if (v === "reserved_nonzero" && !headerField(REGIONS[layout], "reserved")) {
        const have = SIMULATED_LAYOUTS.filter((l) => headerField(REGIONS[l], "reserved"));
        throw new ScenarioError(
          p,
          `the ${layout} header has no reserved field (only ${have.join(", ")} has one)`,
        );
      }
    },
    doc: "what the VMM corrupts: cons, reserved, size or prod",
  },
  {
    key: "value",
    type: "integer",
    min: 0,
    max: 0xffffffff,
    default: (s) => injectionDefault(s.get("kind") as InjectKind, regionOf(s).capacity),
    defaultDoc: "capacity, 1, 2 * capacity, capacity + 1 (by kind)",
    check: (value, s, p) => {
      const kind = s.get("kind") as InjectKind;
      const cap = regionOf(s).capacity;
      if (kind === "cons_out_of_range" && value < cap) {
        throw new ScenarioError(
          p,
          `${value} is in range; cons_out_of_range needs a value >= ${cap}`,
        );
      }
      if (kind === "reserved_nonzero" && value === 0) {
        throw new ScenarioError(p, "reserved_nonzero needs a non-zero value");
      }
      if (kind === "size_changed" && value === cap) {
        throw new ScenarioError(p, `size_changed needs a value other than the capacity ${cap}`);
      }
    },
    doc: "the value written",
  },
] as const satisfies readonly FieldSpec[];

function checkInjections(items: Record<string, unknown>[], s: Scope): void {
  const inj = items as unknown as Injection[];
  for (let i = 1; i < inj.length; i++) {
    if (inj[i].atEvent < inj[i - 1].atEvent) {
      throw new ScenarioError(
        join(join(s.path, "inject"), i),
        "injections must be sorted by at_event",
      );
    }
  }
}

const FIELDS = [
  {
    key: "name",
    type: "string",
    default: "unnamed",
    maxLength: 200,
    doc: "shown in summaries and charts",
  },
  { key: "description", type: "string", default: "", maxLength: 10_000, doc: "free text" },
  { key: "seed", type: "integer", default: 1, min: 0, max: 0xffffffff, doc: "PRNG seed" },
  {
    key: "events",
    type: "integer",
    default: 100_000,
    min: 1,
    max: MAX_EVENTS,
    doc: "stop after this many events (trace lines)",
  },
  {
    key: "duration_us",
    type: "number",
    default: null,
    nullable: true,
    above: 0,
    max: MAX_TIME_US,
    defaultDoc: "null",
    doc: "or stop at this simulated time (µs); null: no limit",
  },
  {
    key: "region",
    type: "object",
    fields: REGION_FIELDS,
    check: checkRegion,
    doc: "the fault region",
  },
  { key: "kernel", type: "object", fields: KERNEL_FIELDS, doc: "the kernel producer's policies" },
  { key: "producer", type: "object", fields: PRODUCER_FIELDS, doc: "fault arrivals and contents" },
  {
    key: "consumer",
    type: "object",
    fields: CONSUMER_FIELDS,
    check: checkConsumer,
    doc: "the VMM consumer",
  },
  {
    key: "inject",
    type: "array",
    maxItems: 100_000,
    of: INJECT_FIELDS,
    check: checkInjections,
    doc: "header corruptions, sorted by at_event",
  },
] as const satisfies readonly FieldSpec[];

/**
 * Every key of a scenario file: its type, range, default and meaning. Unknown keys are errors;
 * `$comment` is allowed (and ignored) in every object.
 *
 * @example
 * ```ts
 * import { SCENARIO_FIELDS } from "./scenario.ts";
 * SCENARIO_FIELDS.map((f) => f.key);
 * // => ["name", "description", "seed", "events", "duration_us", "region", "kernel", "producer",
 * //   "consumer", "inject"]
 * ```
 */
export const SCENARIO_FIELDS: readonly FieldSpec[] = FIELDS;

type Camel<S extends string> = S extends `${infer H}_${infer T}` ? `${H}${Capitalize<Camel<T>>}`
  : S;
type Keys<F extends readonly { key: string }[]> = Camel<F[number]["key"]>;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Consumer = Scenario["consumer"];
type Kind<K> = Extract<Arrivals, { kind: K }>;
/** Proof, at compile time, that every table and its interface name the same keys. */
const _sameKeys: [
  Same<Keys<typeof FIELDS>, Exclude<keyof Scenario, "layoutDefaults">>,
  Same<Keys<typeof REGION_FIELDS>, keyof Scenario["region"]>,
  Same<Keys<typeof KERNEL_FIELDS>, keyof Scenario["kernel"]>,
  Same<Keys<typeof PRODUCER_FIELDS>, keyof Scenario["producer"]>,
  Same<Keys<typeof MIX.fields>, keyof Mix>,
  Same<Keys<typeof MIX.fields[2]["fields"]>, keyof Mix["pasid"]>,
  Same<Keys<typeof MIX.fields[3]["fields"]>, keyof Mix["address"]>,
  Same<"kind" | Keys<typeof ARRIVALS.kinds.steady>, keyof Kind<"steady" | "poisson">>,
  Same<"kind" | Keys<typeof ARRIVALS.kinds.storm>, keyof Kind<"storm">>,
  Same<"kind" | Keys<typeof ARRIVALS.kinds.replay>, keyof Kind<"replay">>,
  Same<Keys<typeof CONSUMER_FIELDS>, keyof Consumer>,
  Same<Keys<typeof CONSUMER_FIELDS[8]["of"]>, keyof Stall>,
  Same<Keys<typeof CONSUMER_FIELDS[9]["fields"]>, keyof NonNullable<Consumer["stallEvery"]>>,
  Same<Keys<typeof INJECT_FIELDS>, keyof Injection>,
] = [true, true, true, true, true, true, true, true, true, true, true, true, true, true];

/**
 * The reference of every scenario key (what `simulate --scenario-keys` prints).
 *
 * @example
 * ```ts
 * import { scenarioKeys } from "./scenario.ts";
 * scenarioKeys().find((r) => r.key === "consumer.service_us");
 * // => { key: "consumer.service_us", type: "number > 0, <= 1e12", default: "2",
 * //   doc: "time per record (µs)" }
 * ```
 */
export function scenarioKeys(): FieldRow[] {
  return fieldRows(SCENARIO_FIELDS);
}

// ---- Overrides and parsing ------------------------------------------------------------------

/** Values that replace the scenario's (command-line flags), applied before validation. */
export interface ScenarioOverrides {
  /** PRNG seed. */
  seed?: number;
  /** Also lifts the duration limit unless `durationUs` is given. */
  events?: number;
  /** Stop at this simulated time (µs). */
  durationUs?: number;
  /** A layout change also drops the scenario's abi, capacity and region size (they were for another). */
  layout?: SimLayout;
  /** Host page size in bytes. */
  pageSize?: number;
  /** The index math and header check of this layout's kernel (`indexMath`/`headerCheck` win). */
  kernelPolicy?: SimLayout;
  /** The kernel's full test. */
  indexMath?: IndexMath;
  /** The kernel's header check. */
  headerCheck?: HeaderCheck;
  /** More injections, merged with the scenario's in event order. */
  inject?: { kind: string; atEvent: number; value?: number }[];
}

type Obj = Record<string, unknown>;

function applyOverrides(raw: Obj, o: ScenarioOverrides): void {
  const sub = (k: string) => {
    const v = raw[k];
    const obj = v && typeof v === "object" && !Array.isArray(v) ? v as Obj : {};
    raw[k] = obj;
    return obj;
  };
  if (o.seed !== undefined) raw.seed = o.seed;
  if (o.events !== undefined) {
    raw.events = o.events;
    if (o.durationUs === undefined) raw.duration_us = null;
  }
  if (o.durationUs !== undefined) raw.duration_us = o.durationUs;
  if (o.layout !== undefined) {
    const region = sub("region");
    if (region.layout !== o.layout) {
      // The record ABI and geometry follow from the layout: the file's values were for another.
      delete region.abi;
      delete region.capacity;
      delete region.region_size;
    }
    region.layout = o.layout;
  }
  if (o.pageSize !== undefined) sub("region").page_size = o.pageSize;
  if (o.kernelPolicy !== undefined) {
    sub("kernel").index_math = policy(o.kernelPolicy).indexMath;
    sub("kernel").header_check = policy(o.kernelPolicy).headerCheck;
  }
  if (o.indexMath !== undefined) sub("kernel").index_math = o.indexMath;
  if (o.headerCheck !== undefined) sub("kernel").header_check = o.headerCheck;
  if (o.inject?.length) {
    const list = Array.isArray(raw.inject) ? [...raw.inject] : [];
    for (const i of o.inject) {
      list.push({
        kind: i.kind,
        at_event: i.atEvent,
        ...(i.value !== undefined ? { value: i.value } : {}),
      });
    }
    list.sort((a, b) => Number(a?.at_event ?? 0) - Number(b?.at_event ?? 0));
    raw.inject = list;
  }
}

const POLICY_KEYS = [
  ["kernel.index_math", "index_math", "indexMath"],
  ["kernel.header_check", "header_check", "headerCheck"],
  ["consumer.cons_write", "cons_write", "consWrite"],
] as const;

/**
 * Validates a parsed JSON value, applies `overrides` and every default. Throws a
 * {@link ScenarioError} naming the key.
 *
 * @example
 * ```ts
 * import { throws } from "node:assert/strict";
 * import { parseScenario } from "./scenario.ts";
 * throws(() => parseScenario({ consumer: { service_us: -1 } }), {
 *   name: "ScenarioError",
 *   message: "consumer.service_us: expected a number > 0, got -1",
 * });
 * parseScenario({ seed: 3 }, { seed: 7 }).seed; // => 7
 * ```
 */
export function parseScenario(input: unknown, overrides: ScenarioOverrides = {}): Scenario {
  let raw = input;
  const isObject = raw !== null && typeof raw === "object" && !Array.isArray(raw);
  if (isObject && Object.values(overrides).some((v) => v !== undefined)) {
    // The caller's object stays as it was.
    raw = structuredClone(raw);
    applyOverrides(raw as Obj, overrides);
  }
  const defaulted = new Set<string>();
  const s = resolveFields(
    SCENARIO_FIELDS,
    raw,
    "",
    undefined,
    undefined,
    (p) => defaulted.add(p),
  ) as unknown as Scenario;
  const layoutDefaults: Scenario["layoutDefaults"] = {};
  for (const [path, key, prop] of POLICY_KEYS) {
    const value = key === "cons_write" ? s.consumer.consWrite : s.kernel[prop as "indexMath"];
    if (defaulted.has(path) && value !== policy(DEFAULT_LAYOUT)[prop]) layoutDefaults[key] = value;
  }
  s.layoutDefaults = layoutDefaults;
  return s;
}

/**
 * Reads an injection written as `KIND@EVENT` or `KIND@EVENT=VALUE` (the `--inject` flag).
 *
 * @example
 * ```ts
 * import { throws } from "node:assert/strict";
 * import { parseInjectSpec } from "./scenario.ts";
 * parseInjectSpec("prod_corrupt@5000=9999");
 * // => { kind: "prod_corrupt", atEvent: 5000, value: 9999 }
 * throws(() => parseInjectSpec("bogus@1"), {
 *   message: "bogus@1: the kind must be one of cons_out_of_range, reserved_nonzero, " +
 *     "size_changed, prod_corrupt",
 * });
 * ```
 */
export function parseInjectSpec(
  spec: string,
): { kind: InjectKind; atEvent: number; value?: number } {
  const m = /^([a-z_]+)@(\d+)(?:=(\d+))?$/.exec(spec);
  if (!m) {
    throw new ScenarioError(
      "",
      `${spec}: expected KIND@EVENT or KIND@EVENT=VALUE, e.g. prod_corrupt@5000=9999`,
    );
  }
  if (!(INJECT_KINDS as readonly string[]).includes(m[1])) {
    throw new ScenarioError("", `${spec}: the kind must be one of ${INJECT_KINDS.join(", ")}`);
  }
  return {
    kind: m[1] as InjectKind,
    atEvent: Number(m[2]),
    ...(m[3] !== undefined ? { value: Number(m[3]) } : {}),
  };
}

/**
 * Parses scenario text (JSON) and applies `overrides`. Syntax errors become a ScenarioError
 * naming the position.
 *
 * @example
 * ```ts
 * import { parseScenarioText } from "./scenario.ts";
 * parseScenarioText('{"seed": 7}').seed; // => 7
 * ```
 */
export function parseScenarioText(text: string, overrides: ScenarioOverrides = {}): Scenario {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    // JSON.parse quotes the start of the text: escaped (and cut), its newlines and escape
    // sequences stay out of the one-line message and off the terminal.
    throw new ScenarioError("", `not valid JSON: ${escapeText((e as Error).message, 120)}`);
  }
  return parseScenario(v, overrides);
}

/**
 * The resolved scenario as plain JSON (snake_case keys, bigints as hex), as the trace's first
 * line records it.
 *
 * @example
 * ```ts
 * import { parseScenario, scenarioJson } from "./scenario.ts";
 * scenarioJson(parseScenario({})).producer;
 * // => { arrivals: { kind: "poisson", rate_per_s: 50000, start_us: 0 }, faults: null, mix: {...} }
 * ```
 */
export function scenarioJson(s: Scenario): Record<string, unknown> {
  return fieldsToJson(SCENARIO_FIELDS, s as unknown as Obj);
}

/**
 * Checks that a replay capture is a whole number of the scenario's records; returns how many.
 *
 * @example
 * ```ts
 * import { throws } from "node:assert/strict";
 * import { captureRecords, parseScenario } from "./scenario.ts";
 * const scenario = parseScenario({}); // rfc3: 48-byte records
 * captureRecords(scenario, new Uint8Array(96)); // => 2
 * throws(() => captureRecords(scenario, new Uint8Array(50)), {
 *   message: "50 bytes is not a whole number of 48-byte rfc3 records",
 * });
 * ```
 */
export function captureRecords(s: Scenario, bytes: Uint8Array): number {
  const size = RECORDS[s.region.abi].size;
  if (bytes.length === 0 || bytes.length % size !== 0) {
    throw new ScenarioError(
      "",
      `${
        plural(bytes.length, "byte")
      } is not a whole number of ${size}-byte ${s.region.abi} records`,
    );
  }
  return bytes.length / size;
}
