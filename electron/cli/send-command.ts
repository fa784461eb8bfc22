/**
 * `framescope send`: connects to a server, sends one message, several, or a sequence file, prints every frame of
 * the conversation like `proxy` does (decoded, paired, with response times) and waits for the replies.
 */
import type { SequenceFile, SequenceStep } from '../../shared/api/contract';
import type { Protocol } from '../../shared/codec/protocol';
import { getProtocol, protocolIds } from '../../shared/protocols/index';
import { ClientSession } from '../engine/craft/client-session';
import { connectionWriter } from '../engine/craft/connection-writer';
import { CraftError } from '../engine/craft/craft-error';
import { isObject, payloadBytes } from '../engine/craft/payload';
import { parseSequence, SequenceRun } from '../engine/craft/sequence';
import { Session } from '../engine/session/session';
import { CliError, UsageError } from './cli-error';
import { parseEndpoint, parseInteger } from './arguments';
import { frameLine } from './frame-printer';
import { readJson } from './input';

export interface SendFlags {
  to: string;
  protocol?: string;
  json?: string;
  hex?: string;
  variant?: string;
  timeout?: string;
  linger?: string;
  quiet?: boolean;
}

export async function runSend(flags: SendFlags, out: (line: string) => void, err: (line: string) => void): Promise<void> {
  const to = parseEndpoint(flags.to, '--to');
  if ((flags.json === undefined) === (flags.hex === undefined)) throw new UsageError('give exactly one of --json <file|-> or --hex <hex>');
  const timeoutMs = flags.timeout === undefined ? 5000 : parseInteger(flags.timeout, '--timeout', { min: 1, what: 'milliseconds' });
  const lingerMs = flags.linger === undefined ? 200 : parseInteger(flags.linger, '--linger', { min: 0, what: 'milliseconds' });
  const input = flags.json !== undefined ? readJson(flags.json, '--json') : { hex: flags.hex };
  const file = toSequence(input, flags.protocol, timeoutMs);
  if (flags.variant) file.variant = flags.variant;

  const session: Session = new Session({ onFrame: (frame) => { if (!flags.quiet) out(frameLine(session, frame)); } });
  let client: ClientSession;
  try {
    client = await ClientSession.connect({ id: 'send', host: to.host, port: to.port, protocol: file.protocol, variant: file.variant, writer: connectionWriter(() => ({ session })) });
  } catch (e) {
    session.close(true);
    throw new CliError((e as Error).message);
  }
  try {
    const result = await new SequenceRun(file, client, { runId: 'send' }).run();
    // Pushes that follow the last reply (notifications, a server's own heartbeat) are shown too.
    if (lingerMs > 0 && client.isOpen) await Promise.race([client.closed, new Promise((r) => setTimeout(r, lingerMs))]);
    if (result.state === 'failed') throw new CliError(result.error ?? 'the sequence failed');
    if (!flags.quiet && client.state === 'closed' && result.replies === 0 && client.received === 0) err('framescope send: the server closed the connection without a reply');
  } finally {
    await client.close(1000);
    session.close(true);
  }
}

/** One message document, a `decode --json` output, a list of documents, `{hex}`, or a sequence file → a sequence. */
function toSequence(input: unknown, protocolFlag: string | undefined, timeoutMs: number): SequenceFile {
  if (protocolFlag !== undefined && !getProtocol(protocolFlag)) throw new UsageError(`--protocol: unknown protocol '${protocolFlag}' (known: ${protocolIds().join(', ')})`);
  try {
    if (isObject(input) && Array.isArray(input.steps)) {
      const seq = parseSequence(protocolFlag && input.protocol === undefined ? { ...input, protocol: protocolFlag } : input, '--json');
      if (protocolFlag && seq.protocol !== protocolFlag) throw new CliError(`--protocol ${protocolFlag}, but the sequence is ${seq.protocol}`);
      return { ...seq, replyTimeoutMs: seq.replyTimeoutMs ?? timeoutMs };
    }
    const frames = isObject(input) && Array.isArray(input.frames) ? input.frames : Array.isArray(input) ? input : [input];
    if (frames.length === 0) throw new CliError('--json: nothing to send');
    const named = frames.find((f) => isObject(f) && typeof f.protocol === 'string') as { protocol?: string } | undefined;
    const id = protocolFlag ?? named?.protocol;
    if (!id) throw new UsageError('--protocol is required (the message does not name its protocol)');
    const protocol = getProtocol(id);
    if (!protocol) throw new UsageError(`unknown protocol '${id}' (known: ${protocolIds().join(', ')})`);
    const steps = frames.map((f, i) => stepOf(f, protocol, frames.length > 1 ? `--json frames[${i}]` : '--json'));
    return parseSequence({ protocol: protocol.id, replyTimeoutMs: timeoutMs, steps }, '--json');
  } catch (e) {
    if (e instanceof CraftError) throw new CliError(e.message);
    throw e;
  }
}

/** A frame as `decode --json` prints it becomes a step that waits for its reply when it is a request. */
function stepOf(f: unknown, protocol: Protocol, where: string): SequenceStep {
  if (!isObject(f)) throw new CliError(`${where}: expected a message object {"message", "value"} or {"hex"}`);
  if (typeof f.protocol === 'string' && f.protocol !== protocol.id) throw new CliError(`${where}: a ${f.protocol} message on a ${protocol.id} connection`);
  const direction = f.direction === 's2c' ? 's2c' : 'c2s';
  const bytes = payloadBytes(f, { protocol, direction: 'c2s' }, where).bytes;
  const waitReply = protocol.peek(bytes, direction).pair.role === 'request';
  if (typeof f.hex === 'string') return { hex: f.hex, waitReply };
  return { message: String(f.message), value: (f.value ?? {}) as Record<string, unknown>, ...(f.direction === 's2c' ? { direction: 's2c' as const } : {}), waitReply };
}

