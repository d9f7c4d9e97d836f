/**
 * Simulation scenarios: the JSON schema, its defaults, and validation that names the offending
 * key in one line (`consumer.service_us: expected a number >= 0, got -1`). Defaults follow what
 * each generation's code did: the RFC v3 consumer wrote `cons` after every record and its kernel
 * checked nothing; v4+ consumers wrote it once per drain and the kernel decided "full" with
 * `CIRC_SPACE`.
 *
 * Scenario file format (every key optional; unknown keys are errors; `$comment` is ignored
 * everywhere):
 *
 * ```jsonc
 * {
 *   "name": "seed-storm",  "description": "...",
 *   "seed": 1,                 // 0 .. 2^32-1
 *   "events": 200000,          // stop after this many simulated events (trace lines)
 *   "duration_us": 5000000,    // or stop at this simulated time (µs); null = no limit
 *   "region": { "layout": "rfc3" | "fault-prod" | "dma-fault", "page_size": 4096 | 16384 | 65536,
 *               "abi": "rfc3" | "v4" | "v7" | "v8" | "mainline",   // must be one the layout carries
 *               "capacity": 1365, "region_size": 65536 },        // default: the kernel's values
 *   "kernel": { "full": "drop-new", "index_math": "modulo" | "circ",
 *               "header_check": "none" | "bounds" | "stop" },
 *   "producer": {
 *     "arrivals": { "kind": "steady" | "poisson", "rate_per_s": 50000, "start_us": 0 }
 *               | { "kind": "storm", "burst": 4000, "gap_us": 0.25, "interval_us": 100000, "start_us": 0 }
 *               | { "kind": "replay", "file": "capture.bin", "abi": "rfc3", "rate_per_s": 1000,
 *                   "timing": "steady" | "poisson", "loop": false, "start_us": 0 },
 *     "faults": 100000,        // stop producing after this many faults; null = no limit
 *     "mix": { "type": { "DMA_UNRECOV": 9, "PAGE_REQ": 1 },          // weights by kernel name
 *              "reason": { "PERMISSION": 2, "PTE_FETCH": 1 },        // names of the generation's enum
 *              "pasid": { "first": 1, "count": 4 },
 *              "address": { "pattern": "sequential" | "random" | "hotspot",
 *                           "base": "0x100000000", "stride": 4096, "pages": 4096 } } },
 *   "consumer": {
 *     "start_us": 0, "drain_at_start": true,   // late start: armed at start_us, drains at once
 *     "wake_us": 10,                            // eventfd signal to handler start
 *     "service_us": 2, "service_jitter_us": 0,  // per record (+ uniform jitter)
 *     "batch": 0,                               // 0 = drain all, else at most N per handler run
 *     "repoll": true,                           // after a bounded batch, run again at once
 *     "cons_write": "per_record" | "per_drain",
 *     "stalls": [ { "at_us": 1000, "for_us": 50000 } ],
 *     "stall_every": { "first_us": 0, "every_us": 1000000, "for_us": 200000 } },
 *   "inject": [ { "at_event": 5000,
 *                 "kind": "cons_out_of_range" | "reserved_nonzero" | "size_changed" | "prod_corrupt",
 *                 "value": 1365 } ]            // default: the capacity, 1, 2*capacity, capacity+1
 * }
 * ```
 *
 * @example
 * ```ts
 * import { parseScenario } from "./scenario.ts";
 * const s = parseScenario({ region: { layout: "fault-prod" } }, "inline");
 * s.region.capacity; // 85: PAGE_SIZE / 48 on a 4 KiB host
 * s.kernel.index_math; // "circ", as v8 did
 * ```
 * @module
 */
import { RECORDS } from "../abi/records.ts";
import {
  capacityFor,
  headerField,
  PAGE_SIZES,
  REGIONS,
  regionSizeFor,
  ringOffsetFor,
  VFIO_FAULT_REGION_SIZE,
} from "../abi/regions.ts";
import type { AbiId, RegionLayoutId } from "../abi/types.ts";
import type { IndexMath } from "./circ.ts";

/**
 * Layouts the simulator drives (the response ring has the roles mirrored and is not modelled).
 *
 * @example
 * ```ts
 * SIM_LAYOUTS.includes("dma-fault"); // true
 * ```
 */
