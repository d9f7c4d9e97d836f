/**
 * Writers with known losses, for the stream and kernel-log sources of `watch`:
 *
 * - {@link VeventQueueModel}: the kernel's vEVENTQ as torvalds/linux
 *   drivers/iommu/iommufd/driver.c `iommufd_viommu_report_event` and iommufd_private.h
 *   `iommufd_vevent_handler` write it: at `depth` queued events the one lost_events_header is
 *   (re)queued at the tail and stamped through the same sequence counter as an event; queuing
 *   anything removes a lost_events_header that is last; a read copies whole records from the
 *   head (eventq.c `iommufd_veventq_fops_read`). It knows which events were delivered and lost.
 * - {@link kmsgRecords}: `/dev/kmsg` records (logs.md 8.1) carrying VT-d fault lines (logs.md
 *   T2 with one address per fault), with sequence numbers skipped where records were "overwritten".
 */
import { VEVENT_SEQ_MAX } from "../src/abi/vevent.ts";

/** One vEVENT the model delivered, or the LOST_EVENTS header. */
interface Queued {
  /** Event number (the writer's own count), or -1 for the lost_events_header. */
  n: number;
  sequence: number;
}

/** A vEVENTQ of `depth` (arm-smmuv3 payloads: 32 bytes, event n at input address 0x1000 * (n + 1)). */
export class VeventQueueModel {
  #list: Queued[] = [];
  #queued = 0;
  #sequence: number;
  #n = 0;
  /** Event numbers in the order a reader got them. */
  readonly delivered: number[] = [];
  /** Event numbers the queue dropped. */
  readonly lost: number[] = [];

  /** A queue of `depth` events whose counter starts at `sequence`. */
  constructor(readonly depth: number, sequence = 0) {
    this.#sequence = sequence;
  }

  #handler(q: Queued): void {
    const last = this.#list.at(-1);
    if (last && last.n === -1) this.#list.pop();
    q.sequence = this.#sequence;
    this.#sequence = (this.#sequence + 1) & VEVENT_SEQ_MAX;
    this.#list.push(q);
  }

  /** The kernel reports one event. */
  report(): void {
    const n = this.#n++;
    if (this.#queued === this.depth) {
      this.lost.push(n);
      this.#handler({ n: -1, sequence: 0 });
      return;
    }
    this.#queued++;
    this.#handler({ n, sequence: 0 });
  }

  /** A read of up to `count` bytes: whole records from the head. */
  read(count = 1 << 16): Uint8Array {
    const parts: number[] = [];
    let done = 0;
    while (this.#list.length) {
      const q = this.#list[0];
      const size = q.n === -1 ? 8 : 40;
      if (done + size > count) break;
      this.#list.shift();
      const b = new Uint8Array(size);
      const dv = new DataView(b.buffer);
      dv.setUint32(0, q.n === -1 ? 1 : 0, true);
      dv.setUint32(4, q.sequence, true);
      if (q.n !== -1) {
        this.#queued--;
        this.delivered.push(q.n);
        // evt[0]: event ID 0x10 F_TRANSLATION, vSID 1 in bits 63:32; evt[2]: the input address.
        dv.setBigUint64(8, 0x10n | (1n << 32n), true);
        dv.setBigUint64(24, BigInt(0x1000 * (q.n + 1)), true);
      }
      parts.push(...b);
      done += size;
    }
    return new Uint8Array(parts);
  }
}

/** The event number a vEVENT of {@link VeventQueueModel} carries (from its input address). */
export function veventNumber(inputAddr: bigint): number {
  return Number(inputAddr / 0x1000n) - 1;
}

/** A VT-d fault line (logs.md T2) for fault number `k`: its address is 0x1000 * (k + 1). */
export function dmarLine(k: number): string {
  return `DMAR: [DMA Read NO_PASID] Request device [3b:00.0] fault addr 0x${
    (0x1000 * (k + 1)).toString(16)
  } [fault reason 0x06] PTE Read access is not set`;
}

/** The fault number of a {@link dmarLine}, from its address. */
export function dmarNumber(addr: string): number {
  return Number(BigInt(addr) / 0x1000n) - 1;
}

/**
 * `/dev/kmsg` records of `faults` VT-d faults, one record each, sequence numbers from `first`;
 * the sequence numbers in `skip` are left out, as records the kernel overwrote before they were
 * read. Returns the text and the fault numbers whose records are absent.
 */
export function kmsgRecords(
  faults: number,
  first: number,
  skip: ReadonlySet<number>,
): { text: string; missing: number[] } {
  let text = "";
  const missing: number[] = [];
  for (let k = 0; k < faults; k++) {
    const seq = first + k;
    if (skip.has(seq)) {
      missing.push(k);
      continue;
    }
    text += `3,${seq},${812004421 + k},-;${
      dmarLine(k)
    }\n SUBSYSTEM=pci\n DEVICE=+pci:0000:3b:00.0\n`;
  }
  return { text, missing };
}
