import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concatBytes, fromHex } from '../../../../shared/codec/bytes';
import { getProtocol } from '../../../../shared/protocols/index';
import { MAX_WAITING, Session } from '../../../../electron/engine/session/session';

const flyer = getProtocol('flyer')!;
const enc = (message: string, direction: 'c2s' | 's2c', value: Record<string, unknown>) => flyer.encode(message, direction, value);
const client = { host: '127.0.0.1', port: 50000 };
const base = Date.now();
const ms = (n: number) => BigInt(base + n) * 1_000_000n;

describe('session', () => {
  it('cuts split and coalesced chunks into frames, pairs responses and measures response time', () => {
    const s = new Session();
    const id = s.openConnection({ source: 'proxy', client, server: { host: '127.0.0.1', port: 20180 }, protocol: 'auto' });
    const shake = enc('ShakeHand', 'c2s', { packet_id: '0', appCode: 'demo', vhost: '', req: 0 });
    const beat = enc('Heartbeat', 'c2s', { packet_id: '0', appCode: 'demo', vhost: '', req: 0 });
    s.data(id, 'c2s', shake.subarray(0, 7), ms(0));
    s.data(id, 'c2s', concatBytes([shake.subarray(7), beat]), ms(1));
    s.data(id, 's2c', enc('ShakeHandResponse', 's2c', { packet_id: '0', resp: 1 }), ms(5));
    s.data(id, 's2c', enc('HeartbeatResponse', 's2c', { packet_id: '0', resp: 1, serverVersion: 3 }), ms(9));
    expect(s.frameCount).toBe(4);
    const rows = [0, 1, 2, 3].map((i) => s.row(i));
    expect(rows.map((r) => r.message)).toEqual(['ShakeHand', 'Heartbeat', 'ShakeHandResponse', 'HeartbeatResponse']);
    expect(rows[2].pairedWith).toBe(1);
    expect(rows[3].pairedWith).toBe(2);
    expect(rows[0].pairedWith).toBe(3);
    expect(rows[2].responseTime).toBeCloseTo(0.004, 6); // a frame takes the time of the chunk that completed it
    expect(rows[0].source).toBe('127.0.0.1:50000');
    expect(rows[2].source).toBe('127.0.0.1:20180');
    expect(s.messageStats().find((m) => m.message === 'HeartbeatResponse')!.responseTime!.count).toBe(1);
    expect(s.connection(id)!.protocol).toBe('flyer');
    expect(Array.from(s.bytes(1))).toEqual(Array.from(beat));
  });

  it('gives up the oldest unanswered requests past MAX_WAITING instead of growing without bound', () => {
    const s = new Session();
    const id = s.openConnection({ source: 'proxy', client, server: { host: '127.0.0.1', port: 20180 }, protocol: 'flyer' });
    const count = MAX_WAITING + 10;
    for (let i = 1; i <= count; i++) {
      s.data(id, 'c2s', enc('ReportJobResult', 'c2s', { packet_id: String(i), jobBeanId: 'j', result: 0, logStr: '' }), ms(i));
    }
    const answer = (packetId: number) => s.data(id, 's2c', enc('ReportJobResultResponse', 's2c', { packet_id: String(packetId), jobBeanId: 'j', result: 0 }), ms(count + 1));
    answer(1); // given up: the 10 oldest made room for the newest
    answer(11); // the oldest still waiting
    answer(count);
    expect(s.row(count).pairedWith).toBeUndefined();
    expect(s.row(count + 1).pairedWith).toBe(11); // frame numbers count from 1
    expect(s.row(count + 2).pairedWith).toBe(count);
  });

  it('detects the protocol from the first bytes when the port says nothing', () => {
    const s = new Session();
    const id = s.openConnection({ source: 'capture', client, server: { host: '10.0.0.1', port: 9999 }, protocol: 'auto' });
    s.data(id, 'c2s', fromHex('0000000c'));
    expect(s.frameCount).toBe(0);
    s.data(id, 'c2s', fromHex('0007000100010000'));
    expect(s.connection(id)!.protocol).toBe('tt');
    expect(s.messageName(0)).toBe('Heartbeat');
  });

  it('records undetectable bytes as raw data once detection gives up', () => {
    const s = new Session();
    const id = s.openConnection({ source: 'capture', client, server: { host: '10.0.0.1', port: 9999 } });
    s.data(id, 'c2s', fromHex('deadbeef'));
    s.connectionEvent(id, 'closed');
    expect(s.frameCount).toBe(1);
    expect(s.row(0)).toMatchObject({ protocol: 'tcp', message: 'Data', length: 4 });
    expect(s.connection(id)!.state).toBe('closed');
  });

  it('honours Decode As before the port table', () => {
    const s = new Session();
    s.setDecodeAs(20180, 'tt');
    const id = s.openConnection({ source: 'capture', client, server: { host: 'x', port: 20180 } });
    expect(s.connection(id)!.protocol).toBe('tt');
  });

  it('marks garbage as a skipped, malformed frame and resumes at the next header', () => {
    const s = new Session();
    const id = s.openConnection({ source: 'proxy', client, server: { host: 'x', port: 20180 } });
    s.data(id, 'c2s', concatBytes([fromHex('ffffffff'), enc('PullTopology', 'c2s', { packet_id: '7' })]));
    expect(s.frameCount).toBe(2);
    expect(s.row(0)).toMatchObject({ message: 'Skipped', malformed: true, length: 4 });
    expect(s.row(1).message).toBe('PullTopology');
  });
});

describe('session with its PDU store on disk', () => {
  const tt = getProtocol('tt')!;
  const msgData = (size: number, seq: number): Uint8Array => tt.encode('MsgData', 'c2s', {
    reserved: 0, seq_no: seq, from_id_url: '1001', to_id_url: '1002', create_time: 1710000000, msg_type: 1,
    msg_data: Buffer.from('x'.repeat(size - 45)).toString('hex'), attach_data: '',
  });

  for (const immutable of [true, false]) {
    it(`stores PDUs split over many chunks byte-exact (${immutable ? 'chunks never changed again: kept' : 'chunks reused by the caller: copied'})`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'session-store-test-'));
      try {
        const s = new Session({ pduStorePath: join(dir, 'pdus.bin') });
        const id = s.openConnection({ source: 'proxy', client, server: { host: '127.0.0.1', port: 8000 }, protocol: 'tt' });
        const pdus = [70_000, 100, 65_536, 20_000, 45, 300_000, 1024].map((n, i) => msgData(n, i + 1));
        const stream = concatBytes(pdus);
        // Chunks of every size from 1 byte to 64 KiB, so each large PDU spans many of them.
        const sizes = [1, 7, 65_536, 3, 1000, 12_345, 2, 40_000];
        for (let at = 0, i = 0; at < stream.length; i++) {
          const chunk = stream.slice(at, at + sizes[i % sizes.length]);
          s.data(id, 'c2s', chunk, undefined, immutable);
          if (!immutable) chunk.fill(0xee);
          at += chunk.length;
          if (i % 5 === 0) await new Promise((r) => setImmediate(r));
        }
        expect(s.frameCount).toBe(pdus.length);
        pdus.forEach((p, i) => expect(Buffer.from(s.bytes(i)).equals(Buffer.from(p)), `frame ${i + 1}`).toBe(true));
        s.flush();
        expect(readFileSync(join(dir, 'pdus.bin')).equals(Buffer.from(stream))).toBe(true);
        s.close(true);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
