/**
 * The one file that touches sockets for the proxy: a listener that accepts clients, dials the upstream, and drives
 * a sans-IO Relay per connection. Bytes are forwarded first; the recorder sees them afterwards. Timers the relay
 * asks for are set here and come back to it as events.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { Direction } from '../../../shared/codec/protocol';
import type { Endpoint } from '../../../shared/model/session';
import { busyPoll, DEFAULT_BUSY_POLL_MICROS } from '../util/busy-poll';
import { nowNs } from '../util/clock';
import { Relay, type RelayCommand, type RelayEvent, type RelayMark, type RelayNotice, type RelayPolicy, type RelayRecord, type Side } from './relay';

export interface ProxyConnectionInfo {
  client: Endpoint;
  server: Endpoint;
  /** ns since the epoch. */
  time: bigint;
}

/** Receives what crosses a proxied connection; called after the bytes were handed to the other socket. */
export interface ProxyRecorder {
  open(info: ProxyConnectionInfo): number;
  record(connection: number, record: RelayRecord, time: bigint): void;
  /** Whether what was recorded so far in a direction ends at a PDU boundary (lets framing start mid-stream). */
  atBoundary?(connection: number, direction: Direction): boolean;
  /**
   * The recording is behind (its store waits for the disk): the listener stops reading from its connections until
   * `whenCaughtUp` calls back, which lets TCP slow the peers down instead of blocking the event loop on the disk.
   */
  behind?(): boolean;
  whenCaughtUp?(fn: () => void): void;
}

export interface ProxyListenerOptions {
  host?: string;
  port: number;
  upstream: Endpoint;
  recorder: ProxyRecorder;
  /** ms to wait for the upstream to accept before giving up (a dead upstream must not hang the client). */
  connectTimeoutMs?: number;
  onRecordError?: (error: Error) => void;
  /** Intercept, mock and chaos settings for a connection (by its recorder handle); absent: a plain relay. */
  policy?: (connection: number) => RelayPolicy | undefined;
  /** Held and released PDUs, failed injections. */
  onNotice?: (connection: number, notice: RelayNotice) => void;
  /**
   * µs the event loop keeps polling after bytes were relayed, so a quick reply is relayed without a wake-up
   * (util/busy-poll.ts; default DEFAULT_BUSY_POLL_MICROS, 0: sleep at once).
   */
  busyPollMicros?: number;
}

interface Live {
  handle(e: RelayEvent): void;
  relay: Relay;
}

export class ProxyListener {
  private server: Server;
  private sockets = new Set<Socket>();
  private live = new Map<number, Live>();
  /** Connections paused while the recorder catches up with the disk; one callback resumes them all. */
  private heldForRecording = new Set<number>();
  boundPort = 0;
  connections = 0;

