/**
 * Where `watch` publishes its metrics: an HTTP endpoint (`--listen HOST:PORT`, `/metrics`, the
 * format chosen by the scraper's Accept header) and a file for node_exporter's textfile
 * collector (`--metrics-file`, rewritten atomically: a temporary file renamed over it).
 *
 * @example
 * ```ts
 * import { serveMetrics } from "./export.ts";
 * import { WatchMetrics } from "../../../watch/exporter.ts";
 * const metrics = new WatchMetrics({ maxDevices: 64, version: "0.1.0", runtime: Deno.version.deno });
 * const server = serveMetrics({ hostname: "127.0.0.1", port: 0 }, metrics);
 * server.address.port > 0; // => true: the port the system picked
 * await server.shutdown();
 * ```
 * @module
 */
import { CONTENT_TYPE, negotiate } from "../../../watch/metrics.ts";
import type { WatchMetrics } from "../../../watch/exporter.ts";
import { checkOutput, OutputError, writeFileAtomic } from "../../atomic_file.ts";
import { deniedReason, InputError, osWords } from "../../errors.ts";

/** A listen address. */
export interface ListenAddress {
  /** Host name or address (IPv6 without brackets). */
  hostname: string;
  /** TCP port; 0 lets the system pick one. */
  port: number;
}

/** The metrics server. */
export interface MetricsServer {
  /** The address it listens on (the real port when 0 was asked). */
  address: ListenAddress;
  /** Stops it. */
  shutdown(): Promise<void>;
}

const INDEX = `<html><head><title>faultscope watch</title></head><body>` +
  `<h1>faultscope watch</h1><p><a href="/metrics">Metrics</a></p></body></html>\n`;

/**
 * Serves `/metrics` on `addr`. A port already taken or an address that cannot be bound is an
 * {@link InputError} (exit 2): an exporter that cannot serve has nothing to do.
 */
export function serveMetrics(addr: ListenAddress, metrics: WatchMetrics): MetricsServer {
  const abort = new AbortController();
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({
      hostname: addr.hostname,
      port: addr.port,
      signal: abort.signal,
      onListen() {},
      onError: () => new Response("internal error\n", { status: 500 }),
    }, (req) => {
      const url = new URL(req.url);
      if (req.method !== "GET" && req.method !== "HEAD") {
        return new Response("method not allowed\n", {
          status: 405,
          headers: { allow: "GET, HEAD" },
        });
      }
      if (url.pathname === "/") {
        return new Response(INDEX, { headers: { "content-type": "text/html; charset=utf-8" } });
      }
      if (url.pathname !== "/metrics") return new Response("not found\n", { status: 404 });
      const format = negotiate(req.headers.get("accept"));
      return new Response(req.method === "HEAD" ? null : metrics.registry.render(format), {
        headers: { "content-type": CONTENT_TYPE[format] },
      });
    });
  } catch (e) {
    const why = e instanceof Deno.errors.AddrInUse
      ? "address already in use"
      : e instanceof Deno.errors.PermissionDenied || e instanceof Deno.errors.NotCapable
      ? deniedReason(e)
      : e instanceof Deno.errors.AddrNotAvailable
      ? "address not available on this host"
      : osWords(e);
    throw new InputError(`--listen ${addr.hostname}:${addr.port}: cannot listen: ${why}`);
  }
  return {
    address: { hostname: server.addr.hostname, port: server.addr.port },
    async shutdown() {
      abort.abort();
      await server.finished;
    },
  };
}

/**
 * Writes the metrics file when the metrics changed. A failure after the start (the directory
 * became read-only, the disk is full) is said once, and the writer keeps trying; it says so
 * again when a write succeeds.
 */
export class MetricsFile {
  #written = -1;
  #failing = false;

  /**
   * Checks now that `path` can be written (else {@link OutputError}, exit 2).
   *
   * @param note reports a failure or a recovery, in one line
   */
  constructor(
    readonly path: string,
    readonly metrics: WatchMetrics,
    readonly note: (text: string) => void,
  ) {
    checkOutput(path, "metrics file");
  }

  /** Rewrites the file if anything changed since the last write (`force`: anyway). */
  write(force = false): void {
    if (!force && this.metrics.version === this.#written) return;
    const version = this.metrics.version;
    try {
      writeFileAtomic(this.path, this.metrics.registry.render("prometheus"), "metrics file");
      this.#written = version;
      if (this.#failing) {
        this.#failing = false;
        this.note(`${this.path}: written again`);
      }
    } catch (e) {
      if (!(e instanceof OutputError)) throw e;
      if (!this.#failing) {
        this.#failing = true;
        this.note(`${e.message}; still watching, retrying every interval`);
      }
    }
  }
}
