/**
 * Secondary data sources found in decoded frames (the hex pane's extra tabs): txlcn's `bytes` payload and hodor
 * bodies as slices of the frame, Base64 inside strings and inside JSON strings decoded, and what must not become a
 * tab (hex ids, words, JSON that is the frame's own bytes).
 */
import { describe, expect, it } from 'vitest';
import { fromHex, toHex, fromUtf8 } from '../../../../shared/codec/bytes';
import { walkTree } from '../../../../shared/codec/tree';
import { getProtocol } from '../../../../shared/protocols/index';
import { base64Bytes, findDataSources } from '../../../../renderer/src/workers/data-sources';
import { tabForNode } from '../../../../renderer/src/features/data-sources/hex-pane';
import { decodeFrame } from '../../../../renderer/src/workers/decode-frame';
import { loadFixtures } from '../../../support/fixtures';

const fixture = (protocol: string, file: string) => loadFixtures(protocol).find((f) => f.file === file)!;
const decode = (protocol: string, file: string) => {
  const fx = fixture(protocol, file);
  const frame = getProtocol(protocol)!.decode(fx.bytes, fx.direction, { context: fx.context, variant: fx.variant });
  return { fx, frame, sources: findDataSources(frame.tree, fx.bytes) };
};

describe('data sources', () => {
  it('txlcn: the bytes payload as a slice of the frame, and the same bytes from txlcn.json\'s Base64', () => {
    const { fx, frame, sources } = decode('txlcn', '05-atg.json');
    const payload = [...walkTree(frame.tree)].find(([n]) => n.abbrev === 'txlcn.bytes')![0];
    const hex = String(payload.value);
    const slice = sources.find((s) => s.kind === 'payload')!;
    expect(slice.hex).toBe(hex);
    expect(toHex(fx.bytes.subarray(slice.frameOffset!, slice.frameOffset! + hex.length / 2))).toBe(hex);
    expect(slice.label).toBe(`txlcn.bytes (${hex.length / 2} B)`);
    // The params decoded from the payload lie inside it.
    const groupId = [...walkTree(frame.tree)].find(([n]) => n.abbrev === 'txlcn.params.groupId')![0];
    expect(groupId.start).toBeGreaterThanOrEqual(slice.frameOffset!);

    const b64 = sources.find((s) => s.kind === 'base64')!;
    expect(b64.label).toMatch(/^Base64 txlcn\.json → msg\.bytes/);
    expect(b64.hex).toBe(hex);
    const json = sources.find((s) => s.kind === 'json')!;
    expect(JSON.parse(fromUtf8(fromHex(json.hex)))).toMatchObject({ msg: { action: 'atg' } });
    // unitId is 32 hex digits (Base64's alphabet too) and the key is digits: neither becomes a tab.
    expect(sources).toHaveLength(3);
  });

  it('hodor: the protostuff body, and a byte[] result in Base64', () => {
    const { sources } = decode('hodor', '12-job-exec-response-protostuff-succeeded.json');
    const body = sources.find((s) => s.kind === 'payload')!;
    expect(body.label).toBe('hodor body (176 B)');
    expect(body.frameOffset).toBe(20);
    const result = sources.find((s) => s.kind === 'base64')!;
    expect(fromUtf8(fromHex(result.hex))).toBe('ok');
  });

  it('hodor JSON body: the body tab, but no JSON tab for an attachment that is the frame\'s own text', () => {
    const { sources } = decode('hodor', '07-job-exec-request-json.json');
    expect(sources.map((s) => s.kind)).toEqual(['payload']);
  });

  it('Base64 detection leaves hex, words, numbers and identifiers alone', () => {
    expect(base64Bytes('b2s=')).toEqual(new Uint8Array([0x6f, 0x6b]));
    expect(base64Bytes('ChJzcHJpbmctZGVtby1jbGllbnQQAA==')).toBeDefined();
    for (const text of ['4d5570277c85929929ae140b61e607f0', 'demoJob1', 'success', '25303224612738888', 'abcd', 'SUCCEEDED', 'txc']) expect(base64Bytes(text)).toBeUndefined();
  });

  it('decodeFrame carries the sources to the UI; tabForNode picks the tab a selection belongs to', () => {
    const fx = fixture('txlcn', '05-atg.json');
    const view = decodeFrame({ row: { number: 1, time: 0, connection: 1, source: '', destination: '', protocol: 'txlcn', direction: fx.direction, length: fx.bytes.length, message: 'atg', summary: '', malformed: false }, hex: toHex(fx.bytes) });
    const sources = view.sources!;
    const payload = sources.findIndex((s) => s.kind === 'payload');
    const owner = sources[payload].node;
    expect(tabForNode(sources, owner, -1)).toBe(payload);
    // A field inside the payload keeps the payload tab when it is shown, else the frame.
    expect(tabForNode(sources, `${owner}.3.0`, payload)).toBe(payload);
    expect(tabForNode(sources, `${owner}.3.0`, -1)).toBe(-1);
    expect(tabForNode(sources, '0.0', payload)).toBe(-1);
  });
});
