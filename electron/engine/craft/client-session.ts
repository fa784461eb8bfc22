/**
 * A client session: a TCP connection of ours to host:port that stays open. What we send and what comes back is
 * recorded in the session as one connection (source `craft`), so it appears in the frame list decoded and paired;
 * received frames are also decoded here for sequences and the CLI.
 */
import net from 'node:net';
import { toHex } from '../../../shared/codec/bytes';
import { StreamDeframer } from '../../../shared/codec/framing';
import type { CraftSessionInfo, SendResult } from '../../../shared/api/contract';
import type { FramerExchange, Protocol } from '../../../shared/codec/protocol';
import { detectProtocol, getProtocol, protocolForPort } from '../../../shared/protocols/index';
import type { ConnectionWriter } from './connection-writer';
import { CraftError } from './craft-error';
import { decodeAnswer, noteSent, PairBook, type Channel, type IncomingFrame } from './pairing';

export interface ClientSessionOptions {
  id: string;
  host: string;
  port: number;
  /** A protocol id, or `auto` (detected from the first bytes either way, else the port table). */
  protocol: string;
  variant?: string;
  writer: ConnectionWriter;
  connectTimeoutMs?: number;
  /** State changes (connected, closed, failed). */
  onChange?: (session: ClientSession) => void;
}

export class ClientSession implements Channel {
  readonly direction = 'c2s' as const;
  readonly id: string;
  readonly variant?: string;
  connection = 0;
  state: CraftSessionInfo['state'] = 'connecting';
  error: string | undefined;
  sent = 0;
  received = 0;
  readonly closed: Promise<void>;
  private protocolRef: Protocol | undefined;
  private deframer: StreamDeframer | undefined;
  private socket: net.Socket;
  private book = new PairBook();
  /** Shared by what we send and what we receive: an HTTP response is framed by its request's method. */
  private readonly exchange: FramerExchange = { pending: [] };
  private listeners = new Set<(f: IncomingFrame) => void>();
  private resolveClosed!: () => void;

  private constructor(private readonly opts: ClientSessionOptions) {
    this.id = opts.id;
    this.variant = opts.variant;
    if (opts.protocol !== 'auto') {
      const p = getProtocol(opts.protocol);
      if (!p) throw new CraftError(`unknown protocol '${opts.protocol}'`);
      this.protocolRef = p;
    }
    this.closed = new Promise((resolve) => { this.resolveClosed = resolve; });
    this.socket = new net.Socket({ allowHalfOpen: false });
  }

  /** Connects; rejects with a one-line reason (refused, unreachable, timed out). */
  static connect(opts: ClientSessionOptions): Promise<ClientSession> {
    const s = new ClientSession(opts);
    return s.start().then(() => s);
  }

