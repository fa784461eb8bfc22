/**
 * Crafting, as the engine reports it and the user drives it: the composer (draft and where it goes), client
 * sessions, the intercept queue and rules, mock responders and their unanswered requests, sequence runs and chaos.
 * Engine events (`craft.status`, `intercept.changed`, `mock.status`, `mock.unanswered`, `sequence.progress`) keep it
 * current (bind-craft-events.ts); every command goes through `attempt`, so a failure is a notice.
 */
import type {
  ChaosSettings, CraftSessionInfo, HeldFrame, InterceptRule, InterceptSettings, MockInfo, MockSpec, SendResult, SequenceFile,
  SequenceRunInfo, SequenceTarget, UnansweredRequest,
} from '../../../shared/api/contract';
import type { Direction } from '../../../shared/codec/protocol';
import type { ComposerDraft } from '../features/composer/composer-model';

/** The composer's logic brings the protocol declarations: loaded with the composer, not with the app. */
const model = () => import('../features/composer/composer-model');
import type { SliceCreator } from './store';

/** Where the composer sends. */
export type ComposerTarget =
  | { kind: 'connect'; host: string; port: number }
  | { kind: 'session'; id: string }
  | { kind: 'inject'; connection: number; direction: Direction }
  | { kind: 'held'; id: number };

export interface ComposerState {
  draft: ComposerDraft;
  target: ComposerTarget;
  /** Where the draft came from (`frame 12`, `held #3`), for the title. */
  origin?: string;
  /** The last send's answer. */
  last?: SendResult & { at: number };
  sending: boolean;
}

export interface CraftSlice {
  composer?: ComposerState;
  /** The draft of a closed composer: reopening continues from it. */
  lastDraft?: ComposerDraft;
  lastTarget?: ComposerTarget;
  craftSessions: CraftSessionInfo[];
  held: HeldFrame[];
  /** Held frames forwarded, modified or dropped recently (the queue shows them greyed). */
  decided: HeldFrame[];
  intercept: Record<string, InterceptSettings>;
  mocks: MockInfo[];
  unanswered: UnansweredRequest[];
  runs: SequenceRunInfo[];
  chaos: Record<string, ChaosSettings | null>;
  /** The proxy listener the intercept, mock and chaos panels work on (kept across tab switches). */
  craftListener?: string;

  setCraftListener(id: string | undefined): void;
  openComposer(draft?: ComposerDraft, target?: ComposerTarget, origin?: string): Promise<void>;
  closeComposer(): void;
  updateDraft(patch: Partial<ComposerDraft>): void;
  setComposerTarget(target: ComposerTarget): void;
  /** Replaces the draft by a message's template (keeps the target). */
  pickTemplate(protocol: string, message: string): Promise<void>;
  /** Opens the composer on a recorded frame's decoded document, aimed at its connection. */
  editFrame(number: number): Promise<void>;
  /** Opens the composer on a held frame; sending forwards it edited. */
  editHeld(id: number): Promise<void>;
  sendComposer(): Promise<SendResult | HeldFrame | undefined>;

  refreshCraft(): Promise<void>;
  connectCraft(host: string, port: number, protocol: string): Promise<CraftSessionInfo | undefined>;
  closeCraft(id: string): Promise<void>;

  loadIntercept(listenerId: string): Promise<void>;
  setInterceptRules(listenerId: string, rules: InterceptRule[], holdTimeoutSeconds?: number, timeoutAction?: 'forward' | 'drop'): Promise<boolean>;
  applyHeld(held: HeldFrame[]): void;
  /** A held frame we forwarded or dropped: out of the queue, into the decided list with its new state. */
  decideHeld(h: HeldFrame): void;
  forwardHeld(id: number): Promise<void>;
  dropHeld(id: number): Promise<void>;
  releaseAll(action: 'forward' | 'drop', listenerId?: string): Promise<void>;

  addMock(spec: MockSpec): Promise<MockInfo | undefined>;
  removeMock(id: string): Promise<void>;
  addUnanswered(requests: UnansweredRequest[]): void;
  clearUnanswered(): void;

  runSequence(sequence: SequenceFile, target: SequenceTarget): Promise<SequenceRunInfo | undefined>;
  stopSequence(runId: string): Promise<void>;
  applyRuns(runs: SequenceRunInfo[]): void;

  loadChaos(listenerId: string): Promise<void>;
  setChaos(listenerId: string, chaos: ChaosSettings | null): Promise<boolean>;
}

const UNANSWERED_LIMIT = 200;
const DECIDED_LIMIT = 50;

/** Merges runs by id, newest state wins, newest first. */
export function mergeRuns(current: readonly SequenceRunInfo[], updates: readonly SequenceRunInfo[]): SequenceRunInfo[] {
  const byId = new Map(current.map((r) => [r.runId, r]));
  for (const u of updates) byId.set(u.runId, u);
  const order = [...updates.map((u) => u.runId), ...current.map((r) => r.runId)];
  return [...new Set(order)].map((id) => byId.get(id)!);
}

