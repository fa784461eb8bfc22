/**
 * http demo (PROTOCOLS.md §6): the push router (`/registration`) and the push worker (`/put`, `/pub`) of document
 * 004 on one port, answering like the Go servers (result codes, 400 on bad input, 404 elsewhere, keep-alive, a
 * chunked reply, `400 Bad Request` and close on a request that does not parse); and a client that registers a device
 * and pushes messages over two keep-alive connections, trying each error on the way.
 */
import type { DecodedFrame } from '../../../shared/codec/protocol';
import type { Doc } from '../../../shared/codec/schema';
import { getProtocol } from '../../../shared/protocols/index';
import type { DemoConnection } from './demo-connection';
import type { DemoPeer, DemoSessionContext } from './demo-peer';

const http = getProtocol('http')!;

const VERSION = '1.0.3';
const MAX_MESSAGE = 1024;
/** Channels that have a subscriber on the broker (the worker answers code 9 for the others). */
const SUBSCRIBED = new Set(['1001', '1002']);
const INT64 = /^-?\d{1,19}$/;

type Header = { name: string; value?: string };

const json = (code: number, msg: string, data: unknown = null): string => JSON.stringify({ code, msg, data });

function bodyBytes(f: DecodedFrame): Buffer {
  const b = f.value.body;
  if (typeof b !== 'string') return Buffer.alloc(0);
  return f.value.bodyEncoding === 'hex' ? Buffer.from(b, 'hex') : Buffer.from(b, 'utf8');
}

