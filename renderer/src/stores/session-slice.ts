/** The session as the engine reports it: totals, proxies, capture, notices; and the commands that change it. */
import type { ProtocolSummary } from '../../../shared/api/contract';
import type { CatalogEntry } from '../../../shared/codec/schema';
import type { CaptureStatus, ProxyListenerInfo, ProxyListenerSpec, SessionInfo } from '../../../shared/model/session';
import type { TransportState } from '../api/ws-transport';
import type { SliceCreator } from './store';

export interface Notice {
  id: number;
  severity: 'error' | 'warn' | 'info';
  message: string;
}

export interface SessionSlice {
  transport: TransportState;
  ready: boolean;
  frames: number;
  /** Frames that are in a file (opened or saved); frames beyond them are lost by Clear or Open. */
  savedFrames: number;
  connections: number;
  file?: string;
  spool?: string;
  proxies: ProxyListenerInfo[];
  capture: CaptureStatus;
  protocols: ProtocolSummary[];
  catalog: readonly CatalogEntry[];
  notices: Notice[];
  demoRunning: boolean;
  /** Loads what the UI needs once, then keeps it current from events. */
  init(): Promise<void>;
  setTransport(state: TransportState): void;
  applyInfo(info: SessionInfo): void;
  notify(severity: Notice['severity'], message: string): void;
  dismissNotice(id: number): void;
  /** Runs a command; a failure becomes a notice instead of an unhandled rejection. */
  attempt<T>(what: string, fn: () => Promise<T>): Promise<T | undefined>;
  clearSession(): Promise<void>;
  /** Clear, after asking when frames would be lost. */
  requestClear(): void;
  openFile(path: string): Promise<boolean>;
  saveFile(path: string): Promise<boolean>;
  addProxy(spec: ProxyListenerSpec): Promise<ProxyListenerInfo | undefined>;
  removeProxy(id: string): Promise<void>;
  startDemo(): Promise<void>;
  stopDemo(): Promise<void>;
}

let nextNotice = 1;
const NOTICE_LIMIT = 5;

export const createSessionSlice: SliceCreator<SessionSlice> = (set, get, { api }) => ({
  transport: 'connecting',
  ready: false,
  frames: 0,
  savedFrames: 0,
  connections: 0,
  proxies: [],
  capture: { state: 'idle', packets: 0, dropped: 0 },
  protocols: [],
  catalog: [],
  notices: [],
  demoRunning: false,

  async init() {
    await get().attempt('Connecting to the engine', async () => {
      const [info, protocols, catalog] = await Promise.all([
        api.call('session.info', {}), api.call('protocols.list', {}), api.call('fields.catalog', {}),
      ]);
      set({ protocols, catalog });
      get().applyInfo(info);
      await get().rebuildView();
      set({ ready: true });
    });
  },

  setTransport(transport) {
    const was = get().transport;
    set({ transport });
    // After a reconnect the engine may have restarted: views and totals are re-read.
    if (transport === 'open' && was !== 'open' && get().ready) void get().init();
  },

  applyInfo(info) {
    set({
      frames: info.frames, savedFrames: info.frames - info.unsaved, connections: info.connections, file: info.file, spool: info.spool, proxies: info.proxies,
      capture: info.capture, demoRunning: info.demo,
    });
  },

  notify(severity, message) {
    const notices = [...get().notices, { id: nextNotice++, severity, message }];
    set({ notices: notices.slice(-NOTICE_LIMIT) });
  },

  dismissNotice(id) {
    set({ notices: get().notices.filter((n) => n.id !== id) });
  },

  async attempt(what, fn) {
    try {
      return await fn();
    } catch (e) {
      get().notify('error', `${what}: ${(e as Error).message}`);
      return undefined;
    }
  },

  async clearSession() {
    await get().attempt('Clear', async () => {
      get().applyInfo(await api.call('session.clear', {}));
      await get().sessionReplaced();
    });
  },

  requestClear() {
    if (get().frames > get().savedFrames) get().openDialog('confirmClear');
    else void get().clearSession();
  },

  async openFile(path) {
    const info = await get().attempt(`Open ${path}`, () => api.call('session.open', { path }));
    if (!info) return false;
    get().applyInfo(info);
    await get().sessionReplaced();
    return true;
  },

  async saveFile(path) {
    const saved = await get().attempt(`Save ${path}`, () => api.call('session.save', { path }));
    if (!saved) return false;
    set({ file: saved.path, savedFrames: saved.frames });
    get().notify('info', `Saved ${saved.frames} frames to ${saved.path}`);
    return true;
  },

  async addProxy(spec) {
    const info = await get().attempt('Start proxy', () => api.call('proxy.add', spec));
    if (info) set({ proxies: await api.call('proxy.list', {}) });
    return info;
  },

  async removeProxy(id) {
    await get().attempt('Stop proxy', async () => {
      await api.call('proxy.remove', { id });
      set({ proxies: await api.call('proxy.list', {}) });
    });
  },

  async startDemo() {
    const r = await get().attempt('Start the demo', () => api.call('demo.start', {}));
    if (!r) return;
    set({ demoRunning: true, proxies: await api.call('proxy.list', {}) });
  },

  async stopDemo() {
    await get().attempt('Stop the demo', async () => {
      await api.call('demo.stop', {});
      set({ demoRunning: false, proxies: await api.call('proxy.list', {}) });
    });
  },
});
