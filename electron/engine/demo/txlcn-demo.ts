/**
 * txlcn demo (PROTOCOLS.md §4): a TxManager and a TxClient running one distributed transaction. The client
 * registers (`ic`, answered with dtxTime 30000), creates a group, joins it, fails to join a group that does not exist
 * (`rex`), asks a state, reports an exception and commits; the manager tells the unit to commit (`nt`), announces
 * another manager (`nc`, one-way), heartbeats an idle connection (`h`, echoed) and asks for an aspect log (`gal`).
 * A response reuses its request's key; the manager copies the groupId into its replies, the client leaves it null.
 */
import { randomBytes } from 'node:crypto';
import { encodeMessage, type PbMessage } from '../../../shared/codec/protobuf';
import type { DecodedFrame, Direction, EncodeOptions } from '../../../shared/codec/protocol';
import type { Doc } from '../../../shared/codec/schema';
import { toHex } from '../../../shared/codec/bytes';
import { getProtocol } from '../../../shared/protocols/index';
import type { DemoConnection } from './demo-connection';
import type { DemoPeer, DemoSessionContext } from './demo-peer';

const txlcn = getProtocol('txlcn')!;

/** What the manager hands out in the `ic` reply (ms). */
const DTX_TIME = '30000';
/** Idle time after which the manager heartbeats a connection (the real one uses minutes; a demo wants to see it). */
const IDLE_HEARTBEAT_MS = 150;
const APP_NAME = 'demo-order-service';

/** A Java exception as the rex payload carries it (opaque to the codec; shown raw). */
const EXCEPTION: PbMessage = { name: 'TxException', fields: [{ no: 1, name: 'message', type: 'string' }] };
const exceptionBytes = (message: string): string => toHex(encodeMessage({ message }, EXCEPTION, { int64: 'string', bytesAs: 'hex' }, 'rex'));

let keySequence = 0;
/** Request keys look like the real ones: a nanosecond clock followed by a random number. */
function newKey(): string {
  keySequence = (keySequence + 1) % 1000;
  return `${process.hrtime.bigint() % 10n ** 14n}${String(keySequence).padStart(3, '0')}`;
}

const keyOf = (f: DecodedFrame): string | undefined => (typeof f.value.key === 'string' ? f.value.key : undefined);

/**
 * Requests this side sent and is waiting on, by key: a `rok`'s payload is read with the table of the request's
 * action (DecodeOptions.context), exactly as pairing would do it.
 */
function trackRequests(conn: DemoConnection, incoming: Direction): Map<string | number, string> {
  const pending = new Map<string | number, string>();
  conn.state.set(PENDING, pending);
  conn.decodeOptions = (pdu) => {
    const key = txlcn.peek(pdu, incoming).pair.key;
    const action = key === undefined ? undefined : pending.get(key);
    return action ? { context: { requestAction: action } } : undefined;
  };
  return pending;
}

const PENDING = 'txlcn.pending';
const pendingOf = (conn: DemoConnection): Map<string, string> => (conn.state.get(PENDING) as Map<string, string> | undefined) ?? new Map<string, string>();

const replyOptions = (action: string): EncodeOptions => ({ context: { requestAction: action } });

// ---------------------------------------------------------------------------------------------------------------
// TxManager

interface Unit { unitId: string; unitType: string; conn: DemoConnection }

