/**
 * The CLI as a user and a script see it: real processes, exit codes, one-line errors, the JSON
 * schema. Expected values come from abi.md and from how testdata/generate.ts builds the fixtures
 * (rfc3-sample.bin: cons 1363, prod 3, five records; rfc3-corrupt.bin: reserved 0xdead, prod 4000).
 */
import assert from "node:assert/strict";
import { COMMANDS } from "../src/cli/commands.ts";
import { buildRegion } from "../src/region/model.ts";
import { encodeRecord } from "../src/codec/encode.ts";
import { TV3, TV4 } from "./support/vectors.ts";

import {
  assertOneLineError,
  cli as cliInProcess,
  data,
  type Result,
  root,
  spawnCli,
  tmpFile,
} from "./support/cli.ts";

// Most tests run faultscope in this process through the command contract; the few that need
// what only a process shows (exit status under signals, closed pipes, permissions) spawn it;
// completion is driven through real shells in completion_test.ts.
const cli = (args: string[], stdin?: Uint8Array): Promise<Result> => cliInProcess(args, { stdin });

Deno.test("inspect lists the pending records of the sample in consumer order across the wrap", async () => {
  const r = await cli(["inspect", data("rfc3-sample.bin"), "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.layout, "rfc3");
  assert.equal(j.abi, "rfc3");
  assert.deepEqual(j.header, { size: 1365, prod: 3, cons: 1363, reserved: 0 });
  assert.equal(j.capacity, 1365);
  assert.equal(j.entry_size, 48);
  assert.equal(j.pending, 5);
  assert.equal(j.full, false);
  assert.deepEqual(j.records.map((x: { slot: number }) => x.slot), [1363, 1364, 0, 1, 2]);
  // slot 1363 starts at 16 + 1363 * 48
  assert.equal(j.records[0].offset, 16 + 1363 * 48);
  assert.equal(j.records[0].reason, 10);
  assert.equal(j.records[0].reason_name, "PERMISSION");
  assert.equal(j.records[0].addr, "0xdeadb000");
  assert.equal(j.records[3].type_name, "PAGE_REQ");
  assert.equal(j.records[3].page_req_group_id, 7);
});

Deno.test("inspect human output names the header, geometry and occupancy", async () => {
  const r = await cli(["inspect", data("rfc3-sample.bin")]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /size=1365 prod=3 cons=1363 reserved=0/);
  assert.match(r.stdout, /5 pending, 1359 free of 1364 usable/);
  assert.match(r.stdout, /inferred/); // the layout was inferred, and it says so
  const slots = r.stdout.split("\n").filter((l) => /^\s*\d+\s+0x/.test(l)).map((l) =>
    Number(l.trim().split(/\s+/)[0])
  );
  assert.deepEqual(slots, [1363, 1364, 0, 1, 2]);
});

Deno.test("inspect --all marks every slot, --hex adds raw bytes", async () => {
  const r = await cli(["inspect", data("rfc3-sample.bin"), "--all", "--json", "--hex"]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.records.length, 1365);
  const pending = j.records.filter((x: { state: string }) => x.state === "pending").map((
    x: { slot: number },
  ) => x.slot);
  assert.deepEqual(pending.sort((a: number, b: number) => a - b), [0, 1, 2, 1363, 1364]);
  // TV3 of abi.md is the RFC v3 PERMISSION fault the sample holds in slot 1363.
  assert.equal(
    j.records[1363].raw,
    "010000000a00000000b0adde00000000000000000000000005000000000000000000000001000000" +
      "0000000000000000",
  );
});

Deno.test("inspect reads a region at an offset in a larger file, and from stdin", async () => {
  const region = await Deno.readFile(data("dma-fault-sample.bin"));
  const big = new Uint8Array(3 * 4096 + region.length + 4096).fill(0xee);
  big.set(region, 3 * 4096);
  const p = await tmpFile(big);
  // No --region-size: the dma-fault header implies ALIGN(64*512, 4096) + 4096 = 0x9000.
  const r = await cli(["inspect", p, "--offset", "0x3000", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.layout, "dma-fault");
  assert.equal(j.region_size, 0x9000);
  assert.equal(j.pending, 4);
  assert.deepEqual(j.records.map((x: { slot: number }) => x.slot), [510, 511, 0, 1]);
  assert.equal(j.records[0].offset, 0x1000 + 510 * 64);
  const s = await cli(["inspect", "-", "--json"], region);
  assert.equal(s.code, 0, s.stderr);
  assert.equal(JSON.parse(s.stdout).pending, 4);
  const shifted = await cli(["inspect", p, "--offset", "3<<12", "--json"]);
  assert.equal(JSON.parse(shifted.stdout).pending, 4);
  await Deno.remove(p);
});

Deno.test("validate: exit 0 when consistent, 1 with the rules that fired, --strict on warnings", async () => {
  const ok = await cli(["validate", data("rfc3-sample.bin")]);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  const bad = await cli(["validate", data("rfc3-corrupt.bin"), "--json"]);
  assert.equal(bad.code, 1);
  const j = JSON.parse(bad.stdout);
  assert.deepEqual(j.findings.map((f: { rule: string }) => f.rule).sort(), [
    "HDR-RESERVED-ZERO",
    "IDX-PROD-RANGE",
  ]);
  assert.equal(j.errors, 2);
  assert.equal(j.findings.find((f: { rule: string }) => f.rule === "IDX-PROD-RANGE").offset, 4);
  // A full ring (1364 of 1365 slots: one stays empty) is a warning: exit 0, or 1 with --strict.
  const full = await tmpFile(buildRegion({
    layout: "rfc3",
    producer: 1364,
    consumer: 0,
    records: Array.from({ length: 1364 }, (_, slot) => ({ slot, fields: { type: 1, reason: 10 } })),
  }));
  const w = await cli(["validate", full, "--json"]);
  assert.equal(w.code, 0);
  assert.ok(JSON.parse(w.stdout).findings.some((f: { rule: string }) => f.rule === "IDX-FULL"));
  assert.equal((await cli(["validate", full, "--strict"])).code, 1);
  await Deno.remove(full);
});

Deno.test("validate --previous catches a pending record overwritten between snapshots", async () => {
  const rec = { type: 1, reason: 10, addr: 0x1000n };
  const a = await tmpFile(
    buildRegion({
      layout: "rfc3",
      producer: 3,
      consumer: 0,
      records: [0, 1, 2].map((slot) => ({ slot, fields: rec })),
    }),
  );
  const b = await tmpFile(buildRegion({
    layout: "rfc3",
    producer: 4,
    consumer: 1,
    records: [0, 1, 2, 3].map((slot) => ({
      slot,
      fields: slot === 2 ? { ...rec, addr: 0x2000n } : rec,
    })),
  }));
  // Modulo indices carry no lap count: without a bound on progress a rewritten pending slot
  // may be a lap of the ring (issue 8, domain.md SNAP-AMBIGUOUS): a warning, exit 0.
  const loose = await cli(["validate", b, "--previous", a, "--json"]);
  assert.equal(loose.code, 0, loose.stdout);
  const amb = JSON.parse(loose.stdout).findings.filter((f: { rule: string }) =>
    f.rule.startsWith("SNAP-")
  );
  assert.deepEqual(amb.map((f: { rule: string }) => f.rule), ["SNAP-AMBIGUOUS"]);
  assert.match(amb[0].message, /SNAP-LIVE-STABLE, or a lap of the ring.*--max-progress N/);
  // With each index known to have moved less than a lap, it is an error.
  const r = await cli(["validate", b, "--previous", a, "--max-progress", "10", "--json"]);
  assert.equal(r.code, 1, r.stdout);
  const f = JSON.parse(r.stdout).findings.filter((f: { rule: string }) =>
    f.rule === "SNAP-LIVE-STABLE"
  );
  assert.equal(f.length, 1);
  assert.equal(f[0].slot, 2);
  // The consumer passing the producer: 3 pending, producer still, consumer moved 5.
  const c = await tmpFile(buildRegion({ layout: "rfc3", producer: 3, consumer: 5 }));
  const over = await cli(["validate", c, "--previous", a, "--max-progress", "10", "--json"]);
  assert.equal(over.code, 1);
  const snap = JSON.parse(over.stdout).findings.filter((f: { rule: string }) =>
    f.rule.startsWith("SNAP-")
  );
  assert.deepEqual(snap.map((f: { rule: string }) => f.rule), ["SNAP-OVERTAKE"]);
  assertOneLineError(await cli(["validate", c, "--max-progress", "10"]), 2, "--previous");
  await Deno.remove(c);
  await Deno.remove(a);
  await Deno.remove(b);
});

Deno.test("decode: abi.md TV3 and TV4 from hex on the command line", async () => {
  const r = await cli(["decode", "--abi", "rfc3", "--hex", TV3.hex, "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).records, [{
    index: 0,
    offset: 0,
    abi: "rfc3",
    type: 1,
    type_name: "DMA_UNRECOV",
    reason: 10,
    reason_name: "PERMISSION",
    addr: "0xdeadb000",
    fetch_addr: "0x0",
    pasid: 5,
    page_req_group_id: 0,
    last_req: 0,
    pasid_valid: 1,
    prot: 0,
    access: 0,
  }]);
  const p = await cli(["decode", "--hex", TV4.hex, "--ndjson"]);
  assert.equal(p.code, 0, p.stderr);
  const rec = JSON.parse(p.stdout);
  assert.equal(rec.abi, "mainline");
  assert.deepEqual(rec.prm, {
    flags: 2,
    flags_names: ["LAST_PAGE"],
    pasid: 0,
    grpid: 7,
    perm: 1,
    perm_names: ["READ"],
    addr: "0x10000",
    private_data: ["0x0", "0x0"],
  });
  assert.match(p.stderr, /guessed mainline/); // a guess is always said, on stderr for --ndjson
});

Deno.test("decode infers rfc3 for an RFC v3 capture and mainline for a mainline one, and says so", async () => {
  const a = await cli(["decode", data("rfc3-capture.bin"), "--ndjson"]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(a.stdout.trim().split("\n").length, 5);
  assert.ok(a.stdout.split("\n").filter(Boolean).every((l) => JSON.parse(l).abi === "rfc3"));
  assert.match(a.stderr, /guessed rfc3/);
  const b = await cli(["decode", data("mainline-capture.bin")]);
  assert.match(b.stdout, /guessed mainline/);
  assert.match(b.stdout, /PERMISSION\(6\)/);
});

Deno.test("decode reads an xxd dump from stdin, and --check runs the record rules", async () => {
  const rec = encodeRecord("mainline", {
    type: 1,
    event: { reason: 6, flags: 0x80, perm: 3, addr: 0x1000n },
  });
  const xxd = Array.from({ length: 4 }, (_, i) => {
    const row = rec.subarray(i * 16, i * 16 + 16);
    const groups = Array.from(
      { length: 8 },
      (_, g) =>
        Array.from(row.subarray(2 * g, 2 * g + 2), (b) => b.toString(16).padStart(2, "0")).join(""),
    );
    return `${(i * 16).toString(16).padStart(8, "0")}: ${groups.join(" ")}  ................`;
  }).join("\n");
  const r = await cli(
    ["decode", "-", "--abi", "mainline", "--check", "--ndjson"],
    new TextEncoder().encode(xxd),
  );
  assert.equal(r.code, 1, r.stderr); // unknown flag bit 0x80 is an error
  const j = JSON.parse(r.stdout);
  assert.deepEqual(j.event.flags_names, ["0x80"]);
  // 0x80 is no UNRECOV flag; addr is set without ADDR_VALID, and PERMISSION expects ADDR_VALID.
  assert.deepEqual(j.findings.map((f: { rule: string }) => f.rule).sort(), [
    "REC-FLAGS",
    "REC-VALID-BITS",
    "REC-VALID-BITS",
  ]);
});

Deno.test("bad input: one line on stderr naming what and where, exit 2", async () => {
  const dir = await Deno.makeTempDir();
  const empty = `${dir}/empty.bin`;
  await Deno.writeFile(empty, new Uint8Array());
  const sample = await Deno.readFile(data("rfc3-sample.bin"));
  const trunc = await tmpFile(sample.subarray(0, 1000));
  const odd = await tmpFile(new Uint8Array(100));
  // 50 bytes: no record size (8, 20, 24, 40, 48, 64) divides it.
  const fifty = await tmpFile(new Uint8Array(50));
  assertOneLineError(
    await cli(["inspect", `${dir}/missing.bin`]),
    2,
    "missing.bin",
    "no such file",
  );
  assertOneLineError(await cli(["inspect", dir]), 2, "is a directory");
  assertOneLineError(await cli(["inspect", empty]), 2, "empty");
  assertOneLineError(await cli(["validate", trunc]), 2, "truncated", "1000");
  assertOneLineError(await cli(["decode", fifty]), 2, "50 bytes", "not a multiple");
  // Random bytes as a scenario: what JSON.parse quotes of them is escaped, on one line.
  const noise = await tmpFile(
    Uint8Array.of(0x48, 0xe8, 0x0a, 0x1b, 0x5b, 0x32, 0x4a, 0x9b, 0x00, 0x07),
  );
  const sim = await cli(["simulate", "--scenario", noise]);
  assertOneLineError(sim, 2, noise, "not valid JSON", "\\ufffd", "\\x1b[2J");
  assert.doesNotMatch(sim.stderr.trimEnd(), /[\p{Cc}\ufffd]/u);
  assertOneLineError(
    await cli(["decode", odd, "--abi", "mainline"]),
    2,
    "trailing 36 bytes",
    "0x40",
  );
  assertOneLineError(await cli(["decode", "--hex", "01 0g"]), 2, "'0g'", "line 1", "column 4");
  assertOneLineError(await cli(["decode", "--abi", "v99", "--hex", "00"]), 2, "v99");
  assertOneLineError(
    await cli(["inspect", data("rfc3-sample.bin"), "--offset", "abc"]),
    2,
    "--offset",
  );
  assertOneLineError(
    await cli(["inspect", data("rfc3-sample.bin"), "--page-size", "8192"]),
    2,
    "--page-size",
  );
  assertOneLineError(await cli(["layout", "v99"]), 2, "v99");
  assertOneLineError(await cli(["frobnicate"]), 2, "frobnicate");
  const garbage = await tmpFile(new Uint8Array(4096).fill(0xa5));
  assertOneLineError(
    await cli(["inspect", garbage]),
    2,
    "cannot infer the region layout",
    "--layout",
  );
  for (const p of [trunc, odd, fifty, garbage]) await Deno.remove(p);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a read Deno's permissions refuse is one line naming the file and the flag", async () => {
  const p = await tmpFile(new Uint8Array(64));
  const cmd = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--cached-only",
      `--allow-read=${new URL("main.ts", root).pathname},${new URL("src", root).pathname}`,
      "--allow-env",
      new URL("main.ts", root).pathname,
      "inspect",
      p,
    ],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  });
  const out = await cmd.output();
  const r = { code: out.code, stdout: "", stderr: new TextDecoder().decode(out.stderr) };
  assertOneLineError(r, 2, p, "not allowed without --allow-read");
  await Deno.remove(p);
});