export const SIM_LAYOUTS = ["rfc3", "fault-prod", "dma-fault"] as const;
/** A layout the simulator drives. */
export type SimLayout = typeof SIM_LAYOUTS[number];
/** Kernel header checks on each enqueue. */
export type HeaderCheck = "none" | "bounds" | "stop";
/**
 * Fault injection kinds.
 *
 * @example
 * ```ts
 * parseScenario({ inject: [{ kind: INJECT_KINDS[3], at_event: 10 }] });
 * ```
 */
export const INJECT_KINDS = [
  "cons_out_of_range",
  "reserved_nonzero",
  "size_changed",
  "prod_corrupt",
] as const;
/** A fault injection kind. */
export type InjectKind = typeof INJECT_KINDS[number];

/** Fault arrival process. */
export type Arrivals =
  | { kind: "steady" | "poisson"; rate_per_s: number; start_us: number }
  | { kind: "storm"; burst: number; gap_us: number; interval_us: number; start_us: number }
  | {
    kind: "replay";
    file: string;
    abi: AbiId;
    rate_per_s: number;
    timing: "steady" | "poisson";
    loop: boolean;
    start_us: number;
  };

/** Fault contents. */
export interface Mix {
  type: Record<string, number>;
  reason: Record<string, number>;
  pasid: { first: number; count: number };
  address: {
    pattern: "sequential" | "random" | "hotspot";
    base: bigint;
    stride: number;
    pages: number;
  };
}

/** A consumer stall window. */
export interface Stall {
  at_us: number;
  for_us: number;
}

/** One fault injection. */
export interface Injection {
  at_event: number;
  kind: InjectKind;
  value: number;
}

/** A fully resolved scenario: every default applied, every value checked. */
export interface Scenario {
  name: string;
  description: string;
  seed: number;
  events: number;
  duration_us: number | null;
  region: {
    layout: SimLayout;
    page_size: number;
    abi: AbiId;
    capacity: number;
    region_size: number;
  };
  kernel: { full: "drop-new"; index_math: IndexMath; header_check: HeaderCheck };
  producer: { arrivals: Arrivals; faults: number | null; mix: Mix };
  consumer: {
    start_us: number;
    drain_at_start: boolean;
    wake_us: number;
    service_us: number;
    service_jitter_us: number;
    batch: number;
    repoll: boolean;
    cons_write: "per_record" | "per_drain";
    stalls: Stall[];
    stall_every: { first_us: number; every_us: number; for_us: number } | null;
  };
  inject: Injection[];
}

/**
 * A scenario file or value is invalid; `key` is the dotted path of the offending key.
 *
 * @example
 * ```ts
 * new ScenarioError("consumer.batch", "expected an integer, got 1.5").message;
 * // "consumer.batch: expected an integer, got 1.5"
 * ```
 */
export class ScenarioError extends Error {
  constructor(readonly key: string, detail: string) {
    super(key ? `${key}: ${detail}` : detail);
    this.name = "ScenarioError";
  }
}

type Obj = Record<string, unknown>;

const describe = (v: unknown): string =>
  v === null
    ? "null"
    : Array.isArray(v)
    ? "an array"
    : typeof v === "object"
    ? "an object"
    : typeof v === "string"
    ? JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v)
    : String(v);

const join = (path: string, key: string | number) =>
  typeof key === "number" ? `${path}[${key}]` : path ? `${path}.${key}` : key;

function object(v: unknown, path: string, keys: readonly string[]): Obj {
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    throw new ScenarioError(path, `expected an object, got ${describe(v)}`);
  }
  for (const k of Object.keys(v)) {
    if (k !== "$comment" && !keys.includes(k)) {
      throw new ScenarioError(join(path, k), `unknown key (expected one of: ${keys.join(", ")})`);
    }
  }
  return v as Obj;
}

function num(
  o: Obj,
  path: string,
  key: string,
  dflt: number,
  opts: { min?: number; int?: boolean; max?: number; positive?: boolean } = {},
): number {
  const v = o[key];
  if (v === undefined) return dflt;
  const p = join(path, key);
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new ScenarioError(p, `expected a number, got ${describe(v)}`);
  }
  if (opts.int && !Number.isSafeInteger(v)) {
    throw new ScenarioError(p, `expected an integer, got ${v}`);
  }
  if (opts.positive && !(v > 0)) throw new ScenarioError(p, `expected a number > 0, got ${v}`);
  if (opts.min !== undefined && v < opts.min) {
    throw new ScenarioError(p, `expected a number >= ${opts.min}, got ${v}`);
  }
  if (opts.max !== undefined && v > opts.max) {
    throw new ScenarioError(p, `expected a number <= ${opts.max}, got ${v}`);
  }
  return v;
}

