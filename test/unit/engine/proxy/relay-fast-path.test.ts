/**
 * `Relay.plainData`, the adapter's hot path, against `handle({ type: 'data' })`: on the same scripts, two relays
 * (one fed through the fast path whenever it accepts, one only through events) produce the same writes and records,
 * and the fast path declines whenever the relay has more to do than write and record.
 */
import { describe, expect, it } from 'vitest';
import { Relay, type RelayCommand, type RelayEvent, type RelayPolicy, type Side } from '../../../../electron/engine/proxy/relay';
import type { Framer } from '../../../../shared/codec/protocol';

const b = (s: string) => new TextEncoder().encode(s);
const text = (c: RelayCommand) => (c.type === 'record' ? `record ${c.record.kind}${c.record.kind === 'data' ? ` ${c.record.direction} ${new TextDecoder().decode(c.record.bytes)}` : ''}` : c.type === 'write' ? `write ${c.side} ${new TextDecoder().decode(c.bytes)}` : `${c.type}${'side' in c ? ` ${c.side}` : ''}`);

/** Feeds events to a relay, data through plainData when it accepts, and returns what an adapter would do. */
function drive(relay: Relay, events: RelayEvent[], fast: boolean): string[] {
  const out: string[] = [];
  for (const e of events) {
    if (fast && e.type === 'data') {
      const plain = relay.plainData(e.side, e.bytes.length);
      if (plain !== undefined) {
        const to: Side = e.side === 'client' ? 'server' : 'client';
        if (plain === 'write') out.push(`write ${to} ${new TextDecoder().decode(e.bytes)}`);
        out.push(`record data ${e.side === 'client' ? 'c2s' : 's2c'} ${new TextDecoder().decode(e.bytes)}`);
        continue;
      }
    }
    out.push(...relay.handle(e).map(text));
  }
  return out;
}

const lines: Framer = { frame: (buf, off, end) => { const i = buf.indexOf(10, off); return i < 0 || i >= end ? -1 : i + 1 - off; } };

const scripts: Record<string, RelayEvent[]> = {
  'data before and after the upstream answers, both ways, then half-closes': [
    { type: 'accepted' }, { type: 'data', side: 'client', bytes: b('early') }, { type: 'connected' },
    { type: 'data', side: 'client', bytes: b('ping') }, { type: 'data', side: 'server', bytes: b('pong') },
    { type: 'blocked', side: 'server' }, { type: 'data', side: 'client', bytes: b('more') }, { type: 'drained', side: 'server' },
    { type: 'end', side: 'server' }, { type: 'data', side: 'client', bytes: b('after server FIN') },
    { type: 'end', side: 'client' }, { type: 'closed', side: 'server' }, { type: 'closed', side: 'client' },
    { type: 'data', side: 'client', bytes: b('after close') },
  ],
  'an injection waiting for a boundary': [
    { type: 'accepted' }, { type: 'connected' }, { type: 'data', side: 'client', bytes: b('half a li') },
    { type: 'inject', direction: 'c2s', bytes: b('injected\n') }, { type: 'data', side: 'client', bytes: b('ne\n') },
    { type: 'data', side: 'client', bytes: b('next\n') },
  ],
};

describe('relay fast path', () => {
  for (const [name, events] of Object.entries(scripts)) {
    it(`gives what the events give: ${name}`, () => {
      expect(drive(new Relay(), events, true)).toEqual(drive(new Relay(), events, false));
    });
  }

  it('declines while connecting, with an inspecting policy, with chaos, and after the relay finished', () => {
    const r = new Relay();
    r.handle({ type: 'accepted' });
    expect(r.plainData('client', 3)).toBeUndefined();
    r.handle({ type: 'connected' });
    expect(r.plainData('client', 3)).toBe('write');
    expect(r.plainData('server', 3)).toBe('write');
    const inspect: RelayPolicy = { framer: () => lines, inspect: { c2s: true }, decide: () => 'pass' };
    r.handle({ type: 'configure', policy: inspect });
    expect(r.plainData('client', 3)).toBeUndefined();
    expect(r.plainData('server', 3)).toBe('write');
    r.handle({ type: 'configure', policy: { chaos: { s2c: { delayMs: 5 } } } });
    expect(r.plainData('server', 3)).toBeUndefined();
    r.handle({ type: 'configure', policy: undefined });
    expect(r.plainData('server', 3)).toBe('write');
    r.handle({ type: 'connect-failed', error: 'x' });
    expect(r.plainData('server', 3)).toBeUndefined();
  });
});
