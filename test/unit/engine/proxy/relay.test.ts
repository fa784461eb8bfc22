/** The relay as scripts of events and expected commands (after mitmproxy's sans-IO tests). */
import { describe, expect, it } from 'vitest';
import { Relay, type RelayCommand } from '../../../../electron/engine/proxy/relay';

const b = (s: string) => new TextEncoder().encode(s);
const ops = (cmds: RelayCommand[]) => cmds.map((c) => (c.type === 'record' ? `record ${c.record.kind}` : c.type === 'write' ? `write ${c.side} ${new TextDecoder().decode(c.bytes)}` : `${c.type}${'side' in c ? ` ${c.side}` : ''}`));

describe('relay', () => {
  it('dials the upstream on accept and holds client bytes until it answers', () => {
    const r = new Relay();
    expect(ops(r.handle({ type: 'accepted' }))).toEqual(['record open', 'connect']);
    expect(ops(r.handle({ type: 'data', side: 'client', bytes: b('hello') }))).toEqual(['pause client', 'record data']);
    expect(ops(r.handle({ type: 'connected' }))).toEqual(['record upstream-connected', 'write server hello', 'resume client']);
  });

  it('forwards first and records second, both ways', () => {
    const r = new Relay();
    r.handle({ type: 'accepted' });
    r.handle({ type: 'connected' });
    expect(ops(r.handle({ type: 'data', side: 'client', bytes: b('ping') }))).toEqual(['write server ping', 'record data']);
    const reply = r.handle({ type: 'data', side: 'server', bytes: b('pong') });
    expect(ops(reply)).toEqual(['write client pong', 'record data']);
    expect(reply[1]).toMatchObject({ record: { direction: 's2c' } });
  });

  it('pauses the reader when the writer is full and resumes it on drain', () => {
    const r = new Relay();
    r.handle({ type: 'accepted' });
    r.handle({ type: 'connected' });
    expect(ops(r.handle({ type: 'blocked', side: 'server' }))).toEqual(['pause client']);
    expect(ops(r.handle({ type: 'blocked', side: 'server' }))).toEqual([]);
    expect(ops(r.handle({ type: 'drained', side: 'server' }))).toEqual(['resume client']);
    expect(ops(r.handle({ type: 'drained', side: 'server' }))).toEqual([]);
  });

  it('stops reading both sides while the recording is behind, and keeps a blocked side paused after it caught up', () => {
    const r = new Relay();
    r.handle({ type: 'accepted' });
    r.handle({ type: 'connected' });
    expect(ops(r.handle({ type: 'recording-behind' }))).toEqual(['pause client', 'pause server']);
    expect(ops(r.handle({ type: 'recording-behind' }))).toEqual([]);
    expect(ops(r.handle({ type: 'blocked', side: 'server' }))).toEqual([]);
    expect(ops(r.handle({ type: 'recording-caught-up' }))).toEqual(['resume server']);
    expect(ops(r.handle({ type: 'drained', side: 'server' }))).toEqual(['resume client']);
  });

  it('propagates a half-close and keeps the other direction open', () => {
    const r = new Relay();
    r.handle({ type: 'accepted' });
    r.handle({ type: 'connected' });
    expect(ops(r.handle({ type: 'end', side: 'client' }))).toEqual(['record half-close', 'end server']);
    expect(ops(r.handle({ type: 'data', side: 'server', bytes: b('late') }))).toEqual(['write client late', 'record data']);
    expect(ops(r.handle({ type: 'end', side: 'server' }))).toEqual(['record half-close', 'end client']);
    expect(ops(r.handle({ type: 'closed', side: 'server' }))).toEqual([]);
    expect(ops(r.handle({ type: 'closed', side: 'client' }))).toEqual(['record closed']);
  });

  it('passes a half-close that came before the upstream answered once it does', () => {
    const r = new Relay();
    r.handle({ type: 'accepted' });
    r.handle({ type: 'data', side: 'client', bytes: b('q') });
    expect(ops(r.handle({ type: 'end', side: 'client' }))).toEqual(['record half-close']);
    expect(ops(r.handle({ type: 'connected' }))).toEqual(['record upstream-connected', 'write server q', 'end server', 'resume client']);
  });

  it('turns a reset on one side into a reset on the other, recorded', () => {
    const r = new Relay();
    r.handle({ type: 'accepted' });
    r.handle({ type: 'connected' });
    expect(ops(r.handle({ type: 'error', side: 'server', error: 'read ECONNRESET', reset: true }))).toEqual(['record reset', 'reset client']);
  });

  it('makes a dead upstream a visible event and resets the client instead of hanging', () => {
    const r = new Relay();
    r.handle({ type: 'accepted' });
    r.handle({ type: 'data', side: 'client', bytes: b('x') });
    const cmds = r.handle({ type: 'connect-failed', error: 'ECONNREFUSED' });
    expect(ops(cmds)).toEqual(['record upstream-failed', 'reset client', 'record closed']);
    expect(cmds[0]).toMatchObject({ record: { error: 'ECONNREFUSED' } });
    expect(ops(r.handle({ type: 'closed', side: 'client' }))).toEqual([]);
  });

  it('closes the other side when one side closes abruptly', () => {
    const r = new Relay();
    r.handle({ type: 'accepted' });
    r.handle({ type: 'connected' });
    expect(ops(r.handle({ type: 'closed', side: 'client' }))).toEqual(['destroy server']);
    expect(ops(r.handle({ type: 'closed', side: 'server' }))).toEqual(['record closed']);
  });
});
