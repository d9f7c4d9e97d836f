/**
 * `faultscope rules`: one rule by ID, the rules of one severity, and JSON whose types do not
 * depend on the rule. Expected rules and severities come from domain.md section 3 (IDX-FULL is
 * the warning of a full ring, HDR-RESERVED-ZERO the RFC v3-only error on `reserved`).
 */
import assert from "node:assert/strict";
import { assertOneLineError, cli } from "./support/cli.ts";

const LAYOUTS = ["rfc3", "fault-prod", "dma-fault", "dma-fault-response"];

interface RuleJson {
  id: string;
  severity: string;
  scope: string;
  layouts: unknown;
  invariant: string;
  why: string;
  checkable: string;
  needs: string | null;
}

Deno.test("rules ID prints that one rule, in any case; --json gives a one-element array", async () => {
  const r = await cli(["rules", "IDX-FULL"]);
  assert.equal(r.code, 0, r.stderr);
  const blocks = r.stdout.trim().split("\n\n");
  assert.equal(blocks.length, 1, r.stdout);
  assert.match(blocks[0], /^IDX-FULL {2}warning {2}region {2}\(all layouts\)\n {4}invariant: /);
  const lower = await cli(["rules", "idx-full"]);
  assert.equal(lower.stdout, r.stdout);
  const j: RuleJson[] = JSON.parse((await cli(["rules", "IDX-FULL", "--json"])).stdout);
  assert.equal(j.length, 1);
  assert.equal(j[0].id, "IDX-FULL");
  assert.equal(j[0].severity, "warning");
  assert.deepEqual(j[0].layouts, LAYOUTS);
});

Deno.test("rules with an unknown ID is a one-line usage error with a did-you-mean", async () => {
  assertOneLineError(await cli(["rules", "IDX-FUL"]), 2, "unknown rule 'IDX-FUL'", "IDX-FULL");
  assertOneLineError(await cli(["rules", "NO-SUCH-THING"]), 2, "unknown rule 'NO-SUCH-THING'");
});

Deno.test("rules --severity keeps the rules of that severity only", async () => {
  const all: RuleJson[] = JSON.parse((await cli(["rules", "--json"])).stdout);
  let total = 0;
  for (const severity of ["error", "warning", "info"]) {
    const r = await cli(["rules", "--severity", severity, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const some: RuleJson[] = JSON.parse(r.stdout);
    assert.ok(some.every((x) => x.severity === severity), severity);
    assert.deepEqual(
      some.map((x) => x.id),
      all.filter((x) => x.severity === severity).map((x) => x.id),
    );
    total += some.length;
  }
  assert.equal(total, all.length);
  const errors = await cli(["rules", "--severity", "error"]);
  assert.match(errors.stdout, /^HDR-RESERVED-ZERO {2}error /m);
  assert.doesNotMatch(errors.stdout, /^IDX-FULL /m);
  const count = all.filter((x) => x.severity === "error").length;
  assert.match(errors.stdout, new RegExp(`\\n${count} rules\\n$`));
  assertOneLineError(await cli(["rules", "--severity", "fatal"]), 2, "--severity", "error");
  // An ID and a severity that do not match: nothing, said so.
  const none = await cli(["rules", "IDX-FULL", "--severity", "error"]);
  assert.equal(none.code, 0);
  assert.equal(none.stdout, "0 rules\n");
});

Deno.test("rules --json is type-stable: layouts is always an array of region layout IDs", async () => {
  const all: RuleJson[] = JSON.parse((await cli(["rules", "--json"])).stdout);
  assert.ok(all.length >= 40);
  for (const r of all) {
    assert.deepEqual(Object.keys(r), [
      "id",
      "severity",
      "scope",
      "layouts",
      "invariant",
      "why",
      "checkable",
      "needs",
    ]);
    assert.ok(["always", "with-input", "no"].includes(r.checkable), r.id);
    assert.equal(r.needs === null, r.checkable === "always", r.id);
    assert.ok(Array.isArray(r.layouts), `${r.id}: layouts is ${JSON.stringify(r.layouts)}`);
    assert.ok((r.layouts as string[]).length > 0, r.id);
    for (const l of r.layouts as string[]) assert.ok(LAYOUTS.includes(l), `${r.id}: ${l}`);
  }
  // The RFC v3-only rule keeps its one layout; a rule for every layout lists all four.
  assert.deepEqual(all.find((r) => r.id === "HDR-RESERVED-ZERO")!.layouts, ["rfc3"]);
  assert.deepEqual(all.find((r) => r.id === "LAYOUT-DETECT")!.layouts, LAYOUTS);
});

Deno.test("rules: what cannot be checked says so, and what input would make it checkable", async () => {
  const all: RuleJson[] = JSON.parse((await cli(["rules", "--json"])).stdout);
  const by = (id: string) => all.find((r) => r.id === id)!;
  // domain.md 3.3 SNAP-STALE needs eventfd counts; 3.5 FQ-RESPONSE both directions of the FD.
  for (const id of ["SNAP-STALE", "FQ-RESPONSE"]) {
    assert.equal(by(id).checkable, "no", id);
    assert.match(by(id).needs!, /which faultscope cannot take/, id);
  }
  assert.match(by("SNAP-STALE").needs!, /eventfd/);
  // Checkable with an input faultscope takes, named by its flag.
  assert.equal(by("IDX-SHADOW").checkable, "with-input");
  assert.match(by("IDX-SHADOW").needs!, /--shadow N/);
  assert.match(by("SNAP-OVERTAKE").needs!, /--max-progress N/);
  assert.match(by("VEQ-LOST-LAST").needs!, /--one-read/);
  assert.match(by("VEQ-DEPTH").needs!, /--one-read.*--veventq-depth N/);
  assert.equal(by("IDX-FULL").checkable, "always");
  const human = await cli(["rules", "SNAP-STALE"]);
  assert.match(human.stdout, /NOT CHECKABLE: needs the eventfd signal count/);
  assert.match((await cli(["rules", "FQ-GROUP"])).stdout, /^FQ-GROUP {2}error /m);
});
