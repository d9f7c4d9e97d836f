/**
 * `src/cli/atomic_file.ts`: an output is complete or absent. A file is replaced only by a
 * complete new one, an abort or a failed write leaves the old one and no temporary file, and
 * every failure is one line naming the file.
 */
import assert from "node:assert/strict";
import { AtomicFile, checkOutput, OutputError, writeFileAtomic } from "../src/cli/atomic_file.ts";

const names = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

Deno.test("commit replaces the file whole; until then the old one is what readers see", async () => {
  const dir = await Deno.makeTempDir();
  const p = `${dir}/out.bin`;
  await Deno.writeTextFile(p, "old");
  const f = AtomicFile.open(p, "image");
  f.write("new ");
  assert.equal(await Deno.readTextFile(p), "old", "not yet");
  assert.equal(names(dir).length, 2, "a temporary file beside it");
  f.write(new TextEncoder().encode("content"));
  f.commit();
  assert.equal(await Deno.readTextFile(p), "new content");
  assert.deepEqual(names(dir), ["out.bin"]);
  f.abort(); // after a commit: nothing to undo
  assert.equal(await Deno.readTextFile(p), "new content");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("abort (or leaving a using block) keeps the old file and removes the temporary one", async () => {
  const dir = await Deno.makeTempDir();
  const p = `${dir}/t.ndjson`;
  await Deno.writeTextFile(p, "old\n");
  {
    using f = AtomicFile.open(p, "trace");
    f.write("half a li");
  }
  assert.equal(await Deno.readTextFile(p), "old\n");
  assert.deepEqual(names(dir), ["t.ndjson"]);
  // A new path stays absent.
  const g = AtomicFile.open(`${dir}/new.svg`, "chart");
  g.write("<svg");
  g.abort();
  assert.deepEqual(names(dir), ["t.ndjson"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the replaced file keeps its permissions; a link keeps pointing at it", async () => {
  const dir = await Deno.makeTempDir();
  const p = `${dir}/real.bin`;
  await Deno.writeTextFile(p, "old");
  await Deno.chmod(p, 0o640);
  await Deno.symlink(p, `${dir}/link.bin`);
  writeFileAtomic(`${dir}/link.bin`, "new", "image");
  assert.equal((await Deno.lstat(`${dir}/link.bin`)).isSymlink, true);
  assert.equal(await Deno.readTextFile(p), "new");
  assert.equal((await Deno.stat(p)).mode! & 0o777, 0o640);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a device is written in place; a full one is an OutputError naming it", () => {
  writeFileAtomic("/dev/null", "discarded", "trace");
  assert.throws(() => writeFileAtomic("/dev/full", new Uint8Array(100), "region image"), (e) => {
    assert.ok(e instanceof OutputError);
    assert.equal(e.exitCode, 2);
    assert.equal(e.message, "/dev/full: cannot write the region image: no space left on device");
    return true;
  });
});

Deno.test("checkOutput: a missing directory, a directory as the file, one line each", async () => {
  assert.throws(
    () => checkOutput("/nonexistent/dir/x.svg", "chart"),
    /^OutputError: \/nonexistent\/dir\/x\.svg: cannot write the chart: no such directory \/nonexistent\/dir$/,
  );
  const dir = await Deno.makeTempDir();
  assert.throws(() => checkOutput(dir, "chart"), /: is a directory$/);
  assert.throws(
    () => checkOutput(`${dir}/f/x`, "chart"),
    /no such directory/,
  );
  await Deno.writeTextFile(`${dir}/f`, "");
  assert.throws(
    () => checkOutput(`${dir}/f/x`, "chart"),
    /cannot write the chart: .*not a directory/,
  );
  assert.equal(checkOutput(`${dir}/new.bin`, "image").kind, "new");
  assert.equal(checkOutput(`${dir}/f`, "image").kind, "file");
  assert.equal(checkOutput("/dev/null", "image").kind, "device");
  assert.deepEqual(names(dir), ["f"], "the writability probe is gone");
  await Deno.remove(dir, { recursive: true });
});