function headerValue(f: DecodedFrame, name: string): string | undefined {
  const items = Array.isArray(f.value.headers) ? (f.value.headers as Doc[]) : [];
  const h = items.find((x) => typeof x.name === 'string' && x.name.toLowerCase() === name);
  return typeof h?.value === 'string' ? h.value : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// The router and worker

interface Reply { status: number; body: string; type?: string; chunks?: number[] }

function route(f: DecodedFrame, brokerHost: string, devices: Map<string, string>): Reply {
  const url = new URL(String(f.value.uri), 'http://demo');
  const q = url.searchParams;
  const method = String(f.value.method);
  switch (url.pathname) {
    case '/registration': {
      // The router accepts any method (the document says POST).
      const serial = q.get('serial_no');
      if (!serial) return { status: 400, body: json(9, 'serial NO is error') };
      const type = q.get('device_type') ?? '';
      if (!/^[0-6]$/.test(type)) return { status: 400, body: json(1, 'param error') };
      let id = devices.get(serial);
      if (!id) {
        id = String(1030391111929 + devices.size);
        if (devices.size < 1000) devices.set(serial, id);
      }
      // Go writes the int64 as a bare JSON number: build the text so no digit is rounded.
      return { status: 200, body: `{"code":0,"msg":"OK","data":{"broker":"${brokerHost}:8600","device_id":${id}}}` };
    }
    case '/put':
    case '/pub': {
      if (method !== 'POST') return { status: 400, body: json(3, 'method error') };
      const message = bodyBytes(f);
      if (message.length === 0) return { status: 400, body: json(4, 'message is empty') };
      if (message.length > MAX_MESSAGE) return { status: 400, body: json(5, 'message is too long') };
      if (!isUtf8(message)) return { status: 400, body: json(6, 'message is error') };
      const channel = q.get('channel_id');
      const type = q.get('device_type');
      if (channel === null || type === null) return { status: 400, body: json(1, 'param error') };
      if (!INT64.test(channel)) return { status: 400, body: json(7, 'channel id is error') };
      if (!/^[01]$/.test(type)) return { status: 400, body: json(8, 'device type is error') };
      if (!SUBSCRIBED.has(channel)) return { status: 400, body: json(9, 'channel has no sub') };
      return { status: 200, body: json(0, 'OK') };
    }
    case '/ping':
      return { status: 200, body: 'OK', type: 'text/plain; charset=utf-8' };
    case '/info': {
      // Streamed by the handler (flushed twice), so Go sends it chunked.
      const body = json(0, 'OK', { version: VERSION });
      return { status: 200, body, chunks: [20, body.length - 20] };
    }
    default:
      return { status: 404, body: json(-1, 'not found') };
  }
}

function isUtf8(b: Buffer): boolean {
  try { new TextDecoder('utf-8', { fatal: true }).decode(b); return true; } catch { return false; }
}

function createServer(): { accept(conn: DemoConnection): void } {
  const devices = new Map<string, string>();
  return {
    accept(conn) {
      const badRequest = (): void => {
        // What Go's net/http answers to a request it cannot parse, then it closes the connection.
        conn.send('Response', {
          version: 'HTTP/1.1', status_code: 400, reason: 'Bad Request',
          headers: [{ name: 'Content-Type', value: 'text/plain; charset=utf-8' }, { name: 'Connection', value: 'close' }],
          body: '400 Bad Request',
        });
        conn.socket.end();
      };
      conn.onGarbage = badRequest;
      conn.onFrame = (f) => {
        if (f.message !== 'Request' || f.malformed) return badRequest();
        const host = (conn.socket.localAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
        const r = route(f, host, devices);
        const close = headerValue(f, 'connection')?.toLowerCase() === 'close';
        const headers: Header[] = [{ name: 'Content-Type', value: r.type ?? 'application/json; charset=utf-8' }, { name: 'Date', value: new Date().toUTCString() }];
        if (close) headers.push({ name: 'Connection', value: 'close' });
        headers.push(r.chunks ? { name: 'Transfer-Encoding', value: 'chunked' } : { name: 'Content-Length' });
        conn.send('Response', { version: 'HTTP/1.1', status_code: r.status, headers, body: r.body, ...(r.chunks ? { chunks: r.chunks } : {}) });
        if (close) conn.socket.end();
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The client

async function runSession(ctx: DemoSessionContext): Promise<void> {
  const serial = `SOHUNO2014040${ctx.round}XX`;
  const call = async (conn: DemoConnection, method: string, uri: string, expectStatus: number, body?: string, close = false): Promise<DecodedFrame> => {
    const host = `${(conn.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '')}:${conn.socket.remotePort}`;
    const headers: Header[] = [{ name: 'Host', value: host }, { name: 'User-Agent', value: 'push-demo/1.0' }, { name: 'Accept', value: '*/*' }];
    if (close) headers.push({ name: 'Connection', value: 'close' });
    if (body !== undefined) headers.push({ name: 'Content-Type', value: 'text/plain; charset=utf-8' }, { name: 'Content-Length' });
    // Requests and responses pair first-in-first-out; the response is read knowing its request (api, HEAD).
    conn.decodeOptions = () => ({ context: { requestUri: uri, requestMethod: method } });
    const reply = await conn.request('Request', { method, uri, version: 'HTTP/1.1', headers, ...(body !== undefined ? { body } : {}) }, 'Response');
    if (reply.value.status_code !== expectStatus) throw new Error(`http: ${method} ${uri} answered ${String(reply.value.status_code)}, expected ${expectStatus}`);
    return reply;
  };

  // The router: register a device (and get the two registration errors), check it is alive.
  const router = await ctx.connect();
  const query = `serial_no=${serial}&device_type=3&device_name=${encodeURIComponent('搜狐Android测试机')}`;
  const registered = await call(router, 'POST', `/registration?${query}`, 200);
  if (!/"device_id":\d+/.test(String(registered.value.body))) throw new Error('http: registration without device_id');
  await call(router, 'POST', '/registration?device_type=3&device_name=test', 400);
  await call(router, 'GET', `/registration?serial_no=${serial}&device_type=android`, 400);
  await call(router, 'GET', '/ping', 200);
  await call(router, 'GET', '/info', 200);
  await call(router, 'GET', '/favicon.ico', 404, undefined, true);
  await router.closed;

  // The worker: one good push, then every error it reports, on one keep-alive connection.
  const worker = await ctx.connect();
  const put = (channel: string, type: string): string => `/put?channel_id=${channel}&device_type=${type}`;
  await call(worker, 'POST', put('1001', '0'), 200, '{"title":"新闻","body":"hello from the worker"}');
  await call(worker, 'POST', '/pub?channel_id=1002&device_type=1', 200, 'alias of /put');
  await call(worker, 'GET', put('1001', '0'), 400);
  await call(worker, 'POST', put('1001', '0'), 400, '');
  await call(worker, 'POST', put('1001', '0'), 400, 'x'.repeat(MAX_MESSAGE + 1));
  await call(worker, 'POST', '/put?channel_id=1001', 400, 'no device type');
  await call(worker, 'POST', put('abc', '0'), 400, 'bad channel');
  await call(worker, 'POST', put('1001', '7'), 400, 'bad device type');
  await call(worker, 'POST', put('4242', '0'), 400, 'nobody listens', true);
  await worker.closed;
}

export const httpDemo: DemoPeer = {
  protocol: http.id,
  defaultPort: http.ports[0],
  createServer,
  runSession,
};
