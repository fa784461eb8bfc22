/** `framescope proxy`: a MITM proxy printing one line per decoded frame, optionally saving the session as pcapng. */
import { ProxyListener } from '../engine/proxy/proxy-listener';
import { sessionRecorder } from '../engine/proxy/session-recorder';
import { SessionSpool } from '../engine/files/session-spool';
import { Session } from '../engine/session/session';
import { getProtocol, protocolIds } from '../../shared/protocols/index';
import { CliError, UsageError } from './cli-error';
import { parseEndpoint, parseInteger } from './arguments';
import { compileDisplayFilter, frameLine, matches } from './frame-printer';

export interface ProxyFlags {
  listen: string;
  upstream: string;
  protocol?: string;
  write?: string;
  displayFilter?: string;
  quiet?: boolean;
  busyPoll?: string;
}

export async function runProxy(flags: ProxyFlags, out: (line: string) => void, err: (line: string) => void): Promise<{ stop(): Promise<void>; port: number }> {
  const listen = parseEndpoint(flags.listen, '--listen', '127.0.0.1');
  const upstream = parseEndpoint(flags.upstream, '--upstream');
  const protocol = flags.protocol ?? 'auto';
  if (protocol !== 'auto' && !getProtocol(protocol)) throw new UsageError(`--protocol: unknown protocol '${protocol}' (known: ${protocolIds().join(', ')}, auto)`);
  const filter = compileDisplayFilter(flags.displayFilter);
  const busyPollMicros = flags.busyPoll === undefined ? undefined : parseInteger(flags.busyPoll, '--busy-poll', { min: 0, max: 1_000_000, what: 'microseconds' });
  const spool = flags.write ? await SessionSpool.create(flags.write, `framescope proxy ${listen.host}:${listen.port} → ${upstream.host}:${upstream.port}`) : undefined;

  const session: Session = new Session({
    onFrame: (frame) => { if (!flags.quiet && matches(session, frame, filter)) out(frameLine(session, frame)); },
  });
  const listener = new ProxyListener({
    host: listen.host, port: listen.port, upstream, busyPollMicros,
    recorder: sessionRecorder(session, {
      protocol,
      tap: (id, record, time) => {
        if (record.kind === 'open') { const c = session.connection(id)!; spool?.open(id, c.client, c.server); }
        spool?.record(id, record, time);
        if (record.kind === 'upstream-failed') err(`#${id} upstream ${upstream.host}:${upstream.port} unreachable: ${record.error}`);
        else if (record.kind === 'reset' && !flags.quiet) out(`#${id} reset by the ${record.by}`);
      },
    }),
  });
  let port: number;
  try {
    port = await listener.listen();
  } catch (e) {
    await spool?.close();
    throw new CliError(`--listen ${listen.host}:${listen.port}: ${(e as Error).message}`);
  }
  err(`framescope proxy: ${listen.host}:${port} → ${upstream.host}:${upstream.port} (${protocol})${flags.write ? `, writing ${flags.write}` : ''}`);
  return {
    port,
    async stop() {
      await listener.close();
      await spool?.close();
      session.close(true);
    },
  };
}
