import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePcapng } from '../../../../electron/engine/files/pcapng-writer';
import { synthesizeTcp, TcpSynthesizer, TcpSynthesizerError, type SynthConnection, type SynthEvent } from '../../../../electron/engine/files/tcp-synthesizer';
import { TcpReassembler, type ReassemblyEvent } from '../../../../electron/engine/capture/tcp-reassembly';
import { decodeTcpPacket, TcpFlag } from '../../../../electron/engine/net/tcp-segment';
import { toHex } from '../../../../shared/codec/bytes';
import { followTcp, tshark, tsharkFields } from '../../../support/tshark';

const tmp = mkdtempSync(join(tmpdir(), 'fs-synth-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const T0 = 1_704_164_645_000_000_000n;
const ms = (n: number) => T0 + BigInt(n) * 1_000_000n;
const utf8 = (s: string) => new TextEncoder().encode(s);
const pattern = (size: number, seed: number) => Uint8Array.from({ length: size }, (_, i) => (i * 131 + seed * 7 + (i >> 8)) & 0xff);
const concat = (parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

function writeConversation(name: string, connection: SynthConnection, events: SynthEvent[]): string {
  const file = join(tmp, name);
  writeFileSync(file, encodePcapng(synthesizeTcp(connection, events)));
  return file;
}

function sent(events: SynthEvent[], direction: 'c2s' | 's2c'): Uint8Array {
  return concat(events.flatMap((e) => (e.type === 'data' && e.direction === direction ? [e.bytes] : [])));
}

/** Expert-info severities tshark reports for the file (checksums checked). */
function expertGroups(file: string): string[] {
  const r = tshark(['-r', file, '-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', '-q', '-z', 'expert']);
  expect(r.stderr).toBe('');
  return [...r.stdout.matchAll(/^(Errors|Warns|Notes|Chats) \(\d+\)$/gm)].map((m) => m[1]);
}

const v4: SynthConnection = { client: { ip: '192.168.7.10', port: 53211 }, server: { ip: '192.168.7.1', port: 20180 } };
const v6: SynthConnection = { client: { ip: '2001:db8::a', port: 40000 }, server: { ip: '2001:db8::1', port: 8600 }, clientIsn: 0xffffff00, serverIsn: 0xfffffff0 };

const conversation: SynthEvent[] = [
  { type: 'open', timestamp: ms(0) },
  { type: 'data', direction: 'c2s', bytes: utf8('PING'), timestamp: ms(1) },
  { type: 'data', direction: 's2c', bytes: pattern(100_000, 1), timestamp: ms(2) }, // > MSS and > one window
  { type: 'data', direction: 'c2s', bytes: pattern(1460, 2), timestamp: ms(3) }, // exactly one MSS
  { type: 'data', direction: 'c2s', bytes: pattern(1461, 3), timestamp: ms(4) }, // one byte more
  { type: 'data', direction: 's2c', bytes: new Uint8Array(0), timestamp: ms(5) }, // nothing: no packet
  { type: 'data', direction: 's2c', bytes: utf8('bye'), timestamp: ms(6) },
  { type: 'close', how: 'fin', by: 's2c', timestamp: ms(7) },
];

describe('TCP synthesizer, checked by tshark', () => {
  it('IPv4: Follow TCP Stream gives back exactly the bytes; checksums are right; no warnings', () => {
    const file = writeConversation('v4.pcapng', v4, conversation);
    const follow = followTcp(file);
    expect(follow.nodes).toEqual(['192.168.7.10:53211', '192.168.7.1:20180']);
    expect(toHex(follow.c2s)).toBe(toHex(sent(conversation, 'c2s')));
    expect(toHex(follow.s2c)).toBe(toHex(sent(conversation, 's2c')));
    expect(expertGroups(file)).toEqual(['Notes', 'Chats']); // FIN notes and handshake chats only
    const rows = tsharkFields(file, ['ip.checksum.status', 'tcp.checksum.status', 'tcp.len', 'tcp.analysis.flags'], ['-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE']);
    expect(rows.every((r) => r[0] === '1' && r[1] === '1')).toBe(true); // 1 = Good (0 bad, 2 unverified)
    expect(Math.max(...rows.map((r) => Number(r[2])))).toBe(1460);
    expect(rows.filter((r) => r[3] !== '')).toEqual([]); // no retransmission, window-full, ACKed-unseen …
  });

  it('handshake, ACKs and FIN teardown have the flags and numbers a real stack would send', () => {
    const file = writeConversation('flags.pcapng', v4, [conversation[0], conversation[1], conversation[7]]);
    const rows = tsharkFields(file, ['ip.src', 'tcp.flags', 'tcp.seq', 'tcp.ack', 'tcp.len', 'tcp.options.mss_val']);
    const C = '192.168.7.10';
    const S = '192.168.7.1';
    expect(rows).toEqual([
      [C, '0x0002', '0', '0', '0', '1460'],
      [S, '0x0012', '0', '1', '0', '1460'],
      [C, '0x0010', '1', '1', '0', ''],
      [C, '0x0018', '1', '1', '4', ''],
      [S, '0x0010', '1', '5', '0', ''],
      [S, '0x0011', '1', '5', '0', ''], // the server closes first here
      [C, '0x0011', '5', '2', '0', ''],
      [S, '0x0010', '2', '6', '0', ''],
    ]);
  });

  it('IPv6 with sequence numbers wrapping, MSS 1440, closed by the server with RST', () => {
    const events: SynthEvent[] = [
      { type: 'data', direction: 'c2s', bytes: pattern(5000, 4), timestamp: ms(0) }, // opens by itself
      { type: 'data', direction: 's2c', bytes: pattern(3000, 5), timestamp: ms(1) },
      { type: 'close', how: 'rst', by: 's2c', timestamp: ms(2) },
    ];
    const file = writeConversation('v6.pcapng', v6, events);
    const follow = followTcp(file);
    expect(follow.nodes).toEqual(['[2001:db8::a]:40000', '[2001:db8::1]:8600']);
    expect(toHex(follow.c2s)).toBe(toHex(sent(events, 'c2s')));
    expect(toHex(follow.s2c)).toBe(toHex(sent(events, 's2c')));
    const rows = tsharkFields(file, ['tcp.checksum.status', 'tcp.len', 'tcp.seq_raw', 'tcp.flags'], ['-o', 'tcp.check_checksum:TRUE']);
    expect(rows.every((r) => r[0] === '1')).toBe(true);
    expect(Math.max(...rows.map((r) => Number(r[1])))).toBe(1440);
    expect(rows.some((r) => Number(r[2]) < 0x1000)).toBe(true); // the client's sequence numbers did wrap
    expect(rows[rows.length - 1][3]).toBe('0x0014'); // RST+ACK
    expect(expertGroups(file)).toEqual(['Warns', 'Chats']); // the only warning is the reset itself
    expect(tsharkFields(file, ['_ws.expert.message'], ['-Y', '_ws.expert.severity == "Warning"'])).toEqual([['Connection reset (RST)']]);
  });

  it('a failed connect is a SYN answered by RST+ACK', () => {
    const file = writeConversation('refused.pcapng', v4, [{ type: 'connect-failed', timestamp: ms(0) }]);
    expect(tsharkFields(file, ['ip.src', 'tcp.flags', 'tcp.seq', 'tcp.ack'])).toEqual([
      ['192.168.7.10', '0x0002', '0', '0'],
      ['192.168.7.1', '0x0014', '1', '1'],
    ]);
  });

  it('our own reader and reassembler get the same bytes back, in every direction', () => {
    for (const [connection, events] of [[v4, conversation], [v6, conversation]] as const) {
      const r = new TcpReassembler();
      const out: ReassemblyEvent[] = [];
      for (const p of synthesizeTcp(connection, events)) {
        const s = decodeTcpPacket(p.linkType, p.data);
        if (!s.ok) throw new Error(s.reason);
        r.push(s.segment, p.timestamp, undefined, out);
      }
      const got = (d: string) => concat(out.flatMap((e) => (e.type === 'data' && e.direction === d ? [e.bytes] : [])));
      expect(toHex(got('c2s'))).toBe(toHex(sent(events, 'c2s')));
      expect(toHex(got('s2c'))).toBe(toHex(sent(events, 's2c')));
      expect(out.filter((e) => e.type !== 'data').map((e) => e.type)).toEqual(['open', 'fin', 'fin', 'close']);
      expect(out.some((e) => e.type === 'gap' || e.type === 'overlap')).toBe(false);
    }
  });

  it('refuses what a connection cannot do', () => {
    const s = new TcpSynthesizer(v4);
    expect(() => s.close('fin', 'c2s', T0)).toThrow(TcpSynthesizerError);
    s.open(T0);
    expect(s.isOpen).toBe(true);
    expect(() => s.open(T0)).toThrow(/connection is open/);
    expect(() => s.connectFailed(T0)).toThrow(TcpSynthesizerError);
    s.close('rst', 'c2s', T0);
    expect(() => s.data('c2s', utf8('late'), T0)).toThrow(/connection is closed/);
    expect(() => new TcpSynthesizer({ client: { ip: '::1', port: 1 }, server: { ip: '127.0.0.1', port: 2 } })).toThrow(/different IP versions/);
    expect(() => new TcpSynthesizer({ ...v4, mss: 0 })).toThrow(/MSS/);
  });

  it('gives every packet of an event that event\'s timestamp', () => {
    const packets = synthesizeTcp(v4, [{ type: 'data', direction: 'c2s', bytes: pattern(3000, 6), timestamp: ms(42) }]);
    expect(new Set(packets.map((p) => p.timestamp))).toEqual(new Set([ms(42)]));
    const flags = packets.map((p) => { const d = decodeTcpPacket(p.linkType, p.data); return d.ok ? d.segment.flags : -1; });
    expect(flags).toEqual([TcpFlag.SYN, TcpFlag.SYN | TcpFlag.ACK, TcpFlag.ACK, TcpFlag.ACK, TcpFlag.ACK, TcpFlag.ACK | TcpFlag.PSH, TcpFlag.ACK]);
  });
});
