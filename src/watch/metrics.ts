/**
 * A small metrics registry (counters, gauges and one info metric, each with fixed label names)
 * and its two text renderings: the Prometheus text exposition format 0.0.4 and OpenMetrics 1.0,
 * chosen by the scraper's `Accept` header ({@link negotiate}). Names follow the Prometheus
 * conventions: a counter's samples end in `_total` (its OpenMetrics family name does not), base
 * units, and every family has HELP and TYPE lines, even before its first sample.
 *
 * Specifications: prometheus/docs `content/docs/instrumenting/exposition_formats.md` (0.0.4) and
 * OpenObservability/OpenMetrics `specification/OpenMetrics.md` (1.0.0).
 *
 * @example
 * ```ts
 * import { Registry } from "./metrics.ts";
 * const r = new Registry();
 * const faults = r.counter("faultscope_faults", "IOMMU faults reported.", ["source"]);
 * faults.inc(["kmsg"], 2);
 * r.render("prometheus").split("\n");
 * // => ["# HELP faultscope_faults_total IOMMU faults reported.",
 * //   "# TYPE faultscope_faults_total counter",
 * //   'faultscope_faults_total{source="kmsg"} 2', ""]
 * ```
 * @module
 */

/** What a family is: a counter, a gauge, or an info metric (a constant 1 with labels). */
export type MetricType = "counter" | "gauge" | "info";

/** The two text formats a scraper can ask for. */
export type ExpositionFormat = "prometheus" | "openmetrics";

/** Content types of the two formats, as servers send them. */
export const CONTENT_TYPE: Readonly<Record<ExpositionFormat, string>> = {
  prometheus: "text/plain; version=0.0.4; charset=utf-8",
  openmetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8",
};

/** `[a-zA-Z_:][a-zA-Z0-9_:]*` for names, no colon for label names (the data model's rules). */
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** One metric family and its series, keyed by the joined label values. */
export class Family {
  readonly #series = new Map<string, { values: readonly string[]; value: number }>();

  /**
   * A family; use {@link Registry.counter}, {@link Registry.gauge} or {@link Registry.info}.
   *
   * @param name the family name (a counter's without `_total`; an info metric's without `_info`)
   * @param help one line, what it counts
   * @param type counter, gauge or info
   * @param labels the label names, in the order values are given
   */
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: MetricType,
    readonly labels: readonly string[],
  ) {
    if (!METRIC_NAME.test(name)) throw new RangeError(`bad metric name ${name}`);
    if (type === "counter" && name.endsWith("_total")) {
      throw new RangeError(`${name}: give a counter's name without _total`);
    }
    for (const l of labels) {
      if (!LABEL_NAME.test(l) || l.startsWith("__")) throw new RangeError(`bad label ${l}`);
    }
  }

  /** The series' sample name: `_total` for counters, `_info` for info metrics. */
  get sampleName(): string {
    return this.type === "counter"
      ? `${this.name}_total`
      : this.type === "info"
      ? `${this.name}_info`
      : this.name;
  }

  #entry(values: readonly string[]) {
    if (values.length !== this.labels.length) {
      throw new RangeError(`${this.name}: ${values.length} label values for ${this.labels.length}`);
    }
    const key = values.length === 1 ? values[0] : values.join("\u0000");
    let e = this.#series.get(key);
    if (!e) {
      e = { values: [...values], value: 0 };
      this.#series.set(key, e);
    }
    return e;
  }

  /** Adds `n` (>= 0) to a counter's series, creating it at 0 first. */
  inc(values: readonly string[], n = 1): void {
    if (this.type !== "counter") throw new TypeError(`${this.name} is not a counter`);
    if (!(n >= 0)) throw new RangeError(`${this.name}: a counter only goes up (${n})`);
    this.#entry(values).value += n;
  }

  /** Sets a gauge's (or info metric's) series. */
  set(values: readonly string[], v: number): void {
    if (this.type === "counter") throw new TypeError(`${this.name} is a counter`);
    this.#entry(values).value = v;
  }

  /** Creates the series at 0 if it does not exist (so that it is scraped before its first event). */
  touch(values: readonly string[]): void {
    this.#entry(values);
  }

  /** The value of one series (0 when absent). */
  get(values: readonly string[]): number {
    const key = values.length === 1 ? values[0] : values.join("\u0000");
    return this.#series.get(key)?.value ?? 0;
  }

  /** Series in creation order. */
  series(): IterableIterator<{ values: readonly string[]; value: number }> {
    return this.#series.values();
  }

  /** Number of series. */
  get size(): number {
    return this.#series.size;
  }
}

/** A set of families rendered together. */
export class Registry {
  readonly #families: Family[] = [];

