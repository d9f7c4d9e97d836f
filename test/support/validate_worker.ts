/**
 * Worker side of {@link ./guard.ts}: runs the validator (or parseHex) on one input and posts a summary, so a
 * test can give up on a hang (terminate the worker) instead of hanging the whole suite.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { type OpenOptions, openRegion } from "../../src/region/model.ts";
import { validateImage, validateSnapshots } from "../../src/rules/validate.ts";
import { parseHex } from "../../src/codec/hex.ts";

/** What the worker is asked to do. */
export interface GuardRequest {
  kind: "image" | "snapshots" | "hex";
  bytes: Uint8Array;
  /** Text for `hex`. */
  text?: string;
  /** Second snapshot, for `snapshots`. */
  bytes2?: Uint8Array;
  opts: OpenOptions;
}

/** What it answers. */
export interface GuardReply {
  ok: boolean;
  rules?: string[];
  /** Bytes parsed, for `hex`. */
  length?: number;
  error?: { name: string; message: string };
}

self.onmessage = (e: MessageEvent<GuardRequest>) => {
  const { kind, bytes, bytes2, opts, text } = e.data;
  try {
    if (kind === "hex") {
      self.postMessage({ ok: true, length: parseHex(text ?? "").length } satisfies GuardReply);
      return;
    }
    const findings = kind === "image"
      ? validateImage(bytes, opts).findings
      : validateSnapshots(openRegion(bytes, opts), openRegion(bytes2!, opts));
    self.postMessage({ ok: true, rules: findings.map((f) => f.rule) } satisfies GuardReply);
  } catch (err) {
    const { name, message } = err instanceof Error ? err : new Error(String(err));
    self.postMessage({ ok: false, error: { name, message } } satisfies GuardReply);
  }
};