function createServer(): { accept(conn: DemoConnection): void } {
  const groups = new Map<string, Unit[]>();
  return {
    accept(conn) {
      const pending = trackRequests(conn, 'c2s');
      const client = conn.remoteAddress;
      let askedLog = false;
      let idle: NodeJS.Timeout | undefined;
      const armIdle = (): void => {
        clearTimeout(idle);
        idle = setTimeout(() => {
          if (conn.isClosed) return;
          const key = newKey();
          pending.set(key, 'h');
          conn.send('h', { key, action: 'h', bytes: null, groupId: null, remoteKey: null });
        }, IDLE_HEARTBEAT_MS);
      };
      void conn.closed.then(() => {
        clearTimeout(idle);
        for (const [id, units] of groups) if (units.every((u) => u.conn === conn)) groups.delete(id);
      });
      const request = (action: string, params: Doc, groupId: string | null): void => {
        const key = newKey();
        pending.set(key, action);
        conn.send(action, { key, action, params, groupId, remoteKey: client });
      };

      conn.onFrame = (f) => {
        armIdle();
        const key = keyOf(f);
        const groupId = typeof f.value.groupId === 'string' ? f.value.groupId : null;
        const params = (f.value.params ?? {}) as Doc;
        /** A reply reuses the request's key and carries its groupId. */
        const ok = (extra: Doc = { bytes: null }): void => { conn.send('rok', { key, action: 'rok', ...extra, groupId, remoteKey: client }, replyOptions(f.message)); };
        const fail = (message: string): void => { conn.send('rex', { key, action: 'rex', bytes: exceptionBytes(message), groupId, remoteKey: client }); };
        switch (f.message) {
          case 'ic':
            ok({ params: { appName: params.appName, dtxTime: DTX_TIME } });
            // A second manager joined the cluster: the client should connect to it too (one-way, no key).
            conn.send('nc', { key: null, action: 'nc', params: { host: '127.0.0.1', port: 8072 }, groupId: null, remoteKey: client });
            break;
          case 'cg':
            if (groupId) groups.set(groupId, []);
            ok();
            break;
          case 'atg': {
            const units = groupId ? groups.get(groupId) : undefined;
            if (!units) { fail(`non-exists group: ${String(groupId)}`); break; }
            units.push({ unitId: String(params.unitId), unitType: String(params.unitType), conn });
            ok();
            break;
          }
          case 'ats':
            ok({ params: { value: groupId && groups.has(groupId) ? 1 : -1 } }); // 1 commit, 0 rollback, -1 unknown
            break;
          case 'wc':
            ok();
            break;
          case 'clg': {
            const units = groupId ? groups.get(groupId) ?? [] : [];
            ok();
            // Commit or roll back every unit of the group.
            for (const u of units) {
              if (!u.conn.isClosed) {
                const nkey = newKey();
                pendingOf(u.conn).set(nkey, 'nt');
                u.conn.send('nt', { key: nkey, action: 'nt', params: { groupId, unitId: u.unitId, unitType: u.unitType, state: params.state }, groupId, remoteKey: u.conn.remoteAddress });
              }
            }
            if (groupId) groups.delete(groupId);
            break;
          }
          case 'h':
            if (key) pending.delete(key); // the echo of our heartbeat; the manager acts on nothing else
            if (!askedLog) {
              askedLog = true;
              request('gal', { groupId: 'last', unitId: 'last' }, null);
            }
            break;
          case 'rok':
          case 'rex':
            if (key) pending.delete(key);
            break;
          default:
            break;
        }
      };
      armIdle();
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// TxClient

async function runSession(ctx: DemoSessionContext): Promise<void> {
  const conn = await ctx.connect();
  const pending = trackRequests(conn, 's2c');
  const manager = conn.remoteAddress;
  const unitId = randomBytes(16).toString('hex');
  const groupId = `${Date.now()}${String(ctx.round).padStart(5, '0')}`;
  let lastUnit = { groupId, unitId };

  // Requests from the manager: heartbeats are echoed unchanged, the others answered with a rok (groupId null).
  conn.onFrame = (f) => {
    const key = keyOf(f);
    const answer = (extra: Doc): void => { conn.send('rok', { key, action: 'rok', ...extra, groupId: null, remoteKey: manager }, replyOptions(f.message)); };
    if (f.message === 'h') conn.send('h', f.value);
    else if (f.message === 'nt') answer({ bytes: null });
    else if (f.message === 'gal') answer({ bytes: toHex(Buffer.from(`aspect log of ${lastUnit.groupId}/${lastUnit.unitId}: ${APP_NAME} OrderService#create`)) });
  };

  const ask = async (action: string, fields: Doc, expect: 'rok' | 'rex' = 'rok'): Promise<DecodedFrame> => {
    const key = newKey();
    pending.set(key, action);
    const reply = await conn.request(action, { key, action, groupId, remoteKey: manager, ...fields }, (f) => (f.message === 'rok' || f.message === 'rex') && keyOf(f) === key);
    pending.delete(key);
    if (reply.message !== expect) throw new Error(`txlcn: ${action} answered ${reply.message}, expected ${expect}`);
    return reply;
  };

  const init = await ask('ic', { params: { appName: APP_NAME, dtxTime: '0' }, groupId: 'init' });
  if ((init.value.params as Doc | undefined)?.dtxTime !== DTX_TIME) throw new Error('txlcn: ic reply without dtxTime');
  await conn.next('nc');

  await ask('cg', { bytes: null });
  await ask('atg', { params: { groupId, unitId, unitType: 'lcn', remoteKey: manager } });
  const stray = `${groupId}9`;
  await ask('atg', { params: { groupId: stray, unitId, unitType: 'lcn' }, groupId: stray }, 'rex');
  await ask('ats', { params: { groupId, unitId } });
  await ask('wc', { params: { groupId, unitId, registrar: 0, transactionState: 1 } });
  lastUnit = { groupId, unitId };
  const notified = conn.next('nt');
  await ask('clg', { params: { groupId, state: 1 } });
  await notified;

  // Idle now: the manager heartbeats (echoed by onFrame), then asks for the aspect log.
  await conn.next('h');
  await conn.next('gal');
  await conn.end();
}

export const txlcnDemo: DemoPeer = {
  protocol: txlcn.id,
  defaultPort: txlcn.ports[0],
  createServer,
  runSession,
};
