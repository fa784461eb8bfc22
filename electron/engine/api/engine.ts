/**
 * The engine behind every UI: one session, its proxy listeners, capture and views, answering the commands of
 * shared/api/contract.ts. Transports (WebSocket, Electron IPC) only move these calls and events.
 */
import { mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { CommandName, Events, EventName, MarkedFrameRow, Params, Result } from '../../../shared/api/contract';
import { compileFilter, suggestCompletions } from '../../../shared/filter/index';
import type { FrameRow, ProxyListenerInfo, ProxyListenerSpec, SessionInfo, CaptureStatus } from '../../../shared/model/session';
import { fieldCatalog, getProtocol, PROTOCOLS } from '../../../shared/protocols/index';
import { PacketIngest } from '../capture/packet-ingest';
import { listInterfaces } from '../capture/interfaces';
import { openCapture, type LiveCapture } from '../capture/live-capture';
import { CaptureError } from '../capture/capture-errors';
import { CraftService } from '../craft/craft-service';
import { SessionAnnotations } from '../craft/session-annotations';
import { startDemo, DEMO_PROTOCOLS, type DemoRun } from '../demo/demo';
import { CaptureFileReader } from '../files/capture-file-reader';
import { PcapngWriter } from '../files/pcapng-writer';
import { SessionSpool } from '../files/session-spool';
import { adoptRecoverable, defaultSpoolRoot, discardRecoverable, ensureDir, findRecoverable, removeSpoolLock, writeSpoolLock } from '../files/spool-recovery';
import { copyWithProgress } from '../files/copy-progress';
import { txlcnGroups } from '../session/txlcn-groups';
import { ProxyListener } from '../proxy/proxy-listener';
import { Session } from '../session/session';
import { createView, type FrameView } from '../session/views';

type Handler<C extends CommandName> = (params: Params<C>) => Result<C> | Promise<Result<C>>;
type Listener = (event: EventName, data: unknown) => void;

/** How often batched events go out: about 20 a second, never one per packet. */
const EVENT_INTERVAL_MS = 50;

export interface EngineOptions {
  /** Where the session keeps its PDU store and spool; a fresh run folder under the spool root by default. */
  spoolDir?: string;
  /** Where run folders live, and where spools of crashed runs are looked for (spool-recovery.ts). */
  spoolRoot?: string;
}

interface ProxyEntry {
  info: ProxyListenerInfo;
  listener: ProxyListener;
  /** Started by the demo, and stopped with it. */
  demo?: boolean;
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
  private readonly spoolRoot: string;
  /** The run folder is ours (not given by the caller): a clean close removes it, temp files of a finished run. */
  private readonly ownsSpoolDir: boolean;
  private readonly decodeAs = new Map<number, { protocol: string; variant?: string }>();
  private file: string | undefined;
  /** The file this session was opened from: its frames are in the session but not in the live spool. */
  private openedFrom: string | undefined;
  /** Frames that are in a file (opened, or saved): the rest are lost by Clear or Open unless saved first. */
  private savedFrames = 0;
  private capture: CaptureStatus = { state: 'idle', packets: 0, dropped: 0 };
  private live: { capture: LiveCapture; ingest: PacketIngest } | undefined;
  private captureTimer: NodeJS.Timeout | undefined;
  /** Every packet of the live session (proxied, crafted, captured), for crash recovery and Save. */
  private spool: SessionSpool | undefined;
  private spoolPath: string | undefined;
  private demo: DemoRun | undefined;
  /** Marks and stream boundaries of the current session's frames (craft features). */
  private annotations!: SessionAnnotations;
  readonly craft: CraftService;

  constructor(opts: EngineOptions = {}) {
    this.spoolRoot = opts.spoolRoot ?? defaultSpoolRoot();
    this.ownsSpoolDir = opts.spoolDir === undefined;
    this.spoolDir = opts.spoolDir ?? mkdtempSync(join(ensureDir(this.spoolRoot), 'run-'));
    this.session = this.newSession();
    this.craft = new CraftService({
      session: () => this.session,
      annotations: () => this.annotations,
      spool: () => this.spool,
      emit: (event, data) => this.emit(event, data),
      proxy: (id) => this.proxies.get(id),
    });
  }

  private newSession(): Session {
    let annotations: SessionAnnotations | undefined;
    const session = new Session({ pduStorePath: join(this.spoolDir, `pdus-${Date.now()}.bin`), onChange: () => this.changed(), onFrame: (f) => annotations!.frameRecorded(f) });
    // Decode As is the user's setting, not the session's: it outlives Clear and Open (Wireshark's keeps too).
    for (const [port, { protocol, variant }] of this.decodeAs) session.setDecodeAs(port, protocol, variant);
    annotations = new SessionAnnotations(session);
    this.annotations = annotations;
    return session;
  }

  /** A row with what Framescope did to the frame, if anything. */
  private marked(row: FrameRow): MarkedFrameRow {
    const mark = this.annotations.mark(row.number - 1);
    return mark ? { ...row, mark } : row;
  }

  private readonly handlers: { [C in CommandName]: Handler<C> } = {
    'session.info': () => this.info(),
    'session.clear': async () => {
      await this.reset();
      return this.info();
    },
    'session.open': ({ path }) => this.open(path),
    'session.save': ({ path }) => this.save(path),
    'protocols.list': () => PROTOCOLS.map((p) => ({ id: p.id, name: p.name, ports: p.ports, messages: p.messages.map((m) => ({ name: m.name, direction: m.direction })), ...(p.variants ? { variants: p.variants.map((v) => ({ id: v.id, label: v.label })) } : {}) })),
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
    'view.rows': ({ viewId, start, count }) => this.view(viewId).rows(start, Math.min(count, 10_000)).map((r) => this.marked(r)),
    'view.update': ({ viewId }) => ({ viewId, ...this.view(viewId).update() }),
    'view.release': ({ viewId }) => { this.views.delete(viewId); return null; },
    'frame.detail': ({ number }) => {
      if (!Number.isInteger(number) || number < 1 || number > this.session.frameCount) throw new Error(`no frame ${number}`);
      const detail = this.session.detail(number - 1);
      const mark = this.annotations.mark(number - 1);
      if (!mark) return detail;
      const original = mark.original && (mark.original.length > 128 ? `${mark.original.slice(0, 128)}…` : mark.original);
      const note = { severity: 'info' as const, message: `${mark.note}${original ? `; the peer sent ${original}` : ''}` };
      return { ...detail, row: { ...detail.row, mark }, mark, notes: [...(detail.notes ?? []), note] };
    },
    'connections.list': () => this.session.connections(),
    'connection.frames': ({ connection }) => {
      const out = [];
      for (let i = 0; i < this.session.frameCount; i++) if (this.session.index.connection(i) === connection) out.push(this.marked(this.session.row(i)));
      return out;
    },
    'stats.messages': () => this.session.messageStats(),
    'capture.interfaces': () => listInterfaces().map((i) => ({ name: i.name, description: i.description, addresses: i.addresses.map((a) => a.address), loopback: i.loopback })),
    'capture.start': (opts) => this.startCapture(opts),
    'capture.stop': () => this.stopCapture(),
    'proxy.add': (spec) => this.addProxy(spec),
    'proxy.remove': async ({ id }) => {
      const p = this.proxies.get(id);
      if (!p) throw new Error(`no proxy listener ${id}`);
      await p.listener.close();
      this.proxies.delete(id);
      this.craft.detachProxy(id);
      this.emit('proxy.status', this.proxyInfos());
      return null;
    },
    'proxy.list': () => this.proxyInfos(),
    'decodeAs.set': ({ port, protocol, variant }) => {
      if (!getProtocol(protocol)) throw new Error(`unknown protocol '${protocol}'`);
      this.decodeAs.set(port, { protocol, variant });
      this.session.setDecodeAs(port, protocol, variant);
      return null;
    },
    'demo.start': ({ protocol }) => this.startDemo(protocol),
    'demo.stop': async () => { await this.stopDemo(); return null; },
    'craft.connect': (spec) => this.craft.connect(spec),
    'craft.send': ({ id, payload }) => this.craft.send(id, payload),
    'craft.close': async ({ id }) => { await this.craft.closeClient(id); return null; },
    'craft.list': () => this.craft.clientInfos(),
    'craft.inject': ({ connection, direction, payload }) => this.craft.inject(connection, direction, payload),
    'sequence.run': ({ sequence, target }) => this.craft.runSequence(sequence, target),
    'sequence.stop': ({ runId }) => this.craft.stopSequence(runId),
    'sequence.list': () => this.craft.sequenceInfos(),
    'intercept.setRules': ({ listenerId, rules, holdTimeoutSeconds, timeoutAction }) => this.craft.setInterceptRules(listenerId, rules, holdTimeoutSeconds, timeoutAction),
    'intercept.getRules': ({ listenerId }) => this.craft.interceptRules(listenerId),
    'intercept.list': ({ listenerId }) => this.craft.held(listenerId),
    'intercept.forward': ({ id, edit }) => this.craft.forward(id, edit),
    'intercept.drop': ({ id }) => this.craft.drop(id),
    'intercept.releaseAll': ({ listenerId, action }) => this.craft.releaseAll(listenerId, action),
    'mock.add': (spec) => this.craft.addMock(spec),
    'mock.remove': async ({ id }) => { await this.craft.removeMock(id); return null; },
    'mock.list': () => this.craft.mockInfos(),
    'chaos.set': ({ listenerId, chaos }) => this.craft.setChaos(listenerId, chaos),
    'chaos.get': ({ listenerId }) => this.craft.chaos(listenerId),
    'recovery.list': () => findRecoverable(this.spoolRoot),
    'recovery.open': async ({ id }) => {
      const entry = findRecoverable(this.spoolRoot).find((r) => r.id === id);
      if (!entry) throw new Error(`no recoverable session ${id}`);
      await this.open(adoptRecoverable(this.spoolRoot, entry, this.spoolDir));
      // The adopted spool lives in this run's folder, which goes when the engine closes: the recovered frames are in
      // no file of the user's until saved (Clear asks, Save writes them from the adopted spool).
      this.file = undefined;
      this.savedFrames = 0;
      this.changed();
      return this.info();
    },
    'recovery.discard': ({ id }) => {
      const entry = findRecoverable(this.spoolRoot).find((r) => r.id === id);
      if (!entry) throw new Error(`no recoverable session ${id}`);
      discardRecoverable(this.spoolRoot, entry);
      return null;
    },
    'txlcn.groups': ({ limit }) => txlcnGroups(this.session, { limit }),
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

  /** A fresh session (and spool); listeners and capture keep running into it. */
  private async reset(): Promise<void> {
    this.session.close(true);
    await this.spool?.close();
    if (this.spoolPath) removeSpoolLock(this.spoolPath);
    this.spool = undefined;
    this.spoolPath = undefined;
    this.session = this.newSession();
    if (this.live) this.live.ingest = new PacketIngest(this.session, 'capture');
    if (this.live || this.proxies.size > 0) await this.ensureSpool();
    this.views.clear();
    this.file = undefined;
    this.openedFrom = undefined;
    this.savedFrames = 0;
    this.changed();
  }

  /** The spool is created with the first live traffic, so opening a file writes nothing. */
  private async ensureSpool(): Promise<SessionSpool> {
    if (!this.spool) {
      this.spoolPath = join(this.spoolDir, `session-${new Date().toISOString().replace(/[:.]/g, '-')}.pcapng`);
      this.spool = await SessionSpool.create(this.spoolPath, 'Framescope live session');
      writeSpoolLock(this.spoolPath);
    }
    return this.spool;
  }

  async open(path: string): Promise<SessionInfo> {
    let total: number;
    try { total = statSync(path).size; } catch { throw new Error(`cannot open ${path}: no such file`); }
    await this.reset();
    const ingest = new PacketIngest(this.session, 'file');
    const reader = new CaptureFileReader(path);
    let done = 0;
    let lastEvent = 0;
    try {
      for await (const batch of reader.batches()) {
        for (const p of batch) { ingest.push(p); done += p.capturedLength + 16; }
        if (Date.now() - lastEvent > 100) { lastEvent = Date.now(); this.emit('session.progress', { path, done: Math.min(done, total), total, operation: 'open' }); }
      }
    } catch (e) {
      this.emit('notice', { severity: 'error', message: `${path}: ${(e as Error).message} (the packets before it were read)` });
    } finally {
      ingest.end();
    }
    this.emit('session.progress', { path, done: total, total, operation: 'open' });
    this.file = path;
    this.openedFrom = path;
    this.savedFrames = this.session.frameCount;
    this.changed();
    return this.info();
  }

  /**
   * Save As: the live spool as it is; the opened file converted to pcapng; or both, the file's packets first, when
   * live traffic came in after a file was opened. Written beside the target and renamed onto it at the end, so saving
   * over the opened file (or a failure half-way) never leaves a torn file.
   */
  async save(path: string): Promise<{ path: string; frames: number }> {
    const progress = (done: number, total: number): void => this.emit('session.progress', { path, done, total, operation: 'save' });
    const live = this.spool && this.spoolPath && (this.spool.packets > 0 || !this.openedFrom) ? this.spoolPath : undefined;
    const sources = [this.openedFrom, live].filter((f): f is string => f !== undefined);
    if (sources.length === 0) throw new Error('nothing to save: the session is empty');
    if (live) await this.spool!.flush();
    const partial = `${path}.partial-${process.pid}`;
    try {
      if (sources.length === 1 && sources[0] === live) {
        await copyWithProgress(live, partial, progress);
      } else {
        const total = sources.reduce((n, f) => n + statSync(f).size, 0);
        const writer = await PcapngWriter.create(partial, { comments: [`saved by Framescope from ${sources.map((f) => basename(f)).join(' and ')}`] });
        let done = 0;
        let lastEvent = 0;
        for (const source of sources) {
          for await (const batch of new CaptureFileReader(source).batches()) {
            for (const p of batch) { writer.append(p); done += p.capturedLength + 16; }
            if (Date.now() - lastEvent > 100) { lastEvent = Date.now(); progress(Math.min(done, total), total); }
          }
        }
        await writer.close();
        progress(total, total);
      }
      renameSync(partial, path);
    } catch (e) {
      rmSync(partial, { force: true });
      throw e;
    }
    this.file = path;
    this.savedFrames = this.session.frameCount;
    this.changed(); // every window learns that nothing is unsaved now
    return { path, frames: this.session.frameCount };
  }

  async startCapture(opts: { interface: string; bpf?: string; bufferSize?: number }): Promise<CaptureStatus> {
    if (this.live) await this.stopCapture();
    await this.ensureSpool();
    const ingest = new PacketIngest(this.session, 'capture');
    let capture: LiveCapture;
    try {
      capture = openCapture({ interface: opts.interface, bpf: opts.bpf, bufferSize: opts.bufferSize }, (p) => {
        this.spool?.captured(p);
        this.live?.ingest.push({ ...p, interfaceId: 0 });
      });
    } catch (e) {
      this.capture = { state: e instanceof CaptureError && e.code !== 'filter' && e.code !== 'open' ? 'unavailable' : 'idle', packets: 0, dropped: 0, message: (e as Error).message };
      this.emit('capture.status', this.capture);
      throw e;
    }
    this.live = { capture, ingest };
    this.capture = { state: 'capturing', interface: opts.interface, filter: opts.bpf ?? '', packets: 0, dropped: capture.stats().droppedByKernel };
    this.emit('capture.status', this.capture);
    // The packet count and the kernel's drops (null where unknown) while capturing: at most twice a second, only when
    // either moved.
    this.captureTimer = setInterval(() => {
      if (!this.live) return;
      const stats = this.live.capture.stats();
      if (stats.received === this.capture.packets && stats.droppedByKernel === this.capture.dropped) return;
      this.capture = { ...this.capture, packets: stats.received, dropped: stats.droppedByKernel };
      this.emit('capture.status', this.capture);
    }, 500);
    this.captureTimer.unref?.();
    return this.capture;
  }

  stopCapture(): CaptureStatus {
    if (this.captureTimer) { clearInterval(this.captureTimer); this.captureTimer = undefined; }
    if (this.live) {
      const stats = this.live.capture.stats();
      this.live.capture.close();
      this.live.ingest.end();
      this.live = undefined;
      this.capture = { ...this.capture, state: 'idle', packets: stats.received, dropped: stats.droppedByKernel };
      this.emit('capture.status', this.capture);
    }
    return this.capture;
  }

  /** Demo servers for each protocol with looping clients, each connected through a proxy listener of ours. */
  async startDemo(protocol?: string): Promise<{ listeners: ProxyListenerInfo[] }> {
    await this.stopDemo();
    const protocols = protocol ? [protocol] : DEMO_PROTOCOLS;
    const listeners: ProxyListenerInfo[] = [];
    this.demo = await startDemo({
      protocols,
      intervalMs: 1000,
      connectVia: async (id, serverPort) => {
        const info = await this.addProxy({ port: 0, upstream: { host: '127.0.0.1', port: serverPort }, protocol: id, demo: true });
        listeners.push(info);
        return info.boundPort;
      },
      onError: (id, e) => this.emit('notice', { severity: 'warn', message: `demo ${id}: ${e.message}` }),
    });
    return { listeners };
  }

  async stopDemo(): Promise<void> {
    if (!this.demo) return;
    const run = this.demo;
    this.demo = undefined;
    await run.close();
    for (const [id, p] of this.proxies) if (p.demo) { await p.listener.close(); this.proxies.delete(id); this.craft.detachProxy(id); }
    this.emit('proxy.status', this.proxyInfos());
  }

  async addProxy(spec: ProxyListenerSpec & { demo?: boolean }): Promise<ProxyListenerInfo> {
    if (spec.protocol !== 'auto' && !getProtocol(spec.protocol)) throw new Error(`unknown protocol '${spec.protocol}'`);
    const id = `proxy-${this.nextProxy++}`;
    await this.ensureSpool();
    // The recorder looks the session and spool up on every event, so Clear does not orphan running listeners.
    const listener = new ProxyListener({
      host: spec.host, port: spec.port, upstream: spec.upstream,
      ...this.craft.proxyOptions(id, spec.protocol, (conn, record, time) => {
        if (record.kind === 'open') { const c = this.session.connection(conn)!; this.spool?.open(conn, c.client, c.server); }
        this.spool?.record(conn, record, time);
        if (record.kind === 'upstream-failed') this.emit('notice', { severity: 'error', message: `${spec.upstream.host}:${spec.upstream.port} is unreachable: ${record.error}` });
      }),
    });
    let boundPort: number;
    try {
      boundPort = await listener.listen();
    } catch (e) {
      this.craft.detachProxy(id);
      throw new Error(`cannot listen on ${spec.host ?? '127.0.0.1'}:${spec.port}: ${(e as Error).message}`);
    }
    const { demo, ...plain } = spec;
    const info: ProxyListenerInfo = { ...plain, host: spec.host ?? '127.0.0.1', id, boundPort, connections: 0, state: 'listening' };
    this.proxies.set(id, { info, listener, demo });
    this.emit('proxy.status', this.proxyInfos());
    return info;
  }

  proxyInfos(): ProxyListenerInfo[] {
    return [...this.proxies.values()].map((p) => ({ ...p.info, connections: p.listener.connections }));
  }

  info(): SessionInfo {
    return {
      frames: this.session.frameCount, unsaved: Math.max(0, this.session.frameCount - this.savedFrames), connections: this.session.connectionCount, ...(this.file ? { file: this.file } : {}),
      ...(this.spoolPath ? { spool: this.spoolPath } : {}),
      capture: this.capture, proxies: this.proxyInfos(), demo: this.demo !== undefined, startedAt: this.session.startedAt.toISOString(),
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
      const { frames, unsaved, connections, file } = this.info();
      this.emit('session.changed', { frames, unsaved, connections, ...(file ? { file } : {}) });
    }, EVENT_INTERVAL_MS);
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await this.craft.close();
    await this.stopDemo();
    this.stopCapture();
    for (const p of this.proxies.values()) await p.listener.close();
    this.proxies.clear();
    await this.spool?.close();
    if (this.spoolPath) removeSpoolLock(this.spoolPath);
    this.session.close(true);
    if (this.ownsSpoolDir) rmSync(this.spoolDir, { recursive: true, force: true });
  }
}
