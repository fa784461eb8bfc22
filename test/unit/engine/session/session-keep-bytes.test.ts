/** Session option keepBytes: false — frames' bytes readable only during their onFrame call, nothing else changes. */
import { describe, expect, it } from 'vitest';
import { concatBytes, toHex } from '../../../../shared/codec/bytes';
import { getProtocol } from '../../../../shared/protocols/index';
import { Session } from '../../../../electron/engine/session/session';

const flyer = getProtocol('flyer')!;
const client = { host: '127.0.0.1', port: 50000 };
const server = { host: '127.0.0.1', port: 20180 };
const base = Date.now();
const ms = (n: number) => BigInt(base + n) * 1_000_000n;

const shake = flyer.encode('ShakeHand', 'c2s', { packet_id: '0', appCode: 'demo', vhost: '', req: 0 });
const beat = flyer.encode('Heartbeat', 'c2s', { packet_id: '0', appCode: 'demo', vhost: '', req: 0 });
const shakeResponse = flyer.encode('ShakeHandResponse', 's2c', { packet_id: '0', resp: 1 });
const job = flyer.encode('ExecuteJob', 's2c', { packet_id: '7', jobBeanId: 'invoiceJob', paramData: '{}' });

/** Split, coalesced and garbage-prefixed chunks, on a flyer connection and on one whose protocol is detected. */
function feed(s: Session): void {
  const a = s.openConnection({ source: 'file', client, server, protocol: 'auto' });
  s.data(a, 'c2s', shake.subarray(0, 7), ms(0));
  s.data(a, 'c2s', concatBytes([shake.subarray(7), beat]), ms(1));
  s.data(a, 's2c', concatBytes([new Uint8Array([9, 9, 9]), shakeResponse, job]), ms(2));
  const b = s.openConnection({ source: 'file', client: { ...client, port: 50001 }, server: { ...server, port: 9999 }, protocol: 'auto' });
  s.data(b, 'c2s', shake, ms(3));
  s.data(b, 's2c', shakeResponse, ms(4));
}

/** What a line printer sees of each frame while it is delivered. */
function seen(keepBytes: boolean | undefined): { rows: unknown[]; bytes: string[]; session: Session } {
  const rows: unknown[] = [];
  const bytes: string[] = [];
  const session: Session = new Session({
    keepBytes,
    onFrame: (frame) => {
      rows.push(session.row(frame));
      bytes.push(toHex(session.bytes(frame)));
    },
  });
  feed(session);
  return { rows, bytes, session };
}

describe('session keepBytes: false', () => {
  it('shows onFrame the same rows and bytes as a session that keeps them', () => {
    const kept = seen(undefined);
    const transient = seen(false);
    expect(kept.rows.length).toBe(7); // 2 + 1 skipped + 2 on the first connection, 2 on the detected one
    expect(transient.rows).toEqual(kept.rows);
    expect(transient.bytes).toEqual(kept.bytes);
    expect(transient.session.messageStats()).toEqual(kept.session.messageStats());
    // The index is the same; only the bytes are gone once onFrame has returned.
    expect(transient.session.frameCount).toBe(kept.session.frameCount);
    expect(transient.session.index.pair(2)).toBe(kept.session.index.pair(2));
    expect(() => transient.session.bytes(0)).toThrow(/frame 1: its bytes are not kept/);
    expect(toHex(kept.session.bytes(0))).toBe(kept.bytes[0]);
  });

  it('keeps the bytes of the frame being delivered readable when onFrame records more frames', () => {
    const outer: string[] = [];
    let fed = false;
    const s: Session = new Session({
      keepBytes: false,
      onFrame: (frame) => {
        if (!fed) {
          fed = true;
          s.data(other, 'c2s', beat, ms(5)); // delivers frame 2 from inside frame 1's onFrame
        }
        outer.push(`${frame}:${toHex(s.bytes(frame))}`);
      },
    });
    const id = s.openConnection({ source: 'file', client, server, protocol: 'flyer' });
    const other = s.openConnection({ source: 'file', client: { ...client, port: 50002 }, server, protocol: 'flyer' });
    s.data(id, 'c2s', shake, ms(0));
    expect(outer).toEqual([`1:${toHex(beat)}`, `0:${toHex(shake)}`]);
  });
});
