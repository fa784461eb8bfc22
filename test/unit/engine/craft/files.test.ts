/** Sequence and mock-rule files: the documented examples load; every mistake names the step or rule and key at fault. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getProtocol } from '../../../../shared/protocols/index';
import { MockResponder, parseMockRules } from '../../../../electron/engine/craft/mock-rules';
import { LoosePdu } from '../../../../electron/engine/craft/pdu-lookup';
import { parseSequence } from '../../../../electron/engine/craft/sequence';
import { payloadBytes } from '../../../../electron/engine/craft/payload';
import { toHex } from '../../../../shared/codec/bytes';

const EXAMPLES = join(__dirname, '..', '..', '..', '..', 'electron', 'engine', 'craft', 'examples');
const example = (name: string): unknown => JSON.parse(readFileSync(join(EXAMPLES, name), 'utf8'));
const flyer = getProtocol('flyer')!;
const ctx = { connection: 3, client: { host: '10.0.0.5', port: 40000 }, server: { host: '10.0.0.1', port: 20180 } };

describe('sequence files', () => {
  it('loads the documented example', () => {
    const s = parseSequence(example('tt-login.sequence.json'));
    expect(s).toMatchObject({ format: 'framescope-sequence', version: 1, protocol: 'tt', steps: expect.any(Array) });
    expect(s.steps.map((x) => x.message)).toEqual(['LoginRequest', 'UserInfoRequest', 'Heartbeat', 'TimeRequest', 'MsgData']);
  });

  it.each([
    [{ steps: [] }, /sequence\.protocol: expected a protocol id/],
    [{ protocol: 'tt', steps: [] }, /sequence\.steps: expected a non-empty list/],
    [{ protocol: 'tt', steps: [{ message: 'Nope' }] }, /sequence\.steps\[0\]\.message: tt has no message 'Nope'/],
    [{ protocol: 'tt', steps: [{ message: 'TimeRequest', hex: '00' }] }, /steps\[0\]: give either "message" \(with "value"\) or "hex"/],
    [{ protocol: 'tt', steps: [{ message: 'TimeRequest', waitreply: true }] }, /steps\[0\]: unknown key "waitreply"/],
    [{ protocol: 'tt', steps: [{ name: 'a', message: 'TimeRequest' }, { name: 'a', message: 'TimeRequest' }] }, /steps\[1\]\.name: "a" is also the name of step 0/],
    [{ protocol: 'tt', steps: [{ message: 'TimeRequest', value: { x: '{{reply.0.value.x}}' } }] }, /steps\[0\]: \{\{reply\.0…\}\} is not an earlier step/],
    [{ protocol: 'tt', repeat: 0, steps: [{ message: 'TimeRequest' }] }, /sequence\.repeat: expected an integer from 1/],
    [{ protocol: 'tt', steps: [{ message: 'TimeRequest', expect: 'Nope' }] }, /steps\[0\]\.expect: expected a message name of tt/],
    [{ protocol: 'tt', format: 'other', steps: [{ message: 'TimeRequest' }] }, /sequence\.format: expected "framescope-sequence"/],
  ])('refuses %j', (input, message) => {
    expect(() => parseSequence(input)).toThrow(message);
  });
});

describe('the README', () => {
  it('shows a sequence and a rules file that load', () => {
    const text = readFileSync(join(EXAMPLES, '..', 'README.md'), 'utf8');
    const blocks = [...text.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(parseSequence(JSON.parse(blocks.find((b) => b.includes('"framescope-sequence"'))!)).steps).toHaveLength(5);
    const rules = parseMockRules(JSON.parse(blocks.find((b) => b.includes('"framescope-mock"'))!));
    expect(new MockResponder(rules.rules, flyer).rules).toHaveLength(4);
  });
});

describe('mock rules', () => {
  it('loads the documented example and answers with the request\'s packet id, in order', () => {
    const file = parseMockRules(example('flyer-server.mock.json'));
    const m = new MockResponder(file.rules, flyer);
    const shake = flyer.encode('ShakeHand', 'c2s', { packet_id: '123456789012345', appCode: 'a', vhost: '', req: 0 });
    const answer = m.answer(new LoosePdu(flyer, shake, 'c2s', ctx))!;
    expect(answer.rule).toBe(1);
    expect(answer.replies.map((r) => flyer.decode(r.bytes, 's2c').message)).toEqual(['ShakeHandResponse', 'ExecuteJob', 'ExecuteJob', 'ExecuteJob']);
    expect(flyer.decode(answer.replies[0].bytes, 's2c').value.packet_id).toBe('123456789012345');
    const quiet = flyer.encode('ExecuteJobResponse', 'c2s', { packet_id: '7', jobBeanId: 'orderSyncJob', result: 0 });
    expect(m.answer(new LoosePdu(flyer, quiet, 'c2s', ctx))).toMatchObject({ rule: 4, replies: [] });
    const unknown = flyer.encode('Unknown', 'c2s', { protocol: 1014, packet_id: '1' });
    expect(m.answer(new LoosePdu(flyer, unknown, 'c2s', ctx))).toBeUndefined();
  });

  it('matches on connection fields as the filter bar does', () => {
    const m = new MockResponder([{ match: 'ip.src == 10.0.0.0/24 && tcp.dstport == 20180 && tcp.stream == 3 && fs.direction == c2s', reply: [] }], flyer);
    expect(m.answer(new LoosePdu(flyer, flyer.encode('CommitJob', 'c2s', { packet_id: '1' }), 'c2s', ctx))).toBeDefined();
    expect(m.answer(new LoosePdu(flyer, flyer.encode('CommitJob', 'c2s', { packet_id: '1' }), 'c2s', { ...ctx, connection: 4 }))).toBeUndefined();
  });

  it.each([
    [{ rules: {} }, /rules\.rules: expected a list/],
    [[{ reply: [] }], /rules\.rules\[0\]\.match: expected a display filter/],
    [[{ match: 'flyer' }], /rules\.rules\[0\]\.reply: expected a reply/],
    [[{ match: 'flyer', reply: [{ value: {} }] }], /rules\.rules\[0\]\.reply\[0\]: expected \{"message", "value"\} or \{"hex"\}/],
    [[{ match: 'flyer', reply: [], when: 1 }], /rules\.rules\[0\]: unknown key "when"/],
    [{ protocol: 'nope', rules: [] }, /rules\.protocol: expected a protocol id/],
  ])('refuses %j', (input, message) => {
    expect(() => parseMockRules(input)).toThrow(message);
  });
});

describe('payloads', () => {
  it('encodes documents with lengths filled in, takes overrides for broken frames, and sends hex as given', () => {
    const good = payloadBytes({ message: 'CommitJob', value: { packet_id: '1' } }, { protocol: flyer, direction: 'c2s' }).bytes;
    expect(toHex(good)).toBe(toHex(flyer.encode('CommitJob', 'c2s', { packet_id: '1' })));
    const broken = payloadBytes({ message: 'CommitJob', value: { packet_id: '1', length: 99 } }, { protocol: flyer, direction: 'c2s' }).bytes;
    expect(flyer.decode(broken, 'c2s').value.length).toBe(99);
    expect(toHex(payloadBytes({ hex: '01 00:ff' }, { direction: 'c2s' }).bytes)).toBe('0100ff');
    expect(() => payloadBytes({ hex: '0g' }, { direction: 'c2s' })).toThrow(/payload\.hex: not a hex digit/);
    expect(() => payloadBytes({ message: 'CommitJob', value: {} }, { direction: 'c2s' })).toThrow(/the connection's protocol is not known/);
    expect(() => payloadBytes({ protocol: 'tt', message: 'CommitJob', value: {} }, { protocol: flyer, direction: 'c2s' })).toThrow(/tt has no message 'CommitJob'/);
  });
});
