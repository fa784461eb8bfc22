/**
 * push demo (PROTOCOLS.md §5): a broker that enforces the real rules (magic first, IDENTIFY and SUB before
 * subscribing, SUB needs heartbeats, PUB only from the worker role, CLS only after SUB; fatal errors close the
 * connection) and stores messages for clients that are offline; and a round with three clients: the worker (feature
 * negotiation, publishes to an offline and then an online device), an app that subscribes, receives both messages,
 * heartbeats and closes politely, and a plain app that tries to publish and is thrown out.
 */
import type { DecodedFrame } from '../../../shared/codec/protocol';
import type { Doc } from '../../../shared/codec/schema';
import { getProtocol } from '../../../shared/protocols/index';
import type { DemoConnection } from './demo-connection';
import type { DemoPeer, DemoSessionContext } from './demo-peer';

const push = getProtocol('push')!;

const MAGIC = '  V1';
const WORKER_ROLE = '$_@push_sign_$_kz_worker';
/** The negotiation reply of a broker that offers no TLS or compression. */
const NEGOTIATION = '{"version":"0.1.0-alpha","tls_v1":false,"deflate":false,"deflate_level":0,"max_deflate_level":6,"snappy":false,"sample_rate":0}';
/** Offline messages kept per client (the real broker has a store; a looping demo must stay bounded). */
const MAX_STORED = 20;

const hex = (s: string): string => Buffer.from(s, 'utf8').toString('hex');
const INT64 = /^-?\d{1,19}$/;

interface StoredMessage { messageId: string; body: string; timestamp: string }

interface ClientState {
  magic: boolean;
  state: 'init' | 'subscribed' | 'closing';
  clientId?: string;
  role?: string;
  heartbeatInterval: number;
  channel?: string;
}

function createServer(): { accept(conn: DemoConnection): void } {
  /** Subscribed connections by client id. */
  const subscribers = new Map<string, { conn: DemoConnection; channel: string }>();
  const stored = new Map<string, StoredMessage[]>();

  const deliver = (conn: DemoConnection, m: StoredMessage): void => {
    conn.send('Message', { timestamp: m.timestamp, attempts: 0, message_id: m.messageId, body: m.body });
  };

  return {
    accept(conn) {
      const c: ClientState = { magic: false, state: 'init', heartbeatInterval: 30000 };
      const fatal = (code: string, desc?: string): void => {
        conn.send('Error', desc === undefined ? { error_code: code } : { error_code: code, error_desc: desc });
        conn.socket.end();
      };
      void conn.closed.then(() => { if (c.clientId && subscribers.get(c.clientId)?.conn === conn) subscribers.delete(c.clientId); });
      // The broker reads the first four bytes as the magic whatever they are; junk later is an invalid command.
      conn.onGarbage = () => (c.magic ? fatal('E_INVALID', 'invalid command') : fatal('E_BAD_PROTOCOL'));

      conn.onFrame = (f) => {
        const v = f.value;
        if (!c.magic) {
          if (f.message !== 'Magic' || v.magic !== MAGIC) return fatal('E_BAD_PROTOCOL');
          c.magic = true;
          return;
        }
        switch (f.message) {
          case 'H':
            conn.send('Response', { response: 'H' });
            break;
          case 'NOP':
            break;
          case 'IDENTIFY': {
            if (c.state !== 'init') return fatal('E_INVALID', 'cannot IDENTIFY in current state');
            const id = identifyOf(f);
            if (!id) return fatal('E_BAD_BODY', 'IDENTIFY failed to decode JSON body');
            const hb = id.heartbeat_interval === undefined ? 0 : Number(id.heartbeat_interval);
            if (!(hb === -1 || hb === 0 || hb >= 1000)) return fatal('E_BAD_BODY', `IDENTIFY heartbeat interval (${hb}) is invalid`);
            c.heartbeatInterval = hb;
            if (typeof id.client_id === 'string') c.clientId = id.client_id;
            if (typeof id.role === 'string') c.role = id.role;
            conn.send('Response', { response: id.feature_negotiation === true ? NEGOTIATION : 'OK' });
            break;
          }
          case 'SUB': {
            const channel = String(v.channel_id ?? '');
            if (c.state !== 'init') return fatal('E_INVALID', 'cannot SUB in current state');
            if (c.heartbeatInterval === -1) return fatal('E_INVALID', 'cannot SUB with heartbeats disabled');
            if (!c.clientId || !INT64.test(c.clientId)) return fatal('E_INVALID', `invalid client id ${c.clientId ?? ''}`);
            if (!INT64.test(channel)) return fatal('E_INVALID', `invalid channel id ${channel}`);
            c.state = 'subscribed';
            c.channel = channel;
            subscribers.get(c.clientId)?.conn.destroy(); // a device has one connection
            subscribers.set(c.clientId, { conn, channel });
            conn.send('Response', { response: 'OK' });
            for (const m of stored.get(c.clientId) ?? []) deliver(conn, m);
            stored.delete(c.clientId);
            break;
          }
          case 'PUB': {
            if (c.role !== WORKER_ROLE) return fatal('E_INVALID_REQUEST', "client can't pub message");
            const target = String(v.client_id);
            const m: StoredMessage = { messageId: String(v.message_id), body: String(v.body ?? ''), timestamp: String(BigInt(Date.now()) * 1_000_000n) };
            const sub = subscribers.get(target);
            let ackType = 2;
            if (sub && sub.channel === String(v.channel_id)) {
              ackType = sub.conn.isClosed ? 3 : 1;
              if (ackType === 1) deliver(sub.conn, m);
            } else {
              const list = stored.get(target) ?? [];
              list.push(m);
              stored.set(target, list.slice(-MAX_STORED));
            }
            conn.send('Ack', { ack_type: ackType, client_id: target, message_id: m.messageId });
            break;
          }
          case 'CLS':
            if (c.state !== 'subscribed') return fatal('E_INVALID', 'cannot CLS in current state');
            c.state = 'closing';
            conn.send('Response', { response: 'CLOSE_WAIT' });
            break;
          default:
            return fatal('E_INVALID', `invalid command ${String(v.command ?? v.line ?? '')}`);
        }
      };
    },
  };
}

