/**
 * What to send → bytes: a message document encoded by its protocol (lengths and counts filled in unless the document
 * overrides them), or raw hex sent exactly as given.
 */
import { fromHex, HexError } from '../../../shared/codec/bytes';
import type { CraftPayload } from '../../../shared/api/contract';
import type { Direction, Protocol } from '../../../shared/codec/protocol';
import { EncodeError } from '../../../shared/codec/schema';
import { getProtocol, protocolIds } from '../../../shared/protocols/index';
import { CraftError } from './craft-error';

export interface EncodeDefaults {
  /** The connection's protocol; a document may name another. */
  protocol?: Protocol;
  /** The direction the bytes are sent in. */
  direction: Direction;
  variant?: string;
}

export interface EncodedPayload {
  bytes: Uint8Array;
  protocol?: string;
  message?: string;
}

export function isRaw(p: CraftPayload): p is { hex: string } {
  return typeof (p as { hex?: unknown }).hex === 'string';
}

export function payloadBytes(payload: unknown, d: EncodeDefaults, where = 'payload'): EncodedPayload {
  if (!isObject(payload)) throw new CraftError(`${where}: expected {"message", "value"} or {"hex"}`);
  if (typeof payload.hex === 'string') {
    try {
      return { bytes: fromHex(payload.hex) };
    } catch (e) {
      if (e instanceof HexError) throw new CraftError(`${where}.hex: ${e.message}`);
      throw e;
    }
  }
  if (typeof payload.message !== 'string') throw new CraftError(`${where}: expected "message" (a message name) with "value", or "hex"`);
  let protocol = d.protocol;
  if (payload.protocol !== undefined) {
    protocol = typeof payload.protocol === 'string' ? getProtocol(payload.protocol) : undefined;
    if (!protocol) throw new CraftError(`${where}.protocol: unknown protocol '${String(payload.protocol)}' (known: ${protocolIds().join(', ')})`);
  }
  if (!protocol) throw new CraftError(`${where}: the connection's protocol is not known; name it with "protocol" or send hex`);
  const info = protocol.messages.find((m) => m.name === payload.message);
  if (!info) throw new CraftError(`${where}.message: ${protocol.id} has no message '${payload.message}' (${protocol.messages.map((m) => m.name).join(', ')})`);
  const value = payload.value ?? {};
  if (!isObject(value)) throw new CraftError(`${where}.value: expected an object`);
  const direction = payload.direction ?? d.direction;
  if (direction !== 'c2s' && direction !== 's2c') throw new CraftError(`${where}.direction: expected c2s or s2c, not '${String(direction)}'`);
  const charset = payload.charset;
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'gbk') throw new CraftError(`${where}.charset: expected utf-8 or gbk`);
  const variant = typeof payload.variant === 'string' ? payload.variant : d.variant;
  try {
    return { bytes: protocol.encode(info.name, direction, value, { variant, charset }), protocol: protocol.id, message: info.name };
  } catch (e) {
    if (e instanceof EncodeError) throw new CraftError(`${where}: ${e.message}`);
    throw e;
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
