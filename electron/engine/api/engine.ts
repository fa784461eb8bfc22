/**
 * The engine behind every UI: one session, its proxy listeners, capture and views, answering the commands of
 * shared/api/contract.ts. Transports (WebSocket, Electron IPC) only move these calls and events.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandName, Events, EventName, Params, Result } from '../../../shared/api/contract';
import { compileFilter, suggestCompletions } from '../../../shared/filter/index';
import type { ProxyListenerInfo, ProxyListenerSpec, SessionInfo, CaptureStatus } from '../../../shared/model/session';
import { fieldCatalog, getProtocol, PROTOCOLS } from '../../../shared/protocols/index';
import { ProxyListener } from '../proxy/proxy-listener';
import { sessionRecorder } from '../proxy/session-recorder';
import { Session } from '../session/session';
import { createView, type FrameView } from '../session/views';

type Handler<C extends CommandName> = (params: Params<C>) => Result<C> | Promise<Result<C>>;
type Listener = (event: EventName, data: unknown) => void;

/** How often batched events go out: about 20 a second, never one per packet. */
const EVENT_INTERVAL_MS = 50;

export interface EngineOptions {
  /** Where the session keeps its PDU store and spool; a fresh temporary folder by default. */
  spoolDir?: string;
}

interface ProxyEntry {
  info: ProxyListenerInfo;
  listener: ProxyListener;
}

export class Engine {
  session: Session;
  private views = new Map<number, FrameView>();
  private nextView = 1;
  private proxies = new Map<string, ProxyEntry>();
  private nextProxy = 1;
  private listeners = new Set<Listener>();
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly spoolDir: string;
  private file: string | undefined;
  private capture: CaptureStatus = { state: 'idle', packets: 0, dropped: 0 };

  constructor(opts: EngineOptions = {}) {
    this.spoolDir = opts.spoolDir ?? mkdtempSync(join(tmpdir(), 'framescope-'));
    this.session = this.newSession();
  }

  private newSession(): Session {
    return new Session({ pduStorePath: join(this.spoolDir, `pdus-${Date.now()}.bin`), onChange: () => this.changed() });
  }

  private readonly handlers: { [C in CommandName]: Handler<C> } = {
    'session.info': () => this.info(),
    'session.clear': () => {
      this.session.close(true);
      this.session = this.newSession();
      this.views.clear();
      this.file = undefined;
      this.changed();
      return this.info();
    },
    'session.open': () => { throw new Error('opening capture files is not available yet'); },
    'session.save': () => { throw new Error('saving is not available yet'); },
    'protocols.list': () => PROTOCOLS.map((p) => ({ id: p.id, name: p.name, ports: p.ports, messages: p.messages.map((m) => ({ name: m.name, direction: m.direction })) })),
    'fields.catalog': () => fieldCatalog(),
    'filter.check': ({ filter }) => {
      const r = compileFilter(filter, fieldCatalog());
      return r.ok ? { ok: true } : { ok: false, error: r.error };
    },
    'filter.suggest': ({ filter, cursor }) => suggestCompletions(filter, cursor, fieldCatalog()),
    'view.create': ({ filter }) => {
      const view = createView(this.session, filter);
      if ('error' in view) return { error: view.error };
      const viewId = this.nextView++;
      this.views.set(viewId, view);
      return { viewId, ...view.update() };
    },
    'view.rows': ({ viewId, start, count }) => this.view(viewId).rows(start, Math.min(count, 10_000)),
    'view.release': ({ viewId }) => { this.views.delete(viewId); return null; },
    'frame.detail': ({ number }) => {
      if (!Number.isInteger(number) || number < 1 || number > this.session.frameCount) throw new Error(`no frame ${number}`);
      return this.session.detail(number - 1);
    },
    'connections.list': () => this.session.connections(),
    'connection.frames': ({ connection }) => {
      const out = [];
      for (let i = 0; i < this.session.frameCount; i++) if (this.session.index.connection(i) === connection) out.push(this.session.row(i));
      return out;
    },
    'stats.messages': () => this.session.messageStats(),
    'capture.interfaces': () => [],
    'capture.start': () => { throw new Error('live capture is not available yet'); },
    'capture.stop': () => this.capture,
    'proxy.add': (spec) => this.addProxy(spec),
    'proxy.remove': async ({ id }) => {
      const p = this.proxies.get(id);
      if (!p) throw new Error(`no proxy listener ${id}`);
      await p.listener.close();
      this.proxies.delete(id);
      this.emit('proxy.status', this.proxyInfos());
      return null;
    },
    'proxy.list': () => this.proxyInfos(),
    'decodeAs.set': ({ port, protocol, variant }) => {
      if (!getProtocol(protocol)) throw new Error(`unknown protocol '${protocol}'`);
      this.session.setDecodeAs(port, protocol, variant);
      return null;
    },
    'demo.start': () => { throw new Error('the demo is not available yet'); },
    'demo.stop': () => null,
  };

  async call<C extends CommandName>(command: C, params: Params<C>): Promise<Result<C>> {
    const handler = this.handlers[command] as Handler<C> | undefined;
    if (!handler) throw new Error(`unknown command '${String(command)}'`);
    return handler(params);
  }

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit<E extends EventName>(event: E, data: Events[E]): void {
    for (const l of this.listeners) l(event, data);
  }

  async addProxy(spec: ProxyListenerSpec): Promise<ProxyListenerInfo> {
    if (spec.protocol !== 'auto' && !getProtocol(spec.protocol)) throw new Error(`unknown protocol '${spec.protocol}'`);
    const id = `proxy-${this.nextProxy++}`;
    const listener = new ProxyListener({
      host: spec.host, port: spec.port, upstream: spec.upstream,
      recorder: sessionRecorder(this.session, { protocol: spec.protocol, listenerId: id }),
    });
    const boundPort = await listener.listen();
    const info: ProxyListenerInfo = { ...spec, host: spec.host ?? '127.0.0.1', id, boundPort, connections: 0, state: 'listening' };
    this.proxies.set(id, { info, listener });
    this.emit('proxy.status', this.proxyInfos());
    return info;
  }

  proxyInfos(): ProxyListenerInfo[] {
    return [...this.proxies.values()].map((p) => ({ ...p.info, connections: p.listener.connections }));
  }

  info(): SessionInfo {
    return {
      frames: this.session.frameCount, connections: this.session.connectionCount, ...(this.file ? { file: this.file } : {}),
      capture: this.capture, proxies: this.proxyInfos(), startedAt: this.session.startedAt.toISOString(),
    };
  }

  private view(id: number): FrameView {
    const v = this.views.get(id);
    if (!v) throw new Error(`no view ${id} (it was released or the session was cleared)`);
    return v;
  }

  /** Frames or connections changed: coalesced into one event per interval. */
  private changed(): void {
    this.dirty = true;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      if (!this.dirty) return;
      this.dirty = false;
      this.emit('session.changed', { frames: this.session.frameCount, connections: this.session.connectionCount });
    }, EVENT_INTERVAL_MS);
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    for (const p of this.proxies.values()) await p.listener.close();
    this.proxies.clear();
    this.session.close(true);
  }
}
