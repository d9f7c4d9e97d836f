/**
 * The occupancy/drops chart of a run as an SVG string: occupancy over time (peak as a light
 * band, time-weighted mean as a line) against the usable capacity, stalls shaded, injections
 * marked, and the faults dropped per time step in a panel below. Numbers are formatted with a
 * fixed precision, so the same run gives the same bytes.
 *
 * @example
 * ```ts
 * import { DEFAULT_SCENARIO } from "./defaults.ts";
 * import { runScenario } from "./run.ts";
 * import { occupancySvg } from "./svg.ts";
 * const svg = occupancySvg(runScenario(DEFAULT_SCENARIO));
 * svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'); // => true
 * svg.includes(">consumer stalled<"); // => true: the legend of the shaded stall
 * ```
 * @module
 */
import type { Mark } from "./engine.ts";
import { DROP_CAUSES, type DropCause } from "./events.ts";
import { type Timeline, TIMELINE_BINS } from "./stats.ts";
import type { SimSummary } from "./summary.ts";

/** What a chart shows: a run's summary, its timeline and its marks (a `RunResult` has them). */
export interface ChartInput {
  /** The run's summary. */
  summary: SimSummary;
  /** Its occupancy and drops over time. */
  timeline: Timeline;
  /** Its stalls, injections and their consequences. */
  marks: readonly Mark[];
}

const W = 880, H = 548;
const L = 70, R = 24; // left/right margins
const TOP = 104, OCC_H = 260; // occupancy panel
const STALL_Y = TOP - 24, FULL_Y = TOP - 13; // bands above the panel
const DROP_TOP = TOP + OCC_H + 50, DROP_H = 70; // drops panel
const PW = W - L - R;

/**
 * The colour and legend of each drop cause. "full" is darker than the "kernel sees the ring
 * full" band; "queue stopped" is the purple of the "queue stopped" mark.
 */
const DROP_STYLE: Readonly<Record<DropCause, { color: string; label: string }>> = {
  full: { color: "#b71c1c", label: "dropped, ring full" },
  spurious_full: { color: "#ffa000", label: "dropped with slots free (CIRC_SPACE)" },
  bad_index: { color: "#795548", label: "dropped, index out of range" },
  queue_stopped: { color: "#6a1b9a", label: "dropped, queue stopped" },
  trap: { color: "#212121", label: "dropped, kernel oops" },
  oob_write: { color: "#c2185b", label: "dropped, written past the region" },
  overwritten: { color: "#00897b", label: "overwritten before delivery" },
};

/** Where the drop-cause legend entries go: left to right under the drops panel, wrapped. */
function dropLegend(present: readonly number[]): {
  items: { c: number; x: number; y: number }[];
  lines: number;
} {
  const items: { c: number; x: number; y: number }[] = [];
  let x = L, y = DROP_TOP + DROP_H + 20, lines = present.length ? 1 : 0;
  for (const c of present) {
    const w = 19 + DROP_STYLE[DROP_CAUSES[c]].label.length * CHAR_PX + 16;
    if (x > L && x + w > L + PW) {
      x = L;
      y += 16;
      lines++;
    }
    items.push({ c, x, y });
    x += w;
  }
  return { items, lines };
}

/** DejaVu Sans averages ~0.55 em per character; at 12 px that is 6.6 px. */
const CHAR_PX = 6.6;

/**
 * Shrinks a 12 px text line to fit the plot width when it would run past the right edge (a
 * smaller font-size renders everywhere; librsvg ignores textLength).
 */
function fit(text: string): string {
  const px = text.length * CHAR_PX;
  return px > PW ? ` font-size="${(12 * PW / px).toFixed(1)}"` : "";
}

