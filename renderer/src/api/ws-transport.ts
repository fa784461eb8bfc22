/**
 * The engine API over a WebSocket to `/api` on the page's own origin (web mode, `framescope serve`). The access
 * token travels as the cookie the first page load set, so nothing secret appears here. Commands sent while the
 * socket is (re)connecting wait for it; commands in flight when it drops are rejected, and the transport reconnects
 * with a growing pause. The Electron IPC transport implements the same EngineApi.
 */
import type {
  ClientMessage, CommandName, EngineApi, EventName, Events, Params, Result, ServerMessage,
} from '../../../shared/api/contract';

export type TransportState = 'connecting' | 'open' | 'closed';

/** The subset of the browser's WebSocket the transport uses (so Node tests can hand in the `ws` package's). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

export type SocketFactory = (url: string) => SocketLike;

export interface WsTransportOptions {
  /** Defaults to the browser's WebSocket. */
  createSocket?: SocketFactory;
  /** Reconnect after the socket closes (default true). */
  reconnect?: boolean;
  /** First pause before reconnecting, doubled up to maxDelayMs. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

const OPEN = 1;

/** `ws://host/api` (or `wss:`) for the page at `location`. */
export function apiUrl(location: { protocol: string; host: string }): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api`;
}

export class WsTransport implements EngineApi {
  private socket: SocketLike | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Messages written while the socket was not open yet. */
  private queue: string[] = [];
  private readonly listeners = new Map<EventName, Set<(data: never) => void>>();
  private readonly statusListeners = new Set<(state: TransportState, error?: string) => void>();
  private delay: number;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  state: TransportState = 'connecting';

  constructor(private readonly url: string, private readonly opts: WsTransportOptions = {}) {
    this.delay = opts.minDelayMs ?? 500;
    this.connect();
  }

  call<C extends CommandName>(command: C, params: Params<C>): Promise<Result<C>> {
    if (this.closed) return Promise.reject(new Error('the engine connection is closed'));
    const id = this.nextId++;
    const message: ClientMessage = { id, command, params };
    return new Promise<Result<C>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      const text = JSON.stringify(message);
      if (this.socket?.readyState === OPEN) this.socket.send(text);
      else this.queue.push(text);
    });
  }

  on<E extends EventName>(event: E, listener: (data: Events[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (data: never) => void);
    return () => set.delete(listener as (data: never) => void);
  }

  /** Connection state changes (the status bar shows them; the app re-syncs after a reconnect). */
  onStatus(listener: (state: TransportState, error?: string) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  close(): void {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.socket?.close();
    this.fail(new Error('the engine connection is closed'));
    this.queue = [];
    this.setState('closed');
  }

  private connect(): void {
    const create = this.opts.createSocket ?? ((url: string) => new WebSocket(url));
    let socket: SocketLike;
    try {
      socket = create(this.url);
    } catch (e) {
      this.scheduleReconnect((e as Error).message);
      return;
    }
    this.socket = socket;
    this.setState('connecting');
    socket.addEventListener('open', () => {
      this.delay = this.opts.minDelayMs ?? 500;
      const queued = this.queue;
      this.queue = [];
      for (const text of queued) socket.send(text);
      this.setState('open');
    });
    socket.addEventListener('message', (event) => this.receive(event.data));
    socket.addEventListener('close', () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      // Calls already sent will never be answered by this socket; calls still queued go out on the next one.
      this.fail(new Error('the connection to the engine was lost'), true);
      if (this.closed) return;
      if (this.opts.reconnect === false) {
        this.closed = true;
        this.fail(new Error('the connection to the engine was lost'));
        this.setState('closed');
        return;
      }
      this.scheduleReconnect('the connection to the engine was lost');
    });
    // 'error' is always followed by 'close', which does the work.
    socket.addEventListener('error', () => undefined);
  }

  private scheduleReconnect(error: string): void {
    this.setState('closed', error);
    this.retry = setTimeout(() => { this.retry = undefined; if (!this.closed) this.connect(); }, this.delay);
    this.delay = Math.min(this.delay * 2, this.opts.maxDelayMs ?? 5000);
  }

  /** Rejects calls waiting for an answer; with `sentOnly`, keeps those still queued for the next socket. */
  private fail(error: Error, sentOnly = false): void {
    const queuedIds = new Set(sentOnly ? this.queue.map((t) => (JSON.parse(t) as ClientMessage).id) : []);
    for (const [id, p] of this.pending) {
      if (queuedIds.has(id)) continue;
      this.pending.delete(id);
      p.reject(error);
    }
  }

  private receive(data: unknown): void {
    let msg: ServerMessage;
    try {
      msg = JSON.parse(typeof data === 'string' ? data : String(data)) as ServerMessage;
    } catch {
      return;
    }
    if ('event' in msg) {
      for (const l of this.listeners.get(msg.event) ?? []) (l as (d: unknown) => void)(msg.data);
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if ('error' in msg) p.reject(new Error(msg.error.message));
    else p.resolve(msg.result);
  }

  private setState(state: TransportState, error?: string): void {
    if (state === this.state && !error) return;
    this.state = state;
    for (const l of this.statusListeners) l(state, error);
  }
}
