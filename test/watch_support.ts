/**
 * Running `watch` (and the programs it talks to) as real processes in tests: output collected as
 * it arrives, bounded waits that poll for a condition (no sleep stands in for a condition), and
 * every process a test starts stopped by it, also when the test fails.
 */
import { root } from "./support/cli.ts";
import { assertMatchesSchema } from "./support/schema.ts";

/** A running process whose output is collected as it arrives. */
export class Proc {
  readonly child: Deno.ChildProcess;
  stdout = "";
  stderr = "";
  readonly #done: Promise<Deno.CommandStatus>;
  status: Deno.CommandStatus | undefined;

  constructor(cmd: string, args: string[], o: { env?: Record<string, string>; cwd?: string } = {}) {
    this.child = new Deno.Command(cmd, {
      args,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1", ...o.env },
      cwd: o.cwd,
    }).spawn();
    const dec = (s: "stdout" | "stderr") =>
      (async () => {
        const d = new TextDecoder();
        for await (const c of this.child[s]) this[s] += d.decode(c, { stream: true });
      })();
    const reading = Promise.all([dec("stdout"), dec("stderr")]);
    this.#done = this.child.status.then(async (st) => {
      await reading;
      this.status = st;
      return st;
    });
  }

  /** Resolves with the exit status once the process ended and its output is read. */
  done(): Promise<Deno.CommandStatus> {
    return this.#done;
  }

  /** Sends a signal if it still runs. */
  kill(sig: Deno.Signal = "SIGTERM"): void {
    try {
      this.child.kill(sig);
    } catch { /* already ended */ }
  }

  /** Ends it (SIGKILL) if it still runs and waits for it: for `finally` blocks. */
  async stop(): Promise<void> {
    try {
      await this.child.stdin.close();
    } catch { /* closed */ }
    if (!this.status) this.kill("SIGKILL");
    await this.#done;
  }
}

/** `faultscope ARGS` as a process (this checkout, --cached-only like the other CLI tests). */
export function faultscope(args: string[], o: { env?: Record<string, string>; cwd?: string } = {}) {
  return new Proc(
    Deno.execPath(),
    ["run", "--cached-only", "-A", new URL("main.ts", root).pathname, ...args],
    o,
  );
}

/**
 * Polls `cond` every 20 ms until it holds; fails after `limitMs` naming `what` (a bound on a
 * hang, not a time budget: the condition is what the test waits for).
 */
export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  what: string,
  limitMs = 60_000,
): Promise<void> {
  const until = performance.now() + limitMs;
  while (!(await cond())) {
    if (performance.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The NDJSON objects `watch --ndjson` printed so far (a cut last line is left for later), each
 * checked against the published schema (schemas/watch.ndjson.schema.json).
 */
export function objects(text: string): Record<string, unknown>[] {
  const lines = text.split("\n");
  lines.pop();
  return lines.filter((l) => l.trim()).map((l, i) => {
    const o = JSON.parse(l);
    assertMatchesSchema("watch.ndjson", o, `watch --ndjson line ${i + 1}`);
    return o;
  });
}

/** Whether a program is on PATH. */
export function has(program: string): boolean {
  return new Deno.Command("sh", { args: ["-c", `command -v ${program}`], stdout: "null" })
    .outputSync().success;
}

/**
 * `n` distinct free loopback ports, all held open until every one is picked: ports picked one at
 * a time can come back equal (the first is free again until its server binds it), and two
 * servers on one port made a test query node_exporter's landing page as if it were Prometheus.
 */
export function freePorts(n: number): number[] {
  const ls = Array.from({ length: n }, () => Deno.listen({ hostname: "127.0.0.1", port: 0 }));
  const ports = ls.map((l) => (l.addr as Deno.NetAddr).port);
  for (const l of ls) l.close();
  return ports;
}
