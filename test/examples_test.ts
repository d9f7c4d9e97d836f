/**
 * Every example runs, and does what it says: the examples of every command's `--help` (the
 * command table) and the README's command blocks (a fenced block whose first line starts with
 * `$ faultscope`, `$ ... | faultscope` or `faultscope`).
 *
 * Each example is run as written by a real bash (`set -o pipefail`), with a `faultscope` on PATH
 * that runs this checkout, in a fresh temporary directory holding a `testdata` link, so relative
 * inputs resolve and outputs (`--out storm.bin`, `> bench.json`) land there and are removed.
 * A README example that shows its output (`$ faultscope ...` then the lines it prints) must print
 * exactly those lines (`...` stands for lines left out; `$ echo $?` for the exit status). Every
 * other example has an entry in EXPECT below saying what it must print or write, checked
 * against the references (abi.md, domain.md) and the fixtures testdata/generate.ts builds; an
 * example without one fails until its entry is written.
 *
 * Skipped, and listed as ignored tests with the reason: the table's `skip` examples (a device
 * node), and its `slow` ones (minutes of benchmark) unless FAULTSCOPE_SLOW_EXAMPLES=1.
 */
import assert from "node:assert/strict";
import { COMMANDS } from "../src/cli/commands.ts";
import { exampleLine } from "../src/cli/spec.ts";
import { data, root } from "./support/cli.ts";
import { checkJsonOutputs } from "./support/schema.ts";

/** One example, wherever it is shown. */
interface Example {
  /** Where it is shown: `faultscope inspect --help` or `README.md:42`. */
  where: string;
  /** The command line, exactly as shown (comments and continuation lines included). */
  line: string;
  skip?: string;
  slow?: string;
  /** The README's shown output, with `...` for lines left out. */
  shown?: string[];
  /** The exit status the README shows with `$ echo $?`. */
  shownCode?: number;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** The directory it ran in (outputs land there). */
  dir: string;
}

/** What an example must do, beyond what the README shows. */
interface Expect {
  /** Exit status (default 0). */
  code?: number;
  /** Programs the example itself calls besides faultscope. */
  needs?: string[];
  /** The shell whose syntax the example is written in (default bash). */
  shell?: "bash" | "zsh" | "fish";
  /** Shell code run before the example, in the same shell (what the README says comes first). */
  before?: string;
  /** Shell code run after the example in the same shell (to look at what it did). */
  then?: string;
  check(r: Run): void | Promise<void>;
}

