/**
 * The engine's craft features in one place: client sessions, injection into live connections, sequences, the
 * intercept queue, mock responders and chaos. The engine forwards the contract's commands here and hands its proxy
 * listeners the recorder, policy and notice hooks built here; events go out batched like the engine's own.
 */
import { toHex } from '../../../shared/codec/bytes';
import type {
  ChaosSettings, CraftConnectSpec, CraftPayload, CraftSessionInfo, Events, EventName, HeldFrame, InterceptRule,
  InterceptSettings, MockInfo, MockSpec, SendResult, SequenceRunInfo, SequenceTarget, UnansweredRequest,
} from '../../../shared/api/contract';
import type { Direction, Protocol } from '../../../shared/codec/protocol';
import type { ProxyListenerInfo } from '../../../shared/model/session';
import { getProtocol, protocolIds } from '../../../shared/protocols/index';
import type { SessionSpool } from '../files/session-spool';
import type { ProxyListener, ProxyListenerOptions } from '../proxy/proxy-listener';
import type { RelayNotice, RelayRecord } from '../proxy/relay';
import type { Session } from '../session/session';
import { ClientSession } from './client-session';
import { connectionWriters, type ConnectionWriter, type OpenSpec } from './connection-writer';
import { CraftError } from './craft-error';
import { InjectChannel } from './inject-channel';
import { InterceptQueue } from './intercept-queue';
import { ListenerControls } from './listener-controls';
import { listenerRecorder, type ListenerRecorder } from './listener-recorder';
import { MockResponder, parseMockRules } from './mock-rules';
import { MockServer } from './mock-server';
import type { Channel } from './pairing';
import { payloadBytes } from './payload';
import { parseSequence, SequenceRun } from './sequence';
import type { SessionAnnotations } from './session-annotations';

/** What the engine gives the craft features. */
export interface CraftHost {
  session(): Session;
  annotations(): SessionAnnotations;
  spool(): SessionSpool | undefined;
  emit<E extends EventName>(event: E, data: Events[E]): void;
  proxy(id: string): { info: ProxyListenerInfo; listener: ProxyListener } | undefined;
}

const EVENT_INTERVAL_MS = 50;
/** Finished sequence runs kept for `sequence.list`. */
const KEPT_RUNS = 50;

interface ProxyEntry {
  controls: ListenerControls;
  recorder: ListenerRecorder;
  /** Connection handle → what to call when it closes (sequence channels). */
  closing: Map<number, Array<() => void>>;
}

interface MockEntry {
  info: Omit<MockInfo, 'connections' | 'answered' | 'unanswered' | 'state'>;
  server?: MockServer;
}

