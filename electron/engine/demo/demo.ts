/**
 * Demo peers: a realistic server and a scripted client for every protocol, talking real TCP through the codec.
 * They give the proxy, the capture and the UI live traffic without the real (Java, C++, Go) software:
 * `startDemoServer` / `runDemoClient` for one side, `startDemo` for both with the engine's proxy in between.
 */
import net from 'node:net';
import type { Protocol } from '../../../shared/codec/protocol';
import { getProtocol } from '../../../shared/protocols/index';
import { DemoConnection, sleep, type DemoExchange } from './demo-connection';
import type { DemoPeer } from './demo-peer';
import { flyerDemo } from './flyer-demo';
import { hodorDemo } from './hodor-demo';
import { httpDemo } from './http-demo';
import { pushDemo } from './push-demo';
import { ttDemo } from './tt-demo';
import { txlcnDemo } from './txlcn-demo';

export type { DemoExchange } from './demo-connection';

const PEERS: readonly DemoPeer[] = [flyerDemo, hodorDemo, ttDemo, txlcnDemo, pushDemo, httpDemo];

/** Protocol ids that have demo peers, in registry order. */
export const DEMO_PROTOCOLS: readonly string[] = PEERS.map((p) => p.protocol);

export const DEFAULT_HOST = '127.0.0.1';
/** Pause between two client rounds when looping. */
export const DEFAULT_INTERVAL_MS = 1000;

/** Receives one line per PDU (`formatExchange`) and the exchange itself. */
export type ExchangeListener = (line: string, exchange: DemoExchange) => void;

export function demoPeer(protocolId: string): DemoPeer {
  const peer = PEERS.find((p) => p.protocol === protocolId);
  if (!peer) throw new Error(`no demo for protocol '${protocolId}' (demos: ${DEMO_PROTOCOLS.join(', ')})`);
  return peer;
}

/** The port a demo server uses unless told otherwise. */
export function defaultDemoPort(protocolId: string): number {
  return demoPeer(protocolId).defaultPort;
}

/** `flyer  c2s  ShakeHand                  appCode=demo-app vhost=""`: protocol, direction, message, summary. */
export function formatExchange(e: DemoExchange): string {
  const rest = e.summary.startsWith(e.message) ? e.summary.slice(e.message.length).trimStart() : e.summary;
  return `${e.protocol.padEnd(6)} ${e.direction}  ${e.message.padEnd(28)} ${rest}${e.malformed ? '  [malformed]' : ''}`.trimEnd();
}

function listener(onExchange: ExchangeListener | undefined): ((e: DemoExchange) => void) | undefined {
  return onExchange && ((e) => onExchange(formatExchange(e), e));
}

function protocolOf(id: string): Protocol {
  const p = getProtocol(id);
  if (!p) throw new Error(`unknown protocol '${id}'`);
  return p;
}

// ---------------------------------------------------------------------------------------------------------------
// Servers

export interface DemoServerOptions {
  host?: string;
  /** Default: the protocol's own port (tt: 8300); 0 = ephemeral. */
  port?: number;
  /** Listen on an ephemeral port when the requested one is busy (the result says so). */
  fallback?: boolean;
  /** Every PDU the server sends or receives. */
  onExchange?: ExchangeListener;
}

export interface DemoServer {
  protocol: string;
  host: string;
  port: number;
  requestedPort: number;
  /** The requested port was busy and an ephemeral one is used instead. */
  fellBack: boolean;
  close(): Promise<void>;
}

export async function startDemoServer(protocolId: string, opts: DemoServerOptions = {}): Promise<DemoServer> {
  const peer = demoPeer(protocolId);
  const protocol = protocolOf(protocolId);
  const host = opts.host ?? DEFAULT_HOST;
  const requestedPort = opts.port ?? peer.defaultPort;
  const logic = peer.createServer();
  const conns = new Set<DemoConnection>();
  const onExchange = listener(opts.onExchange);
  const server = net.createServer((socket) => {
    const conn = new DemoConnection(socket, protocol, 'server', { onExchange });
    conns.add(conn);
    void conn.closed.then(() => conns.delete(conn));
    logic.accept(conn);
  });
  let fellBack = false;
  try {
    await listen(server, host, requestedPort);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || !opts.fallback || requestedPort === 0) throw e;
    await listen(server, host, 0);
    fellBack = true;
  }
  const port = (server.address() as net.AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    protocol: protocolId, host, port, requestedPort, fellBack,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const c of conns) c.destroy();
        logic.close?.();
      });
      return closing;
    },
  };
}

