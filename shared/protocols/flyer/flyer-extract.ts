/**
 * flyer's targeted field extraction (Protocol.extract): a filter on `flyer.jobBeanId` reads the header and walks
 * the u16 prefixes to the one string it needs, with no tree. Only the common case is taken here — a complete PDU
 * whose body the message's real layout consumes exactly, in UTF-8; everything else (truncated, alternative forms,
 * raw bodies, trailing bytes, another charset) goes through the full decode, so the values are always those of
 * `flattenFields(decode(pdu).tree)`.
 */
import { fromUtf8 } from '../../codec/bytes';
import { pickFields } from '../../codec/extract';
import type { DecodeOptions, DecodedFrame, Direction, FlatFields } from '../../codec/protocol';
import { flattenFields } from '../../codec/tree';

const PREFIX = 'flyer.';
const HEADER = 20;

/** A body field as the walker needs it. */
export interface ExtractField {
  name: string;
  kind: 'string' | 'byte' | 'int';
}

/**
 * `exactBody(pdu)`: the body fields when the PDU is complete, as long as it announces, and the real form fits the
 * body exactly; undefined otherwise (the full decode decides).
 */
export function extractFlyer(
  pdu: Uint8Array, direction: Direction, names: readonly string[], opts: DecodeOptions | undefined,
  exactBody: (pdu: Uint8Array) => readonly ExtractField[] | undefined,
  decode: (pdu: Uint8Array, direction: Direction, opts?: DecodeOptions) => DecodedFrame,
): FlatFields {
  const fields = opts?.charset === undefined || opts.charset === 'utf-8' ? exactBody(pdu) : undefined;
  if (!fields) return pickFields(flattenFields(decode(pdu, direction, opts).tree), names);
  const out: FlatFields = {};
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    if (!name.startsWith(PREFIX)) continue;
    const v = value(pdu, fields, name);
    if (v !== undefined) out[name] = v;
  }
  return out;
}

function value(b: Uint8Array, fields: readonly ExtractField[], name: string): string | number | undefined {
  switch (name) {
    case 'flyer.start': return b[0] | (b[1] << 8);
    case 'flyer.length': return u32(b, 2);
    case 'flyer.protocol': return u32(b, 6);
    case 'flyer.version': return b[10] | (b[11] << 8);
    case 'flyer.packet_id': return u64(b, 12);
  }
  // `name` is `flyer.<field>` or `flyer.<field>_len`: compared in place, no substring per frame.
  let pos = HEADER;
  for (const f of fields) {
    const named = name.length === PREFIX.length + f.name.length && name.endsWith(f.name);
    if (f.kind === 'string') {
      const len = b[pos] | (b[pos + 1] << 8);
      if (named) return fromUtf8(b, pos + 2, pos + 2 + len);
      if (name.length === PREFIX.length + f.name.length + 4 && name.startsWith(f.name, PREFIX.length) && name.endsWith('_len')) return len;
      pos += 2 + len;
    } else if (f.kind === 'int') {
      if (named) return (b[pos + 3] << 24) | (b[pos + 2] << 16) | (b[pos + 1] << 8) | b[pos];
      pos += 4;
    } else {
      if (named) return b[pos];
      pos += 1;
    }
  }
  return undefined;
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at + 3] << 24) | (b[at + 2] << 16) | (b[at + 1] << 8) | b[at]) >>> 0;
}

/** u64 LE as decimal text, as the schema's readInt gives it. */
function u64(b: Uint8Array, at: number): string {
  const lo = u32(b, at);
  const hi = u32(b, at + 4);
  if (hi < 0x200000) return String(hi * 0x100000000 + lo);
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}