/** An example's command without its trailing `# comment`, spaces collapsed: the EXPECT key. */
function key(line: string): string {
  return line.replace(/\s+#\s.*$/, "").replace(/\s+/g, " ").trim();
}

const text = (dir: string, name: string) => Deno.readTextFileSync(`${dir}/${name}`);
const json = (s: string) => JSON.parse(s);
const REGION_LAYOUTS = ["rfc3", "fault-prod", "dma-fault", "dma-fault-response"]; // abi.md
// logs.md 3.5, 3.6, 4.1, 4.5, 5.1, 5.6, 7: the hardware and paravirtual records.
const HARDWARE = [
  "smmuv3-evt",
  "smmuv3-priq",
  "amd-evt",
  "amd-ppr",
  "vtd-fault",
  "vtd-prq",
  "virtio-iommu-fault",
  "arm-smmu-fsr",
  "arm-smmu-fsynr0",
];
const GENERATIONS = [
  "rfc3",
  "v4",
  "v7",
  "v8",
  "mainline",
  "resp20",
  "resp24",
  "hwpt-pgfault",
  "hwpt-response",
];

/** Counts the lines of a (large) file and returns its first and last ones, streaming. */
async function lines(path: string): Promise<{ count: number; first: string; last: string }> {
  const file = await Deno.open(path);
  let count = 0, first = "", last = "", carry = "";
  const dec = new TextDecoder();
  for await (const chunk of file.readable) {
    const parts = (carry + dec.decode(chunk, { stream: true })).split("\n");
    carry = parts.pop()!;
    for (const p of parts) {
      if (count === 0) first = p;
      last = p;
      count++;
    }
  }
  if (carry) [count, last] = [count + 1, carry];
  return { count, first, last };
}

/**
 * What each example must do, by command line (see {@link key}). Expected values: rfc3-sample.bin
 * holds 5 pending records, slots 1363..2 of 1365 (size 1365, prod 3, cons 1363);
 * rfc3-corrupt.bin has reserved 0xdead and prod 4000; dma-fault-sample.bin 4 pending of 512,
 * tail 510, head 2; mainline-capture.bin 3 records of 64 bytes, rfc3-capture.bin 5 of 48
 * (testdata/generate.ts). TV3 of abi.md is the RFC v3 PERMISSION fault at 0xdeadb000.
 */
const EXPECT: Record<string, Expect> = {
  "faultscope simulate --realtime --speed 10 --out live.bin": {
    async check(r) {
      // The seed scenario, written in place as it ran: a whole 64 KiB RFC v3 image at the end.
      assert.equal((await Deno.stat(`${r.dir}/live.bin`)).size, 65536);
      assert.match(r.stdout, /^seed-storm-stalled/m);
      assert.match(r.stdout, /snapshot +live\.bin after event/);
    },
  },
  "faultscope watch testdata/rfc3-sample.bin --from-start --duration 0.3": {
    check(r) {
      // The 5 pending records, consumer order: slots 1363, 1364, 0, 1, 2; the first is TV3.
      const faults = r.stdout.split("\n").filter((l) => /\[slot \d+\]$/.test(l));
      assert.deepEqual(faults.map((l) => l.match(/slot (\d+)/)![1]), [
        "1363",
        "1364",
        "0",
        "1",
        "2",
      ]);
      assert.match(faults[0], /PERMISSION \(10\) +addr=0xdeadb000/);
      assert.match(r.stdout, /^watched 1 source for .* \(--duration 0\.3\): 5 faults$/m);
      assert.match(r.stdout, /^complete: /m);
    },
  },
  "faultscope watch - --abi mainline --ndjson < testdata/mainline-capture.bin": {
    check(r) {
      // 3 records of 64 bytes: PERMISSION, WALK_EABT, a page request (generate.ts); stdin ends.
      const objs = r.stdout.trim().split("\n").map(json);
      assert.deepEqual(objs.map((o) => o.type), ["fault", "fault", "fault"]);
      assert.deepEqual(objs.map((o) => o.fault.index), [0, 1, 2]);
      assert.deepEqual(objs.map((o) => o.fault.type_name), [
        "DMA_UNRECOV",
        "DMA_UNRECOV",
        "PAGE_REQ",
      ]);
      assert.equal(objs[0].fault.event.reason_name, "PERMISSION");
      assert.equal(objs[0].source, "stdin");
      assert.match(r.stderr, /every source ended\): 3 faults/);
    },
  },
  "faultscope watch --log testdata/klog/vectors_logs_md_9.log --from-start --duration 0.5 --ndjson":
    {
      check(r) {
        const objs = r.stdout.trim().split("\n").map(json);
        // logs.md T2: VT-d, device 3b:00.0, 0xfee00000, reason 0x06.
        assert.ok(
          objs.some((o) =>
            o.type === "fault" && o.fault.addr === "0xfee00000" && o.fault.code === 6
          ),
        );
        // T5 and A-section lines: 37 and 211 callbacks suppressed, each a counted loss of messages.
        const suppressed = objs.filter((o) => o.type === "loss" && o.cause === "suppressed");
        assert.ok(suppressed.some((o) => o.count === 37));
        assert.ok(suppressed.some((o) => o.count === 211));
        assert.ok(suppressed.every((o) => o.unit === "messages"));
      },
    },
  "faultscope demo": {
    check(r) {
      // simulate, then inspect and validate what it wrote; the stalled VMM lets the storm fill
      // the 1365-entry ring (one slot stays empty): 1364 pending, IDX-FULL.
      assert.match(r.stdout, /^\$ faultscope simulate /m);
      assert.match(r.stdout, /^\$ faultscope inspect /m);
      assert.match(r.stdout, /^\$ faultscope validate /m);
      assert.match(r.stdout, /1364 pending, 0 free of 1364 usable/);
      assert.match(r.stdout, /warning\s+IDX-FULL/);
      // Then the kernel log's storm: an SMMUv3 event and the iommu_fault of each kernel path.
      assert.match(r.stdout, /^\$ faultscope decode --abi smmuv3-evt --as-iommu-fault /m);
      assert.match(r.stdout, /^iommu_fault each record becomes/m);
    },
  },
  "faultscope demo --dir demo": {
    async check(r) {
      assert.equal((await Deno.stat(`${r.dir}/demo/seed-storm.bin`)).size, 65536);
      assert.match(text(`${r.dir}/demo`, "seed-storm.svg"), /^<svg/);
      assert.match(text(`${r.dir}/demo`, "iommu-storm.log"), /^\[ {2}812\.004417\] DMAR: /);
    },
  },
  "faultscope decode testdata/mainline-capture.bin": {
    check(r) {
      assert.match(r.stdout, /^abi mainline: .*64 bytes/m);
      const rows = r.stdout.split("\n").filter((l) => /^\s+\d+\s+0x/.test(l));
      assert.equal(rows.length, 3); // 192 bytes = 3 x 64
      assert.match(rows[0], /DMA_UNRECOV\(1\)\s+PERMISSION\(6\)/);
    },
  },
  [
    key(
      "faultscope decode --abi rfc3 --hex '01 00 00 00 0a 00 00 00 00 b0 ad de 00 00 00 00 " +
        "00 00 00 00 00 00 00 00 05 00 00 00 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 " +
        "00 00 00 00'",
    )
  ]: {
    check(r) {
      // TV3: type 1, RFC v3 reason 10 = PERMISSION, addr 0xdeadb000, pasid 5.
      assert.match(r.stdout, /^abi rfc3: .*48 bytes.*given/m);
      const rows = r.stdout.split("\n").filter((l) => /^\s+\d+\s+0x/.test(l));
      assert.equal(rows.length, 1);
      assert.match(rows[0], /DMA_UNRECOV\(1\)\s+PERMISSION\(10\)/);
      assert.match(rows[0], /0xdeadb000/);
    },
  },
  "xxd testdata/rfc3-capture.bin | faultscope decode - --ndjson": {
    needs: ["xxd"],
    check(r) {
      const records = r.stdout.trimEnd().split("\n").map(json);
      assert.equal(records.length, 5);
      assert.ok(records.every((x) => x.abi === "rfc3"));
      assert.deepEqual(records.map((x) => x.index), [0, 1, 2, 3, 4]);
      assert.equal(records[0].addr, "0xdeadb000");
      assert.match(r.stderr, /guessed rfc3/); // it says it guessed, on stderr
    },
  },
  // logs.md section 9's vectors: 27 faults (10 VT-d, 6 AMD-Vi, 7 SMMUv3, 1 arm-smmu, 2
  // virtio-iommu, 1 tracepoint) and 8 signs of loss hiding at least 354 faults (211 + 118 + 9
  // refused calls, a third of dmar_fault's 37, four overflows).
  "faultscope dmesg testdata/klog/vectors_logs_md_9.log": {
    check(r) {
      assert.match(r.stdout, /^summary {2}27 faults in 65 lines \(dmesg\), 8 signs of loss$/m);
      assert.match(r.stdout, /at least 354 faults were not logged/);
    },
  },
  [
    key(
      "faultscope dmesg testdata/klog/amd.log --iomem testdata/klog/iomem.txt " +
        "--lspci testdata/klog/lspci.txt --no-events",
    )
  ]: {
    check(r) {
      // Three writes by 01:00.0 with AMD-Vi's PR flag clear, all in the System RAM range
      // 0a210000-cfffffff of the iomem copy; lspci -mm names the device.
      assert.match(
        r.stdout,
        /^0000:01:00\.0 \(Qualcomm Atheros QCA986x\/988x 802\.11ac Wireless Network Adapter\) wrote 3 times into System RAM at 0xcece9e50-0xcff49550 while its domain had no mapping/m,
      );
    },
  },
  "faultscope inspect testdata/rfc3-sample.bin": {
    check(r) {
      assert.match(r.stdout, /size=1365 prod=3 cons=1363 reserved=0/);
      assert.match(r.stdout, /5 pending, 1359 free of 1364 usable/);
    },
  },
  "faultscope inspect testdata/dma-fault-sample.bin --layout dma-fault --raw": {
    check(r) {
      assert.match(r.stdout, /tail=510 entry_size=64 nb_entries=512 offset=0x1000 head=2/);
      assert.match(r.stdout, /4 pending/);
      // --raw: each of the 4 pending 64-byte records as 4 lines of 16 bytes.
      const hex = r.stdout.match(/^\s+[0-9a-f]+: (?:[0-9a-f]{2} ){15}[0-9a-f]{2}$/gm) ?? [];
      assert.equal(hex.length, 16, r.stdout);
    },
  },
  "faultscope inspect testdata/rfc3-sample.bin --brief": {
    check(r) {
      // size 1365, prod 3, cons 1363: 5 pending, 1364 usable - 5 = 1359 free.
      assert.equal(
        r.stdout,
        "testdata/rfc3-sample.bin: rfc3 region, rfc3 records (48 bytes), capacity 1365: " +
          "5 pending, 1359 free; not full\n",
      );
    },
  },
  "faultscope inspect testdata/dma-fault-sample.bin --reason PERMISSION --summary": {
    check(r) {
      // Pending: 510 PERMISSION at 0xdeadb000, 511 WALK_EABT, 0 PAGE_REQ, 1 PERMISSION at
      // 0xdeadb000 (testdata/generate.ts): two kept, one page.
      assert.match(r.stdout, /^summary of 2 records:$/m);
      assert.match(r.stdout, /^ {2}DMA_UNRECOV {2}PERMISSION {8}2$/m);
      assert.match(r.stdout, /^ {2}addresses 0xdeadb000-0xdeadb000 in 1 page of 4 KiB$/m);
      assert.match(r.stdout, /^2 pending records not shown: left out by the filters/m);
      assert.doesNotMatch(r.stdout, /^slot /m, "the summary replaces the records");
    },
  },
  "faultscope decode testdata/mainline-capture.bin --type DMA_UNRECOV --summary": {
    check(r) {
      // TV1 (PERMISSION at 0xdeadb000), a WALK_EABT at 0x1000, TV4 (a page request, left out).
      assert.match(r.stdout, /^summary of 2 records:$/m);
      assert.match(r.stdout, /^ {2}DMA_UNRECOV {2}PERMISSION {8}1$/m);
      assert.match(r.stdout, /^ {2}DMA_UNRECOV {2}WALK_EABT {9}1$/m);
      assert.match(r.stdout, /^ {2}addresses 0x1000-0xdeadb000 in 2 pages of 4 KiB$/m);
    },
  },
  [
    key(
      "faultscope decode testdata/mainline-capture.bin --pasid 5 --addr 0xdead0000-0xdeadffff " +
        "--count 10",
    )
  ]: {
    check(r) {
      // PASID 5: TV1 at 0xdeadb000 and TV4 at 0x10000; only TV1 is in the range.
      const rows = r.stdout.split("\n").filter((l) => /^\s+\d+\s+0x/.test(l));
      assert.equal(rows.length, 1, r.stdout);
      assert.match(rows[0], /^\s+0\s+0x0\s+DMA_UNRECOV\(1\)\s+PERMISSION\(6\)/);
      assert.match(r.stdout, /^1 of 3 records shown$/m);
    },
  },
  "faultscope validate testdata/rfc3-sample.bin": {
    check(r) {
      assert.match(r.stdout, /consistent: 0 errors, 0 warnings/);
    },
  },
  "faultscope validate testdata/rfc3-corrupt.bin --previous testdata/rfc3-sample.bin --json": {
    code: 1, // errors found: validate's documented status
    check(r) {
      const j = json(r.stdout);
      const rules = j.findings.map((f: { rule: string }) => f.rule);
      assert.ok(rules.includes("HDR-RESERVED-ZERO"), rules.join());
      assert.ok(rules.includes("IDX-PROD-RANGE"), rules.join());
      assert.ok(j.errors >= 2);
    },
  },
  "faultscope rules IDX-FULL": {
    check(r) {
      assert.match(r.stdout, /^IDX-FULL {2}warning {2}region/);
      assert.equal(r.stdout.match(/^\S/gm)!.length, 1); // one rule
    },
  },
  "faultscope rules --severity error": {
    check(r) {
      const heads = r.stdout.match(/^[A-Z0-9-]+ {2}\w+ /gm)!;
      assert.ok(heads.length > 10);
      assert.ok(heads.every((h) => h.endsWith("  error ")), heads.join());
      assert.match(r.stdout, /^HDR-RESERVED-ZERO {2}error /m);
    },
  },
  "faultscope rules --json": {
    check(r) {
      const rules = json(r.stdout);
      assert.ok(rules.length >= 40);
      for (const x of rules) assert.ok(Array.isArray(x.layouts), x.id);
    },
  },
  "faultscope layout": {
    check(r) {
      // every generation, one line each: each record ABI and region layout of abi.md once.
      const ids = r.stdout.split("\n").filter((l) => /^\S+\s+(record|region|stream)\s/.test(l))
        .map((l) => l.split(/\s+/)[0]);
      assert.deepEqual(ids, [...GENERATIONS, ...HARDWARE, ...REGION_LAYOUTS, "vevent"]);
    },
  },
  [
    key(
      "faultscope decode --abi smmuv3-evt --as-iommu-fault --hex '13 38 00 00 08 00 00 00 " +
        "2a 00 00 80 02 11 00 00 00 10 00 d0 aa aa 00 00 00 40 23 81 00 00 00 00'",
    )
  ]: {
    check(r) {
      // logs.md 9.3 R2: F_PERMISSION, SSV 1, SSID 3, SID 8, STAG 0x2a, Stall, PnU, write,
      // CLASS 1, TT_READ, iova 0xaaaad0001000, ipa 0x81234000 (masked, not shifted).
      assert.match(
        r.stdout,
        /^\s+0\s+0x0\s+F_PERMISSION\(19\)\s+1\s+3\s+8\s+42\s+1\s+1\s+0\s+0\s+0\s+Stage 1 translation table fetch\(1\)\s+1\s+0xaaaad0001000\s+0x81234000\s*$/m,
      );
      // Stalled, so every mainline era reports a page request (logs.md 5.3): LAST_PAGE |
      // PASID_VALID, pasid = SSID, perm WRITE | PRIV, grpid = STAG; the nested series an
      // unrecoverable PERMISSION fault (abi.md 6).
      assert.match(
        r.stdout,
        /mainline-6\.8\s.*PAGE_REQ\(2\)\s+0x3 PASID_VALID\|LAST_PAGE\s+3\s+0xa WRITE\|PRIV\s+0xaaaad0001000\s+42/,
      );
      assert.match(
        r.stdout,
        /nested-v9-v12\s.*DMA_UNRECOV\(1\)\s+PERMISSION\(6\)\s+0x3 PASID_VALID\|ADDR_VALID/,
      );
    },
  },
  "faultscope decode --abi amd-evt --hex '00 04 00 00 00 00 70 20 00 00 00 fd 00 00 00 00'": {
    check(r) {
      // logs.md 9.2 A2: IO_PAGE_FAULT from 04:00.0, domain 0, flags 0x070 = PR|RW|PE.
      assert.match(
        r.stdout,
        /^\s+0\s+0x0\s+04:00\.0\s.*0x70 PR\|RW\|PE\s+IO_PAGE_FAULT\(2\)\s+0xfd000000$/m,
      );
    },
  },
  "faultscope layout rfc3": {
    check(r) {
      assert.match(r.stdout, /__u64 fetch_addr;\s+\/\*\s+16\s+8 \*\//); // abi.md 2.1
      assert.match(r.stdout, /size: 48/);
      assert.match(r.stdout, /struct vfio_fault_region_header/);
    },
  },
  "faultscope layout dma-fault --json": {
    check(r) {
      const j = json(r.stdout);
      assert.equal(j.records.length, 0); // dma-fault names a region layout only
      assert.equal(j.regions[0].id, "dma-fault");
      assert.equal(j.regions[0].struct, "vfio_region_dma_fault");
    },
  },
  "faultscope layout vevent": {
    check(r) {
      // iommufd_vevent_header: flags at 0 and sequence at 4, 8 bytes; LOST_EVENTS = bit 0
      // (include/uapi/linux/iommufd.h, v6.15+).
      assert.match(r.stdout, /__u32 flags;\s+\/\*\s+0\s+4 \*\//);
      assert.match(r.stdout, /__u32 sequence;\s+\/\*\s+4\s+4 \*\//);
      assert.match(r.stdout, /IOMMU_VEVENTQ_FLAG_LOST_EVENTS = \(1 << 0\)/);
      // ARM_SMMUV3 = 1 with __aligned_le64 evt[4] (32 bytes); TEGRA241_CMDQV = 2 with
      // lvcmdq_err_map[2] (16 bytes); the IPA is evt[3] & GENMASK(51, 12), not shifted.
      assert.match(r.stdout, /ARM_SMMUV3 = 1;[^\n]*\n\s+__aligned_le64 evt\[4\];\s+\/\*\s+8\s+32/);
      assert.match(
        r.stdout,
        /TEGRA241_CMDQV = 2;[^\n]*\n\s+__aligned_le64 lvcmdq_err_map\[2\];\s+\/\*\s+8\s+16/,
      );
      assert.match(r.stdout, /evt\[3\] bits 51:12: ipa: .*masked, not shifted/);
      assert.match(r.stdout, /evt\[0\] bits 63:32: vsid: virtual StreamID/);
      assert.match(r.stdout, /^source: torvalds\/linux@\w+ drivers\/iommu\/iommufd\/eventq\.c /m);
    },
  },
  "faultscope simulate": {
    check(r) {
      // the seed's 64 KiB region, storm, stalled VMM: faults dropped, the ring left full.
      assert.match(r.stdout, /^seed-storm-stalled /);
      assert.match(r.stdout, /region\s+rfc3, 1365 entries .* 65536 bytes/);
      assert.match(r.stdout, /dropped\s+[1-9]\d*/);
      assert.match(r.stdout, /pending at end\s+1364\n/);
    },
  },
  "faultscope simulate --scenario testdata/scenarios/v8-85-circ.json --plot v8.svg": {
    check(r) {
      assert.match(r.stdout, /^v8-85-circ /);
      assert.match(r.stdout, /region\s+fault-prod, 85 entries/);
      assert.match(r.stdout, /index math circ/);
      assert.match(text(r.dir, "v8.svg"), /^<svg[^>]*>[\s\S]*<\/svg>\s*$/);
    },
  },
  [
    key(
      "faultscope simulate --events 1000000 --trace run.ndjson --snapshot-every 250000 " +
        "--out snap.bin --json",
    )
  ]: {
    async check(r) {
      assert.equal(json(r.stdout).events, 1_000_000);
      // An event is one line of the trace, between a begin and an end line.
      const trace = await lines(`${r.dir}/run.ndjson`);
      assert.equal(trace.count, 1_000_000 + 2);
      assert.equal(json(trace.first).ev, "begin");
      assert.equal(json(trace.last).ev, "end");
      for (const n of ["0250000", "0500000", "0750000", "1000000"]) {
        assert.equal((await Deno.stat(`${r.dir}/snap-${n}.bin`)).size, 65536, n);
      }
    },
  },
  "faultscope simulate --header-check stop --inject cons_out_of_range@1000": {
    check(r) {
      // The default storm: faults every 0.25 µs from 1000 µs, the VMM's records every 2 µs from
      // 1012 µs (wake 10, service 2). Event 1000 is the fault at 1222.75 µs; cons = 1365 (the
      // capacity, out of range) is written as event 1001; the next event is the fault at 1223
      // µs (the VMM's next cons write is at 1224), so the kernel stops the queue at event 1002.
      assert.match(r.stdout, /header check stop/);
      assert.match(r.stdout, /injected\s+cons_out_of_range = 1365 as event 1001 \(t = 1\.223 ms\)/);
      assert.match(r.stdout, /queue\s+stopped by the kernel at event 1002: cons 1365 >= 1365/);
      assert.match(r.stdout, /queue stopped\s+yes/);
      assert.match(r.stdout, /dropped\s+\d+ \(queue_stopped \d+\)/);
    },
  },
  "faultscope simulate --layout dma-fault --kernel-policy rfc3": {
    check(r) {
      // abi.md 3.3: 512 entries of 64-byte records, ALIGN(64 * 512, 4096) + 4096 = 36864 bytes;
      // the RFC v3 kernel's policy (4.1, modulo and no check), the v9+ VMM's per-drain cons write.
      assert.match(r.stdout, /region\s+dma-fault, 512 entries of mainline records, 36864 bytes/);
      assert.match(r.stdout, /kernel\s+drop new when full, index math modulo, header check none/);
      assert.match(r.stdout, /layout defaults\s+cons_write per_drain \(dma-fault's/);
    },
  },
  "faultscope simulate --scenario-keys": {
    check(r) {
      assert.match(r.stdout, /^name {2}string/);
      assert.match(
        r.stdout,
        /^region\.layout {2}rfc3 \| fault-prod \| dma-fault; default: "rfc3"$/m,
      );
      assert.match(
        r.stdout,
        /^inject\[\]\.kind {2}cons_out_of_range \| reserved_nonzero \| size_changed \| prod_corrupt;/m,
      );
    },
  },
  "faultscope bench": {
    check(r) {
      assert.match(r.stdout, /verified/i);
    },
  },
  "faultscope bench --duration 0.1 --batch 1,64 --layout dma-fault --no-idle --json > bench.json": {
    check(r) {
      assert.equal(r.stdout, ""); // all of it went to the file
      const j = json(text(r.dir, "bench.json"));
      assert.equal(j.verified, true);
      assert.equal(j.options.duration_ms, 100);
      assert.deepEqual(j.options.batches, [1, 64]);
      assert.deepEqual([j.latency, j.idle], [[], []]); // --no-idle: no probes, no idle check
      // The ring rows (baselines have no layout) are dma-fault's only, at batch 1 and 64.
      const ring = j.results.filter((x: { layout: string | null }) => x.layout !== null);
      assert.ok(ring.length > 0);
      assert.ok(ring.every((x: { layout: string }) => x.layout === "dma-fault"));
      assert.deepEqual([...new Set(ring.map((x: { batch: number }) => x.batch))].sort(), [1, 64]);
    },
  },
  "faultscope bench --records 100000000 --wait spin-wait": {
    check(r) {
      assert.match(r.stdout, /verified/i);
    },
  },
  "faultscope bench --repeat 3 --json": {
    check(r) {
      const j = json(r.stdout);
      assert.equal(j.options.repeat, 3);
      assert.equal(j.verified, true);
    },
  },
  "source <(faultscope complete bash)": {
    then: "complete -p faultscope",
    check(r) {
      assert.equal(r.stdout, "complete -F _faultscope faultscope\n");
    },
  },
  "faultscope complete zsh > _faultscope": {
    check(r) {
      assert.match(text(r.dir, "_faultscope"), /^#compdef faultscope\n/);
    },
  },
  "faultscope complete fish | source": {
    needs: ["fish"],
    shell: "fish",
    then: "complete -C 'faultscope insp'",
    check(r) {
      assert.match(r.stdout, /^inspect\t/);
    },
  },
  "source <(faultscope complete zsh)": {
    needs: ["zsh"],
    shell: "zsh",
    before: "autoload -Uz compinit && compinit -D -u",
    then: "print -r -- $_comps[faultscope]",
    check(r) {
      assert.equal(r.stdout, "_faultscope\n");
    },
  },
  "faultscope schema": {
    check(r) {
      // One line per JSON output: <command>.<option>, then how to get it.
      const ids = r.stdout.trimEnd().split("\n").map((l) => l.split(/\s+/)[0]);
      for (const id of ["decode.json", "decode.ndjson", "inspect.json", "simulate.trace"]) {
        assert.ok(ids.includes(id), `${id} in ${ids.join(" ")}`);
      }
      assert.match(r.stdout, /^simulate\.trace\s+simulate --trace FILE: /m);
    },
  },
  "faultscope schema decode.ndjson > decode.ndjson.schema.json": {
    check(r) {
      const s = json(text(r.dir, "decode.ndjson.schema.json"));
      assert.equal(s.$schema, "https://json-schema.org/draft/2020-12/schema");
      assert.equal(s.title, "faultscope decode --ndjson");
      // Each record generation has its schema (abi.md's generations).
      for (const g of GENERATIONS) assert.ok(s.$defs[`abi-${g}`], g);
    },
  },
  "faultscope man | man -l -": {
    needs: ["man"],
    check(r) {
      assert.match(r.stdout, /^FAULTSCOPE\(1\)/);
      assert.match(r.stdout, /^COMMANDS$/m);
    },
  },
  "faultscope man > faultscope.1": {
    check(r) {
      assert.match(text(r.dir, "faultscope.1"), /^\.TH FAULTSCOPE 1 /m);
    },
  },
};

// ---------------------------------------------------------------------------------------------
// Collecting the examples

/** Joins continuation lines: an open single quote, or a trailing backslash. */
function commands(lines: string[]): { line: string; at: number; rest: number }[] {
  const out: { line: string; at: number; rest: number }[] = [];
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    const at = i;
    while ((line.split("'").length % 2 === 0 || line.endsWith("\\")) && i + 1 < lines.length) {
      line += "\n" + lines[++i];
    }
    out.push({ line, at, rest: i + 1 });
  }
  return out;
}

/** The README's examples, with the output and exit status it shows for them. */
function readmeExamples(readme: string): Example[] {
  const all = readme.split("\n");
  const examples: Example[] = [];
  for (let i = 0; i < all.length; i++) {
    if (!/^```/.test(all[i])) continue;
    const start = i + 1;
    let end = start;
    while (end < all.length && !/^```\s*$/.test(all[end])) end++;
    const block = all.slice(start, end);
    i = end;
    const first = block.find((l) => l.trim()) ?? "";
    if (/^\$ (?:[^|]*\| )?faultscope\b/.test(first)) {
      // Commands after "$ ", each followed by what it prints.
      for (let j = 0; j < block.length;) {
        assert.match(block[j], /^\$ /, `README.md:${start + j + 1}: expected a $ line`);
        const [cmd] = commands([block[j].slice(2), ...block.slice(j + 1)]);
        j += cmd.rest;
        const shown: string[] = [];
        while (j < block.length && !block[j].startsWith("$ ")) shown.push(block[j++]);
        if (cmd.line === "echo $?") {
          examples.at(-1)!.shownCode = Number(shown[0]);
          continue;
        }
        examples.push({ where: `README.md:${start + 1}`, line: cmd.line, shown });
      }
    } else if (/^faultscope\b/.test(first)) {
      for (const cmd of commands(block)) {
        if (cmd.line.trim()) {
          examples.push({ where: `README.md:${start + cmd.at + 1}`, line: cmd.line });
        }
      }
    }
  }
  return examples;
}

const table: Example[] = COMMANDS.flatMap((c) =>
  c.examples.map((e) => ({
    where: `faultscope ${c.name} --help`,
    line: exampleLine(e),
    skip: typeof e === "object" && "skip" in e ? e.skip : undefined,
    slow: typeof e === "object" && "slow" in e ? e.slow : undefined,
  }))
);
const readme = readmeExamples(Deno.readTextFileSync(new URL("README.md", root)));
// A README line that is also a table example is marked as the table marks it.
for (const e of readme) {
  const t = table.find((x) => key(x.line) === key(e.line));
  if (t) [e.skip, e.slow] = [t.skip, t.slow];
}
/** The README's own slow examples (the table marks its own). */
const README_SLOW: Record<string, string> = {
  "faultscope bench --repeat 3 --json": "about 90 s: three rounds of the default suite",
};
for (const e of readme) e.slow ??= README_SLOW[key(e.line)];

// ---------------------------------------------------------------------------------------------
// Running them

const has = (program: string): boolean =>
  new Deno.Command("sh", { args: ["-c", `command -v ${program}`], stdout: "null" }).outputSync()
    .success;

/** A `faultscope` that runs this checkout, for the examples' shell to find on PATH. */
const bin = Deno.makeTempDirSync({ prefix: "faultscope-examples-bin-" });
Deno.writeTextFileSync(
  `${bin}/faultscope`,
  `#!/bin/sh\nexec '${Deno.execPath()}' run --cached-only -A '${
    new URL("main.ts", root).pathname
  }' "$@"\n`,
  { mode: 0o755 },
);
globalThis.addEventListener("unload", () => Deno.removeSync(bin, { recursive: true }));

const SHELL_ARGS = {
  bash: ["bash", "--norc", "--noprofile", "-o", "pipefail", "-c"],
  zsh: ["zsh", "-f", "-o", "pipefail", "-c"],
  fish: ["fish", "--no-config", "-c"],
};

async function runExample(line: string, e: Expect = { check() {} }): Promise<Run> {
  const dir = await Deno.makeTempDir({ prefix: "faultscope-example-" });
  await Deno.symlink(new URL("testdata", root).pathname, `${dir}/testdata`);
  const [shell, ...args] = SHELL_ARGS[e.shell ?? "bash"];
  const script = [e.before, line, e.then].filter((x) => x !== undefined).join("\n");
  const child = new Deno.Command(shell, {
    args: [...args, script],
    cwd: dir,
    env: {
      PATH: `${bin}:${Deno.env.get("PATH")}`,
      NO_COLOR: "1",
      HOME: dir,
      TMPDIR: dir,
      // Deno's module cache stays the user's: HOME is the example's directory.
      DENO_DIR: Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const guard = setTimeout(() => child.kill("SIGKILL"), 600_000); // a hang fails, not hangs
  const out = await child.output();
  clearTimeout(guard);
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr), dir };
}

/** The shown lines, in order, `...` standing for any number of lines. */
function assertShown(actual: string, shown: string[], what: string): void {
  const got = actual.split("\n").map((l) => l.trimEnd());
  while (got.at(-1) === "") got.pop();
  const want = shown.map((l) => l.trimEnd());
  while (want.at(-1) === "") want.pop();
  let at = 0;
  let gap = false;
  for (const w of want) {
    if (w === "...") {
      gap = true;
      continue;
    }
    const found: number = gap ? got.indexOf(w, at) : (got[at] === w ? at : -1);
    assert.ok(
      found >= 0,
      `${what}: the README shows\n  ${w}\nbut the command printed (from line ${at + 1}):\n` +
        got.slice(at, at + 5).join("\n"),
    );
    at = found + 1;
    gap = false;
  }
  if (!gap) assert.equal(at, got.length, `${what}: prints more than the README shows`);
}

const slowWanted = Deno.env.get("FAULTSCOPE_SLOW_EXAMPLES") === "1";

for (const e of [...table, ...readme]) {
  const expect = EXPECT[key(e.line)];
  const missing = (expect?.needs ?? []).filter((p) => !has(p));
  const why = e.skip ??
    (e.slow && !slowWanted ? `slow, run with FAULTSCOPE_SLOW_EXAMPLES=1: ${e.slow}` : undefined) ??
    (missing.length ? `needs ${missing.join(", ")}, not installed` : undefined);
  const name = `${e.where}: ${e.line.split("\n")[0]}${e.line.includes("\n") ? " ..." : ""}`;
  Deno.test({
    name: why ? `${name}  [skipped: ${why}]` : name,
    ignore: why !== undefined,
    async fn() {
      assert.ok(
        expect || e.shown,
        `no EXPECT entry for '${key(e.line)}': write what it must print in test/examples_test.ts`,
      );
      const r = await runExample(e.line, expect);
      try {
        const code = e.shownCode ?? expect?.code ?? 0;
        assert.equal(r.code, code, `exit status (stderr: ${r.stderr})`);
        assert.doesNotMatch(r.stderr, /internal error|Uncaught|\bat .*:\d+:\d+/);
        // A plain command line (no pipe, redirection or quoting): its JSON matches its schema.
        const words = key(e.line).split(" ");
        if (words[0] === "faultscope" && !/[|<>'"&;$`\\]/.test(key(e.line))) {
          checkJsonOutputs(words.slice(1), r.stdout, { cwd: r.dir });
        }
        if (e.shown) assertShown(r.stdout, e.shown, e.where);
        await expect?.check(r);
      } finally {
        await Deno.remove(r.dir, { recursive: true });
      }
    },
  });
}

Deno.test("the examples are found: every command has one, the README's blocks are read", () => {
  for (const c of COMMANDS) assert.ok(c.examples.length > 0, `${c.name} has no example`);
  const shown = readme.filter((e) => e.shown);
  // The README's "$ faultscope ..." blocks: inspect, validate, rules, two decodes, simulate,
  // layout; validate's shows its exit status.
  assert.ok(shown.length >= 7, readme.map((e) => e.line).join("\n"));
  assert.equal(
    readme.find((e) => e.line === "faultscope validate testdata/rfc3-corrupt.bin")
      ?.shownCode,
    1,
  );
  assert.ok(readme.some((e) => e.line.startsWith("faultscope decode testdata/vectors/")));
  // A block may start with a command whose output faultscope reads.
  assert.ok(readme.some((e) => /^od .*\| faultscope decode/.test(e.line) && e.shown));
  assert.ok(readme.some((e) => e.line.includes("\n")), "multi-line examples are joined");
});

Deno.test("the device example's command line reads a region at 9<<40 (a sparse file here)", async () => {
  // `inspect /dev/vfio/devices/vfio0 --offset '9<<40' --json` needs a VFIO device; the same
  // options on a sparse file with the sample at region index 9 read the same region.
  const line = exampleLine(
    COMMANDS.find((c) => c.name === "inspect")!.examples.find((e) =>
      exampleLine(e).includes("/dev/vfio/")
    )!,
  );
  const dir = await Deno.makeTempDir();
  const device = `${dir}/vfio0`;
  const f = await Deno.open(device, { write: true, create: true });
  await f.seek(9 * 2 ** 40, Deno.SeekMode.Start);
  await f.write(await Deno.readFile(data("rfc3-sample.bin")));
  f.close();
  const r = await runExample(line.replace("/dev/vfio/devices/vfio0", device));
  await Deno.remove(r.dir, { recursive: true });
  await Deno.remove(dir, { recursive: true });
  assert.equal(r.code, 0, r.stderr);
  const j = json(r.stdout);
  assert.equal(j.layout, "rfc3");
  assert.equal(j.pending, 5);
  assert.deepEqual(j.header, { size: 1365, prod: 3, cons: 1363, reserved: 0 });
});
