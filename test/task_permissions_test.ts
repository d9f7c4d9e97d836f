/**
 * `deno task faultscope` grants each command what it needs and no more: every command runs
 * here with exactly the permissions of deno.json's task (never -A), from the repository root as
 * `deno task` runs it. What Deno opens only with --allow-all (device files, /proc) is refused
 * in one line that says how to run it. The binary `deno task compile` builds has --allow-all:
 * its jobs on a host are /dev/kmsg and VFIO device files.
 */
import assert from "node:assert/strict";
import { checkJsonOutputs } from "./support/schema.ts";

const root = new URL("../", import.meta.url).pathname;
const tasks = JSON.parse(await Deno.readTextFile(`${root}deno.json`)).tasks as Record<
  string,
  string
>;

/** The permission flags of a task's `deno run` (or `deno compile`). */
function flagsOf(task: string): string[] {
  const m = /(?:^| )deno (?:run|compile) (.*?) (?:--include \S+ )?(?:--output \S+ )?main\.ts/.exec(
    tasks[task],
  );
  assert.ok(m, `${task}: ${tasks[task]}`);
  return m[1].split(" ").filter((f) => f.startsWith("--allow-") || f === "-A");
}

const FLAGS = flagsOf("faultscope");

async function task(args: string[], stdin?: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--cached-only", ...FLAGS, "main.ts", ...args],
    cwd: root,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  const r = { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
  checkJsonOutputs(args, r.stdout);
  return r;
}

Deno.test("the faultscope task is scoped: env NO_COLOR only, sys loadavg only, run cc and the C reference only", () => {
  assert.ok(!FLAGS.includes("-A") && !FLAGS.includes("--allow-all"), FLAGS.join(" "));
  assert.deepEqual(FLAGS.filter((f) => f.startsWith("--allow-env")), ["--allow-env=NO_COLOR"]);
  assert.deepEqual(FLAGS.filter((f) => f.startsWith("--allow-sys")), ["--allow-sys=loadavg"]);
  assert.deepEqual(FLAGS.filter((f) => f.startsWith("--allow-run")), [
    "--allow-run=cc,bench/out/c-reference/ring",
  ]);
  assert.deepEqual(flagsOf("demo"), ["--allow-read", "--allow-write", "--allow-env=NO_COLOR"]);
  assert.deepEqual(flagsOf("compile"), ["--allow-all"]);
  assert.match(tasks.compile, /--include src\/bench\/worker\.ts/);
});

Deno.test("through the task: files, pipes and stdin in; outputs written; every command", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const ok = async (args: string[], code = 0, stdin?: string) => {
      const r = await task(args, stdin);
      assert.equal(r.code, code, `${args.join(" ")}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /not allowed|--allow-|Requires/, args.join(" "));
      return r;
    };
    await ok(["--version"]);
    await ok(["inspect", "testdata/rfc3-sample.bin", "--json"]);
    await ok(["validate", "testdata/rfc3-corrupt.bin"], 1);
    await ok(["decode", "testdata/mainline-capture.bin", "--ndjson"]);
    // An RFC v3 PERMISSION fault at 0xdeadb000 (48 bytes), as a hex dump on stdin.
    const hex = "01 00 00 00 0a 00 00 00 00 b0 ad de 00 00 00 00 " + "00 ".repeat(8) +
      "05 00 00 00 " + "00 ".repeat(8) + "01 00 00 00 " + "00 ".repeat(8);
    const d = await ok(["decode", "-", "--abi", "rfc3", "--ndjson"], 0, hex);
    assert.equal(JSON.parse(d.stdout).addr, "0xdeadb000");
    await ok(["dmesg", "testdata/klog/amd.log", "--iomem", "testdata/klog/iomem.txt"]);
    await ok(["layout", "rfc3", "--json"]);
    await ok(["rules", "--json"]);
    await ok(["schema", "layout.json"]);
    await ok(["man"]);
    await ok(["complete", "bash"]);
    await ok([
      "simulate",
      "--events",
      "2000",
      "--out",
      `${dir}/s.bin`,
      "--plot",
      `${dir}/s.svg`,
      "--trace",
      `${dir}/t.ndjson`,
    ]);
    await ok(["demo", "--dir", `${dir}/demo`]);
    // watch serves /metrics (net) and writes its metrics file.
    const w = await ok([
      "watch",
      "testdata/rfc3-sample.bin",
      "--duration",
      "0.3",
      "--listen",
      "127.0.0.1:0",
      "--metrics-file",
      `${dir}/m.prom`,
    ]);
    assert.match(w.stderr, /serving metrics on http:\/\/127\.0\.0\.1:\d+\/metrics/);
    assert.match(await Deno.readTextFile(`${dir}/m.prom`), /^faultscope_build_info\{/m);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("through the task: bench runs its workers, the loadavg, and cc and the C reference", async () => {
  const cc = await new Deno.Command("cc", { args: ["--version"], stdout: "null", stderr: "null" })
    .output().then((o) => o.success, () => false);
  const r = await task([
    "bench",
    "--records",
    "20000",
    "--batch",
    "16",
    "--layout",
    "rfc3",
    "--wait",
    "spin",
    "--no-split",
    "--no-idle",
    "--no-baselines",
    ...(cc ? ["--c-reference"] : []),
    "--json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "", "nothing refused, nothing skipped");
  const j = JSON.parse(r.stdout);
  assert.equal(j.verified, true);
  assert.equal(j.machine.loadavg.length, 3);
  if (cc) {
    assert.equal(j.c_reference.available, true, j.c_reference.reason);
    assert.ok(j.results.some((x: { transport: string }) => x.transport === "c-reference"));
  }
});

Deno.test("through the task: a device file is refused in one line that says how to run it", async () => {
  for (const args of [["watch", "/dev/kmsg", "--duration", "0.2"], ["inspect", "/dev/kmsg"]]) {
    const r = await task(args);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(
      r.stderr,
      "faultscope: /dev/kmsg: Deno opens device files and /proc only with --allow-all: run " +
        "deno run -A main.ts, or a binary from deno task compile\n",
    );
  }
});
