/**
 * The engine's fast paths against the full decode, for every protocol: targeted extraction (`extractFields`, which
 * filters use) gives exactly what `flattenFields(decode(pdu).tree)` holds for every catalog field and every name in
 * the tree, and `classify` exactly what `peek` says bar the summary — on every golden fixture and on truncations,
 * extensions and byte flips of them. Also: a protocol's trees only hold names under its own prefix (what lets a
 * filter on `flyer.*` skip other protocols' frames without decoding them).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { classifyPdu, extractFields, pickFields } from '../../../shared/codec/extract';
import type { DecodeOptions, Direction, Protocol } from '../../../shared/codec/protocol';
import { flattenFields, walkTree } from '../../../shared/codec/tree';
import { PROTOCOLS } from '../../../shared/protocols/index';
import { fixtureProtocols, loadFixtures } from '../../support/fixtures';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 200);
const byId = new Map(PROTOCOLS.map((p) => [p.id, p]));

function namesOf(protocol: Protocol, pdu: Uint8Array, direction: Direction, opts: DecodeOptions): string[] {
  const names = new Set(protocol.catalog.filter((e) => !e.abbrev.endsWith('.')).map((e) => e.abbrev));
  for (const [node] of walkTree(protocol.decode(pdu, direction, opts).tree)) if (node.abbrev) names.add(node.abbrev);
  names.add(`${protocol.id}.no_such_field`);
  names.add('other.field');
  return [...names];
}

function same(protocol: Protocol, pdu: Uint8Array, direction: Direction, opts: DecodeOptions): void {
  const full = flattenFields(protocol.decode(pdu, direction, opts).tree);
  const names = namesOf(protocol, pdu, direction, opts);
  // All at once, and one by one (a filter usually asks for one or two names).
  expect(extractFields(protocol, pdu, direction, names, opts)).toEqual(pickFields(full, names));
  for (const name of names) expect(extractFields(protocol, pdu, direction, [name], opts)).toEqual(pickFields(full, [name]));
  const essentials = (p: { message: string; pair: unknown; malformed?: boolean }) => ({ message: p.message, pair: p.pair, malformed: p.malformed });
  expect(essentials(classifyPdu(protocol, pdu, direction, opts))).toEqual(essentials(protocol.peek(pdu, direction, opts)));
}

for (const id of fixtureProtocols()) {
  const protocol = byId.get(id)!;
  describe(`${id}: fast paths equal the full decode`, () => {
    const fixtures = loadFixtures(id);

    it('on every golden fixture', () => {
      for (const fx of fixtures) same(protocol, fx.bytes, fx.direction, { context: fx.context, variant: fx.variant, charset: fx.charset });
    });

    it('only names under its own prefix (or its id, the root) appear in its trees', () => {
      for (const fx of fixtures) {
        const tree = protocol.decode(fx.bytes, fx.direction, { context: fx.context, variant: fx.variant, charset: fx.charset }).tree;
        for (const [node] of walkTree(tree)) if (node.abbrev) expect(node.abbrev === id || node.abbrev.startsWith(`${id}.`), node.abbrev).toBe(true);
      }
    });

    it('on truncated, extended and mutated fixtures', () => {
      fc.assert(fc.property(
        fc.nat(fixtures.length - 1), fc.nat(), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
        fc.constantFrom('cut', 'extend', 'flip', 'cut+flip'),
        (which, n, flips, how) => {
          const fx = fixtures[which];
          let pdu = fx.bytes.slice();
          if (how === 'extend') { const more = new Uint8Array(pdu.length + 1 + (n % 8)); more.set(pdu); more.fill(n & 0xff, pdu.length); pdu = more; }
          if (how.startsWith('cut')) pdu = pdu.slice(0, n % (pdu.length + 1));
          if (how.endsWith('flip') && pdu.length > 0) for (const [at, v] of flips) pdu[at % pdu.length] = v;
          same(protocol, pdu, fx.direction, { context: fx.context, variant: fx.variant, charset: fx.charset });
        },
      ), { numRuns: RUNS });
    });
  });
}
