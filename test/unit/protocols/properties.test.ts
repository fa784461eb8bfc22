/**
 * Property-based round trips over every message of every protocol: documents are grown from each message's
 * template by replacing every leaf with a random value of the kind its JSON Schema allows, then
 * encode → decode → encode must give the same bytes, the same message, and no error. Random bytes and random
 * truncations must never throw.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { toHex } from '../../../shared/codec/bytes';
import { DERIVED, EncodeError, type Doc, type JsonSchema } from '../../../shared/codec/schema';
import type { Direction, MessageInfo, Protocol } from '../../../shared/codec/protocol';
import { PROTOCOLS } from '../../../shared/protocols/index';
import { rangeViolations } from '../../support/fixtures';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 60);
// Printable, no white space: fields such as push command arguments and HTTP targets are space-delimited on the wire.
const word = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.:/é中文'), maxLength: 24 });

function arbitraryLike(value: unknown, schema: JsonSchema | undefined): fc.Arbitrary<unknown> {
  if (schema?.const !== undefined || schema?.enum) return fc.constant(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return fc.constant(value);
    return fc.array(arbitraryLike(value[0], schema?.items), { maxLength: 3 });
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Doc).map(([k, v]) => [k, arbitraryLike(v, schema?.properties?.[k])] as const);
    return fc.record(Object.fromEntries(entries)) as fc.Arbitrary<unknown>;
  }
  if (typeof value === 'number' && Number.isInteger(value)) {
    if (schema?.anyOf || schema?.minimum === undefined || schema?.maximum === undefined) return fc.constant(value);
    return fc.integer({ min: schema.minimum, max: schema.maximum });
  }
  if (typeof value === 'string') {
    if (schema?.pattern === '^\\d+$') return fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map(String);
    if (schema?.pattern === '^-?\\d+$') return fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }).map(String);
    if (schema?.pattern === '^([0-9a-fA-F]{2})*$') return fc.uint8Array({ maxLength: 24 }).map((b) => toHex(b));
    if (/^-?\d+$/.test(value) || schema?.pattern || schema?.anyOf) return fc.constant(value);
    return word;
  }
  return fc.constant(value);
}

function documents(m: MessageInfo): fc.Arbitrary<Doc> {
  const template = m.template();
  const props = m.schema.properties ?? {};
  const entries = Object.entries(template).map(([k, v]) => [k, props[k]?.[DERIVED] ? fc.constant(v) : arbitraryLike(v, props[k])] as const);
  return fc.record(Object.fromEntries(entries)) as fc.Arbitrary<Doc>;
}

function directionOf(m: MessageInfo): Direction {
  return m.direction === 's2c' ? 's2c' : 'c2s';
}

for (const protocol of PROTOCOLS as Protocol[]) {
  describe(`${protocol.id} properties`, () => {
    for (const m of protocol.messages) {
      it(`${m.name}: encode → decode → encode is stable`, () => {
        const dir = directionOf(m);
        fc.assert(fc.property(documents(m), (doc) => {
          let bytes: Uint8Array;
          try { bytes = protocol.encode(m.name, dir, doc); } catch (e) { if (e instanceof EncodeError) return; throw e; }
          const frame = protocol.decode(bytes, dir);
          expect(frame.notes.filter((n) => n.severity === 'error')).toEqual([]);
          expect(frame.message).toBe(m.name);
          expect(toHex(protocol.encode(frame.message, dir, frame.value))).toBe(toHex(bytes));
          expect(rangeViolations(frame.tree)).toEqual([]);
        }), { numRuns: RUNS });
      });
    }

    it('random bytes never throw and keep ranges inside the input', () => {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom<Direction>('c2s', 's2c'), (bytes, dir) => {
        const frame = protocol.decode(bytes, dir);
        expect(rangeViolations(frame.tree)).toEqual([]);
        protocol.peek(bytes, dir);
        const framer = protocol.framer(dir);
        framer.frame(bytes, 0, bytes.length);
      }), { numRuns: RUNS * 5 });
    });
  });
}
