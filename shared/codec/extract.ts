/**
 * Targeted field extraction: what a display filter needs from a frame without building the whole tree when the
 * protocol knows how (`Protocol.extract`), else the full decode flattened. Either way the values are identical
 * (test/unit/protocols/extract.test.ts checks every protocol's fixtures and mutations of them).
 */
import type { DecodeOptions, Direction, FlatFields, Peek, Protocol } from './protocol';
import { flattenFields } from './tree';

/** The values of `names` in one PDU, as `flattenFields(protocol.decode(...).tree)` has them; absent names left out. */
export function extractFields(protocol: Protocol, pdu: Uint8Array, direction: Direction, names: readonly string[], opts?: DecodeOptions): FlatFields {
  if (protocol.extract) return protocol.extract(pdu, direction, names, opts);
  return pickFields(flattenFields(protocol.decode(pdu, direction, opts).tree), names);
}

/** Only `names` of a flattened tree (the generic fallback, also what a protocol's extract falls back to). */
export function pickFields(all: FlatFields, names: readonly string[]): FlatFields {
  const out: FlatFields = {};
  for (const name of names) {
    const v = all[name];
    if (v !== undefined && Object.prototype.hasOwnProperty.call(all, name)) out[name] = v;
  }
  return out;
}

/** Message, pairing and malformed of a PDU, without computing the summary when the protocol can skip it. */
export function classifyPdu(protocol: Protocol, pdu: Uint8Array, direction: Direction, opts?: DecodeOptions): Omit<Peek, 'summary'> {
  return protocol.classify ? protocol.classify(pdu, direction, opts) : protocol.peek(pdu, direction, opts);
}
