/**
 * `locate`: a region placed from its first bytes in one pass (found with its size, truncated, or
 * unknown with hints), region sizes from abi.md section 3; and the CLI reading a stream (a FIFO,
 * `<(...)`, stdin) once, with the core's hints turned into flags only at the CLI edge.
 */
import assert from "node:assert/strict";
import { locate, MAX_REGION_SIZE, PROBE_BYTES } from "../src/region/detect.ts";
import { buildRegion, openRegion, RegionError } from "../src/region/model.ts";
import { validateImage } from "../src/rules/validate.ts";
import { assertOneLineError, cli, data, root } from "./support/cli.ts";

const probeOf = (img: Uint8Array) => img.subarray(0, PROBE_BYTES);

Deno.test("locate: a header alone says its region size (abi.md 3.1-3.4)", () => {
  const cases = [
    // 3.1: RFC v3 is 64 KiB whatever the page size.
    [buildRegion({ layout: "rfc3", producer: 3, consumer: 1 }), "rfc3", 0x10000],
    // 3.3: ALIGN(64 * 512, 4 KiB) + 4 KiB = 0x9000; with 64 KiB pages 0x20000.
    [buildRegion({ layout: "dma-fault", producer: 2, consumer: 0 }), "dma-fault", 0x9000],
    [
      buildRegion({ layout: "dma-fault", producer: 2, consumer: 0, pageSize: 65536 }),
      "dma-fault",
      0x20000,
    ],
    // 3.4: ALIGN(24 * 512, 4 KiB) + 4 KiB = 16 KiB.
    [
      buildRegion({ layout: "dma-fault-response", producer: 2, consumer: 0 }),
      "dma-fault-response",
      0x4000,
    ],
    // 3.2: two pages.
    [
      buildRegion({ layout: "fault-prod", abi: "v8", producer: 2, consumer: 0 }),
      "fault-prod",
      0x2000,
    ],
  ] as const;
  for (const [img, layout, size] of cases) {
    const loc = locate(probeOf(img), {});
    assert.equal(loc.kind, "found", layout);
    if (loc.kind !== "found") continue;
    assert.equal(loc.detection.layout, layout);
    assert.equal(loc.regionSize, size, layout);
    assert.equal(loc.detection.guessed, true);
  }
});

Deno.test("locate: a known size; a header that needs more bytes than there are is a cut image", () => {
  const img = buildRegion({ layout: "dma-fault", producer: 2, consumer: 0 });
  const whole = locate(probeOf(img), { regionSize: img.length });
  assert.equal(whole.kind, "found");
  assert.equal(whole.kind === "found" && whole.detection.abi, "mainline");
  // 0x5000 of the 0x9000 bytes: no layout fits 0x5000, the dma-fault header fits 0x9000.
  const cut = locate(probeOf(img), { regionSize: 0x5000 });
  assert.deepEqual(cut, {
    kind: "truncated",
    layout: "dma-fault",
    regionSize: 0x9000,
    available: 0x5000,
  });
});

Deno.test("locate: unknown layout or size, with hints and no flag in the message", () => {
  const zeros = new Uint8Array(0x10000);
  const none = locate(probeOf(zeros), { regionSize: zeros.length });
  assert.equal(none.kind, "unknown");
  if (none.kind !== "unknown") return;
  assert.equal(none.missing, "layout");
  assert.deepEqual(none.hints, [{
    kind: "layout",
    choices: ["rfc3", "fault-prod", "dma-fault", "dma-fault-response"],
  }]);
  assert.doesNotMatch(none.message, /--/);
  // A big-endian dump: it reads as a dma-fault header the other way round.
  const be = buildRegion({ layout: "dma-fault", producer: 2, consumer: 0, littleEndian: false });
  const swapped = locate(probeOf(be), { regionSize: be.length });
  assert.equal(swapped.kind === "unknown" && swapped.hints[0].kind, "endian");
  assert.deepEqual(swapped.kind === "unknown" && swapped.hints[0], {
    kind: "endian",
    order: "big",
  });
  assert.match(swapped.kind === "unknown" ? swapped.message : "", /dma-fault region in big-endian/);
  // No size known and no page size in the header: nothing says how big the region is.
  const noSize = locate(probeOf(zeros), { layout: "dma-fault" });
  assert.deepEqual(noSize.kind === "unknown" && noSize.hints, [{ kind: "region-size" }]);
  assert.ok(MAX_REGION_SIZE >= 0x20000, "the largest real region (dma-fault, 64 KiB pages) fits");
});

