/**
 * Context that turns a fault address into an answer: a copy of `/proc/iomem` (which region an
 * address falls in: System RAM, Reserved, a PCI BAR and its device) and `lspci -mm` / `-vmm`
 * output (what each device is). Pure parsers; reading the files is the caller's job.
 *
 * @example
 * ```ts
 * import { parseIomem, resolveAddr } from "./context.ts";
 * const map = parseIomem("00001000-0009ffff : System RAM\nfe000000-fe0fffff : PCI Bus 0000:00\n  fe000000-fe003fff : 0000:00:02.0\n");
 * resolveAddr(map, 0xfe000010n)?.path; // => ["PCI Bus 0000:00", "0000:00:02.0"]
 * ```
 * @module
 */
import { normBdf } from "./recognise.ts";

/** One `/proc/iomem` region. */
export interface IomemRegion {
  /** First address of the region. */
  start: bigint;
  /** Last address of the region (inclusive, as `/proc/iomem` prints it). */
  end: bigint;
  /** What `/proc/iomem` names it (`System RAM`, `0000:01:00.0`, a driver). */
  name: string;
  /** Nesting level (two spaces of indentation each). */
  depth: number;
  /** Index of the enclosing region, -1 at top level. */
  parent: number;
}

/** A parsed `/proc/iomem`; `zeroed` when it was read without privileges (all addresses 0). */
export interface IomemMap {
  /** The regions in file order. */
  regions: IomemRegion[];
  /** Every address is 0: the file was read without root. */
  zeroed: boolean;
  /** Lines that were not `start-end : name`. */
  skipped: number;
}

/** Parses `/proc/iomem` text (two-space indentation per nesting level). */
export function parseIomem(text: string): IomemMap {
  const regions: IomemRegion[] = [];
  const stack: number[] = [];
  let skipped = 0;
  let nonzero = false;
  for (const raw of text.split(/\r?\n/)) {
    if (!raw.trim()) continue;
    const m = /^( *)([0-9a-fA-F]+)-([0-9a-fA-F]+) : (.*)$/.exec(raw);
    if (!m) {
      skipped++;
      continue;
    }
    const depth = Math.floor(m[1].length / 2);
    const start = BigInt("0x" + m[2]), end = BigInt("0x" + m[3]);
    if (start || end) nonzero = true;
    while (stack.length > depth) stack.pop();
    const parent = stack.length ? stack[stack.length - 1] : -1;
    regions.push({ start, end, name: m[4].trim(), depth, parent });
    stack.push(regions.length - 1);
  }
  return { regions, zeroed: regions.length > 0 && !nonzero, skipped };
}

/** Where an address falls: the innermost region, its chain of names, and a PCI device if any. */
export interface Resolved {
  /** The innermost region holding the address. */
  region: IomemRegion;
  /** Its name and its enclosing regions' names, outermost first. */
  path: string[];
  /** The PCI function owning the region (a BAR), normalised `0000:bb:dd.f`. */
  device: string | null;
}

/** The innermost region containing `addr`, or null. */
export function resolveAddr(map: IomemMap, addr: bigint): Resolved | null {
  let best = -1;
  map.regions.forEach((r, i) => {
    if (addr >= r.start && addr <= r.end && (best < 0 || r.depth > map.regions[best].depth)) {
      best = i;
    }
  });
  if (best < 0) return null;
  const path: string[] = [];
  let device: string | null = null;
  for (let i = best; i >= 0; i = map.regions[i].parent) {
    path.unshift(map.regions[i].name);
    device ??= normBdf(map.regions[i].name);
  }
  return { region: map.regions[best], path, device };
}

/**
 * How a sentence names a region: its own name (`System RAM`, `Reserved`), with the enclosing
 * top-level region for a nested one (`Kernel data in System RAM`), and a PCI BAR by its device
 * (`a BAR of 0000:00:02.0`, `a BAR of 0000:00:02.0 (i915)` when a driver claimed it).
 */
export function regionLabel(r: Resolved): string {
  const inner = r.path[r.path.length - 1];
  if (r.device) {
    return `a BAR of ${r.device}` + (normBdf(inner) === r.device ? "" : ` (${inner})`);
  }
  return r.path.length > 1 ? `${inner} in ${r.path[0]}` : inner;
}

/**
 * A lookup of {@link resolveAddr} in O(log n): the map cut into segments at every region edge,
 * each resolved once. For a storm of faults against a `/proc/iomem` of hundreds of regions.
 */
export function iomemIndex(map: IomemMap): (addr: bigint) => Resolved | null {
  const edges = [...new Set(map.regions.flatMap((r) => [r.start, r.end + 1n]))]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const at = edges.map((e) => resolveAddr(map, e));
  return (addr) => {
    let lo = 0, hi = edges.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (edges[mid] <= addr) (found = mid, lo = mid + 1);
      else hi = mid - 1;
    }
    return found < 0 ? null : at[found];
  };
}

/** What `lspci` says about one device. */
export interface PciDevice {
  /** The PCI address as lspci prints it (`01:00.0`). */
  slot: string;
  /** Device class (`Network controller`). */
  class: string;
  /** Vendor name. */
  vendor: string;
  /** Device name. */
  device: string;
}

function unquote(s: string): string[] {
  const out: string[] = [];
  for (const m of s.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)) out.push(m[1] ?? m[2]);
  return out;
}

/** Parses `lspci -mm` (one quoted line per device) or `lspci -vmm` (blocks of `Key:\tvalue`). */
export function parseLspci(text: string): Map<string, PciDevice> {
  const out = new Map<string, PciDevice>();
  const add = (d: PciDevice) => {
    const k = normBdf(d.slot);
    if (k) out.set(k, d);
  };
  if (/^Slot:\s/m.test(text)) {
    for (const block of text.split(/\r?\n\s*\r?\n/)) {
      const kv: Record<string, string> = {};
      for (const l of block.split(/\r?\n/)) {
        const m = /^(\w+):\s*(.*)$/.exec(l);
        if (m && !(m[1] in kv)) kv[m[1]] = m[2].trim();
      }
      if (kv.Slot) {
        add({
          slot: kv.Slot,
          class: kv.Class ?? "",
          vendor: kv.Vendor ?? "",
          device: kv.Device ?? "",
        });
      }
    }
    return out;
  }
  for (const l of text.split(/\r?\n/)) {
    const f = unquote(l.trim());
    if (f.length >= 4 && normBdf(f[0])) {
      add({ slot: f[0], class: f[1], vendor: f[2], device: f[3] });
    }
  }
  return out;
}

/** `Qualcomm Atheros QCA986x/988x ...` for a device, or null. */
export function deviceName(pci: Map<string, PciDevice>, bdf: string | null): string | null {
  if (!bdf) return null;
  const d = pci.get(bdf);
  return d ? `${d.vendor} ${d.device}`.trim() : null;
}