async function firstTemplate(): Promise<ComposerDraft> {
  const { templateEntries, draftFromTemplate } = await model();
  const first = templateEntries()[0];
  return draftFromTemplate(first.protocol, first.message);
}

export const createCraftSlice: SliceCreator<CraftSlice> = (set, get, { api, decoder }) => ({
  craftSessions: [],
  held: [],
  decided: [],
  intercept: {},
  mocks: [],
  unanswered: [],
  runs: [],
  chaos: {},

  setCraftListener(craftListener) { set({ craftListener }); },

  async openComposer(draft, target, origin) {
    const current = get().composer;
    const d = draft ?? current?.draft ?? get().lastDraft ?? await firstTemplate();
    // An open client session of the draft's protocol, unless the caller or the last composer said where.
    const open = get().craftSessions.find((x) => x.state === 'open' && x.protocol === d.protocol);
    const fallback: ComposerTarget = open ? { kind: 'session', id: open.id } : { kind: 'connect', host: '127.0.0.1', port: 0 };
    const lt = draft ? undefined : get().lastTarget;
    const last = lt?.kind === 'held' || (lt?.kind === 'session' && !get().craftSessions.some((x) => x.id === lt.id && x.state === 'open')) ? undefined : lt;
    set({
      composer: {
        draft: d,
        target: target ?? current?.target ?? last ?? fallback,
        origin, sending: false,
      },
      menu: undefined,
    });
  },

  closeComposer() {
    const c = get().composer;
    set({ composer: undefined, lastDraft: c?.draft ?? get().lastDraft, lastTarget: c?.target ?? get().lastTarget });
  },

  updateDraft(patch) {
    const c = get().composer;
    if (c) set({ composer: { ...c, draft: { ...c.draft, ...patch } } });
  },

  setComposerTarget(target) {
    const c = get().composer;
    if (c) set({ composer: { ...c, target } });
  },

  async pickTemplate(protocol, message) {
    const draft = (await model()).draftFromTemplate(protocol, message);
    const c = get().composer;
    if (c) set({ composer: { ...c, draft, origin: undefined } });
    else await get().openComposer(draft);
  },

  async editFrame(number) {
    await get().attempt(`Edit frame ${number}`, async () => {
      const [{ detail }, { decodeDocument, draftFromDocument }] = await Promise.all([decoder.frame(get().generation, number), model()]);
      const { row } = detail;
      const frame = decodeDocument(row.protocol, detail.hex, row.direction, { context: detail.context, variant: detail.variant });
      const draft = draftFromDocument({ protocol: row.protocol, message: frame?.message ?? row.message, direction: row.direction, value: frame?.value, hex: detail.hex });
      // Resend where it came from: our own client session, else injected into its connection while that is live;
      // a request of a connection that is gone (or was only captured or read from a file) goes to its server anew.
      const own = get().craftSessions.find((s) => s.connection === row.connection && s.state === 'open');
      let target: ComposerTarget;
      if (own && row.direction === 'c2s') target = { kind: 'session', id: own.id };
      else {
        const conn = row.direction === 'c2s' ? (await api.call('connections.list', {})).find((c) => c.id === row.connection) : undefined;
        const live = conn && (conn.state === 'open' || conn.state === 'half-closed') && conn.source !== 'file' && conn.source !== 'capture';
        target = conn && !live ? { kind: 'connect', host: conn.server.host, port: conn.server.port } : { kind: 'inject', connection: row.connection, direction: row.direction };
      }
      await get().openComposer(draft, target, `frame ${number}`);
    });
  },

  async editHeld(id) {
    const h = get().held.find((x) => x.id === id);
    if (!h) return;
    const { draftFromDocument } = await model();
    const draft = draftFromDocument({ protocol: h.protocol, message: h.message, direction: h.direction, value: h.value, hex: h.hex });
    await get().openComposer(draft, { kind: 'held', id }, `held #${id}`);
  },

  async sendComposer() {
    const c = get().composer;
    if (!c || c.sending) return undefined;
    const setSending = (sending: boolean) => { const now = get().composer; if (now) set({ composer: { ...now, sending } }); };
    setSending(true);
    try {
      return await get().attempt('Send', async () => {
        const payload = (await model()).payloadOf(c.draft);
        const t = c.target;
        if (t.kind === 'held') {
          const held = await api.call('intercept.forward', { id: t.id, edit: payload });
          get().decideHeld(held);
          const now = get().composer;
          if (now) set({ composer: { ...now, last: { hex: held.hex, length: held.hex.length / 2, frames: [], at: Date.now() } } });
          return held;
        }
        let result: SendResult;
        if (t.kind === 'inject') {
          result = await api.call('craft.inject', { connection: t.connection, direction: t.direction, payload });
        } else {
          let id = t.kind === 'session' ? t.id : undefined;
          if (t.kind === 'connect') {
            const session = await get().connectCraft(t.host, t.port, c.draft.protocol);
            if (!session) return undefined;
            id = session.id;
            get().setComposerTarget({ kind: 'session', id });
          }
          result = await api.call('craft.send', { id: id!, payload });
        }
        const now = get().composer;
        if (now) set({ composer: { ...now, last: { ...result, at: Date.now() } } });
        return result;
      });
    } finally {
      setSending(false);
    }
  },

  async refreshCraft() {
    await get().attempt('Craft state', async () => {
      const [craftSessions, mocks, held, runs] = await Promise.all([
        api.call('craft.list', {}), api.call('mock.list', {}), api.call('intercept.list', {}), api.call('sequence.list', {}),
      ]);
      set({ craftSessions, mocks, held: held.filter((h) => h.state === 'held'), runs });
    });
  },

  async connectCraft(host, port, protocol) {
    const session = await get().attempt(`Connect to ${host}:${port}`, () => api.call('craft.connect', { host, port, protocol }));
    if (session) set({ craftSessions: await api.call('craft.list', {}) });
    return session;
  },

  async closeCraft(id) {
    await get().attempt('Close', async () => {
      await api.call('craft.close', { id });
      set({ craftSessions: await api.call('craft.list', {}) });
    });
  },

  async loadIntercept(listenerId) {
    const settings = await get().attempt('Intercept rules', () => api.call('intercept.getRules', { listenerId }));
    if (settings) set({ intercept: { ...get().intercept, [listenerId]: settings } });
  },

  async setInterceptRules(listenerId, rules, holdTimeoutSeconds, timeoutAction) {
    const settings = await get().attempt('Intercept rules', () => api.call('intercept.setRules', { listenerId, rules, holdTimeoutSeconds, timeoutAction }));
    if (settings) set({ intercept: { ...get().intercept, [listenerId]: settings } });
    return settings !== undefined;
  },

  applyHeld(held) {
    const still = new Set(held.map((h) => h.id));
    const known = new Set(get().decided.map((h) => h.id));
    // Frames that left the queue without us (timeout, another window) are listed as released.
    const gone = get().held.filter((h) => !still.has(h.id) && !known.has(h.id)).map((h) => ({ ...h, state: 'forwarded' as const }));
    set({ held, decided: [...gone, ...get().decided].slice(0, DECIDED_LIMIT) });
  },

  decideHeld(h) {
    set({ held: get().held.filter((x) => x.id !== h.id), decided: [h, ...get().decided.filter((x) => x.id !== h.id)].slice(0, DECIDED_LIMIT) });
  },

  async forwardHeld(id) {
    const h = await get().attempt(`Forward #${id}`, () => api.call('intercept.forward', { id }));
    if (h) get().decideHeld(h);
  },

  async dropHeld(id) {
    const h = await get().attempt(`Drop #${id}`, () => api.call('intercept.drop', { id }));
    if (h) get().decideHeld(h);
  },

  async releaseAll(action, listenerId) {
    const before = get().held;
    const r = await get().attempt('Release all', () => api.call('intercept.releaseAll', { action, listenerId }));
    if (!r) return;
    for (const h of before) if (!listenerId || h.listenerId === listenerId) get().decideHeld({ ...h, state: action === 'drop' ? 'dropped' : 'forwarded' });
    get().applyHeld(await api.call('intercept.list', {}).then((l) => l.filter((h) => h.state === 'held')));
  },

  async addMock(spec) {
    const info = await get().attempt('Add mock responder', () => api.call('mock.add', spec));
    if (info) set({ mocks: await api.call('mock.list', {}) });
    return info;
  },

  async removeMock(id) {
    await get().attempt('Remove mock responder', async () => {
      await api.call('mock.remove', { id });
      set({ mocks: await api.call('mock.list', {}), unanswered: get().unanswered.filter((u) => u.mockId !== id) });
    });
  },

  addUnanswered(requests) {
    set({ unanswered: [...get().unanswered, ...requests].slice(-UNANSWERED_LIMIT) });
  },

  clearUnanswered() { set({ unanswered: [] }); },

  async runSequence(sequence, target) {
    const run = await get().attempt('Run sequence', () => api.call('sequence.run', { sequence, target }));
    if (run) {
      get().applyRuns([run]);
      set({ craftSessions: await api.call('craft.list', {}) });
    }
    return run;
  },

  async stopSequence(runId) {
    const run = await get().attempt('Stop sequence', () => api.call('sequence.stop', { runId }));
    if (run) get().applyRuns([run]);
  },

  applyRuns(runs) { set({ runs: mergeRuns(get().runs, runs) }); },

  async loadChaos(listenerId) {
    const chaos = await get().attempt('Chaos', () => api.call('chaos.get', { listenerId }));
    if (chaos !== undefined) set({ chaos: { ...get().chaos, [listenerId]: chaos } });
  },

  async setChaos(listenerId, chaos) {
    try {
      const now = await api.call('chaos.set', { listenerId, chaos });
      set({ chaos: { ...get().chaos, [listenerId]: now } });
      return true;
    } catch (e) {
      get().notify('error', `Chaos: ${(e as Error).message}`);
      return false;
    }
  },
});