function identifyOf(f: DecodedFrame): Doc | undefined {
  const id = f.value.identify;
  if (typeof id === 'object' && id !== null) return id as Doc;
  if (typeof id === 'string') {
    try { return JSON.parse(id) as Doc; } catch { return undefined; }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Clients

async function open(ctx: DemoSessionContext, identify: Doc): Promise<{ conn: DemoConnection; answer: DecodedFrame }> {
  const conn = await ctx.connect();
  conn.send('Magic', { magic: MAGIC });
  const answer = await conn.request('IDENTIFY', { identify }, ['Response', 'Error']);
  return { conn, answer };
}

function responseText(f: DecodedFrame): string {
  const r = f.value.response;
  return typeof r === 'string' ? r : JSON.stringify(r);
}

function expectResponse(f: DecodedFrame, text: string | RegExp): void {
  const got = f.message === 'Response' ? responseText(f) : `${f.message} ${String(f.value.error_code)}`;
  if (typeof text === 'string' ? got !== text : !text.test(got)) throw new Error(`push: got ${got}, expected ${String(text)}`);
}

async function runSession(ctx: DemoSessionContext): Promise<void> {
  const device = String(1030391111929 + ctx.round);
  const channel = '1001';
  const messageId = (k: number): string => String(300000000000 + ctx.round * 10 + k);
  const publish = (conn: DemoConnection, k: number, text: string): Promise<DecodedFrame> =>
    conn.request('PUB', { client_id: device, channel_id: channel, message_id: messageId(k), body: hex(text) }, ['Ack', 'Error']);
  const ackType = (f: DecodedFrame): unknown => (f.message === 'Ack' ? f.value.ack_type : f.message);

  // The worker negotiates features (JSON reply) and publishes to a device that is not connected yet: stored.
  const worker = await open(ctx, { client_id: '1', role: WORKER_ROLE, hostname: 'push-worker-01', heartbeat_interval: 30000, feature_negotiation: true, user_agent: 'push-worker/1.0' });
  expectResponse(worker.answer, /^\{"version"/);
  if (ackType(await publish(worker.conn, 1, '{"title":"欢迎","body":"offline message"}')) !== 2) throw new Error('push: offline PUB not acked 2');

  // The app subscribes and gets the stored message, then a live one.
  const app = await open(ctx, { client_id: device, hostname: 'android-3f2a', heartbeat_interval: 30000, feature_negotiation: false, user_agent: 'push-android/1.0' });
  expectResponse(app.answer, 'OK');
  const storedMessage = app.conn.next('Message');
  expectResponse(await app.conn.request('SUB', { channel_id: channel }, ['Response', 'Error']), 'OK');
  await storedMessage;
  const live = app.conn.next('Message');
  if (ackType(await publish(worker.conn, 2, '{"title":"news","body":"live message"}')) !== 1) throw new Error('push: live PUB not acked 1');
  await live;
  expectResponse(await app.conn.request('H', {}, 'Response'), 'H');
  app.conn.send('NOP', {});
  expectResponse(await app.conn.request('CLS', {}, ['Response', 'Error']), 'CLOSE_WAIT');
  await app.conn.end();
  await worker.conn.end();

  // A plain app may not publish: E_INVALID_REQUEST, and the broker hangs up.
  const rogue = await open(ctx, { client_id: String(1030391111929 + 5000 + ctx.round), heartbeat_interval: 60000, user_agent: 'push-ios/1.0' });
  expectResponse(rogue.answer, 'OK');
  const refused = await publish(rogue.conn, 3, 'spam');
  if (refused.message !== 'Error' || refused.value.error_code !== 'E_INVALID_REQUEST') throw new Error('push: a plain client could publish');
  await rogue.conn.closed;
}

export const pushDemo: DemoPeer = {
  protocol: push.id,
  defaultPort: push.ports[0],
  createServer,
  runSession,
};