export class CraftService {
  private clients = new Map<string, ClientSession>();
  private nextClient = 1;
  private proxies = new Map<string, ProxyEntry>();
  private queue = new InterceptQueue();
  private mocks = new Map<string, MockEntry>();
  private nextMock = 1;
  private runs = new Map<string, { run: SequenceRun; info: SequenceRunInfo }>();
  private nextRun = 1;
  /** The composer's and the mock responders' writers: a connection between the two is recorded once. */
  private readonly writers: Record<OpenSpec['source'], ConnectionWriter>;
  private pending: { intercept: boolean; craft: boolean; mocks: boolean; unanswered: UnansweredRequest[]; runs: Map<string, SequenceRunInfo> } = { intercept: false, craft: false, mocks: false, unanswered: [], runs: new Map() };
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly host: CraftHost) {
    this.writers = connectionWriters(() => ({ session: host.session(), annotations: host.annotations(), spool: host.spool() }));
  }

  // -------------------------------------------------------------------------------------------------------------
  // Proxy listeners

  /** The recorder, policy and notice hooks a new proxy listener is built with. */
  proxyOptions(listenerId: string, protocol: string, tap: (connection: number, record: RelayRecord, time: bigint) => void): Pick<ProxyListenerOptions, 'recorder' | 'policy' | 'onNotice'> {
    const closing = new Map<number, Array<() => void>>();
    const recorder = listenerRecorder({
      session: () => this.host.session(), annotations: () => this.host.annotations(), protocol, listenerId,
      tap: (conn, record, time) => {
        tap(conn, record, time);
        if (record.kind === 'closed') for (const [h, done] of closing) if (recorder.connectionOf(h) === conn) { closing.delete(h); for (const d of done) d(); }
      },
    });
    const controls = new ListenerControls(listenerId, protocol, (message) => this.notice('warn', message));
    this.proxies.set(listenerId, { controls, recorder, closing });
    return {
      recorder,
      policy: (handle) => controls.policyFor(() => {
        const connection = recorder.connectionOf(handle);
        const c = connection === undefined ? undefined : this.host.session().connection(connection);
        return c && { connection: c.id, client: c.client, server: c.server, ...(c.protocol ? { protocol: c.protocol } : {}) };
      }),
      onNotice: (handle, notice) => this.relayNotice(listenerId, handle, notice),
    };
  }

  /** The listener was removed: its held frames and mock rules go with it. */
  detachProxy(listenerId: string): void {
    this.proxies.delete(listenerId);
    if (this.queue.dropListener(listenerId) > 0) this.changed('intercept');
    for (const [id, m] of this.mocks) if (m.info.listenerId === listenerId) this.mocks.delete(id);
    this.changed('mocks');
  }

  private relayNotice(listenerId: string, handle: number, n: RelayNotice): void {
    const p = this.proxies.get(listenerId);
    if (!p) return;
    switch (n.kind) {
      case 'held': {
        const connection = p.recorder.connectionOf(handle) ?? 0;
        const c = this.host.session().connection(connection);
        this.queue.add({ listenerId, handle, key: n.key, connection, direction: n.direction, bytes: n.bytes, protocol: protocolOf(c?.protocol ?? p.controls.protocol), timeoutMs: n.timeoutMs });
        this.changed('intercept');
        break;
      }
      case 'released':
        this.queue.released(listenerId, handle, n.key, n.outcome);
        if (n.timedOut) this.notice('info', `a held frame was ${n.outcome === 'dropped' ? 'dropped' : 'forwarded'} by the hold timeout`);
        this.changed('intercept');
        break;
      case 'inject-failed':
        this.notice('error', `injection of ${n.length} bytes (${n.direction}) failed: ${n.reason}`);
        break;
    }
  }

  private proxy(listenerId: string): { entry: ProxyEntry; listener: ProxyListener; info: ProxyListenerInfo } {
    const entry = this.proxies.get(listenerId);
    const p = this.host.proxy(listenerId);
    if (!entry || !p) throw new CraftError(`no proxy listener ${listenerId}`);
    return { entry, listener: p.listener, info: p.info };
  }

  // -------------------------------------------------------------------------------------------------------------
  // Client sessions

  async connect(spec: CraftConnectSpec): Promise<CraftSessionInfo> {
    if (typeof spec?.host !== 'string' || !Number.isInteger(spec.port) || spec.port < 1 || spec.port > 65535) throw new CraftError('expected {host, port, protocol}');
    const protocol = spec.protocol ?? 'auto';
    if (protocol !== 'auto' && !getProtocol(protocol)) throw new CraftError(`unknown protocol '${protocol}' (known: ${protocolIds().join(', ')}, auto)`);
    const id = `craft-${this.nextClient++}`;
    const client = await ClientSession.connect({
      id, host: spec.host, port: spec.port, protocol, variant: spec.variant, writer: this.writers.craft,
      onChange: () => this.changed('craft'),
    });
    this.clients.set(id, client);
    return client.info();
  }

  send(id: string, payload: CraftPayload): SendResult {
    const c = this.client(id);
    const { bytes } = payloadBytes(payload, { protocol: c.protocol, direction: 'c2s', variant: c.variant });
    const r = c.send(bytes);
    this.changed('craft');
    return r;
  }

  async closeClient(id: string): Promise<void> {
    const c = this.client(id);
    await c.close();
    this.clients.delete(id);
    this.changed('craft');
  }

  clientInfos(): CraftSessionInfo[] {
    return [...this.clients.values()].map((c) => c.info());
  }

  private client(id: string): ClientSession {
    const c = this.clients.get(id);
    if (!c) throw new CraftError(`no client session ${id}`);
    return c;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Injection

  inject(connection: number, direction: Direction, payload: CraftPayload): SendResult {
    if (direction !== 'c2s' && direction !== 's2c') throw new CraftError('direction: expected c2s or s2c');
    const bytes = this.encodeFor(connection, direction, payload);
    const client = this.clientOf(connection);
    if (client) {
      if (direction !== 'c2s') throw new CraftError(`connection ${connection} is a client session of ours: it sends c2s only`);
      return client.send(bytes);
    }
    return this.live(connection, direction).inject(bytes);
  }

  private encodeFor(connection: number, direction: Direction, payload: CraftPayload): Uint8Array {
    const c = this.host.session().connection(connection);
    return payloadBytes(payload, { protocol: protocolOf(c?.protocol), direction }).bytes;
  }

  private clientOf(connection: number): ClientSession | undefined {
    return [...this.clients.values()].find((c) => c.connection === connection && c.isOpen);
  }

  /** A live connection's direction as a channel: a client session (c2s), a proxied one (both ways), a mock's (s2c). */
  private channel(connection: number, direction: Direction): Channel {
    const client = this.clientOf(connection);
    if (client) {
      if (direction !== 'c2s') throw new CraftError(`connection ${connection} is a client session of ours: it sends c2s only`);
      return client;
    }
    const session = this.host.session();
    const live = this.live(connection, direction);
    return new InjectChannel({
      connection, direction, protocol: protocolOf(session.connection(connection)?.protocol), session, annotations: this.host.annotations(),
      inject: live.inject, isOpen: live.isOpen, closed: live.closed(),
    });
  }

  /** Where injected bytes of a proxied or mock connection go. */
  private live(connection: number, direction: Direction): { inject(bytes: Uint8Array): SendResult; isOpen(): boolean; closed(): Promise<void> } {
    if (!this.host.session().connection(connection)) throw new CraftError(`no connection ${connection} in the session`);
    for (const m of this.mocks.values()) {
      const server = m.server;
      if (!server?.has(connection)) continue;
      if (direction !== 's2c') throw new CraftError(`connection ${connection} is a mock responder's: it sends s2c only`);
      return {
        inject: (bytes) => this.framesOf(connection, () => server.inject(connection, bytes)),
        isOpen: () => server.has(connection),
        closed: () => server.whenClosed(connection),
      };
    }
    for (const [listenerId, p] of this.proxies) {
      const handle = p.recorder.handleOf(connection);
      const listener = handle === undefined ? undefined : this.host.proxy(listenerId)?.listener;
      if (handle === undefined || !listener) continue;
      return {
        inject: (bytes) => this.framesOf(connection, () => {
          listener.inject(handle, direction, bytes, { kind: 'injected', note: `injected towards the ${direction === 'c2s' ? 'server' : 'client'}` });
          return { hex: toHex(bytes), length: bytes.length, frames: [] };
        }),
        isOpen: () => p.recorder.handleOf(connection) === handle,
        closed: () => new Promise<void>((resolve) => { const list = p.closing.get(handle); if (list) list.push(resolve); else p.closing.set(handle, [resolve]); }),
      };
    }
    throw new CraftError(`connection ${connection} is not live (closed, or from a capture or file): only open proxied, client-session and mock connections take injected frames`);
  }

  /** Runs a write and reports the frames it produced at once; none means it waits (for a boundary, a delay). */
  private framesOf(connection: number, write: () => SendResult | undefined): SendResult {
    const session = this.host.session();
    const before = session.frameCount;
    const r = write();
    if (!r) throw new CraftError(`connection ${connection} is closed`);
    const frames: number[] = [];
    for (let f = before; f < session.frameCount; f++) if (session.index.connection(f) === connection) frames.push(f + 1);
    return { ...r, frames, ...(frames.length === 0 ? { queued: true } : {}) };
  }

  // -------------------------------------------------------------------------------------------------------------
  // Sequences

  async runSequence(input: unknown, target: SequenceTarget): Promise<SequenceRunInfo> {
    const file = parseSequence(input);
    let channel: Channel;
    let sessionId: string | undefined;
    if (target && 'session' in target) {
      channel = this.client(target.session);
      sessionId = target.session;
    } else if (target && 'connect' in target) {
      const info = await this.connect({ host: target.connect.host, port: target.connect.port, protocol: file.protocol, variant: file.variant });
      channel = this.client(info.id);
      sessionId = info.id;
    } else if (target && 'connection' in target) {
      channel = this.channel(target.connection, target.direction);
    } else {
      throw new CraftError('target: expected {session}, {connect: {host, port}} or {connection, direction}');
    }
    if (channel.protocol && channel.protocol.id !== file.protocol) throw new CraftError(`the sequence is ${file.protocol}, the connection ${channel.protocol.id}`);
    const runId = `run-${this.nextRun++}`;
    const run = new SequenceRun(file, channel, {
      runId, session: sessionId,
      onProgress: (info) => { const r = this.runs.get(runId); if (r) r.info = info; this.pending.runs.set(runId, info); this.schedule(); },
    });
    this.runs.set(runId, { run, info: run.info });
    for (const [id, r] of this.runs) {
      if (this.runs.size <= KEPT_RUNS) break;
      if (r.info.state !== 'running') this.runs.delete(id);
    }
    void run.run();
    return { ...run.info, frames: [...run.info.frames] };
  }

  stopSequence(runId: string): SequenceRunInfo {
    const r = this.runs.get(runId);
    if (!r) throw new CraftError(`no sequence run ${runId}`);
    r.run.stop();
    return r.info;
  }

  sequenceInfos(): SequenceRunInfo[] {
    return [...this.runs.values()].map((r) => r.info);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Intercept

  setInterceptRules(listenerId: string, rules: InterceptRule[], holdTimeoutSeconds?: number, timeoutAction?: 'forward' | 'drop'): InterceptSettings {
    const { entry, listener } = this.proxy(listenerId);
    const s = entry.controls.setIntercept(rules, holdTimeoutSeconds, timeoutAction);
    listener.refreshPolicy();
    return s;
  }

  interceptRules(listenerId: string): InterceptSettings {
    return this.proxy(listenerId).entry.controls.intercept;
  }

  held(listenerId?: string): HeldFrame[] {
    return this.queue.list(listenerId);
  }

  forward(id: number, edit?: CraftPayload): HeldFrame {
    const e = this.heldEntry(id);
    const bytes = edit ? payloadBytes(edit, { protocol: getProtocol(e.frame.protocol), direction: e.frame.direction }, 'edit').bytes : undefined;
    return this.release(e.frame, 'forward', bytes);
  }

  drop(id: number): HeldFrame {
    return this.release(this.heldEntry(id).frame, 'drop');
  }

  releaseAll(listenerId: string | undefined, action: 'forward' | 'drop' = 'forward'): { released: number } {
    const list = this.queue.list(listenerId);
    for (const f of list) this.release(f, action);
    return { released: list.length };
  }

  private heldEntry(id: number) {
    const e = this.queue.get(id);
    if (!e) throw new CraftError(`no held frame ${id} (it was released, or its connection closed)`);
    return e;
  }

  private release(frame: HeldFrame, action: 'forward' | 'drop', bytes?: Uint8Array): HeldFrame {
    const e = this.queue.get(frame.id)!;
    const listener = this.host.proxy(frame.listenerId)?.listener;
    // The relay answers synchronously with a `released` notice, which takes the frame out of the queue.
    if (!listener?.release(e.handle, e.key, action, bytes)) this.queue.released(frame.listenerId, e.handle, e.key, 'lost');
    if (this.queue.get(frame.id)) this.queue.released(frame.listenerId, e.handle, e.key, 'lost');
    this.changed('intercept');
    return frame;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Mock responders

  async addMock(spec: MockSpec): Promise<MockInfo> {
    if (typeof spec !== 'object' || spec === null) throw new CraftError('expected {listen or listenerId, protocol, rules}');
    if ((spec.listen === undefined) === (spec.listenerId === undefined)) throw new CraftError('give either "listen" (a listener with no upstream) or "listenerId" (rules on a proxy listener)');
    const rules = parseMockRules({ rules: spec.rules }).rules;
    const id = `mock-${this.nextMock++}`;
    if (spec.listenerId !== undefined) {
      const { entry, listener, info } = this.proxy(spec.listenerId);
      const protocolId = spec.protocol ?? (info.protocol === 'auto' ? undefined : info.protocol);
      const protocol = protocolId ? getProtocol(protocolId) : undefined;
      if (!protocol) throw new CraftError(`protocol: ${protocolId ? `unknown protocol '${protocolId}'` : `listener ${spec.listenerId} detects protocols: name the one the rules answer`}`);
      entry.controls.mocks.set(id, new MockResponder(rules, protocol, spec.variant));
      listener.refreshPolicy();
      this.mocks.set(id, { info: { id, ...(spec.name ? { name: spec.name } : {}), protocol: protocol.id, listenerId: spec.listenerId, rules } });
    } else {
      const protocol = spec.protocol ? getProtocol(spec.protocol) : undefined;
      if (!protocol) throw new CraftError(`protocol: expected a protocol id (${protocolIds().join(', ')})`);
      const l = spec.listen!;
      if (!Number.isInteger(l.port) || l.port < 0 || l.port > 65535) throw new CraftError('listen.port: expected 0 to 65535');
      const server = new MockServer({
        id, host: l.host, port: l.port, protocol, variant: spec.variant, responder: new MockResponder(rules, protocol, spec.variant), writer: this.writers.mock,
        onUnanswered: (u) => { this.pending.unanswered.push(u); this.schedule(); },
        onError: (message) => this.notice('warn', message),
        onChange: () => this.changed('mocks'),
      });
      try {
        await server.listen();
      } catch (e) {
        throw new CraftError(`cannot listen on ${l.host ?? '127.0.0.1'}:${l.port}: ${(e as Error).message}`);
      }
      this.mocks.set(id, { info: { id, ...(spec.name ? { name: spec.name } : {}), protocol: protocol.id, listen: server.endpoint, rules }, server });
    }
    this.changed('mocks');
    return this.mockInfo(this.mocks.get(id)!);
  }

  async removeMock(id: string): Promise<void> {
    const m = this.mocks.get(id);
    if (!m) throw new CraftError(`no mock responder ${id}`);
    this.mocks.delete(id);
    if (m.server) await m.server.close();
    if (m.info.listenerId) {
      const p = this.proxies.get(m.info.listenerId);
      p?.controls.mocks.delete(id);
      this.host.proxy(m.info.listenerId)?.listener.refreshPolicy();
    }
    this.changed('mocks');
  }

  mockInfos(): MockInfo[] {
    return [...this.mocks.values()].map((m) => this.mockInfo(m));
  }

  private mockInfo(m: MockEntry): MockInfo {
    return {
      ...m.info, state: m.server ? m.server.state : 'listening', connections: m.server?.connections ?? 0,
      answered: m.server?.answered ?? 0, unanswered: m.server?.unanswered ?? 0,
    };
  }

  // -------------------------------------------------------------------------------------------------------------
  // Chaos

  setChaos(listenerId: string, chaos: ChaosSettings | null): ChaosSettings | null {
    const { entry, listener } = this.proxy(listenerId);
    const s = entry.controls.setChaos(chaos);
    listener.refreshPolicy();
    return s;
  }

  chaos(listenerId: string): ChaosSettings | null {
    return this.proxy(listenerId).entry.controls.chaos;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Events

  private notice(severity: 'error' | 'warn' | 'info', message: string): void {
    this.host.emit('notice', { severity, message });
  }

  private changed(what: 'intercept' | 'craft' | 'mocks'): void {
    this.pending[what] = true;
    this.schedule();
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => this.flush(), EVENT_INTERVAL_MS);
  }

  private flush(): void {
    this.timer = undefined;
    const p = this.pending;
    if (p.intercept) this.host.emit('intercept.changed', { held: this.queue.list() });
    if (p.craft) this.host.emit('craft.status', this.clientInfos());
    if (p.mocks) this.host.emit('mock.status', this.mockInfos());
    if (p.unanswered.length) this.host.emit('mock.unanswered', { requests: p.unanswered });
    if (p.runs.size) this.host.emit('sequence.progress', { runs: [...p.runs.values()] });
    this.pending = { intercept: false, craft: false, mocks: false, unanswered: [], runs: new Map() };
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    for (const r of this.runs.values()) r.run.stop();
    for (const c of this.clients.values()) c.destroy();
    await Promise.all([...this.clients.values()].map((c) => c.closed));
    this.clients.clear();
    for (const m of this.mocks.values()) await m.server?.close();
    this.mocks.clear();
  }
}

function protocolOf(id: string | undefined): Protocol | undefined {
  return id && id !== 'auto' ? getProtocol(id) : undefined;
}
