/**
 * One demo peer's end of a TCP connection: PDUs go out through `protocol.encode` and come in through
 * `StreamDeframer` + `protocol.decode`, so the demo exercises the codec exactly as a capture would. Servers react to
 * frames in `onFrame`; scripted clients `send` and `next` (await the next matching frame).
 */
import net from 'node:net';
import { StreamDeframer } from '../../../shared/codec/framing';
import type { DecodedFrame, DecodeOptions, Direction, EncodeOptions, Protocol } from '../../../shared/codec/protocol';
import type { Doc } from '../../../shared/codec/schema';

export type DemoRole = 'client' | 'server';

/** One PDU a demo peer sent or received. */
export interface DemoExchange {
  protocol: string;
  direction: Direction;
  sent: boolean;
  message: string;
  summary: string;
  length: number;
  malformed: boolean;
}

export type FrameMatch = string | readonly string[] | ((frame: DecodedFrame) => boolean);

export interface DemoConnectionOptions {
  onExchange?: (exchange: DemoExchange) => void;
}

/** How long a scripted peer waits for an answer before it gives up on the session. */
export const DEFAULT_REPLY_TIMEOUT_MS = 5000;

export class ConnectionClosedError extends Error {}

interface Waiter {
  match: (frame: DecodedFrame) => boolean;
  resolve(frame: DecodedFrame): void;
  reject(error: Error): void;
  timer?: NodeJS.Timeout;
}