const f1 = (v: number) => (Math.round(v * 10) / 10).toFixed(1);
const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** A "nice" step (1, 2 or 5 times a power of ten) for about `target` ticks over `span`. */
function niceStep(span: number, target: number): number {
  const raw = span / target;
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

/**
 * Formats a time in µs with a unit that suits `step`.
 *
 * @example
 * ```ts
 * import { fmtTime } from "./svg.ts";
 * fmtTime(150000, 50000); // => "150 ms"
 * fmtTime(1500, 100); // => "1500 µs"
 * ```
 */
export function fmtTime(us: number, step = us): string {
  const [div, unit] = step >= 1e6 ? [1e6, "s"] : step >= 1e3 ? [1e3, "ms"] : [1, "µs"];
  const v = us / div;
  const digits = step / div >= 1 ? 0 : step / div >= 0.1 ? 1 : 2;
  return `${v.toFixed(digits)} ${unit}`;
}

/**
 * Renders the chart.
 *
 * @example
 * ```ts
 * import { parseScenario } from "./scenario.ts";
 * import { runScenario } from "./run.ts";
 * import { occupancySvg } from "./svg.ts";
 * const path = await Deno.makeTempFile({ suffix: ".svg" });
 * await Deno.writeTextFile(path, occupancySvg(runScenario(parseScenario({ events: 1000 }))));
 * (await Deno.readTextFile(path)).endsWith("</svg>\n"); // => true
 * await Deno.remove(path);
 * ```
 */
export function occupancySvg(run: ChartInput): string {
  const { summary: s, timeline: tl, marks } = run;
  const end = Math.max(s.sim_time_us, tl.width);
  const used = tl.binsUsed(end);
  const usable = s.capacity - 1;
  const x = (t: number) => L + (Math.min(t, end) / end) * PW;
  const y = (occ: number) => TOP + OCC_H - (Math.min(occ, usable) / usable) * OCC_H;
  const present = DROP_CAUSES.map((_, c) => c).filter((c) =>
    tl.dropsByCause.subarray(c * TIMELINE_BINS, c * TIMELINE_BINS + used).some((v) => v > 0)
  );
  const legend = dropLegend(present);
  const height = H + 16 * Math.max(0, legend.lines - 1);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" ` +
      `viewBox="0 0 ${W} ${height}" ` +
      `font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${height}" fill="#ffffff"/>`,
  );
  const lossy = s.dropped > 0;
  const subtitle = `${s.layout} layout, ${s.capacity} entries of ${s.abi} records, ` +
    `${
      s.page_size / 1024
    } KiB pages, index math ${s.index_math}, header check ${s.header_check}, ` +
    `seed ${s.seed}; simulated ${fmtTime(s.sim_time_us, s.sim_time_us)}, ${s.events} events`;
  out.push(
    `<text x="${L}" y="26" font-size="17" font-weight="bold" fill="#1a1a1a">` +
      `${esc(s.scenario)}: ring occupancy and dropped faults</text>`,
    `<text x="${L}" y="46" fill="#444"${fit(subtitle)}>${
      esc(s.layout)
    } layout, ${s.capacity} entries of ` +
      `${esc(s.abi)} records, ${s.page_size / 1024} KiB pages, index math ${s.index_math}, ` +
      `header check ${s.header_check}, seed ${s.seed}; simulated ` +
      `${fmtTime(s.sim_time_us, s.sim_time_us)}, ${s.events} events</text>`,
    `<text x="${L}" y="64" fill="${lossy ? "#b3261e" : "#1b5e20"}">produced ${s.produced}` +
      ` · delivered ${s.delivered} · dropped ${s.dropped}` +
      (lossy ? ` (${((s.dropped / Math.max(1, s.produced)) * 100).toFixed(1)}%)` : "") +
      ` · pending ${s.pending} · full ${(s.time_full_fraction * 100).toFixed(1)}% of the time` +
      ` · latency p99 ${fmtTime(s.latency.p99, Math.max(s.latency.p99, 1) / 100)}</text>`,
  );

  // Stalls: shaded behind the panel and as a band above it (the occupancy area hides the shade).
  out.push(
    `<text x="${L - 6}" y="${
      STALL_Y + 8
    }" text-anchor="end" font-size="10" fill="#546e7a">stalled</text>`,
    `<text x="${L - 6}" y="${
      FULL_Y + 8
    }" text-anchor="end" font-size="10" fill="#d32f2f">full</text>`,
    `<rect x="${L}" y="${STALL_Y}" width="${PW}" height="8" fill="#fafafa"/>`,
    `<rect x="${L}" y="${FULL_Y}" width="${PW}" height="8" fill="#fafafa"/>`,
  );
  for (const m of marks) {
    if (m.kind !== "stall") continue;
    const x0 = x(m.from), x1 = x(Math.min(m.to, end));
    if (x1 <= x0) continue;
    out.push(
      `<rect x="${f1(x0)}" y="${TOP}" width="${f1(x1 - x0)}" height="${OCC_H}" fill="#eceff1"/>`,
      `<rect x="${f1(x0)}" y="${STALL_Y}" width="${f1(x1 - x0)}" height="8" fill="#78909c"/>`,
    );
  }
  // Time the kernel saw the ring full, as a band above the panel (darker = longer in the step).
  const shade = (i: number) =>
    tl.fullTime[i] > 0 ? Math.min(1, 0.25 + (tl.fullTime[i] / tl.width) * 0.75).toFixed(2) : "";
  for (let i = 0; i < used;) {
    const op = shade(i);
    let j = i + 1;
    while (j < used && shade(j) === op) j++;
    // One rectangle per run of equal shade: no seams between steps, and a smaller file.
    if (op) {
      const x0 = x(i * tl.width), x1 = Math.max(x0 + 0.6, x(j * tl.width));
      out.push(
        `<rect x="${f1(x0)}" y="${FULL_Y}" width="${f1(x1 - x0)}" height="8" fill="#d32f2f" ` +
          `fill-opacity="${op}"/>`,
      );
    }
    i = j;
  }

  // Axes and grid.
  const yStep = niceStep(usable, 5);
  for (let v = 0; v <= usable; v += yStep) {
    out.push(
      `<line x1="${L}" x2="${L + PW}" y1="${f1(y(v))}" y2="${f1(y(v))}" stroke="#e0e0e0"/>`,
      `<text x="${L - 6}" y="${f1(y(v) + 4)}" text-anchor="end" fill="#555">${v}</text>`,
    );
  }
  const xStep = niceStep(end, 8);
  for (let t = 0; t <= end + 1e-9; t += xStep) {
    out.push(
      `<line x1="${f1(x(t))}" x2="${f1(x(t))}" y1="${TOP + OCC_H}" y2="${
        TOP + OCC_H + 4
      }" stroke="#555"/>`,
      `<text x="${f1(x(t))}" y="${TOP + OCC_H + 17}" text-anchor="${
        x(t) > L + PW - 20 ? "end" : "middle"
      }" fill="#555">${fmtTime(t, xStep)}</text>`,
      `<line x1="${f1(x(t))}" x2="${f1(x(t))}" y1="${DROP_TOP + DROP_H}" y2="${
        DROP_TOP + DROP_H + 4
      }" stroke="#555"/>`,
    );
  }
  out.push(
    `<text transform="translate(18 ${
      TOP + OCC_H / 2
    }) rotate(-90)" text-anchor="middle" fill="#333">` +
      `records pending</text>`,
  );

  // Peak occupancy per step (band) and mean occupancy (line).
  const pts = (vals: (i: number) => number) => {
    const p: string[] = [];
    for (let i = 0; i < used; i++) {
      const t0 = i * tl.width, t1 = Math.min((i + 1) * tl.width, end);
      p.push(`${f1(x(t0))},${f1(y(vals(i)))}`, `${f1(x(t1))},${f1(y(vals(i)))}`);
    }
    return p;
  };
  const peak = pts((i) => tl.maxOcc[i]);
  out.push(
    `<polygon points="${f1(x(0))},${TOP + OCC_H} ${peak.join(" ")} ${
      f1(x(Math.min(used * tl.width, end)))
    },${TOP + OCC_H}" fill="#90caf9" fill-opacity="0.55"/>`,
  );
  const mean = pts((i) => {
    const span = Math.min(tl.width, end - i * tl.width);
    return span > 0 ? tl.integral[i] / span : 0;
  });
  out.push(
    `<polyline points="${mean.join(" ")}" fill="none" stroke="#1565c0" stroke-width="1.6"/>`,
  );
  out.push(
    `<line x1="${L}" x2="${L + PW}" y1="${f1(y(usable))}" y2="${f1(y(usable))}" stroke="#d32f2f" ` +
      `stroke-dasharray="6 4" stroke-width="1.2"/>`,
    `<text x="${L + PW - 4}" y="${f1(y(usable) + 14)}" text-anchor="end" fill="#d32f2f">` +
      `full: ${usable} pending (one slot stays empty)</text>`,
    `<rect x="${L}" y="${TOP}" width="${PW}" height="${OCC_H}" fill="none" stroke="#9e9e9e"/>`,
  );

  // Injections and what followed them, labelled one under the other.
  let row = 0;
  for (const m of marks) {
    if (m.kind === "stall" || row >= 8) continue;
    const color = m.kind === "inject" ? "#ef6c00" : "#6a1b9a";
    const right = x(m.from) > L + PW * 0.75;
    out.push(
      `<line x1="${f1(x(m.from))}" x2="${f1(x(m.from))}" y1="${TOP}" y2="${DROP_TOP + DROP_H}" ` +
        `stroke="${color}" stroke-width="1.5" stroke-dasharray="3 3"/>`,
      `<text x="${f1(x(m.from) + (right ? -4 : 4))}" y="${TOP + 14 + 15 * row++}" ` +
        `text-anchor="${right ? "end" : "start"}" fill="${color}">${esc(m.label)}</text>`,
    );
  }

  // Drops panel.
  let maxDrops = 0;
  for (let i = 0; i < used; i++) if (tl.drops[i] > maxDrops) maxDrops = tl.drops[i];
  out.push(
    `<text x="${L}" y="${DROP_TOP - 8}" fill="#333">faults dropped per ${
      fmtTime(tl.width, tl.width)
    } (max ${maxDrops})</text>`,
    `<rect x="${L}" y="${DROP_TOP}" width="${PW}" height="${DROP_H}" fill="#fafafa" stroke="#9e9e9e"/>`,
  );
  if (maxDrops > 0) {
    const bw = Math.max(0.6, (tl.width / end) * PW);
    for (let i = 0; i < used; i++) {
      if (tl.drops[i] === 0) continue;
      // One segment per cause, stacked in DROP_CAUSES order from the bottom; every cause that
      // happened in the step stays visible (at least 1 px).
      let top = DROP_TOP + DROP_H;
      for (const c of present) {
        const v = tl.dropsByCause[c * TIMELINE_BINS + i];
        if (v === 0) continue;
        const h = Math.min(top - DROP_TOP, Math.max(1, (v / maxDrops) * DROP_H));
        if (h <= 0) break;
        top -= h;
        out.push(
          `<rect x="${f1(x(i * tl.width))}" y="${f1(top)}" width="${f1(bw)}" ` +
            `height="${f1(h)}" fill="${DROP_STYLE[DROP_CAUSES[c]].color}"/>`,
        );
      }
    }
  }
  if (maxDrops === 0) {
    out.push(
      `<text x="${L + PW / 2}" y="${DROP_TOP + DROP_H / 2 + 4}" text-anchor="middle" ` +
        `fill="#1b5e20">no fault dropped</text>`,
    );
  }

  // Legends: one entry per drop cause that happened (under the drops panel), then the rest.
  for (const { c, x: lx, y: dy } of legend.items) {
    const { color, label } = DROP_STYLE[DROP_CAUSES[c]];
    out.push(
      `<rect x="${f1(lx)}" y="${dy - 9}" width="14" height="10" fill="${color}"/>`,
      `<text x="${f1(lx + 19)}" y="${dy}" fill="#333">${label}</text>`,
    );
  }
  const ly = height - 14;
  out.push(
    `<rect x="${L}" y="${ly - 9}" width="14" height="10" fill="#90caf9"/>`,
    `<text x="${L + 19}" y="${ly}" fill="#333">peak per step</text>`,
    `<line x1="${L + 115}" x2="${L + 131}" y1="${ly - 4}" y2="${
      ly - 4
    }" stroke="#1565c0" stroke-width="2"/>`,
    `<text x="${L + 136}" y="${ly}" fill="#333">mean</text>`,
    `<rect x="${L + 182}" y="${ly - 9}" width="14" height="10" fill="#78909c"/>`,
    `<text x="${L + 201}" y="${ly}" fill="#333">consumer stalled</text>`,
    `<rect x="${L + 315}" y="${ly - 7}" width="14" height="6" fill="#d32f2f"/>`,
    `<text x="${L + 334}" y="${ly}" fill="#333">kernel sees the ring full</text>`,
  );
  out.push("</svg>\n");
  return out.join("\n");
}