Deno.test("a command module Deno's permissions cannot load is a usage error, not a bug", async () => {
  // Each command's module is imported when it runs; `--allow-read=/nonexistent` refused that
  // import, reported as "internal error ... (please report)", exit 70.
  const r = await spawnCli(["inspect", data("rfc3-sample.bin")], {
    denoFlags: ["--allow-read=/nonexistent", "--allow-env"],
  });
  assertOneLineError(r, 2, "inspect", "not allowed without --allow-read");
});

Deno.test("demo without --allow-write says which permission it needs, exit 2", async () => {
  // Its temporary directory was an uncaught NotCapable: "internal error", exit 70.
  const r = await spawnCli(["demo"], { denoFlags: ["--allow-read", "--allow-env"] });
  assertOneLineError(r, 2, "demo", "temporary directory", "not allowed without --allow-write");
  assert.equal(r.stdout, "");
});

/** Runs faultscope, reads a little of its stdout, then closes it (like `| head -1`). */
async function closeEarly(args: string[]): Promise<Result> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--cached-only", "-A", new URL("main.ts", root).pathname, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const reader = child.stdout.getReader();
  await reader.read();
  await reader.cancel();
  const status = await child.status;
  const stderr = new TextDecoder().decode(await new Response(child.stderr).arrayBuffer());
  return { code: status.code, stdout: "", stderr };
}

