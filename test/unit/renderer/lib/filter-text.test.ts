import { describe, expect, it } from 'vitest';
import { flattenFields, walkTree } from '../../../../shared/codec/tree';
import { compileFilter } from '../../../../shared/filter/index';
import { fieldCatalog, getProtocol } from '../../../../shared/protocols/index';
import { andFilters, filterForConnection, filterForMessage, filterForNode, literal } from '../../../../renderer/src/lib/filter-text';
import { fixtureProtocols, loadFixtures } from '../../../support/fixtures';

const catalog = fieldCatalog();

describe('filterForNode', () => {
  // Every named field of every golden fixture: the filter built from it compiles and matches its own frame.
  for (const protocolId of fixtureProtocols()) {
    it(`gives back every ${protocolId} field as a filter that matches its frame`, () => {
      const protocol = getProtocol(protocolId)!;
      let checked = 0;
      for (const fx of loadFixtures(protocolId)) {
        const frame = protocol.decode(fx.bytes, fx.direction, { context: fx.context, variant: fx.variant, charset: fx.charset });
        const fields = flattenFields(frame.tree);
        const lookup = (name: string) => {
          if (name === 'fs.protocol') return protocolId;
          return fields[name];
        };
        for (const [node] of walkTree(frame.tree)) {
          const filter = filterForNode(node, catalog);
          if (!filter) continue;
          const compiled = compileFilter(filter, catalog);
          if (!compiled.ok) throw new Error(`${fx.file}: ${filter}: ${compiled.error.message}`);
          expect(compiled.filter.test(lookup), `${fx.file}: ${filter}`).toBe(true);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(20);
    });
  }

  it('writes 64-bit ids bare, text quoted with escapes, empty bytes as ""', () => {
    const entry = (type: 'u64' | 'string' | 'bytes') => ({ abbrev: 'x', type, label: 'x' });
    expect(literal('2725371800012', entry('u64'))).toBe('2725371800012');
    expect(literal('say "hi"\n', entry('string'))).toBe('"say \\"hi\\"\\n"');
    expect(literal('', entry('bytes'))).toBe('""');
    expect(literal(1e21, undefined)).toBe('1e21');
  });
});

describe('row filters', () => {
  it('compile', () => {
    for (const f of [filterForConnection(12), filterForMessage({ protocol: 'tt', message: 'LoginRequest' }), andFilters('tt or flyer', 'tcp.stream == 1')]) {
      expect(compileFilter(f, catalog).ok, f).toBe(true);
    }
    expect(andFilters('tt or flyer', 'tcp.stream == 1')).toBe('(tt or flyer) && tcp.stream == 1');
    expect(andFilters('', 'tcp.stream == 1')).toBe('tcp.stream == 1');
  });
});
