/** `framescope mock`: a mock server answering a protocol's requests from a rules file, printing every frame. */
import { getProtocol, protocolIds } from '../../shared/protocols/index';
import { connectionWriter } from '../engine/craft/connection-writer';
import { CraftError } from '../engine/craft/craft-error';
import { MockResponder, parseMockRules } from '../engine/craft/mock-rules';
import { MockServer } from '../engine/craft/mock-server';
import { Session } from '../engine/session/session';
import { CliError, UsageError } from './cli-error';
import { parseEndpoint } from './arguments';
import { frameLine } from './frame-printer';
import { readJson } from './input';

export interface MockFlags {
  listen: string;
  protocol?: string;
  rules: string;
  variant?: string;
  quiet?: boolean;
}

export async function runMock(flags: MockFlags, out: (line: string) => void, err: (line: string) => void): Promise<{ stop(): Promise<void>; port: number }> {
  const listen = parseEndpoint(flags.listen, '--listen', '127.0.0.1');
  let responder: MockResponder;
  try {
    const file = parseMockRules(readJson(flags.rules, '--rules'), flags.rules);
    const id = flags.protocol ?? file.protocol;
    if (!id) throw new UsageError('--protocol is required (the rules file names no protocol)');
    const protocol = getProtocol(id);
    if (!protocol) throw new UsageError(`--protocol: unknown protocol '${id}' (known: ${protocolIds().join(', ')})`);
    if (file.protocol && file.protocol !== protocol.id) throw new CliError(`--protocol ${protocol.id}, but ${flags.rules} is for ${file.protocol}`);
    responder = new MockResponder(file.rules, protocol, flags.variant ?? file.variant);
  } catch (e) {
    if (e instanceof CraftError) throw new CliError(e.message);
    throw e;
  }
  const session: Session = new Session({ onFrame: (frame) => { if (!flags.quiet) out(frameLine(session, frame)); } });
  const server = new MockServer({
    id: 'mock', host: listen.host, port: listen.port, protocol: responder.protocol, variant: responder.variant, responder,
    writer: connectionWriter(() => ({ session })),
    onUnanswered: (u) => err(`#${u.connection} unanswered${u.frame ? ` (frame ${u.frame})` : ''}: ${u.summary}`),
    onError: (message) => err(message),
  });
  let port: number;
  try {
    port = await server.listen();
  } catch (e) {
    session.close(true);
    throw new CliError(`--listen ${listen.host}:${listen.port}: ${(e as Error).message}`);
  }
  err(`framescope mock: ${listen.host}:${port} (${responder.protocol.id}, ${responder.rules.length} rule${responder.rules.length === 1 ? '' : 's'})`);
  return {
    port,
    async stop() {
      await server.close();
      session.close(true);
    },
  };
}
