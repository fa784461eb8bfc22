/**
 * Every golden fixture of every protocol, against the invariants of DESIGN.md: expected message and fields,
 * byte-exact round trip, byte ranges nested and disjoint, peek agreeing with decode, and catalog coverage.
 * `FIXTURES=tt npx vitest run test/unit/protocols/fixtures.test.ts` limits the run to one protocol.
 */
import { describe, expect, it } from 'vitest';
import { bytesEqual, toHex } from '../../../shared/codec/bytes';
import type { Protocol } from '../../../shared/codec/protocol';
import { flattenFields, walkTree } from '../../../shared/codec/tree';
import { join } from 'node:path';
import { renderTree } from '../../../shared/codec/render';
import { FIXTURE_ROOT, fixtureProtocols, loadFixtures, rangeViolations, type Fixture } from '../../support/fixtures';

const only = process.env.FIXTURES?.split(',');
const protocols = fixtureProtocols().filter((p) => !only || only.includes(p));

async function load(id: string): Promise<Protocol> {
  const mod = await import(`../../../shared/protocols/${id}/${id}.protocol.ts`);
  return mod[`${id}Protocol`] as Protocol;
}

function notesMatch(fx: Fixture, notes: { severity: string; message: string }[]): void {
  expect(notes.map((n) => n.severity).sort(), `notes: ${JSON.stringify(notes)}`).toEqual(fx.notes.map((n) => n.severity).sort());
  for (const want of fx.notes) {
    if (!want.contains) continue;
    expect(notes.some((n) => n.severity === want.severity && n.message.includes(want.contains!)), `a ${want.severity} note containing "${want.contains}" in ${JSON.stringify(notes)}`).toBe(true);
  }
}

const loaded = await Promise.all(protocols.map(async (id) => [id, await load(id)] as const));

for (const [id, protocol] of loaded) {
  describe(`${id} fixtures`, () => {
    const fixtures = loadFixtures(id);
    const seenFields = new Set<string>();

    for (const fx of fixtures) {
      it(`${fx.file}: ${fx.description}`, async () => {
        const opts = { context: fx.context, variant: fx.variant, charset: fx.charset };
        const frame = protocol.decode(fx.bytes, fx.direction, opts);
        for (const [node] of walkTree(frame.tree)) if (node.abbrev) seenFields.add(node.abbrev);

        expect(frame.message).toBe(fx.message);
        expect(frame.direction).toBe(fx.direction);
        expect(frame.length).toBe(fx.bytes.length);
        expect(flattenFields(frame.tree)).toEqual(fx.fields);
        notesMatch(fx, frame.notes);
        expect(rangeViolations(frame.tree)).toEqual([]);
        expect(frame.tree[0].start).toBe(0);
        expect(frame.tree[0].length).toBe(fx.bytes.length);

        const peek = protocol.peek(fx.bytes, fx.direction, opts);
        expect(peek.message).toBe(frame.message);
        expect(peek.summary).toBe(frame.summary);

        if (fx.roundTrip) {
          expect(frame.malformed).toBe(false);
          // Invariant 2: encode(decode(b).value) is b, byte for byte.
          const again = protocol.encode(frame.message, frame.direction, frame.value, opts);
          if (!bytesEqual(again, fx.bytes)) expect(toHex(again)).toBe(toHex(fx.bytes));
          // Invariant 1: decode(encode(v)).value is v.
          expect(protocol.decode(again, frame.direction, opts).value).toEqual(frame.value);
          // Invariant 4: every truncation is a partial tree with an error note, never an exception.
          for (let n = 0; n < fx.bytes.length; n++) {
            const cut = protocol.decode(fx.bytes.subarray(0, n), fx.direction, opts);
            expect(cut.malformed, `${n}-byte prefix decodes as malformed`).toBe(true);
            expect(rangeViolations(cut.tree), `${n}-byte prefix ranges`).toEqual([]);
          }
        } else {
          expect(frame.notes.length).toBeGreaterThan(0);
        }
        // The golden tree: structure, labels, displays and byte ranges as the tree and hex panes show them.
        await expect(renderTree(frame.tree)).toMatchFileSnapshot(join(FIXTURE_ROOT, id, 'trees', fx.file.replace(/\.json$/, '.txt')));
      });
    }

    it('every catalog field appears in at least one fixture (invariant 5)', () => {
      const missing = protocol.catalog.filter((c) => !c.dynamic && !seenFields.has(c.abbrev)).map((c) => c.abbrev);
      expect(missing).toEqual([]);
    });

    it('every message has at least one fixture', () => {
      const covered = new Set(fixtures.map((f) => f.message));
      expect(protocol.messages.map((m) => m.name).filter((m) => !covered.has(m))).toEqual([]);
    });
  });
}