function nullableNum(
  o: Obj,
  path: string,
  key: string,
  opts: { int?: boolean; positive?: boolean },
): number | null {
  if (o[key] === null || o[key] === undefined) return null;
  return num(o, path, key, 0, opts);
}

function str(o: Obj, path: string, key: string, dflt: string): string {
  const v = o[key];
  if (v === undefined) return dflt;
  if (typeof v !== "string") {
    throw new ScenarioError(join(path, key), `expected a string, got ${describe(v)}`);
  }
  return v;
}

function choice<T extends string>(
  o: Obj,
  path: string,
  key: string,
  dflt: T,
  values: readonly T[],
): T {
  const v = str(o, path, key, dflt);
  if (!values.includes(v as T)) {
    throw new ScenarioError(
      join(path, key),
      `expected one of ${values.join(", ")}, got ${describe(v)}`,
    );
  }
  return v as T;
}

function bool(o: Obj, path: string, key: string, dflt: boolean): boolean {
  const v = o[key];
  if (v === undefined) return dflt;
  if (typeof v !== "boolean") {
    throw new ScenarioError(join(path, key), `expected true or false, got ${describe(v)}`);
  }
  return v;
}

function weights(
  o: Obj,
  path: string,
  key: string,
  dflt: Record<string, number>,
  names: readonly string[],
): Record<string, number> {
  const v = o[key];
  if (v === undefined) return dflt;
  const p = join(path, key);
  const w = object(v, p, names);
  const out: Record<string, number> = {};
  let total = 0;
  for (const n of Object.keys(w)) {
    if (n === "$comment") continue;
    out[n] = num(w, p, n, 0, { min: 0 });
    total += out[n];
  }
  if (!(total > 0)) throw new ScenarioError(p, "expected at least one weight > 0");
  return out;
}

/**
 * Max event count: well under 2^53 so that counters stay exact.
 *
 * @example
 * ```ts
 * parseScenario({ events: MAX_EVENTS }).events; // 1e15
 * ```
 */
export const MAX_EVENTS = 1e15;

/**
 * The reason enum's names for an ABI (RFC v3 numbers them differently).
 *
 * @example
 * ```ts
 * reasonNames("rfc3").includes("INTERNAL"); // true: RFC v3 numbering
 * reasonNames("v8").includes("INTERNAL"); // false
 * ```
 */
