/**
 * `deno bench` of the pure core of `watch`, baselines in the same run: rendering 1,000 series
 * (both exposition formats) against rendering 10; a stream follower counting 10,000 records into
 * the metrics against one that only counts them; a region follower's poll of an unchanged 64 KiB
 * region against one where 100 records arrived. Whole-process figures: bench/watch_soak.ts.
 *
 * @example
 * ```sh
 * NO_COLOR=1 deno bench -A --frozen bench/watch_bench.ts
 * ```
 * @module
 */
import { buildRegion } from "../src/region/model.ts";
import type { WatchSink } from "../src/watch/events.ts";
import { WatchMetrics } from "../src/watch/exporter.ts";
import { faultLabels } from "../src/watch/labels.ts";
import { RegionFollower } from "../src/watch/region.ts";
import { StreamFollower } from "../src/watch/stream.ts";

function metricsWith(devices: number): WatchMetrics {
  const m = new WatchMetrics({ maxDevices: devices, version: "0.1.0", runtime: Deno.version.deno });
  m.addSource("q", "stream");
  for (let d = 0; d < devices; d++) {
    m.fault("q", { vendor: "iommufd", device: `dev_id:${d}`, code: "", name: "PAGE_REQ" });
  }
  return m;
}
const m1000 = metricsWith(1000);
const m10 = metricsWith(10);

Deno.bench("render 10 fault series, 0.0.4 text", { group: "render", baseline: true }, () => {
  m10.registry.render("prometheus");
});
Deno.bench("render 1,000 fault series, 0.0.4 text", { group: "render" }, () => {
  m1000.registry.render("prometheus");
});
Deno.bench("render 1,000 fault series, OpenMetrics", { group: "render" }, () => {
  m1000.registry.render("openmetrics");
});

// 10,000 iommu_hwpt_pgfault records (40 bytes), dev_id over 100 devices.
const stream = new Uint8Array(10_000 * 40);
{
  const dv = new DataView(stream.buffer);
  for (let i = 0; i < 10_000; i++) dv.setUint32(i * 40 + 4, i % 100, true);
}
const noop = () => {};
let counted = 0;
const countSink: WatchSink = { fault: () => counted++, loss: noop, finding: noop, state: noop };
const metrics = metricsWith(100);
const metricSink: WatchSink = {
  fault: (f) => metrics.fault("q", faultLabels(f)),
  loss: noop,
  finding: noop,
  state: noop,
};
Deno.bench("stream: 10,000 records counted", { group: "stream", baseline: true }, () => {
  const s = new StreamFollower({ abi: "hwpt-pgfault" }, countSink);
  for (let o = 0; o < stream.length; o += 65536) s.push(stream.subarray(o, o + 65536), 0);
});
Deno.bench("stream: 10,000 records labelled into the metrics", { group: "stream" }, () => {
  const s = new StreamFollower({ abi: "hwpt-pgfault" }, metricSink);
  for (let o = 0; o < stream.length; o += 65536) s.push(stream.subarray(o, o + 65536), 0);
});

// The seed's 64 KiB RFC v3 region: unchanged between polls, or 100 new records.
const quietImage = buildRegion({ layout: "rfc3", producer: 7, consumer: 2 });
const busy = [0, 100].map((p) => buildRegion({ layout: "rfc3", producer: p, consumer: 0 }));
const quiet = new RegionFollower({ layout: "rfc3", abi: "rfc3", regionSize: 65536 }, countSink);
let t = 0;
Deno.bench(
  "region: a poll of an unchanged 64 KiB region",
  { group: "region", baseline: true },
  () => {
    quiet.observe({ bytes: quietImage, time: t += 100 });
  },
);
Deno.bench("region: a poll that finds 100 new records", { group: "region" }, () => {
  const f = new RegionFollower({ layout: "rfc3", abi: "rfc3", regionSize: 65536 }, countSink);
  f.observe({ bytes: busy[0], time: 0 });
  f.observe({ bytes: busy[1], time: 100 });
});
