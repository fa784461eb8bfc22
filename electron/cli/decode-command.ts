/** `framescope decode`: one direction of one connection's byte stream → frames, as text or JSON. */
import { toHex } from '../../shared/codec/bytes';
import { deframeAll } from '../../shared/codec/framing';
import type { DecodedFrame, Direction, Protocol } from '../../shared/codec/protocol';
import { renderFrame, renderTree } from '../../shared/codec/render';
import { flattenFields, type FieldNode, type FieldValue, type Note } from '../../shared/codec/tree';
import { detectProtocol, getProtocol, protocolIds } from '../../shared/protocols/index';
import { parseInteger } from './arguments';
import { CliError, UsageError } from './cli-error';
import { readBytes } from './input';

export interface DecodeFlags {
  protocol: string;
  hex?: string;
  file?: string;
  direction?: string;
  json?: boolean;
  variant?: string;
  charset?: string;
  maxPdu?: string;
}

/** One frame as `decode --json` prints it and `encode` reads it. */
export interface FrameJson {
  protocol: string;
  message: string;
  direction: Direction;
  offset: number;
  length: number;
  summary: string;
  value: Record<string, unknown>;
  fields: Record<string, FieldValue | FieldValue[]>;
  tree: FieldNode[];
  notes: Note[];
}

export interface DecodeOutput {
  frames: FrameJson[];
  remainder: number;
}

export function parseDirection(text: string | undefined): Direction | undefined {
  if (text === undefined) return undefined;
  if (text !== 'c2s' && text !== 's2c') throw new UsageError(`--direction must be c2s or s2c, not '${text}'`);
  return text;
}

export function parseCharset(text: string | undefined): 'utf-8' | 'gbk' | undefined {
  if (text === undefined) return undefined;
  const t = text.toLowerCase();
  if (t === 'utf-8' || t === 'utf8') return 'utf-8';
  if (t === 'gbk') return 'gbk';
  throw new UsageError(`--charset must be utf-8 or gbk, not '${text}'`);
}

export function resolveProtocol(id: string, data: Uint8Array, direction?: Direction): { protocol: Protocol; direction?: Direction } {
  if (id === 'auto') {
    const found = detectProtocol(data.subarray(0, 4096), direction);
    if (!found) throw new CliError(`--protocol auto: no protocol recognises the first bytes (${toHex(data, 0, Math.min(16, data.length))}…); name one with --protocol (${protocolIds().join(', ')})`);
    return found;
  }
  const protocol = getProtocol(id);
  if (!protocol) throw new UsageError(`unknown protocol '${id}' (known: ${protocolIds().join(', ')}, auto)`);
  return { protocol, direction };
}

export function checkVariant(protocol: Protocol, variant: string | undefined): void {
  if (variant === undefined) return;
  const known = protocol.variants?.map((v) => v.id) ?? [];
  if (!known.includes(variant)) throw new UsageError(`--variant: ${protocol.id} has ${known.length ? `variants ${known.join(', ')}` : 'no variants'}, not '${variant}'`);
}

export function decodeStream(data: Uint8Array, flags: DecodeFlags): { output: DecodeOutput; decoded: DecodedFrame[]; remainderBytes: Uint8Array; protocol: Protocol } {
  const given = parseDirection(flags.direction);
  const { protocol, direction: detected } = resolveProtocol(flags.protocol, data, given);
  checkVariant(protocol, flags.variant);
  const direction = given ?? detected ?? protocol.guessDirection(data);
  const maxPdu = flags.maxPdu === undefined ? undefined : parseInteger(flags.maxPdu, '--max-pdu', { min: 1, what: 'a number of bytes' });
  const opts = { variant: flags.variant, charset: parseCharset(flags.charset) };
  const { pdus, remainder } = deframeAll(protocol.framer(direction, { maxPdu, variant: flags.variant }), data);
  const frames: FrameJson[] = [];
  const decoded: DecodedFrame[] = [];
  for (const pdu of pdus) {
    const frame = pdu.skipped ? skippedFrame(protocol.id, direction, pdu.bytes) : protocol.decode(pdu.bytes, direction, opts);
    decoded.push(frame);
    frames.push({
      protocol: frame.protocol, message: frame.message, direction: frame.direction, offset: pdu.offset,
      length: frame.length, summary: frame.summary, value: frame.value, fields: flattenFields(frame.tree),
      tree: frame.tree, notes: frame.notes,
    });
  }
  return { output: { frames, remainder: remainder.length }, decoded, remainderBytes: remainder, protocol };
}

/** Bytes that start no plausible PDU: shown, never silently dropped. */
function skippedFrame(protocol: string, direction: Direction, bytes: Uint8Array): DecodedFrame {
  const message = `${bytes.length} byte${bytes.length === 1 ? '' : 's'} skipped: no plausible ${protocol} header`;
  return {
    protocol, message: 'Skipped', direction, length: bytes.length, summary: message, value: { bytes: toHex(bytes) },
    tree: [{ label: 'Skipped bytes', start: 0, length: bytes.length, value: toHex(bytes) }],
    notes: [{ severity: 'error', message }], malformed: true,
  };
}

export function runDecode(flags: DecodeFlags): string {
  const data = readBytes(flags);
  const { output, decoded, remainderBytes, protocol } = decodeStream(data, flags);
  if (flags.json) return JSON.stringify(output);
  const parts = decoded.map((f, i) => renderFrame(f, i, output.frames[i].offset));
  if (remainderBytes.length > 0) {
    const direction = output.frames[0]?.direction ?? parseDirection(flags.direction) ?? protocol.guessDirection(data);
    const partial = protocol.decode(remainderBytes, direction, { variant: flags.variant, charset: parseCharset(flags.charset) });
    parts.push(`Remainder: ${remainderBytes.length} byte${remainderBytes.length === 1 ? '' : 's'} form no complete PDU; decoded as far as possible:\n${renderTree(partial.tree).replace(/^/gm, '    ')}`);
  }
  if (parts.length === 0) parts.push('No PDUs.');
  return parts.join('\n\n');
}
