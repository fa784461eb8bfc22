/**
 * `framescope demo server|client|all`: demo peers that speak every protocol, for trying the proxy, the capture and
 * the UI without the real software. Servers and looping clients run until Ctrl-C (a clean exit 0); a client with a
 * number of rounds stops after them.
 */
import {
  DEFAULT_INTERVAL_MS, DEMO_PROTOCOLS, defaultDemoPort, formatExchange, runDemoClient, startDemo, startDemoServer,
  type DemoClientRun, type DemoServer,
} from '../engine/demo/demo';
import { parseEndpoint, parseInteger } from './arguments';
import { CliError, UsageError } from './cli-error';

export interface DemoFlags {
  protocol: string;
  host?: string;
  port?: string;
  connect?: string;
  rounds?: string;
  interval?: string;
}

type Print = (line: string) => void;

const MODES = ['server', 'client', 'all'] as const;
type Mode = (typeof MODES)[number];

function parseProtocols(text: string): string[] {
  if (text === 'all') return [...DEMO_PROTOCOLS];
  const ids = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const id of ids) {
    if (!DEMO_PROTOCOLS.includes(id)) throw new UsageError(`--protocol: no demo for '${id}' (demos: ${DEMO_PROTOCOLS.join(', ')}, all)`);
  }
  if (ids.length === 0) throw new UsageError('--protocol: name a protocol or all');
  return ids;
}

/** Resolves on Ctrl-C (or SIGTERM), or when `done` settles; SIGINT is a normal way to stop a demo. */
function untilStopped(done?: Promise<unknown>): Promise<'signal' | 'done'> {
  return new Promise((resolve, reject) => {
    const onSignal = (): void => finish(() => resolve('signal'));
    const finish = (then: () => void): void => {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      then();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    done?.then(() => finish(() => resolve('done')), (e: unknown) => finish(() => reject(e)));
  });
}

function announce(print: Print, s: DemoServer): void {
  if (s.fellBack) print(`${s.protocol} demo server: port ${s.requestedPort} is busy, listening on ${s.host}:${s.port} instead`);
  else print(`${s.protocol} demo server listening on ${s.host}:${s.port}`);
}

export async function runDemoCommand(modeText: string, flags: DemoFlags, print: Print, printError: Print = print): Promise<void> {
  if (!(MODES as readonly string[]).includes(modeText)) throw new UsageError(`demo: mode must be server, client or all, not '${modeText}'`);
  const mode = modeText as Mode;
  const protocols = parseProtocols(flags.protocol);
  const host = flags.host ?? '127.0.0.1';
  const port = flags.port === undefined ? undefined : parseInteger(flags.port, '--port', { min: 0, max: 65535, what: 'a port' });
  // --rounds 0 loops until Ctrl-C (the default of `all`).
  const roundsFlag = flags.rounds === undefined ? undefined : parseInteger(flags.rounds, '--rounds', { min: 0 });
  const rounds = roundsFlag === 0 ? Infinity : roundsFlag;
  const intervalMs = flags.interval === undefined ? DEFAULT_INTERVAL_MS : parseInteger(flags.interval, '--interval', { min: 0, max: 3_600_000, what: 'milliseconds' });
  if (port !== undefined && port !== 0 && protocols.length > 1) throw new UsageError('--port needs a single --protocol (each demo server has its own port)');
  if (flags.connect !== undefined && mode !== 'client') throw new UsageError('--connect is for demo client (server and all use their own servers)');
  const portOf = (id: string): number => port ?? defaultDemoPort(id);
  const onExchange = (line: string): void => print(line);

  if (mode === 'server') {
    const servers: DemoServer[] = [];
    try {
      for (const id of protocols) {
        const s = await startDemoServer(id, { host, port: portOf(id), fallback: true, onExchange });
        servers.push(s);
        announce(print, s);
      }
      await untilStopped();
    } finally {
      await Promise.all(servers.map((s) => s.close()));
    }
    return;
  }

  if (mode === 'client') {
    if (flags.connect !== undefined && protocols.length > 1) throw new UsageError('--connect needs a single --protocol');
    const target = flags.connect !== undefined ? parseEndpoint(flags.connect, '--connect') : undefined;
    const runs: DemoClientRun[] = protocols.map((id) => runDemoClient(id, {
      host: target?.host ?? host, port: target?.port ?? portOf(id), rounds: rounds ?? 1, intervalMs, onExchange,
      onError: (e) => printError(`${id} demo client: ${e.message}`),
    }));
    try {
      await untilStopped(Promise.all(runs));
    } catch (e) {
      throw new CliError(`demo client: ${(e as Error).message}`);
    } finally {
      await Promise.all(runs.map((r) => r.close()));
    }
    return;
  }

  const ports: Record<string, number> = {};
  for (const id of protocols) ports[id] = portOf(id);
  const demo = await startDemo({
    protocols, host, ports, fallback: true, rounds: rounds ?? Infinity, intervalMs, onExchange,
    onListening: (s) => announce(print, s),
    onError: (id, e) => printError(`${id} demo client: ${e.message}`),
  });
  try {
    await untilStopped(demo.done);
  } catch (e) {
    throw new CliError(`demo: ${(e as Error).message}`);
  } finally {
    await demo.close();
  }
}
