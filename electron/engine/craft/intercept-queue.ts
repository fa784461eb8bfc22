/**
 * The intercept queue across every proxy listener: held PDUs get an id the UI and commands use; the relays holding
 * them are addressed by listener, connection handle and relay key. Released frames leave the queue.
 */
import { toHex } from '../../../shared/codec/bytes';
import type { HeldFrame } from '../../../shared/api/contract';
import type { Direction, Protocol } from '../../../shared/codec/protocol';

export interface HeldEntry {
  frame: HeldFrame;
  handle: number;
  key: number;
}

export class InterceptQueue {
  private entries = new Map<number, HeldEntry>();
  private byKey = new Map<string, number>();
  private nextId = 1;

  add(o: { listenerId: string; handle: number; key: number; connection: number; direction: Direction; bytes: Uint8Array; protocol?: Protocol; variant?: string; timeoutMs?: number }): HeldFrame {
    const id = this.nextId++;
    const d = o.protocol?.decode(o.bytes, o.direction, o.variant ? { variant: o.variant } : undefined);
    const now = Date.now();
    const frame: HeldFrame = {
      id, listenerId: o.listenerId, connection: o.connection, direction: o.direction, protocol: o.protocol?.id ?? 'tcp',
      message: d?.message ?? 'Data', summary: d?.summary ?? `${o.bytes.length} bytes`, hex: toHex(o.bytes), ...(d ? { value: d.value } : {}),
      heldAt: new Date(now).toISOString(), ...(o.timeoutMs ? { timeoutAt: new Date(now + o.timeoutMs).toISOString() } : {}), state: 'held',
    };
    this.entries.set(id, { frame, handle: o.handle, key: o.key });
    this.byKey.set(keyOf(o.listenerId, o.handle, o.key), id);
    return frame;
  }

  get(id: number): HeldEntry | undefined {
    return this.entries.get(id);
  }

  /** A relay released a PDU: it leaves the queue with its outcome. */
  released(listenerId: string, handle: number, key: number, state: HeldFrame['state']): HeldFrame | undefined {
    const k = keyOf(listenerId, handle, key);
    const id = this.byKey.get(k);
    if (id === undefined) return undefined;
    this.byKey.delete(k);
    const e = this.entries.get(id)!;
    this.entries.delete(id);
    e.frame.state = state;
    return e.frame;
  }

  list(listenerId?: string): HeldFrame[] {
    return [...this.entries.values()].filter((e) => !listenerId || e.frame.listenerId === listenerId).map((e) => e.frame);
  }

  /** Entries whose relay is gone (its listener was removed). */
  dropListener(listenerId: string): number {
    let n = 0;
    for (const e of [...this.entries.values()]) {
      if (e.frame.listenerId === listenerId) { this.released(listenerId, e.handle, e.key, 'lost'); n++; }
    }
    return n;
  }
}

function keyOf(listenerId: string, handle: number, key: number): string {
  return `${listenerId}\u0000${handle}\u0000${key}`;
}