  constructor(private readonly opts: ProxyListenerOptions) {
    this.server = createServer({ allowHalfOpen: true, noDelay: true }, (client) => this.accept(client));
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.host ?? '127.0.0.1', () => {
        this.server.off('error', reject);
        this.boundPort = (this.server.address() as { port: number }).port;
        resolve(this.boundPort);
      });
    });
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Open connections by recorder handle. */
  handles(): number[] {
    return [...this.live.keys()];
  }

  /** Tells every open connection that the policy changed. */
  refreshPolicy(): void {
    for (const [id, c] of this.live) c.handle({ type: 'configure', policy: this.opts.policy?.(id) });
  }

  /** Writes bytes of ours into a connection's direction at the next frame boundary. False: no such connection. */
  inject(connection: number, direction: Direction, bytes: Uint8Array, mark?: RelayMark): boolean {
    const c = this.live.get(connection);
    if (!c) return false;
    c.handle({ type: 'inject', direction, bytes, mark });
    return true;
  }

  /** Forwards (maybe replaced) or drops a held PDU. False: no such connection. */
  release(connection: number, key: number, action: 'forward' | 'drop', bytes?: Uint8Array): boolean {
    const c = this.live.get(connection);
    if (!c) return false;
    c.handle({ type: 'release', key, action, bytes });
    return true;
  }

  private accept(client: Socket): void {
    this.connections++;
    this.sockets.add(client);
    client.setNoDelay(true);
    const id = this.opts.recorder.open({
      client: { host: client.remoteAddress ?? '?', port: client.remotePort ?? 0 },
      server: this.opts.upstream,
      time: nowNs(),
    });
    const recorder = this.opts.recorder;
    const relay = new Relay({
      policy: this.opts.policy?.(id),
      atBoundary: recorder.atBoundary ? (d) => recorder.atBoundary!(id, d) : undefined,
    });
    let upstream: Socket | undefined;
    const sockets: Record<Side, () => Socket | undefined> = { client: () => client, server: () => upstream };
    const timers = new Set<NodeJS.Timeout>();

    const run = (commands: RelayCommand[]): void => {
      for (const c of commands) {
        switch (c.type) {
          case 'record': this.record(id, c.record); if (c.record.kind === 'closed') done(); continue;
          case 'connect': upstream = this.dial(handle, onData); continue;
          case 'notify': this.opts.onNotice?.(id, c.notice); continue;
          case 'timer': {
            const t = setTimeout(() => { timers.delete(t); handle({ type: 'timer', key: c.key }); }, c.ms);
            timers.add(t);
            continue;
          }
        }
        const s = sockets[c.side]();
        if (!s || s.destroyed) continue;
        switch (c.type) {
          case 'write': if (!s.write(c.bytes)) handle({ type: 'blocked', side: c.side }); break;
          case 'pause': s.pause(); break;
          case 'resume': s.resume(); break;
          case 'end': s.end(); break;
          case 'reset': s.resetAndDestroy(); break;
          case 'destroy': s.destroy(); break;
        }
      }
    };
    const handle = (e: RelayEvent): void => run(relay.handle(e));
    const done = (): void => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      this.live.delete(id);
      this.heldForRecording.delete(id);
    };

    // The hot path (DESIGN.md): a plain lane's bytes go to the other socket at once, with no command objects, and
    // are recorded after the write; anything else goes through the relay's events and commands.
    const busyPollMicros = this.opts.busyPollMicros ?? DEFAULT_BUSY_POLL_MICROS;
    // Busy polling is for the wait before a reply: it follows a read from the other side than the last one (a
    // request, then its response). Reads from the same side one after another are a stream, which is relayed in
    // fewer, fuller reads when the loop sleeps between them; polling there only made the reads smaller.
    let lastSide: Side | undefined;
    const onData = (side: Side, bytes: Buffer): void => {
      if (side !== lastSide) { lastSide = side; busyPoll.touch(busyPollMicros); }
      const plain = relay.plainData(side, bytes.length);
      if (plain === undefined) { handle({ type: 'data', side, bytes }); return; }
      const to: Side = side === 'client' ? 'server' : 'client';
      if (plain === 'write') {
        const s = sockets[to]();
        if (s && !s.destroyed && !s.write(bytes)) handle({ type: 'blocked', side: to });
      }
      this.record(id, { kind: 'data', direction: side === 'client' ? 'c2s' : 's2c', bytes });
    };
    this.live.set(id, { handle, relay });

    wire(client, 'client', handle, onData);
    client.pause(); // until the upstream answers
    client.on('close', () => this.sockets.delete(client));
    handle({ type: 'accepted' });
  }

  /** Recording never breaks forwarding: a recorder failure is reported once and the bytes keep flowing. */
  private record(id: number, record: RelayRecord): void {
    try {
      this.opts.recorder.record(id, record, nowNs());
    } catch (e) {
      if (!this.recordFailed) { this.recordFailed = true; this.opts.onRecordError?.(e as Error); }
    }
    if (record.kind === 'data' && this.opts.recorder.whenCaughtUp && this.opts.recorder.behind?.()) this.holdForRecording(id);
  }

  /**
   * The recorder waits for the disk: stop reading from this connection until it has caught up. TCP then slows the
   * peers down, as it does for a slow reader; the alternative, writing to the disk synchronously, stalled the event
   * loop and with it every other connection and the UI.
   */
  private holdForRecording(id: number): void {
    const c = this.live.get(id);
    if (!c || this.heldForRecording.has(id)) return;
    const first = this.heldForRecording.size === 0;
    this.heldForRecording.add(id);
    c.handle({ type: 'recording-behind' });
    if (first) this.opts.recorder.whenCaughtUp?.(() => this.releaseHeld());
  }

  private releaseHeld(): void {
    const held = [...this.heldForRecording];
    this.heldForRecording.clear();
    for (const id of held) this.live.get(id)?.handle({ type: 'recording-caught-up' });
  }

  private recordFailed = false;

  private dial(handle: (e: RelayEvent) => void, onData: (side: Side, bytes: Buffer) => void): Socket {
    const s = connect({ host: this.opts.upstream.host, port: this.opts.upstream.port, noDelay: true, allowHalfOpen: true });
    this.sockets.add(s);
    let connected = false;
    const timer = setTimeout(() => {
      if (!connected) s.destroy(new Error(`no answer from ${this.opts.upstream.host}:${this.opts.upstream.port} within ${this.opts.connectTimeoutMs ?? 5000} ms`));
    }, this.opts.connectTimeoutMs ?? 5000);
    s.once('connect', () => { connected = true; clearTimeout(timer); handle({ type: 'connected' }); });
    s.on('close', () => { clearTimeout(timer); this.sockets.delete(s); });
    s.on('error', (err: NodeJS.ErrnoException) => {
      // Node's message already names the code and the address ("connect ECONNREFUSED 127.0.0.1:1"), and every
      // reader of the record names the upstream: repeating both made "h:p unreachable: h:p: ECONNREFUSED connect …".
      const error = err.code && !err.message.includes(err.code) ? `${err.code} ${err.message}` : err.message;
      if (!connected) { clearTimeout(timer); handle({ type: 'connect-failed', error }); }
    });
    wire(s, 'server', handle, onData, () => connected);
    return s;
  }
}

/** Socket events → relay events. */
function wire(s: Socket, side: Side, handle: (e: RelayEvent) => void, onData: (side: Side, bytes: Buffer) => void, ready: () => boolean = () => true): void {
  s.on('data', (bytes: Buffer) => onData(side, bytes));
  s.on('drain', () => handle({ type: 'drained', side }));
  s.on('end', () => handle({ type: 'end', side }));
  s.on('error', (err: NodeJS.ErrnoException) => {
    if (ready()) handle({ type: 'error', side, error: err.message, reset: err.code === 'ECONNRESET' });
  });
  s.on('close', () => { if (ready()) handle({ type: 'closed', side }); });
}