Deno.test("core errors and findings carry hints, not flags", () => {
  const be = buildRegion({ layout: "dma-fault", producer: 2, consumer: 0, littleEndian: false });
  try {
    openRegion(be);
    assert.fail("no layout fits");
  } catch (e) {
    assert.ok(e instanceof RegionError);
    assert.doesNotMatch(e.message, /--/);
    assert.deepEqual(e.hints.map((h) => h.kind), ["endian", "layout"]);
  }
  const prod = buildRegion({ layout: "fault-prod", abi: "v8", producer: 2, consumer: 0 });
  const occ = validateImage(prod).findings.find((f) => f.rule === "IDX-OCCUPANCY")!;
  assert.doesNotMatch(occ.message, /--/);
  assert.deepEqual(occ.hints, [{ kind: "consumer-index" }]);
});

Deno.test("CLI: the hints become flags at the edge", async () => {
  const prod = await Deno.makeTempFile();
  await Deno.writeFile(
    prod,
    buildRegion({ layout: "fault-prod", abi: "v8", producer: 2, consumer: 0 }),
  );
  const r = await cli(["validate", prod, "--json"]);
  const occ = JSON.parse(r.stdout).findings.find((f: { rule: string }) =>
    f.rule === "IDX-OCCUPANCY"
  );
  assert.match(occ.message, /consumer index is not in this region; pass --cons N$/);
  assert.equal("hints" in occ, false, "the JSON schema is unchanged");
  const zeros = await Deno.makeTempFile();
  await Deno.writeFile(zeros, new Uint8Array(0x10000));
  assertOneLineError(
    await cli(["inspect", zeros]),
    2,
    "cannot infer the region layout",
    "pass --layout rfc3|fault-prod|dma-fault|dma-fault-response",
  );
  await Deno.remove(prod);
  await Deno.remove(zeros);
});

Deno.test("a FIFO is opened once: validate and inspect read the region through it", async () => {
  const dir = await Deno.makeTempDir();
  const fifo = `${dir}/region`;
  const mk = await new Deno.Command("mkfifo", { args: [fifo] }).output();
  assert.equal(mk.code, 0);
  for (const args of [["validate", fifo, "--json"], ["inspect", fifo, "--json"]]) {
    // The writer blocks until the FIFO is opened for reading, writes the image once, and exits.
    const writer = new Deno.Command("sh", {
      args: ["-c", `cat '${data("rfc3-sample.bin")}' > '${fifo}'`],
    }).spawn();
    const r = await cli(args);
    assert.equal((await writer.status).code, 0);
    assert.equal(r.code, 0, `${args[0]}: ${r.stderr}`);
    const j = JSON.parse(r.stdout);
    assert.equal(j.layout, "rfc3", args[0]);
    if (args[0] === "inspect") assert.equal(j.pending, 5); // testdata/generate.ts: cons 1363, prod 3
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("validate <(cat image): process substitution works (a real bash)", async () => {
  const main = new URL("main.ts", root).pathname;
  const out = await new Deno.Command("bash", {
    args: [
      "-c",
      `'${Deno.execPath()}' run --cached-only -A '${main}' validate <(cat '${
        data("rfc3-sample.bin")
      }')`,
    ],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.match(stdout, /^consistent: 0 errors/m);
});

Deno.test("stdin larger than any region is refused without reading all of it", async () => {
  const r = await cli(["inspect", "-"], { stdin: new Uint8Array(MAX_REGION_SIZE + 4096) });
  assertOneLineError(r, 2, "stdin", "larger than any fault region", "--region-size");
});