export class DemoConnection {
  /** PDUs sent plus PDUs received. */
  frames = 0;
  /** Set by server logic: every received frame, in stream order, before `next` sees it. */
  onFrame?: (frame: DecodedFrame) => void;
  /**
   * Bytes that frame no PDU (garbage, a stream joined mid-way). Unset, the connection is closed: what the real
   * peers' decoders end up doing. Protocols with an error reply (push, HTTP) send it here.
   */
  onGarbage?: (bytes: Uint8Array) => void;
  /** Per received PDU: txlcn's `rok` needs the action of the request it answers. */
  decodeOptions?: (pdu: Uint8Array) => DecodeOptions | undefined;
  /** Free-form per-connection state for the protocol logic. */
  readonly state = new Map<string, unknown>();
  readonly closed: Promise<void>;
  private done = false;
  private readonly outgoing: Direction;
  private readonly incoming: Direction;
  private readonly deframer: StreamDeframer;
  private readonly queue: DecodedFrame[] = [];
  private readonly waiters = new Set<Waiter>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    readonly socket: net.Socket,
    readonly protocol: Protocol,
    readonly role: DemoRole,
    private readonly opts: DemoConnectionOptions = {},
  ) {
    this.outgoing = role === 'client' ? 'c2s' : 's2c';
    this.incoming = role === 'client' ? 's2c' : 'c2s';
    this.deframer = new StreamDeframer(protocol.framer(this.incoming));
    socket.setNoDelay(true);
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        this.finish();
        resolve();
      });
    });
    // A reset or a write after the peer left is part of the demo (clients that vanish); 'close' follows.
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => this.receive(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
  }

  /** Opens a client connection. */
  static connect(protocol: Protocol, host: string, port: number, opts: DemoConnectionOptions = {}, signal?: AbortSignal): Promise<DemoConnection> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new ConnectionClosedError('stopped'));
      const socket = net.connect({ host, port });
      const onAbort = (): void => { socket.destroy(); reject(new ConnectionClosedError('stopped')); };
      signal?.addEventListener('abort', onAbort, { once: true });
      const onError = (e: Error): void => {
        signal?.removeEventListener('abort', onAbort);
        reject(e);
      };
      socket.once('connect', () => {
        signal?.removeEventListener('abort', onAbort);
        socket.removeListener('error', onError);
        resolve(new DemoConnection(socket, protocol, 'client', opts));
      });
      socket.once('error', onError);
    });
  }

  get isClosed(): boolean {
    return this.done;
  }

  get remoteAddress(): string {
    return javaAddress(this.socket.remoteAddress, this.socket.remotePort);
  }

  /** Encodes and writes one PDU; returns its bytes. Sending on a closed connection is a no-op. */
  send(message: string, doc: Doc, opts?: EncodeOptions): Uint8Array {
    const bytes = this.protocol.encode(message, this.outgoing, doc, opts);
    if (this.done || this.socket.destroyed) return bytes;
    this.socket.write(bytes);
    this.frames++;
    if (this.opts.onExchange) {
      // Decoding our own PDU gives the same summary a capture shows, and proves the encoding reads back as meant.
      const f = this.protocol.decode(bytes, this.outgoing, opts);
      this.opts.onExchange(exchangeOf(f, true));
    }
    return bytes;
  }

  /** The next received frame that matches (earlier non-matching frames stay queued for other callers). */
  next(match?: FrameMatch, timeoutMs = DEFAULT_REPLY_TIMEOUT_MS): Promise<DecodedFrame> {
    const test = matcher(match);
    const at = this.queue.findIndex(test);
    if (at >= 0) return Promise.resolve(this.queue.splice(at, 1)[0]);
    if (this.done) return Promise.reject(new ConnectionClosedError(`${this.protocol.id}: connection closed while waiting for ${describe(match)}`));
    const answer = new Promise<DecodedFrame>((resolve, reject) => {
      const waiter: Waiter = { match: test, resolve, reject };
      if (Number.isFinite(timeoutMs)) {
        waiter.timer = setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(`${this.protocol.id}: no ${describe(match)} within ${timeoutMs} ms`));
        }, timeoutMs);
      }
      this.waiters.add(waiter);
    });
    // Sessions often ask for a reply before sending what triggers it; a stop in between must not leave the
    // rejection unhandled. Whoever awaits the promise still sees it.
    answer.catch(() => undefined);
    return answer;
  }

  /** Removes and returns every frame already received that matches, without waiting. */
  take(match?: FrameMatch): DecodedFrame[] {
    const test = matcher(match);
    const out: DecodedFrame[] = [];
    for (let i = 0; i < this.queue.length;) {
      if (test(this.queue[i])) out.push(...this.queue.splice(i, 1));
      else i++;
    }
    return out;
  }

  /** Sends a request and waits for its reply. */
  request(message: string, doc: Doc, reply: FrameMatch, opts?: EncodeOptions): Promise<DecodedFrame> {
    const answer = this.next(reply);
    this.send(message, doc, opts);
    return answer;
  }

  /** Runs `fn` after `ms` unless the connection has closed by then. */
  later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.done) this.guard(fn);
    }, ms);
    this.timers.add(t);
  }

  /** Half-closes our side and waits until the peer has closed too (it has then read everything we sent). */
  async end(timeoutMs = DEFAULT_REPLY_TIMEOUT_MS): Promise<void> {
    if (this.done) return;
    this.socket.end();
    const t = setTimeout(() => this.socket.destroy(), timeoutMs);
    await this.closed;
    clearTimeout(t);
  }

  destroy(): void {
    this.socket.destroy();
  }

  private receive(chunk: Uint8Array): void {
    if (this.done) return;
    for (const pdu of this.deframer.push(chunk)) {
      if (this.done) return;
      if (pdu.skipped) {
        if (this.onGarbage) this.guard(() => this.onGarbage!(pdu.bytes));
        else this.destroy();
        continue;
      }
      this.deliver(pdu.bytes);
    }
  }

  private deliver(pdu: Uint8Array): void {
    const frame = this.protocol.decode(pdu, this.incoming, this.decodeOptions?.(pdu));
    this.frames++;
    this.opts.onExchange?.(exchangeOf(frame, false));
    if (this.onFrame) this.guard(() => this.onFrame!(frame));
    for (const w of this.waiters) {
      if (!w.match(frame)) continue;
      this.waiters.delete(w);
      clearTimeout(w.timer);
      w.resolve(frame);
      return;
    }
    this.queue.push(frame);
    if (this.queue.length > 1000) this.queue.shift(); // a peer that floods us must not grow memory without end
  }

  /** A bug or an encode error in the protocol logic closes this connection, never the process. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      process.emitWarning(`${this.protocol.id} demo ${this.role}: ${(e as Error).message}`);
      this.destroy();
    }
  }

  private finish(): void {
    if (this.done) return;
    // A close-delimited PDU (an HTTP response without a length) ends with the stream.
    for (const pdu of this.deframer.finish().pdus) this.deliver(pdu.bytes);
    this.done = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(new ConnectionClosedError(`${this.protocol.id}: connection closed while waiting for a reply`));
    }
    this.waiters.clear();
  }
}

function exchangeOf(f: DecodedFrame, sent: boolean): DemoExchange {
  return { protocol: f.protocol, direction: f.direction, sent, message: f.message, summary: f.summary, length: f.length, malformed: f.malformed };
}

function matcher(match: FrameMatch | undefined): (frame: DecodedFrame) => boolean {
  if (match === undefined) return () => true;
  if (typeof match === 'function') return match;
  if (typeof match === 'string') return (f) => f.message === match;
  return (f) => match.includes(f.message);
}

function describe(match: FrameMatch | undefined): string {
  if (match === undefined) return 'frame';
  if (typeof match === 'function') return 'expected frame';
  return typeof match === 'string' ? match : match.join(' or ');
}

/** Java's `InetSocketAddress.toString()` without a host name, as txlcn's remoteKey shows it: `/127.0.0.1:8070`. */
export function javaAddress(address: string | undefined, port: number | undefined): string {
  const a = (address ?? '0.0.0.0').replace(/^::ffff:/, '');
  return `/${a}:${port ?? 0}`;
}

/** Resolves after `ms`, or at once when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
