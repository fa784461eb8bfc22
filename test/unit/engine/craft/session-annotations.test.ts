/** Marks follow the frame their bytes start, even when the session detects the protocol late; boundaries are exact. */
import { describe, expect, it } from 'vitest';
import { getProtocol } from '../../../../shared/protocols/index';
import { connectionWriter } from '../../../../electron/engine/craft/connection-writer';
import { SessionAnnotations } from '../../../../electron/engine/craft/session-annotations';
import { Session } from '../../../../electron/engine/session/session';

const flyer = getProtocol('flyer')!;
const hb = (id: string) => flyer.encode('Heartbeat', 'c2s', { packet_id: id, appCode: 'a', vhost: '', req: 0 });

function setup() {
  let a: SessionAnnotations | undefined;
  const session = new Session({ onFrame: (f) => a!.frameRecorded(f) });
  a = new SessionAnnotations(session);
  const writer = connectionWriter(() => ({ session, annotations: a }));
  return { session, annotations: a, writer };
}

describe('session annotations', () => {
  it('marks the frame marked bytes start, and knows when a stream sits at a frame boundary', () => {
    const { session, annotations, writer } = setup();
    const c = writer.open({ source: 'craft', client: { host: '127.0.0.1', port: 5000 }, server: { host: '127.0.0.1', port: 20180 }, protocol: 'flyer' });
    expect(annotations.atBoundary(c, 'c2s')).toBe(true);
    const first = hb('1');
    writer.data(c, 'c2s', first.subarray(0, 10));
    expect(annotations.atBoundary(c, 'c2s')).toBe(false);
    writer.data(c, 'c2s', first.subarray(10));
    expect(annotations.atBoundary(c, 'c2s')).toBe(true);
    const frames = writer.data(c, 'c2s', hb('2'), { kind: 'injected', note: 'injected by a test', forwarded: true });
    expect(frames).toEqual([1]);
    expect(annotations.mark(1)).toMatchObject({ kind: 'injected', note: 'injected by a test' });
    expect(annotations.mark(0)).toBeUndefined();
    expect(session.frameCount).toBe(2);
  });

  it('keeps a mark until the session has detected the protocol and cut the frame', () => {
    const { session, annotations, writer } = setup();
    // Port 9 is no protocol's: the session detects flyer from the first bytes, once it has enough of them.
    const c = writer.open({ source: 'craft', client: { host: '127.0.0.1', port: 5000 }, server: { host: '127.0.0.1', port: 9 }, protocol: 'auto' });
    const pdu = hb('3');
    writer.data(c, 'c2s', pdu.subarray(0, 1), { kind: 'modified', note: 'm', forwarded: true, original: '00' });
    writer.data(c, 'c2s', pdu.subarray(1));
    writer.data(c, 'c2s', hb('4'));
    expect(session.protocolName(0)).toBe('flyer');
    expect(annotations.mark(0)).toMatchObject({ kind: 'modified', original: '00' });
    expect(annotations.mark(1)).toBeUndefined();
  });
});
