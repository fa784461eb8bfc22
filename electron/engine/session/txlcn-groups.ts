/**
 * TX-LCN transactions: the frames of one transaction group (`txlcn.groupId`, or the payload's
 * `txlcn.params.groupId`) across every connection — the TxClients of several services and the TxManager — in time
 * order. A reply that carries no group id (TxClients leave it null) joins the group of the request it pairs with.
 */
import type { TxlcnGroup, TxlcnGroupMessage } from '../../../shared/api/contract';
import type { FieldValue } from '../../../shared/codec/tree';
import type { Session } from './session';
import { frameLookup } from './views';

const STATE: Record<string, string> = { '1': 'commit', '0': 'rollback', '-1': 'unknown' };

const one = (v: FieldValue | FieldValue[] | undefined): FieldValue | undefined => (Array.isArray(v) ? v[0] : v);
const text = (v: FieldValue | FieldValue[] | undefined): string | undefined => {
  const x = one(v);
  return x === undefined || x === null ? undefined : String(x);
};

/** What the message says about the transaction, in a few words. */
function stateOf(action: string, get: (name: string) => FieldValue | FieldValue[] | undefined, request?: string): string | undefined {
  const state = text(get('txlcn.params.state'));
  switch (action) {
    case 'clg': return state === undefined ? 'notify group' : `${STATE[state] ?? state} group`;
    case 'nt': return state === undefined ? 'notify unit' : `${STATE[state] ?? state} unit`;
    case 'cg': return 'create group';
    case 'atg': return `join (${text(get('txlcn.params.unitType')) ?? '?'})`;
    case 'ats': return 'ask state';
    case 'wc': return 'report exception';
    case 'rok': {
      const value = text(get('txlcn.params.value'));
      return value !== undefined && request === 'ats' ? `ok: state ${value} (${STATE[value] ?? '?'})` : 'ok';
    }
    case 'rex': return 'error';
    default: return undefined;
  }
}

export interface TxlcnGroupsOptions {
  /** Newest groups returned (default 2000). */
  limit?: number;
}

export function txlcnGroups(session: Session, opts: TxlcnGroupsOptions = {}): TxlcnGroup[] {
  const groups = new Map<string, TxlcnGroup>();
  const groupOfFrame = new Map<number, string>();
  const n = session.frameCount;
  for (let i = 0; i < n; i++) {
    if (session.protocolName(i) !== 'txlcn' || session.index.skipped(i)) continue;
    const get = frameLookup(session, i);
    const action = text(get('txlcn.action')) ?? session.messageName(i);
    const pair = session.index.pair(i);
    const request = pair >= 0 && pair < i ? session.messageName(pair) : undefined;
    let groupId = text(get('txlcn.groupId')) ?? text(get('txlcn.params.groupId'));
    if (groupId === undefined && pair >= 0) groupId = groupOfFrame.get(pair);
    if (groupId === undefined || groupId === 'init') continue; // heartbeats, nc, init client: no transaction
    groupOfFrame.set(i, groupId);
    const unitId = text(get('txlcn.params.unitId'));
    const message: TxlcnGroupMessage = {
      number: i + 1, time: session.timeRelative(i), connection: session.index.connection(i), direction: session.directionOf(i),
      action, message: session.messageName(i),
      ...(request ? { request } : {}),
      ...(unitId ? { unitId } : {}),
      ...(stateOf(action, get, request) ? { state: stateOf(action, get, request)! } : {}),
    };
    let g = groups.get(groupId);
    if (!g) { g = { groupId, first: message.time, last: message.time, connections: [], messages: [], outcome: 'open' }; groups.set(groupId, g); }
    g.messages.push(message);
    g.last = message.time;
    if (!g.connections.includes(message.connection)) g.connections.push(message.connection);
    if (action === 'clg') {
      const s = text(get('txlcn.params.state'));
      if (s === '1') g.outcome = 'commit';
      else if (s === '0') g.outcome = 'rollback';
    }
    if (action === 'rex') g.outcome = 'error';
  }
  const all = [...groups.values()];
  const limit = opts.limit ?? 2000;
  return all.length > limit ? all.slice(all.length - limit) : all;
}