Deno.test("a reader that goes away (| head) stops any command quietly, exit 0", async () => {
  const n = 20_000; // 20k records of ndjson is far more than a pipe buffer
  const cap = new Uint8Array(n * 64);
  for (let i = 0; i < n; i++) cap[i * 64] = 1;
  const p = await tmpFile(cap);
  const quiet = (r: Result) => {
    assert.equal(r.code, 0, `exit code (stderr: ${r.stderr})`);
    assert.equal(r.stderr, "");
  };
  quiet(await closeEarly(["decode", p, "--abi", "mainline", "--ndjson"]));
  quiet(await closeEarly(["inspect", data("rfc3-sample.bin"), "--all", "--hex"]));
  // The trace writer has its own file handle: a reader gone there is the same.
  quiet(await closeEarly(["simulate", "--events", "200000", "--trace", "/dev/stdout"]));
  await Deno.remove(p);
});

/** Runs faultscope under bash with a redirection of its own (e.g. `>&-`, `>/dev/full`). */
async function redirected(args: string[], redirect: string): Promise<Result> {
  const quote = (a: string) => `'${a.replaceAll("'", "'\\''")}'`;
  const line = [
    Deno.execPath(),
    "run",
    "--cached-only",
    "-A",
    new URL("main.ts", root).pathname,
    ...args,
  ].map(quote).join(" ");
  const out = await new Deno.Command("bash", {
    args: ["-c", `${line} ${redirect}`],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("a full stdout is an I/O error: one line, exit 2", async () => {
  assertOneLineError(await redirected(["rules"], ">/dev/full"), 2, "stdout", "no space");
  assertOneLineError(await redirected(["--version"], ">/dev/full"), 2, "stdout", "no space");
});

Deno.test("watch with a full stdout stops with one line, not blaming its source", async () => {
  // It said "rfc3-sample.bin: cannot read: no space left on device; waiting for it to come back"
  // on every poll, declared losses it had not had, and with --ndjson exited 0.
  for (const extra of [[], ["--ndjson"]]) {
    const args = ["watch", data("rfc3-sample.bin"), "--from-start", "--duration", "2", ...extra];
    const r = await redirected(args, ">/dev/full");
    assertOneLineError(r, 2, "stdout", "no space");
  }
});

Deno.test("a usage error keeps its exit code when stderr is full", async () => {
  const r = await redirected(["inspect", "--limit", "x", data("rfc3-sample.bin")], "2>/dev/full");
  assert.equal(r.code, 2);
});

Deno.test("rules and layout print from the same data the validator and decoder use", async () => {
  const r = await cli(["rules", "--json"]);
  assert.equal(r.code, 0);
  const rules = JSON.parse(r.stdout);
  const { RULES } = await import("../src/rules/catalogue.ts");
  assert.deepEqual(rules.map((x: { id: string }) => x.id), RULES.map((x) => x.id));
  for (const x of rules) {
    assert.ok(x.invariant && x.why && ["error", "warning", "info"].includes(x.severity));
  }
  const l = await cli(["layout", "rfc3"]);
  assert.equal(l.code, 0);
  // pahole style: offset and size of each field (abi.md 2.1)
  assert.match(l.stdout, /__u64 fetch_addr;\s+\/\*\s+16\s+8 \*\//);
  assert.match(l.stdout, /__u32 access;\s+\/\*\s+44\s+4 \*\//);
  assert.match(l.stdout, /size: 48/);
  assert.match(l.stdout, /IOMMU_FAULT_REASON_OOR_ADDRESS = 12/);
  assert.match(l.stdout, /struct vfio_fault_region_header/);
  const m = await cli(["layout", "mainline"]);
  assert.match(m.stdout, /__u64 private_data\[2\];\s+\/\*\s+32\s+16 \*\//);
  assert.match(m.stdout, /IOMMU_FAULT_PERM_READ = \(1 << 0\)/);
  const v7 = await cli(["layout", "v7"]);
  assert.match(v7.stdout, /IOMMU_FAULT_PERM_WRITE = \(1 << 0\)/);
});

Deno.test("every command has --help with an example, and --version works", async () => {
  for (
    const c of ["decode", "inspect", "validate", "rules", "layout", "demo", "simulate", "bench"]
  ) {
    const r = await cli([c, "--help"]);
    assert.equal(r.code, 0, `${c} --help: ${r.stderr}`);
    assert.match(r.stdout, /Usage: faultscope/);
    assert.match(r.stdout, /Example/i, `${c} --help has an example`);
  }
  const v = await cli(["--version"]);
  assert.equal(v.code, 0);
  // The name, the version and the Deno it runs on (issue: --version prints all three).
  assert.match(v.stdout, /^faultscope \d+\.\d+\.\d+ \(deno \d+\.\d+\.\d+\)\n$/);
});

Deno.test("demo simulates the seed storm, inspects and validates the snapshot, then decodes a kernel log's storm", async () => {
  const dir = await Deno.makeTempDir();
  const r = await cli(["demo", "--dir", dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\$ faultscope simulate/);
  assert.match(r.stdout, /\$ faultscope inspect/);
  assert.match(r.stdout, /\$ faultscope validate/);
  // The storm fills the 1365-entry ring while the VMM is stalled: 1364 pending, IDX-FULL.
  assert.match(r.stdout, /1364 pending, 0 free of 1364 usable/);
  assert.match(r.stdout, /warning\s+IDX-FULL/);
  assert.match(r.stdout, /\.\.\. 1356 more \(--limit 8\)/);
  const image = await Deno.readFile(`${dir}/seed-storm.bin`);
  assert.equal(image.length, 65536);
  assert.match(await Deno.readTextFile(`${dir}/seed-storm.svg`), /^<svg/);
  // Then a kernel log with a storm from each vendor (logs.md formats), and one of its SMMUv3
  // events: an F_TRANSLATION read from SID 0x100, not stalled, so no iommu_fault since 6.8 and
  // an unrecoverable PTE_FETCH before (logs.md 5.3).
  const log = await Deno.readTextFile(`${dir}/iommu-storm.log`);
  assert.match(
    log,
    /DMAR: \[DMA Read NO_PASID\] Request device \[3b:00\.0\] fault addr 0xfee00000 /,
  );
  assert.match(log, /AMD-Vi: Event logged \[IO_PAGE_FAULT device=0000:04:00\.0 domain=0x000d /);
  assert.match(
    log,
    /arm-smmu-v3 arm-smmu-v3\.0\.auto: event: F_TRANSLATION client: 0000:01:00\.0 sid: 0x100 /,
  );
  assert.match(r.stdout, /\$ faultscope decode --abi smmuv3-evt --as-iommu-fault --hex '10 00 /);
  assert.match(r.stdout, /^\s+0\s+0x0\s+F_TRANSLATION\(16\)\s+0\s+0\s+256\s/m);
  assert.match(r.stdout, /^\s+0\s+mainline-6\.8\s.*none\s+not stalled/m);
  assert.match(
    r.stdout,
    /^\s+0\s+mainline-5\.13\s.*DMA_UNRECOV\(1\)\s+PTE_FETCH\(5\)\s+0x2 ADDR_VALID\s+0\s+0x1 READ\s+0xffff1000/m,
  );
  // Where this build has dmesg, it decodes and summarises the log: one row per vendor's device.
  if (COMMANDS.some((c) => c.name === "dmesg")) {
    assert.match(r.stdout, /\$ faultscope dmesg \S+iommu-storm\.log --no-events/);
    assert.match(r.stdout, /0000:3b:00\.0\s.*PTE Read access is not set\s+12\s/);
    assert.match(r.stdout, /0000:04:00\.0\s.*IO_PAGE_FAULT\s+10\s/);
    assert.match(r.stdout, /0000:01:00\.0\s.*F_TRANSLATION\s+6\s/);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a big-endian image: a hint without --endian big, a correct decode with it", async () => {
  const be = await tmpFile(buildRegion({
    layout: "dma-fault",
    producer: 2,
    consumer: 0,
    littleEndian: false,
    records: [{
      slot: 0,
      fields: { type: 1, event: { reason: 6, flags: 3, pasid: 5, perm: 3, addr: 0xdeadb000n } },
    }],
  }));
  assertOneLineError(await cli(["inspect", be]), 2, "--endian big");
  const r = await cli(["inspect", be, "--endian", "big", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.endian, "big");
  assert.deepEqual(j.header, { tail: 0, entry_size: 64, nb_entries: 512, offset: 4096, head: 2 });
  assert.equal(j.records[0].event.addr, "0xdeadb000");
  assert.equal(j.records[0].event.reason_name, "PERMISSION");
  // Forced to little-endian, the first finding explains the rest.
  const v = await cli(["validate", be, "--layout", "dma-fault", "--json"]);
  assert.equal(v.code, 1);
  assert.equal(JSON.parse(v.stdout).findings[0].rule, "HDR-ENDIAN");
  await Deno.remove(be);
});

// An argument is echoed in the error it causes: an escape sequence in it was sent to the
// terminal as it was (and a newline in a path split the one line). Escaped, wherever the
// message was made.
Deno.test("a control character in an argument reaches stderr escaped, on one line", async () => {
  const cases: [string[], string][] = [
    [["decode", "--abi", "\x1b[7mX"], "option '--abi <abi>' argument '\\x1b[7mX' is invalid"],
    [["\x1b[7mX"], "unknown command '\\x1b[7mX'"],
    [["decode", "--\x1b[7mX"], "unknown option '--\\x1b[7mX' for 'decode'"],
    [["decode", "--pasid", "5\x07"], "argument '5\\x07' is invalid"],
    [["decode", "/nonexistent/a\nb\u202e"], "/nonexistent/a\\nb\\u202e: no such file"],
  ];
  for (const [args, want] of cases) {
    const r = await cli(args);
    assertOneLineError(r, 2, want);
    assert.doesNotMatch(r.stderr.trimEnd(), /[\p{Cc}\p{Cf}]/u, r.stderr);
  }
});
