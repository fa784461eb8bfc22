import { describe, expect, it } from 'vitest';
import { toHex } from '../../../../shared/codec/bytes';
import { getProtocol } from '../../../../shared/protocols/index';
import type { FrameDetail, FrameRow } from '../../../../shared/model/session';
import { decodeFrame } from '../../../../renderer/src/workers/decode-frame';
import { fixtureProtocols, loadFixtures } from '../../../support/fixtures';

function detail(protocol: string, bytes: Uint8Array, direction: 'c2s' | 's2c', extra: Partial<FrameDetail> = {}, message = 'X'): FrameDetail {
  const row: FrameRow = {
    number: 7, time: 0, connection: 1, source: 'a:1', destination: 'b:2', protocol, direction, length: bytes.length,
    message, summary: 's', malformed: false,
  };
  return { row, hex: toHex(bytes), ...extra };
}

describe('decodeFrame (the decode worker)', () => {
  it('gives the same tree as the protocol for every golden fixture', () => {
    for (const id of fixtureProtocols()) {
      for (const fx of loadFixtures(id)) {
        if (fx.charset) continue; // the engine decodes with the connection's charset; fixtures name theirs
        const view = decodeFrame(detail(id, fx.bytes, fx.direction, { context: fx.context, variant: fx.variant }));
        const direct = getProtocol(id)!.decode(fx.bytes, fx.direction, { context: fx.context, variant: fx.variant });
        expect(view.tree, `${id}/${fx.file}`).toEqual(direct.tree);
        expect(view.message).toBe(fx.message);
        expect(view.length).toBe(fx.bytes.length);
      }
    }
  });

  it('shows the bytes of a frame without a decoder as one node covering them all', () => {
    const bytes = new Uint8Array([1, 2, 3, 4, 5]);
    const view = decodeFrame(detail('tcp', bytes, 'c2s', {}, 'Data'));
    expect(view.tree).toHaveLength(1);
    expect(view.tree[0]).toMatchObject({ label: 'Data', start: 0, length: 5, value: '0102030405' });
  });

  it('keeps the engine’s notes with the decoder’s', () => {
    const fx = loadFixtures('flyer')[0];
    const view = decodeFrame(detail('flyer', fx.bytes, fx.direction, { notes: [{ severity: 'warn', message: 'from the engine' }] }));
    expect(view.notes[0].message).toBe('from the engine');
  });
});
