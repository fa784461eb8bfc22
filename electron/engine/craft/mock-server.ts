/**
 * A mock responder's own listener (no upstream): clients connect, each request is cut with the protocol's framer
 * and answered by the first matching rule; a request no rule matches is reported (and left unanswered, as a real
 * server that ignores it would). Connections are recorded in the session with source `mock`.
 */
import net from 'node:net';
import { toHex } from '../../../shared/codec/bytes';
import { StreamDeframer } from '../../../shared/codec/framing';
import type { SendResult, UnansweredRequest } from '../../../shared/api/contract';
import type { Protocol } from '../../../shared/codec/protocol';
import type { Endpoint } from '../../../shared/model/session';
import type { ConnectionWriter } from './connection-writer';
import type { MockResponder } from './mock-rules';
import { LoosePdu } from './pdu-lookup';

export interface MockServerOptions {
  id: string;
  host?: string;
  port: number;
  protocol: Protocol;
  variant?: string;
  responder: MockResponder;
  writer: ConnectionWriter;
  onUnanswered?: (request: UnansweredRequest) => void;
  /** A reply that could not be built (a template naming a field the request lacks). */
  onError?: (message: string) => void;
  onChange?: () => void;
}

interface MockConn {
  socket: net.Socket;
  connection: number;
  deframer: StreamDeframer;
  /** Replies waiting for their delay, in order. */
  out: { bytes: Uint8Array; delayMs: number; end?: boolean }[];
  writing: boolean;
  timer?: NodeJS.Timeout;
}

export class MockServer {
  private server: net.Server;
  private conns = new Map<number, MockConn>();
  boundPort = 0;
  connections = 0;
  answered = 0;
  unanswered = 0;
  state: 'listening' | 'stopped' | 'error' = 'stopped';

  constructor(private readonly opts: MockServerOptions) {
    // Half-open, so replies still queued when a client half-closes are written before our FIN.
    this.server = net.createServer({ noDelay: true, allowHalfOpen: true }, (s) => this.accept(s));
  }

  get endpoint(): Endpoint {
    return { host: this.opts.host ?? '127.0.0.1', port: this.boundPort };
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.host ?? '127.0.0.1', () => {
        this.server.off('error', reject);
        this.boundPort = (this.server.address() as net.AddressInfo).port;
        this.state = 'listening';
        resolve(this.boundPort);
      });
    });
  }

  close(): Promise<void> {
    this.state = 'stopped';
    for (const c of this.conns.values()) { clearTimeout(c.timer); c.socket.destroy(); }
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  has(connection: number): boolean {
    return this.conns.has(connection);
  }

  /** Settles when the connection closes (at once when it is not open). */
  whenClosed(connection: number): Promise<void> {
    const c = this.conns.get(connection);
    return c ? new Promise((resolve) => c.socket.once('close', () => resolve())) : Promise.resolve();
  }

  /** Writes bytes of ours to a client, after the replies already queued. */
  inject(connection: number, bytes: Uint8Array): SendResult | undefined {
    const c = this.conns.get(connection);
    if (!c) return undefined;
    const idle = !c.writing && c.out.length === 0;
    this.enqueue(c, [{ bytes, delayMs: 0 }]);
    return { hex: toHex(bytes), length: bytes.length, frames: [], ...(idle ? {} : { queued: true }) };
  }

  private accept(socket: net.Socket): void {
    this.connections++;
    const connection = this.opts.writer.open({
      source: 'mock', client: { host: socket.remoteAddress ?? '?', port: socket.remotePort ?? 0 }, server: this.endpoint,
      protocol: this.opts.protocol.id, variant: this.opts.variant,
    });
    const c: MockConn = { socket, connection, deframer: new StreamDeframer(this.opts.protocol.framer('c2s', { variant: this.opts.variant })), out: [], writing: false };
    this.conns.set(connection, c);
    socket.on('data', (chunk: Buffer) => this.receive(c, new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
    socket.on('error', (e: NodeJS.ErrnoException) => this.opts.writer.event(connection, e.code === 'ECONNRESET' ? 'reset' : 'error', e.message));
    socket.on('end', () => {
      this.opts.writer.event(connection, 'half-close', 'client half-closed');
      this.enqueue(c, [{ bytes: new Uint8Array(0), delayMs: 0, end: true }]);
    });
    socket.on('close', () => {
      clearTimeout(c.timer);
      this.conns.delete(connection);
      this.opts.writer.event(connection, 'closed');
      this.opts.onChange?.();
    });
    this.opts.onChange?.();
  }

  private receive(c: MockConn, chunk: Uint8Array): void {
    const frames = this.opts.writer.data(c.connection, 'c2s', chunk);
    const pdus = c.deframer.push(chunk);
    pdus.forEach((pdu, i) => {
      if (pdu.skipped) return;
      const frame = pdus.length === frames.length ? frames[i] : undefined;
      const request = new LoosePdu(this.opts.protocol, pdu.bytes, 'c2s', {
        connection: c.connection, client: { host: c.socket.remoteAddress ?? '?', port: c.socket.remotePort ?? 0 }, server: this.endpoint, variant: this.opts.variant,
      });
      let answer;
      try {
        answer = this.opts.responder.answer(request);
      } catch (e) {
        this.opts.onError?.(`mock ${this.opts.id}: ${(e as Error).message}`);
      }
      if (!answer) {
        this.unanswered++;
        const d = request.decoded;
        this.opts.onUnanswered?.({ mockId: this.opts.id, connection: c.connection, ...(frame !== undefined ? { frame: frame + 1 } : {}), message: d?.message ?? 'Data', summary: d?.summary ?? `${pdu.bytes.length} bytes` });
        return;
      }
      this.answered++;
      this.enqueue(c, [...answer.replies, ...(answer.close ? [{ bytes: new Uint8Array(0), delayMs: 0, end: true }] : [])]);
    });
  }

  private enqueue(c: MockConn, items: MockConn['out']): void {
    c.out.push(...items);
    this.pump(c);
  }

  /** Writes queued replies in order, each after its delay. */
  private pump(c: MockConn): void {
    while (!c.writing && c.out.length > 0) {
      const next = c.out[0];
      if (next.delayMs > 0) {
        c.writing = true;
        c.timer = setTimeout(() => { c.writing = false; next.delayMs = 0; this.pump(c); }, next.delayMs);
        return;
      }
      c.out.shift();
      if (c.socket.destroyed || c.socket.writableEnded) continue;
      if (next.end) { c.socket.end(); continue; }
      c.socket.write(next.bytes);
      this.opts.writer.data(c.connection, 's2c', next.bytes);
    }
  }
}