  #add(f: Family): Family {
    if (this.#families.some((x) => x.name === f.name)) {
      throw new RangeError(`${f.name} is registered twice`);
    }
    this.#families.push(f);
    return f;
  }

  /** Registers a counter (give the name without `_total`). */
  counter(name: string, help: string, labels: readonly string[]): Family {
    return this.#add(new Family(name, help, "counter", labels));
  }

  /** Registers a gauge. */
  gauge(name: string, help: string, labels: readonly string[]): Family {
    return this.#add(new Family(name, help, "gauge", labels));
  }

  /** Registers an info metric (give the name without `_info`); its value is always 1. */
  info(name: string, help: string, labels: readonly string[]): Family {
    return this.#add(new Family(name, help, "info", labels));
  }

  /** The families, in registration order. */
  get families(): readonly Family[] {
    return this.#families;
  }

  /** Series over all families. */
  get seriesCount(): number {
    return this.#families.reduce((n, f) => n + f.size, 0);
  }

  /** The registry as text in `format`. */
  render(format: ExpositionFormat): string {
    return format === "openmetrics"
      ? renderOpenMetrics(this.#families)
      : renderText(this.#families);
  }
}

/** A label value escaped for both formats: backslash, double quote and line feed. */
export function escapeLabel(v: string): string {
  return /[\\"\n]/.test(v)
    ? v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")
    : v;
}

/** HELP text: 0.0.4 escapes backslash and line feed; OpenMetrics also the double quote. */
function escapeHelp(v: string, om: boolean): string {
  const s = v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
  return om ? s.replace(/"/g, '\\"') : s;
}

/** A sample value: integers as they are, `+Inf`, `-Inf` and `NaN` spelled as both formats want. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

function labelSet(names: readonly string[], values: readonly string[]): string {
  if (!names.length) return "";
  let s = "{";
  for (let i = 0; i < names.length; i++) {
    if (i) s += ",";
    s += `${names[i]}="${escapeLabel(values[i])}"`;
  }
  return s + "}";
}

function samples(f: Family, out: string[]): void {
  const name = f.sampleName;
  for (const s of f.series()) {
    out.push(
      `${name}${labelSet(f.labels, s.values)} ${formatValue(f.type === "info" ? 1 : s.value)}`,
    );
  }
}

/** The Prometheus text format 0.0.4 (an info metric is a gauge named `_info` there). */
function renderText(families: readonly Family[]): string {
  const out: string[] = [];
  for (const f of families) {
    const name = f.sampleName;
    out.push(`# HELP ${name} ${escapeHelp(f.help, false)}`);
    out.push(`# TYPE ${name} ${f.type === "info" ? "gauge" : f.type}`);
    samples(f, out);
  }
  return out.join("\n") + "\n";
}

/** OpenMetrics 1.0: family names without `_total`/`_info`, and `# EOF` at the end. */
function renderOpenMetrics(families: readonly Family[]): string {
  const out: string[] = [];
  for (const f of families) {
    out.push(`# TYPE ${f.name} ${f.type}`);
    out.push(`# HELP ${f.name} ${escapeHelp(f.help, true)}`);
    samples(f, out);
  }
  out.push("# EOF");
  return out.join("\n") + "\n";
}

/**
 * The format to answer a scrape with, from its `Accept` header: OpenMetrics when the scraper
 * accepts `application/openmetrics-text` (version 1.0.0, or no version) at least as much as
 * `text/plain`; the 0.0.4 text format otherwise (also with no header, as curl sends none).
 *
 * @example
 * ```ts
 * // What Prometheus 2.x sends:
 * negotiate("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*\/*;q=0.1");
 * // => "openmetrics"
 * negotiate(null); // => "prometheus"
 * ```
 */
export function negotiate(accept: string | null): ExpositionFormat {
  if (!accept) return "prometheus";
  let om = 0, text = 0, any = 0;
  for (const range of accept.split(",")) {
    const [type, ...params] = range.split(";").map((s) => s.trim().toLowerCase());
    let q = 1;
    let version: string | undefined;
    for (const p of params) {
      const [k, v] = p.split("=").map((s) => s.trim());
      if (k === "q") q = Number(v);
      if (k === "version") version = v;
    }
    if (!(q >= 0 && q <= 1)) continue;
    if (type === "application/openmetrics-text") {
      if (version === undefined || version === "1.0.0") om = Math.max(om, q);
    } else if (type === "text/plain") text = Math.max(text, q);
    else if (type === "*/*" || type === "text/*") any = Math.max(any, q);
  }
  if (om > 0 && om >= Math.max(text, any)) return "openmetrics";
  return "prometheus";
}