function listen(server: net.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    server.once('error', onError);
    server.listen({ host, port, exclusive: true }, () => {
      server.removeListener('error', onError);
      resolve();
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Clients

export interface DemoClientOptions {
  host?: string;
  port: number;
  /** Sessions to run (default 1); Infinity loops until `close()`. */
  rounds?: number;
  intervalMs?: number;
  onExchange?: ExchangeListener;
  /**
   * A failed round. When looping (rounds = Infinity) the client reports it here and carries on after the interval;
   * with a finite number of rounds the run rejects instead.
   */
  onError?: (error: Error) => void;
}

export interface DemoClientResult {
  /** PDUs sent and received over all rounds. */
  frames: number;
  /** Rounds completed. */
  rounds: number;
  /** Releases anything still open (a no-op once the rounds are over). */
  close(): Promise<void>;
}

/** The run is a promise of its result that can also be stopped (what a looping client needs). */
export type DemoClientRun = Promise<DemoClientResult> & { close(): Promise<void> };

export function runDemoClient(protocolId: string, opts: DemoClientOptions): DemoClientRun {
  const peer = demoPeer(protocolId);
  const protocol = protocolOf(protocolId);
  const host = opts.host ?? DEFAULT_HOST;
  const rounds = opts.rounds ?? 1;
  const interval = opts.intervalMs ?? DEFAULT_INTERVAL_MS;
  const stop = new AbortController();
  const open = new Set<DemoConnection>();
  const onExchange = listener(opts.onExchange);
  let frames = 0;
  let completed = 0;

  const close = async (): Promise<void> => {
    stop.abort();
    for (const c of open) c.destroy();
    await run.catch(() => undefined);
  };

  const run = (async (): Promise<DemoClientResult> => {
    for (let round = 1; round <= rounds && !stop.signal.aborted; round++) {
      try {
        await peer.runSession({
          round,
          signal: stop.signal,
          connect: async () => {
            const conn = await DemoConnection.connect(protocol, host, opts.port, { onExchange }, stop.signal);
            open.add(conn);
            void conn.closed.then(() => {
              open.delete(conn);
              frames += conn.frames;
            });
            return conn;
          },
        });
        completed++;
      } catch (e) {
        if (stop.signal.aborted) break;
        const error = e instanceof Error ? e : new Error(String(e));
        if (Number.isFinite(rounds)) throw error;
        opts.onError?.(error);
      } finally {
        for (const c of open) c.destroy();
        await Promise.all([...open].map((c) => c.closed));
      }
      if (round < rounds) await sleep(interval, stop.signal);
    }
    return { frames, rounds: completed, close: async () => undefined };
  })();

  return Object.assign(run, { close });
}

// ---------------------------------------------------------------------------------------------------------------
// Both sides

export interface DemoOptions {
  protocols: readonly string[];
  host?: string;
  /** Server port per protocol; absent = ephemeral (so a demo never fights a real server for its port). */
  ports?: Readonly<Record<string, number>>;
  fallback?: boolean;
  /** Puts something between client and server (the engine's proxy): returns the port clients connect to. */
  connectVia?: (protocol: string, serverPort: number) => Promise<number>;
  /** Rounds per client; default Infinity (loop until `close()`). */
  rounds?: number;
  intervalMs?: number;
  /** The clients' PDUs. */
  onExchange?: ExchangeListener;
  /** Each server once it listens, before any client starts. */
  onListening?: (server: DemoServer) => void;
  /** The servers' PDUs (the mirror image of the clients', plus whatever else connects). */
  onServerExchange?: ExchangeListener;
  onError?: (protocol: string, error: Error) => void;
}

export interface DemoRun {
  servers: DemoServer[];
  /** Settles when every client has finished its rounds (never, when looping, until `close()`). */
  done: Promise<{ frames: number }>;
  close(): Promise<void>;
}

export async function startDemo(opts: DemoOptions): Promise<DemoRun> {
  const host = opts.host ?? DEFAULT_HOST;
  for (const id of opts.protocols) demoPeer(id); // unknown ids fail before anything listens
  const servers: DemoServer[] = [];
  const clients: DemoClientRun[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(servers.map((s) => s.close()));
  };
  try {
    for (const id of opts.protocols) {
      const server = await startDemoServer(id, { host, port: opts.ports?.[id] ?? 0, fallback: opts.fallback, onExchange: opts.onServerExchange });
      servers.push(server);
      opts.onListening?.(server);
    }
    for (const server of servers) {
      const port = opts.connectVia ? await opts.connectVia(server.protocol, server.port) : server.port;
      clients.push(runDemoClient(server.protocol, {
        host, port, rounds: opts.rounds ?? Infinity, intervalMs: opts.intervalMs, onExchange: opts.onExchange,
        onError: (e) => opts.onError?.(server.protocol, e),
      }));
    }
  } catch (e) {
    await close();
    throw e;
  }
  const done = Promise.all(clients).then((results) => ({ frames: results.reduce((n, r) => n + r.frames, 0) }));
  done.catch(() => undefined); // observed by the caller; never an unhandled rejection
  return { servers, done, close };
}