export function reasonNames(abi: AbiId): string[] {
  const rec = RECORDS[abi];
  for (const f of rec.fields) {
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

const TYPE_NAMES = ["DMA_UNRECOV", "PAGE_REQ"] as const;
const FAULT_ABIS: readonly AbiId[] = ["rfc3", "v4", "v7", "v8", "mainline"];

function parseMix(v: unknown, path: string, abi: AbiId): Mix {
  const o = object(v ?? {}, path, ["type", "reason", "pasid", "address"]);
  const type = weights(o, path, "type", { DMA_UNRECOV: 1 }, TYPE_NAMES);
  const reason = weights(
    o,
    path,
    "reason",
    { PERMISSION: 4, PTE_FETCH: 2, ACCESS: 1, WALK_EABT: 1 },
    reasonNames(abi),
  );
  const pp = join(path, "pasid");
  const po = object(o.pasid ?? {}, pp, ["first", "count"]);
  const pasid = {
    first: num(po, pp, "first", 1, { int: true, min: 0, max: 0xfffff }),
    count: num(po, pp, "count", 4, { int: true, min: 1, max: 0x100000 }),
  };
  const ap = join(path, "address");
  const ao = object(o.address ?? {}, ap, ["pattern", "base", "stride", "pages"]);
  const baseStr = str(ao, ap, "base", "0x100000000");
  if (!/^0x[0-9a-fA-F]{1,16}$/.test(baseStr)) {
    throw new ScenarioError(
      join(ap, "base"),
      `expected a 0x-prefixed 64-bit hex string, got ${describe(baseStr)}`,
    );
  }
  const address = {
    pattern: choice(ao, ap, "pattern", "sequential", ["sequential", "random", "hotspot"] as const),
    base: BigInt(baseStr),
    stride: num(ao, ap, "stride", 4096, { int: true, min: 1, max: 2 ** 32 }),
    pages: num(ao, ap, "pages", 4096, { int: true, min: 1, max: 2 ** 32 }),
  };
  return { type, reason, pasid, address };
}

function parseArrivals(v: unknown, path: string, regionAbi: AbiId): Arrivals {
  const base = object(v ?? {}, path, [
    "kind",
    "rate_per_s",
    "start_us",
    "burst",
    "gap_us",
    "interval_us",
    "file",
    "abi",
    "timing",
    "loop",
  ]);
  const kind = choice(
    base,
    path,
    "kind",
    "poisson",
    ["steady", "poisson", "storm", "replay"] as const,
  );
  const allowed: Record<typeof kind, string[]> = {
    steady: ["kind", "rate_per_s", "start_us"],
    poisson: ["kind", "rate_per_s", "start_us"],
    storm: ["kind", "burst", "gap_us", "interval_us", "start_us"],
    replay: ["kind", "file", "abi", "rate_per_s", "timing", "loop", "start_us"],
  };
  const o = object(base, path, allowed[kind]);
  const start_us = num(o, path, "start_us", 0, { min: 0 });
  if (kind === "steady" || kind === "poisson") {
    return { kind, rate_per_s: num(o, path, "rate_per_s", 50_000, { positive: true }), start_us };
  }
  if (kind === "storm") {
    const burst = num(o, path, "burst", 4000, { int: true, min: 1 });
    const gap_us = num(o, path, "gap_us", 0.25, { min: 0 });
    const interval_us = num(o, path, "interval_us", 100_000, { positive: true });
    // Bursts must not overlap, or arrival times would run backwards.
    if ((burst - 1) * gap_us >= interval_us) {
      throw new ScenarioError(
        join(path, "interval_us"),
        `a burst of ${burst} faults ${gap_us} µs apart lasts ${(burst - 1) * gap_us} µs, ` +
          `which does not fit in interval_us ${interval_us}`,
      );
    }
    return { kind, burst, gap_us, interval_us, start_us };
  }
  const file = str(o, path, "file", "");
  if (!file) throw new ScenarioError(join(path, "file"), "a replay needs the capture file name");
  const abi = choice(o, path, "abi", regionAbi, FAULT_ABIS);
  if (abi !== regionAbi) {
    throw new ScenarioError(
      join(path, "abi"),
      `${abi} records cannot be replayed into a ring of ${regionAbi} records (set region.abi)`,
    );
  }
  return {
    kind,
    file,
    abi,
    rate_per_s: num(o, path, "rate_per_s", 10_000, { positive: true }),
    timing: choice(o, path, "timing", "steady", ["steady", "poisson"] as const),
    loop: bool(o, path, "loop", false),
    start_us,
  };
}

function parseRegion(v: unknown): Scenario["region"] {
  const p = "region";
  const o = object(v ?? {}, p, ["layout", "page_size", "abi", "capacity", "region_size"]);
  const layoutId = choice<SimLayout>(o, p, "layout", "rfc3", SIM_LAYOUTS);
  const layout = REGIONS[layoutId as RegionLayoutId];
  const page_size = num(o, p, "page_size", 4096, { int: true });
  if (!PAGE_SIZES.includes(page_size)) {
    throw new ScenarioError(
      join(p, "page_size"),
      `expected one of ${PAGE_SIZES.join(", ")}, got ${page_size}`,
    );
  }
  const abi = choice<AbiId>(o, p, "abi", layout.defaultAbi, layout.abis);
  const entry = RECORDS[abi].size;
  const dfltRegion = layout.sizing === "fixed-64k" ? VFIO_FAULT_REGION_SIZE : undefined;
  const regionIn = o.region_size === undefined
    ? undefined
    : num(o, p, "region_size", 0, { int: true, positive: true });
  const capacity = num(
    o,
    p,
    "capacity",
    capacityFor(layout, entry, page_size, regionIn ?? dfltRegion),
    { int: true },
  );
  // One slot is always left empty, so a ring needs two slots to hold anything.
  if (capacity < 2) {
    throw new ScenarioError(
      join(p, "capacity"),
      `a ring needs at least 2 entries, got ${capacity}`,
    );
  }
  const region_size = regionIn ?? regionSizeFor(layout, entry, capacity, page_size);
  const offset = ringOffsetFor(layout, page_size);
  if (offset < layout.headerSize || offset + capacity * entry > region_size) {
    throw new ScenarioError(
      o.capacity !== undefined ? join(p, "capacity") : join(p, "region_size"),
      `${capacity} entries of ${entry} bytes from offset ${offset} do not fit a ` +
        `${region_size}-byte ${layoutId} region`,
    );
  }
  if (capacity > 2 ** 24) {
    throw new ScenarioError(join(p, "capacity"), `at most ${2 ** 24} entries are simulated`);
  }
  return { layout: layoutId, page_size, abi, capacity, region_size };
}

function parseConsumer(v: unknown, layout: SimLayout): Scenario["consumer"] {
  const p = "consumer";
  const o = object(v ?? {}, p, [
    "start_us",
    "drain_at_start",
    "wake_us",
    "service_us",
    "service_jitter_us",
    "batch",
    "repoll",
    "cons_write",
    "stalls",
    "stall_every",
  ]);
  const stalls: Stall[] = [];
  if (o.stalls !== undefined) {
    if (!Array.isArray(o.stalls)) {
      throw new ScenarioError(join(p, "stalls"), `expected an array, got ${describe(o.stalls)}`);
    }
    o.stalls.forEach((s, i) => {
      const sp = join(join(p, "stalls"), i);
      const so = object(s, sp, ["at_us", "for_us"]);
      stalls.push({
        at_us: num(so, sp, "at_us", 0, { min: 0 }),
        for_us: num(so, sp, "for_us", 0, { positive: true }),
      });
    });
    for (let i = 1; i < stalls.length; i++) {
      if (stalls[i].at_us < stalls[i - 1].at_us + stalls[i - 1].for_us) {
        throw new ScenarioError(
          join(join(p, "stalls"), i),
          "stalls must be sorted by at_us and must not overlap",
        );
      }
    }
  }
  let stall_every: Scenario["consumer"]["stall_every"] = null;
  if (o.stall_every !== undefined && o.stall_every !== null) {
    const sp = join(p, "stall_every");
    const so = object(o.stall_every, sp, ["first_us", "every_us", "for_us"]);
    stall_every = {
      first_us: num(so, sp, "first_us", 0, { min: 0 }),
      every_us: num(so, sp, "every_us", 1_000_000, { positive: true }),
      for_us: num(so, sp, "for_us", 100_000, { positive: true }),
    };
    if (stall_every.for_us >= stall_every.every_us) {
      throw new ScenarioError(join(sp, "for_us"), "a periodic stall must be shorter than every_us");
    }
    if (stalls.length) {
      throw new ScenarioError(sp, "use either stalls or stall_every, not both");
    }
  }
  return {
    start_us: num(o, p, "start_us", 0, { min: 0 }),
    drain_at_start: bool(o, p, "drain_at_start", true),
    wake_us: num(o, p, "wake_us", 10, { min: 0 }),
    service_us: num(o, p, "service_us", 2, { positive: true }),
    service_jitter_us: num(o, p, "service_jitter_us", 0, { min: 0 }),
    batch: num(o, p, "batch", 0, { int: true, min: 0 }),
    repoll: bool(o, p, "repoll", true),
    cons_write: choice(
      o,
      p,
      "cons_write",
      layout === "rfc3" ? "per_record" : "per_drain",
      ["per_record", "per_drain"] as const,
    ),
    stalls,
    stall_every,
  };
}

/** Default injection value per kind, and whether `value` would make the kind a no-op. */
function injectionValue(
  kind: InjectKind,
  v: number | undefined,
  cap: number,
  path: string,
): number {
  const value = v ?? {
    cons_out_of_range: cap,
    reserved_nonzero: 1,
    size_changed: 2 * cap,
    prod_corrupt: cap + 1,
  }[kind];
  if (kind === "cons_out_of_range" && value < cap) {
    throw new ScenarioError(
      path,
      `${value} is in range; cons_out_of_range needs a value >= ${cap}`,
    );
  }
  if (kind === "reserved_nonzero" && value === 0) {
    throw new ScenarioError(path, "reserved_nonzero needs a non-zero value");
  }
  if (kind === "size_changed" && value === cap) {
    throw new ScenarioError(path, `size_changed needs a value other than the capacity ${cap}`);
  }
  return value;
}

function parseInject(v: unknown, region: Scenario["region"]): Injection[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new ScenarioError("inject", `expected an array, got ${describe(v)}`);
  const layout = REGIONS[region.layout as RegionLayoutId];
  const out = v.map((item, i) => {
    const p = join("inject", i);
    const o = object(item, p, ["at_event", "kind", "value"]);
    const kind = choice<InjectKind>(o, p, "kind", "cons_out_of_range", INJECT_KINDS);
    if (kind === "reserved_nonzero" && !headerField(layout, "reserved")) {
      throw new ScenarioError(
        join(p, "kind"),
        `the ${region.layout} header has no reserved field (only rfc3 has one)`,
      );
    }
    const raw = o.value === undefined
      ? undefined
      : num(o, p, "value", 0, { int: true, min: 0, max: 0xffffffff });
    return {
      at_event: num(o, p, "at_event", 0, { int: true, min: 0 }),
      kind,
      value: injectionValue(kind, raw, region.capacity, join(p, "value")),
    };
  });
  for (let i = 1; i < out.length; i++) {
    if (out[i].at_event < out[i - 1].at_event) {
      throw new ScenarioError(
        join(join("inject", i), "at_event"),
        "injections must be sorted by at_event",
      );
    }
  }
  return out;
}

/**
 * Validates a parsed JSON value and applies every default. `source` names the file in messages
 * only through the caller (the message itself names the key).
 *
 * @example
 * ```ts
 * parseScenario({ consumer: { service_us: -1 } }, "x.json");
 * // throws ScenarioError("consumer.service_us: expected a number > 0, got -1")
 * ```
 */
export function parseScenario(input: unknown, _source = "scenario"): Scenario {
  const o = object(input, "", [
    "name",
    "description",
    "seed",
    "events",
    "duration_us",
    "region",
    "kernel",
    "producer",
    "consumer",
    "inject",
  ]);
  const region = parseRegion(o.region);
  const kp = "kernel";
  const ko = object(o.kernel ?? {}, kp, ["full", "index_math", "header_check"]);
  const kernel = {
    full: choice(ko, kp, "full", "drop-new", ["drop-new"] as const),
    index_math: choice<IndexMath>(
      ko,
      kp,
      "index_math",
      region.layout === "rfc3" ? "modulo" : "circ",
      ["modulo", "circ"],
    ),
    header_check: choice<HeaderCheck>(
      ko,
      kp,
      "header_check",
      region.layout === "rfc3" ? "none" : "bounds",
      ["none", "bounds", "stop"],
    ),
  };
  const pp = "producer";
  const po = object(o.producer ?? {}, pp, ["arrivals", "faults", "mix"]);
  const producer = {
    arrivals: parseArrivals(po.arrivals, join(pp, "arrivals"), region.abi),
    faults: nullableNum(po, pp, "faults", { int: true, positive: true }),
    mix: parseMix(po.mix, join(pp, "mix"), region.abi),
  };
  return {
    name: str(o, "", "name", "unnamed"),
    description: str(o, "", "description", ""),
    seed: num(o, "", "seed", 1, { int: true, min: 0, max: 0xffffffff }),
    events: num(o, "", "events", 100_000, { int: true, min: 1, max: MAX_EVENTS }),
    duration_us: nullableNum(o, "", "duration_us", { positive: true }),
    region,
    kernel,
    producer,
    consumer: parseConsumer(o.consumer, region.layout),
    inject: parseInject(o.inject, region),
  };
}

/**
 * Parses scenario text (JSON). Syntax errors become a ScenarioError naming the position.
 *
 * @example
 * ```ts
 * parseScenarioText('{"seed": 7}').seed; // 7
 * ```
 */
export function parseScenarioText(text: string, source = "scenario"): Scenario {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new ScenarioError("", `not valid JSON: ${(e as Error).message.split("\n")[0]}`);
  }
  return parseScenario(v, source);
}

/**
 * The resolved scenario as plain JSON (bigints as hex), as the trace's first line records it.
 *
 * @example
 * ```ts
 * scenarioJson(parseScenario({})).producer; // { arrivals: {...}, faults: null, mix: {...} }
 * ```
 */
export function scenarioJson(s: Scenario): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(s, (_k, v) => typeof v === "bigint" ? "0x" + v.toString(16) : v),
  );
}
