/**
 * The simulator's public API. Pure: no file or terminal I/O; callers pass sinks.
 *
 * - `scenario.ts`, `fields.ts`: the scenario format (one field table) and its parser;
 * - `engine.ts`: the model; `events.ts`: what it tells observers;
 * - `trace.ts` (with `ascii.ts`): the NDJSON trace, an observer;
 * - `summary.ts`, `snapshot.ts`, `svg.ts`, `stats.ts`: views over a run (latencies kept in
 *   `src/stats/histogram.ts`, in ns);
 * - `run.ts`: drives a run (chunks, snapshots, baseline, stop requests).
 *
 * @example
 * ```ts
 * import { runDemo } from "./mod.ts";
 * const { image, summary } = runDemo();
 * summary.dropped > 0; // => true: the storm overflows the stalled ring
 * image.length; // => 65536, a region image `inspect` and `validate` read
 * ```
 * @module
 */
export { DEFAULT_SCENARIO, DEFAULT_SCENARIO_JSON } from "./defaults.ts";
export { type Mark, type ModelStats, type SimOptions, Simulation } from "./engine.ts";
export { CAUSE, DROP_CAUSES, type DropCause, type SimEvents } from "./events.ts";
export {
  type Arrivals,
  captureRecords,
  type ConsWrite,
  DEFAULT_LAYOUT,
  type HeaderCheck,
  INJECT_KINDS,
  type Injection,
  type InjectKind,
  MAX_EVENTS,
  MAX_REGION_SIZE,
  MAX_TIME_US,
  type Mix,
  parseInjectSpec,
  parseScenario,
  parseScenarioText,
  type Scenario,
  ScenarioError,
  scenarioJson,
  scenarioKeys,
  type ScenarioOverrides,
  type SimLayout,
  type Stall,
} from "./scenario.ts";
export type { FieldRow } from "./fields.ts";
export type { IndexMath } from "./circ.ts";
export { type Snapshot, takeSnapshot } from "./snapshot.ts";
export { type Baseline, type SimSummary, summarize } from "./summary.ts";
export { NdjsonTrace } from "./trace.ts";
export { type ChartInput, occupancySvg } from "./svg.ts";
export { type LatencyUs, latencyUs, sparkline, Timeline } from "./stats.ts";
export {
  type DemoResult,
  runDemo,
  type RunOptions,
  type RunResult,
  runScenario,
  runScenarioAsync,
} from "./run.ts";
