/** `framescope encode`: a frame object (as `decode --json` prints it) → the PDU as lowercase hex. */
import { toHex, concatBytes } from '../../shared/codec/bytes';
import type { Direction } from '../../shared/codec/protocol';
import { EncodeError } from '../../shared/codec/schema';
import { getProtocol, protocolIds } from '../../shared/protocols/index';
import { CliError, UsageError } from './cli-error';
import { checkVariant, parseCharset, parseDirection } from './decode-command';
import { readJson } from './input';

export interface EncodeFlags {
  protocol?: string;
  json: string;
  variant?: string;
  charset?: string;
}

export function runEncode(flags: EncodeFlags): string {
  const input = readJson(flags.json, '--json');
  // A whole `decode --json` output encodes frame after frame, giving the stream back.
  const frames = isObject(input) && Array.isArray(input.frames) ? input.frames : [input];
  return toHex(concatBytes(frames.map((f, i) => encodeFrame(f, flags, frames.length > 1 ? `frames[${i}]` : 'frame'))));
}

function encodeFrame(frame: unknown, flags: EncodeFlags, where: string): Uint8Array {
  if (!isObject(frame)) throw new CliError(`${where}: expected a JSON object with message, direction and value`);
  const id = flags.protocol ?? (typeof frame.protocol === 'string' ? frame.protocol : undefined);
  if (!id) throw new UsageError('--protocol is required');
  const protocol = getProtocol(id);
  if (!protocol) throw new UsageError(`unknown protocol '${id}' (known: ${protocolIds().join(', ')})`);
  checkVariant(protocol, flags.variant);
  if (typeof frame.message !== 'string') throw new CliError(`${where}.message: expected a message name of ${id} (${protocol.messages.map((m) => m.name).join(', ')})`);
  const value = frame.value ?? {};
  if (!isObject(value)) throw new CliError(`${where}.value: expected an object`);
  const direction: Direction = parseDirection(typeof frame.direction === 'string' ? frame.direction : undefined) ?? defaultDirection(protocol.messages.find((m) => m.name === frame.message)?.direction);
  try {
    return protocol.encode(frame.message, direction, value, { variant: flags.variant, charset: parseCharset(flags.charset) });
  } catch (e) {
    if (e instanceof EncodeError) throw new CliError(`${where}: ${e.message}`);
    throw e;
  }
}

function defaultDirection(d: string | undefined): Direction {
  return d === 's2c' ? 's2c' : 'c2s';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