  get protocol(): Protocol | undefined {
    return this.protocolRef;
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  info(): CraftSessionInfo {
    return {
      id: this.id, connection: this.connection, host: this.opts.host, port: this.opts.port, protocol: this.protocolRef?.id ?? this.opts.protocol,
      state: this.state, ...(this.error ? { error: this.error } : {}), sent: this.sent, received: this.received,
    };
  }

  private start(): Promise<void> {
    const { host, port } = this.opts;
    const timeoutMs = this.opts.connectTimeoutMs ?? 5000;
    return new Promise((resolve, reject) => {
      const s = this.socket;
      const timer = setTimeout(() => s.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      const fail = (e: NodeJS.ErrnoException): void => {
        clearTimeout(timer);
        this.state = 'failed';
        this.error = `cannot connect to ${host}:${port}: ${e.code === 'ECONNREFUSED' ? 'connection refused' : e.message}`;
        this.opts.onChange?.(this);
        this.resolveClosed();
        reject(new CraftError(this.error));
      };
      s.once('error', fail);
      s.connect({ host, port }, () => {
        clearTimeout(timer);
        s.off('error', fail);
        s.setNoDelay(true);
        this.state = 'open';
        this.connection = this.opts.writer.open({
          source: 'craft', client: { host: s.localAddress ?? '127.0.0.1', port: s.localPort ?? 0 }, server: { host, port },
          protocol: this.protocolRef?.id ?? 'auto', variant: this.variant,
        });
        this.wire();
        this.opts.onChange?.(this);
        resolve();
      });
    });
  }

  private wire(): void {
    const s = this.socket;
    s.on('data', (chunk: Buffer) => this.receive(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
    s.on('error', (e: NodeJS.ErrnoException) => {
      this.error = e.code === 'ECONNRESET' ? 'the server reset the connection' : e.message;
      this.opts.writer.event(this.connection, e.code === 'ECONNRESET' ? 'reset' : 'error', this.error);
    });
    s.on('end', () => this.opts.writer.event(this.connection, 'half-close', 'server half-closed'));
    s.on('close', () => {
      if (this.deframer) for (const pdu of this.deframer.finish().pdus) this.deliver(pdu.bytes);
      this.state = 'closed';
      this.opts.writer.event(this.connection, 'closed');
      this.opts.onChange?.(this);
      this.resolveClosed();
    });
  }

  /** Writes bytes as they are (a whole PDU, or deliberately anything). */
  send(bytes: Uint8Array, tag?: number): SendResult {
    if (this.state !== 'open') throw new CraftError(`${this.id}: the connection is ${this.state}${this.error ? ` (${this.error})` : ''}`);
    if (!this.protocolRef) this.adopt(detectProtocol(bytes, 'c2s')?.protocol ?? protocolForPort(this.opts.port));
    if (this.protocolRef) {
      // What we send may be several PDUs (raw hex): each request opens its lane.
      const d = new StreamDeframer(this.protocolRef.framer('c2s', { variant: this.variant, exchange: this.exchange }));
      for (const pdu of d.push(bytes)) if (!pdu.skipped) noteSent(this.book, this.protocolRef, pdu.bytes, 'c2s', this.variant, tag);
    }
    this.socket.write(bytes);
    this.sent++;
    const frames = this.opts.writer.data(this.connection, 'c2s', bytes);
    return { hex: toHex(bytes), length: bytes.length, frames: frames.map((f) => f + 1) };
  }

  onFrame(listener: (f: IncomingFrame) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Half-closes and waits for the server to close (destroyed after `timeoutMs`). */
  async close(timeoutMs = 2000): Promise<void> {
    if (this.state === 'closed' || this.state === 'failed') return;
    this.socket.end();
    const t = setTimeout(() => this.socket.destroy(), timeoutMs);
    await this.closed;
    clearTimeout(t);
  }

  destroy(): void {
    this.socket.destroy();
  }

  private adopt(p: Protocol | undefined): void {
    if (!p) return;
    this.protocolRef = p;
  }

  private receive(chunk: Uint8Array): void {
    const frames = this.opts.writer.data(this.connection, 's2c', chunk);
    if (!this.protocolRef) this.adopt(detectProtocol(chunk, 's2c')?.protocol);
    if (!this.protocolRef) {
      this.received++;
      for (const l of this.listeners) l({ bytes: chunk, ...(frames.length ? { frame: frames[0] } : {}) });
      return;
    }
    this.deframer ??= new StreamDeframer(this.protocolRef.framer('s2c', { variant: this.variant, exchange: this.exchange }));
    const pdus = this.deframer.push(chunk);
    pdus.forEach((pdu, i) => this.deliver(pdu.bytes, pdus.length === frames.length ? frames[i] : undefined));
  }

  private deliver(pdu: Uint8Array, frame?: number): void {
    this.received++;
    const { decoded, answers } = decodeAnswer(this.protocolRef!, pdu, 's2c', this.book, this.variant);
    const f: IncomingFrame = { bytes: pdu, decoded, ...(answers ? { answers } : {}), ...(frame !== undefined ? { frame } : {}) };
    for (const l of this.listeners) l(f);
  }
}
