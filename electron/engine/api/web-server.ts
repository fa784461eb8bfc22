/**
 * Web mode: serves the built renderer and the engine API over WebSocket. Loopback by default and protected by a
 * random token printed in the URL (as Jupyter does); the first page load trades it for a cookie. Host and Origin
 * are checked too, so a web page elsewhere cannot reach the engine through DNS rebinding.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { isCommandName, type ClientMessage, type ServerMessage } from '../../../shared/api/contract';
import type { Engine } from './engine';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2', '.ttf': 'font/ttf',
  '.map': 'application/json', '.wasm': 'application/wasm',
};
const COOKIE = 'framescope_token';

export interface WebServerOptions {
  host: string;
  port: number;
  /** The built renderer (index.html and assets). */
  staticDir: string;
  token?: string;
}

export interface RunningWebServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

export async function startWebServer(engine: Engine, opts: WebServerOptions): Promise<RunningWebServer> {
  const token = opts.token ?? randomBytes(24).toString('hex');
  const server: Server = createServer((req, res) => serveHttp(req, res, opts, token));
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/api' || !authorised(req, url, token) || !sameOrigin(req)) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => bindSocket(engine, ws));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => { server.off('error', reject); resolve(); });
  });
  const port = (server.address() as { port: number }).port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${port}/?token=${token}`,
    port,
    token,
    close: () => new Promise<void>((resolve) => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function bindSocket(engine: Engine, ws: WebSocket): void {
  const send = (m: ServerMessage) => { if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m)); };
  const off = engine.on((event, data) => send({ event, data }));
  ws.on('close', off);
  ws.on('message', async (raw) => {
    let msg: ClientMessage;
    try {
      msg = JSON.parse(raw.toString());
    } catch {
      return send({ id: -1, error: { message: 'invalid JSON' } });
    }
    if (typeof msg?.id !== 'number' || !isCommandName(msg.command)) {
      return send({ id: typeof msg?.id === 'number' ? msg.id : -1, error: { message: `unknown command '${String(msg?.command)}'` } });
    }
    try {
      send({ id: msg.id, result: await engine.call(msg.command, (msg.params ?? {}) as never) });
    } catch (e) {
      send({ id: msg.id, error: { message: (e as Error).message } });
    }
  });
}

function serveHttp(req: IncomingMessage, res: ServerResponse, opts: WebServerOptions, token: string): void {
  const url = new URL(req.url ?? '/', 'http://x');
  if (!authorised(req, url, token)) {
    res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Framescope: open the URL printed by `framescope serve` (it carries the access token).\n');
    return;
  }
  const headers: Record<string, string> = {
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self' ws: wss:; img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:",
  };
  if (url.searchParams.get('token') === token) {
    headers['Set-Cookie'] = `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
  }
  const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname.slice(1));
  const file = normalize(join(opts.staticDir, rel));
  if (!file.startsWith(normalize(opts.staticDir) + sep) && file !== normalize(join(opts.staticDir, 'index.html'))) {
    res.writeHead(400).end();
    return;
  }
  if (!existsSync(file) || !statSync(file).isFile()) {
    if (rel === 'index.html') {
      res.writeHead(200, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Framescope engine is running; the web UI is not built in this installation (run npm run build).\n');
      return;
    }
    res.writeHead(404, headers).end('not found');
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' });
  res.end(readFileSync(file));
}

function authorised(req: IncomingMessage, url: URL, token: string): boolean {
  const given = url.searchParams.get('token') ?? cookie(req.headers.cookie, COOKIE);
  if (!given || given.length !== token.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(token));
}

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

/** A browser connecting from another origin (a malicious page) is refused; tools without Origin are fine. */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
