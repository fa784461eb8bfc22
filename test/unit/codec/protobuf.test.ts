import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../shared/codec/bytes';
import { decodeMessage, encodeMessage, fromBase64, toBase64, type PbMessage, type PbOptions } from '../../../shared/codec/protobuf';
import { flattenFields } from '../../../shared/codec/tree';

const JobKey: PbMessage = { name: 'JobKey', fields: [{ no: 1, name: 'groupName', type: 'string' }, { no: 2, name: 'jobName', type: 'string' }] };
const Status: PbMessage = {
  name: 'Status', fields: [
    { no: 1, name: 'requestId', type: 'int64' },
    { no: 2, name: 'status', type: 'enum', enum: ['READY', 'PENDING', 'RUNNING'] },
    { no: 3, name: 'key', type: 'message', message: JobKey },
    { no: 4, name: 'delta', type: 'int32' },
    { no: 5, name: 'state', type: 'short' },
    { no: 6, name: 'result', type: 'bytes' },
  ],
};
const Wrapper: PbMessage = { name: 'Wrapper', fields: [{ no: 1, name: 'code', type: 'int32' }, { no: 3, name: 'data', type: 'dynamic' }] };
const opts: PbOptions = { int64: 'json', bytesAs: 'base64', resolveClass: (c) => (c === 'x.Status' ? Status : undefined) };

describe('protobuf (protostuff)', () => {
  it('decodes a table-driven message with enums, nested messages, negative int32 and short', () => {
    const b = fromHex('0805' + '1002' + '1a05' + '0a03' + '676770' + '20ffffffffffffffffff01' + '28ffffffff0f' + '3202' + 'abcd');
    const d = decodeMessage(b, 0, b.length, Status, 'p', 'body', opts);
    expect(d.value).toEqual({ requestId: 5, status: 'RUNNING', key: { groupName: 'ggp' }, delta: -1, state: -1, result: toBase64(fromHex('abcd')) });
    expect(flattenFields([d.node])).toEqual({ 'p.requestId': 5, 'p.status': 'RUNNING', 'p.key.groupName': 'ggp', 'p.delta': -1, 'p.state': -1, 'p.result': 'q80=' });
    expect(toHex(encodeMessage(d.value, Status, opts, 'p'))).toBe(toHex(b));
  });

  it('resolves dynamic objects by their field-127 class name and writes the class back', () => {
    const inner = '0a0109'.slice(0, 0) + 'fa07' + '08' + '782e537461747573' + '0809';
    const b = fromHex('0801' + '1a' + (inner.length / 2).toString(16).padStart(2, '0') + inner);
    const d = decodeMessage(b, 0, b.length, Wrapper, 'p', 'body', opts);
    expect(d.value).toEqual({ code: 1, data: { '@class': 'x.Status', requestId: 9 } });
    expect(flattenFields([d.node])).toEqual({ 'p.code': 1, 'p.data.requestId': 9 });
    expect(toHex(encodeMessage(d.value, Wrapper, opts, 'p'))).toBe(toHex(b));
  });

  it('shows unknown fields generically and flags wire types that contradict the table', () => {
    const b = fromHex('0a0178' + '4801');
    const d = decodeMessage(b, 0, b.length, Status, 'p', 'body', opts);
    expect(d.notes[0].message).toMatch(/p.requestId: wire type 2 does not match int64/);
    expect(d.node.children!.map((c) => c.label)).toEqual(['field 1 (length-delimited)', 'field 9 (varint)']);
  });

  it('throws on malformed wire data so callers can note it', () => {
    expect(() => decodeMessage(fromHex('0a05ab'), 0, 3, Status, 'p', 'b', opts)).toThrow(/truncated/);
    expect(() => decodeMessage(fromHex('0f'), 0, 1, Status, 'p', 'b', opts)).toThrow(/wire type 7/);
  });

  it('round-trips Base64', () => {
    for (const hex of ['', 'ab', 'abcd', 'abcdef', '0a12323533']) expect(toHex(fromBase64(toBase64(fromHex(hex))))).toBe(hex);
    expect(toBase64(new TextEncoder().encode('ChJzc'))).toBe('Q2hKemM=');
  });
});
