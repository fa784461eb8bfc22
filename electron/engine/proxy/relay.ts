/**
 * The proxy's core, sans-IO (after mitmproxy): a plain object that takes socket events and returns commands.
 * No sockets inside, so every behaviour — forwarding, backpressure, half-close, resets, a dead upstream — is
 * tested with scripted events. Bytes are forwarded first and recorded second (DESIGN.md, hot path).
 */

export type Side = 'client' | 'server';

export type RelayEvent =
  | { type: 'accepted' }
  | { type: 'connected' }
  | { type: 'connect-failed'; error: string }
  | { type: 'data'; side: Side; bytes: Uint8Array }
  /** The side's socket buffer is full (write returned false). */
  | { type: 'blocked'; side: Side }
  | { type: 'drained'; side: Side }
  /** The side half-closed (FIN): it will send nothing more. */
  | { type: 'end'; side: Side }
  | { type: 'error'; side: Side; error: string; reset: boolean }
  | { type: 'closed'; side: Side };

export type RelayCommand =
  | { type: 'connect' }
  | { type: 'write'; side: Side; bytes: Uint8Array }
  | { type: 'pause'; side: Side }
  | { type: 'resume'; side: Side }
  | { type: 'end'; side: Side }
  | { type: 'reset'; side: Side }
  | { type: 'destroy'; side: Side }
  | { type: 'record'; record: RelayRecord };

/** What the recorder stores: data in stream order per direction, and the connection's life events. */
export type RelayRecord =
  | { kind: 'data'; direction: 'c2s' | 's2c'; bytes: Uint8Array }
  | { kind: 'open' }
  | { kind: 'upstream-connected' }
  | { kind: 'upstream-failed'; error: string }
  | { kind: 'half-close'; by: Side }
  | { kind: 'reset'; by: Side; error: string }
  | { kind: 'error'; side: Side; error: string }
  | { kind: 'closed' };

const other = (side: Side): Side => (side === 'client' ? 'server' : 'client');
const direction = (from: Side): 'c2s' | 's2c' => (from === 'client' ? 'c2s' : 's2c');

export class Relay {
  private upstream: 'connecting' | 'open' | 'failed' = 'connecting';
  /** Client bytes that arrived before the upstream connection was up. */
  private pending: Uint8Array[] = [];
  private ended = { client: false, server: false };
  private closed = { client: false, server: false };
  private blocked = { client: false, server: false };
  private finished = false;

  handle(event: RelayEvent): RelayCommand[] {
    const out: RelayCommand[] = [];
    switch (event.type) {
      case 'accepted':
        out.push({ type: 'record', record: { kind: 'open' } }, { type: 'connect' });
        break;
      case 'connected':
        this.upstream = 'open';
        out.push({ type: 'record', record: { kind: 'upstream-connected' } });
        for (const bytes of this.pending) out.push({ type: 'write', side: 'server', bytes });
        this.pending = [];
        if (this.ended.client) out.push({ type: 'end', side: 'server' });
        out.push({ type: 'resume', side: 'client' });
        break;
      case 'connect-failed':
        // A dead upstream is a visible event and a reset towards the client, never a hang.
        this.upstream = 'failed';
        this.closed.server = true;
        this.pending = [];
        out.push({ type: 'record', record: { kind: 'upstream-failed', error: event.error } }, { type: 'reset', side: 'client' });
        this.finish(out);
        break;
      case 'data': {
        const to = other(event.side);
        if (event.side === 'client' && this.upstream === 'connecting') {
          this.pending.push(event.bytes);
          out.push({ type: 'pause', side: 'client' });
        } else if (!this.closed[to]) {
          out.push({ type: 'write', side: to, bytes: event.bytes });
        }
        out.push({ type: 'record', record: { kind: 'data', direction: direction(event.side), bytes: event.bytes } });
        break;
      }
      case 'blocked':
        // The writer's buffer is full: stop reading from the side that feeds it.
        if (!this.blocked[event.side]) { this.blocked[event.side] = true; out.push({ type: 'pause', side: other(event.side) }); }
        break;
      case 'drained':
        if (this.blocked[event.side]) { this.blocked[event.side] = false; out.push({ type: 'resume', side: other(event.side) }); }
        break;
      case 'end':
        this.ended[event.side] = true;
        out.push({ type: 'record', record: { kind: 'half-close', by: event.side } });
        if (event.side === 'server' || this.upstream === 'open') out.push({ type: 'end', side: other(event.side) });
        break;
      case 'error':
        out.push({ type: 'record', record: event.reset ? { kind: 'reset', by: event.side, error: event.error } : { kind: 'error', side: event.side, error: event.error } });
        // A reset on one side is passed on as a reset; other errors close the peer.
        if (!this.closed[other(event.side)]) out.push({ type: event.reset ? 'reset' : 'destroy', side: other(event.side) });
        break;
      case 'closed':
        this.closed[event.side] = true;
        // After FIN both ways the other side closes by itself; any other close leaves it nothing to talk to.
        if (!this.closed[other(event.side)] && !(this.ended.client && this.ended.server)) {
          out.push({ type: 'destroy', side: other(event.side) });
        }
        if (this.closed.client && (this.closed.server || this.upstream === 'failed')) this.finish(out);
        break;
    }
    return out;
  }

  private finish(out: RelayCommand[]): void {
    if (this.finished) return;
    this.finished = true;
    out.push({ type: 'record', record: { kind: 'closed' } });
  }
}
