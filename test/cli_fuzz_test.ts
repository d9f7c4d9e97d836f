/**
 * Random bytes of random length fed to decode, inspect and validate never produce an uncaught
 * exception: in process through the CLI layer's own input handling (thousands of cases), and as
 * real processes (exit 0, 1 or 2; never "internal error" or a stack trace).
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { REGION_IDS } from "../src/abi/regions.ts";
import { guessAbi, looksLikeText } from "../src/codec/guess.ts";
import { InputError } from "../src/cli/errors.ts";
import { loadRegion } from "../src/cli/region_input.ts";
import { buildRegion } from "../src/region/model.ts";
import { validateRegion } from "../src/rules/validate.ts";

const root = new URL("../", import.meta.url);

/** Random bytes, sometimes shaped like a region (a real header with fields overwritten). */
const inputs = fc.oneof(
  fc.uint8Array({ minLength: 0, maxLength: 4096 }),
  fc.record({
    layout: fc.constantFrom(...REGION_IDS),
    producer: fc.nat(2000),
    consumer: fc.nat(2000),
    field: fc.nat(4),
    value: fc.nat(0xffffffff),
    cut: fc.nat(70000),
  }).map(({ layout, producer, consumer, field, value, cut }) => {
    const img = buildRegion({ layout, producer: producer % 512, consumer: consumer % 512 });
    new DataView(img.buffer).setUint32(4 * field, value, true);
    return img.subarray(0, Math.min(img.length, cut));
  }),
);

Deno.test("CLI layer: loadRegion, guessAbi and looksLikeText on random inputs", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/in.bin`;
  await fc.assert(
    fc.asyncProperty(inputs, fc.boolean(), async (bytes, withLayout) => {
      await Deno.writeFile(path, bytes);
      guessAbi(bytes, bytes.length, true); // never throws: a guess, or no fitting size
      looksLikeText(bytes);
      try {
        const { region } = await loadRegion(path, withLayout ? { layout: "rfc3" } : {});
        validateRegion(region);
      } catch (e) {
        // The only failure allowed is the documented one-line input error.
        assert.ok(e instanceof InputError, `unexpected ${e}`);
        assert.doesNotMatch(e.message, /\n/);
      }
    }),
    { numRuns: 1500 },
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("decode, inspect and validate as processes on random files: exit 0/1/2, no crash", async () => {
  const dir = await Deno.makeTempDir();
  const samples = fc.sample(inputs, { numRuns: 16, seed: 20261124 });
  for (const [i, bytes] of samples.entries()) {
    const path = `${dir}/r${i}.bin`;
    await Deno.writeFile(path, bytes);
    for (const cmd of [["decode", path, "--ndjson"], ["inspect", path], ["validate", path]]) {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "--cached-only", "-A", new URL("main.ts", root).pathname, ...cmd],
        stdout: "null",
        stderr: "piped",
        env: { NO_COLOR: "1" },
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assert.ok([0, 1, 2].includes(out.code), `${cmd[0]} ${bytes.length} bytes: exit ${out.code}`);
      assert.doesNotMatch(
        stderr,
        /internal error|Uncaught|\bat .*:\d+:\d+/,
        `${cmd[0]}: ${stderr}`,
      );
      assert.ok(stderr.trimEnd().split("\n").length <= 2, `${cmd[0]}: ${stderr}`);
    }
  }
  await Deno.remove(dir, { recursive: true });
});
