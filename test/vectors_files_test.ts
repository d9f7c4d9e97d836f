/**
 * The test vectors shipped as files (testdata/vectors/, which the README's examples read) are
 * exactly the vectors the tests use (test/support/vectors.ts, the hex as worked out for each
 * record), and every file is listed, with its size, in testdata/vectors/README.md.
 */
import assert from "node:assert/strict";
import * as V from "./support/vectors.ts";

/** The bytes of a vector's hex text (`0000:` offsets dropped), parsed here, not by src/. */
function bytesOf(hex: string): Uint8Array {
  const tokens = hex.split("\n").flatMap((l) =>
    l.replace(/^\s*[0-9a-f]{4}:/, "").trim().split(/\s+/).filter(Boolean)
  );
  return new Uint8Array(tokens.map((t) => parseInt(t, 16)));
}

const FILES: Record<string, V.Vector> = {
  "mainline-unrecov.bin": V.TV1,
  "v4-unrecov.bin": V.TV2,
  "rfc3-unrecov.bin": V.TV3,
  "mainline-page-req.bin": V.TV4,
  "rfc3-page-req.bin": V.TV5,
  "rfc3-header.bin": V.TV6,
  "dma-fault-header.bin": V.TV7,
  "resp20.bin": V.TV8_20,
  "resp24.bin": V.TV8_24,
  "hwpt-pgfault.bin": V.TV9,
  "hwpt-response.bin": V.TV9_RESPONSE,
  "vevent-lost.bin": V.TV10,
};

const dir = new URL("../testdata/vectors/", import.meta.url);

Deno.test("each vector file is its vector's bytes, and nothing else is in the folder", async () => {
  for (const [name, v] of Object.entries(FILES)) {
    const b = await Deno.readFile(new URL(name, dir));
    assert.equal(b.length, v.size, name);
    assert.deepEqual(b, bytesOf(v.hex), name);
  }
  const present = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n !== "README.md");
  assert.deepEqual(present.sort(), Object.keys(FILES).sort());
});

Deno.test("the folder's README lists every file with its size", async () => {
  const readme = await Deno.readTextFile(new URL("README.md", dir));
  for (const [name, v] of Object.entries(FILES)) {
    assert.match(
      readme,
      new RegExp(`^\\| \`${name.replace(".", "\\.")}\` +\\| +${v.size} \\|`, "m"),
    );
  }
});
