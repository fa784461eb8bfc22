/**
 * The relay's intercept, injection, mock answers and chaos as scripts of events and expected commands: frames are
 * real flyer PDUs cut by the real framer; timers are events the script fires.
 */
import { describe, expect, it } from 'vitest';
import { concatBytes, toHex } from '../../../../shared/codec/bytes';
import type { Direction } from '../../../../shared/codec/protocol';
import { getProtocol } from '../../../../shared/protocols/index';
import { Relay, type PduDecision, type RelayCommand, type RelayPolicy } from '../../../../electron/engine/proxy/relay';

const flyer = getProtocol('flyer')!;
const hb = (id: string) => flyer.encode('Heartbeat', 'c2s', { packet_id: id, appCode: 'app', vhost: '', req: 0 });
const hbr = (id: string) => flyer.encode('HeartbeatResponse', 's2c', { packet_id: id, resp: 1, serverVersion: 7 });
/** Heartbeat and HeartbeatResponse sizes (packet ids are u64: the size does not depend on them). */
const HB = hb('1').length;
const HBR = hbr('1').length;
const name = (b: Uint8Array, d: Direction = 'c2s') => `${flyer.peek(b, d).message}#${String(flyer.decode(b, d).value.packet_id)}`;

/** Commands as short strings: writes and records show which PDUs (or how many bytes) they carry. */
function ops(cmds: RelayCommand[], d: Direction = 'c2s'): string[] {
  return cmds.map((c) => {
    switch (c.type) {
      case 'write': return `write ${c.side} ${c.bytes.length}`;
      case 'record': return c.record.kind === 'data' ? `record ${c.record.direction} ${safeName(c.record.bytes, c.record.direction)}${c.record.mark ? ` [${c.record.mark.kind}]` : ''}` : `record ${c.record.kind}`;
      case 'timer': return `timer ${c.key} ${c.ms}`;
      case 'notify': return `notify ${c.notice.kind}${'key' in c.notice ? ` ${c.notice.key}` : ''}${'outcome' in c.notice ? ` ${c.notice.outcome}` : ''}`;
      default: return `${c.type}${'side' in c ? ` ${c.side}` : ''}`;
    }
  }).map((s) => s.replace(/ undefined$/, ''));
  function safeName(b: Uint8Array, dir: Direction): string {
    try { return flyer.framer(dir).frame(b, 0, b.length) === b.length ? name(b, dir) : `${b.length}B`; } catch { return `${b.length}B`; }
  }
  void d;
}

function policy(o: Partial<RelayPolicy> & { hold?: (pdu: Uint8Array) => PduDecision } = {}): RelayPolicy {
  return {
    framer: (d) => flyer.framer(d),
    inspect: { c2s: true },
    decide: (_d, pdu) => (o.hold ? o.hold(pdu) : flyer.decode(pdu, 'c2s').value.packet_id === '2' ? 'hold' : 'pass'),
    ...o,
  };
}

function open(p?: RelayPolicy, atBoundary?: (d: Direction) => boolean): Relay {
  const r = new Relay({ policy: p, atBoundary });
  r.handle({ type: 'accepted' });
  r.handle({ type: 'connected' });
  return r;
}

const data = (bytes: Uint8Array, side: 'client' | 'server' = 'client') => ({ type: 'data' as const, side, bytes });

describe('relay intercept', () => {
  it('holds a matching PDU; later PDUs of that direction wait behind it, in order; the other direction flows', () => {
    const r = open(policy());
    expect(ops(r.handle(data(hb('1'))))).toEqual([`write server ${HB}`, 'record c2s Heartbeat#1']);
    const held = r.handle(data(concatBytes([hb('2'), hb('3')])));
    expect(ops(held)).toEqual(['notify held 1']);
    expect(held[0]).toMatchObject({ notice: { kind: 'held', key: 1, direction: 'c2s' } });
    expect(ops(r.handle(data(hbr('1'), 'server')))).toEqual([`write client ${HBR}`, 'record s2c HeartbeatResponse#1']);
    expect(ops(r.handle({ type: 'release', key: 1, action: 'forward' }))).toEqual([
      'notify released 1 forwarded', `write server ${HB}`, 'record c2s Heartbeat#2', `write server ${HB}`, 'record c2s Heartbeat#3',
    ]);
    expect(r.held()).toEqual([]);
  });

  it('cuts a direction in `frame` into PDUs without deciding on them; the framer learns whether it starts with the stream', () => {
    const decided: Direction[] = [];
    const starts: Array<[Direction, boolean]> = [];
    const r = open({
      framer: (d, _first, atStart) => { starts.push([d, atStart]); return flyer.framer(d); },
      inspect: { s2c: true }, frame: { c2s: true },
      decide: (d) => { decided.push(d); return 'pass'; },
    });
    const two = concatBytes([hb('1'), hb('2')]);
    // Half of the second PDU waits for the rest: a framed direction passes on whole PDUs.
    expect(ops(r.handle(data(two.subarray(0, HB + 5))))).toEqual([`write server ${HB}`, 'record c2s Heartbeat#1']);
    expect(ops(r.handle(data(two.subarray(HB + 5))))).toEqual([`write server ${HB}`, 'record c2s Heartbeat#2']);
    expect(ops(r.handle(data(hbr('1'), 'server')))).toEqual([`write client ${HBR}`, 'record s2c HeartbeatResponse#1']);
    expect(decided).toEqual(['s2c']);
    expect(starts).toEqual([['c2s', true], ['s2c', true]]);
  });

  it('forwards an edited PDU and records it as modified with the original kept', () => {
    const r = open(policy());
    r.handle(data(hb('2')));
    const edited = hb('2000');
    const cmds = r.handle({ type: 'release', key: 1, action: 'forward', bytes: edited });
    expect(ops(cmds)).toEqual(['notify released 1 modified', `write server ${HB}`, 'record c2s Heartbeat#2000 [modified]']);
    const rec = cmds[2] as Extract<RelayCommand, { type: 'record' }>;
    expect(rec.record.kind === 'data' && toHex(rec.record.mark!.original!)).toBe(toHex(hb('2')));
    expect(toHex((cmds[1] as { bytes: Uint8Array }).bytes)).toBe(toHex(edited));
  });

  it('drops a PDU: recorded as dropped, never written; what waited behind it goes on', () => {
    const r = open(policy());
    r.handle(data(concatBytes([hb('2'), hb('4')])));
    expect(ops(r.handle({ type: 'release', key: 1, action: 'drop' }))).toEqual([
      'notify released 1 dropped', 'record c2s Heartbeat#2 [dropped]', `write server ${HB}`, 'record c2s Heartbeat#4',
    ]);
  });

  it('releases on the hold timeout, the configured way', () => {
    const r = open(policy({ holdTimeoutMs: 1500, holdTimeoutAction: 'drop' }));
    expect(ops(r.handle(data(hb('2'))))).toEqual(['notify held 1', 'timer hold:1 1500']);
    expect(ops(r.handle({ type: 'timer', key: 'hold:1' }))).toEqual(['notify released 1 dropped', 'record c2s Heartbeat#2 [dropped]']);
    expect(ops(r.handle({ type: 'timer', key: 'hold:1' }))).toEqual([]);
  });

  it('releases everything at once, and holds a PDU split over many chunks only once it is whole', () => {
    const r = open(policy({ hold: () => 'hold' }));
    const two = concatBytes([hb('5'), hb('6')]);
    expect(ops(r.handle(data(two.subarray(0, 7))))).toEqual([]);
    expect(ops(r.handle(data(two.subarray(7, 40))))).toEqual(['notify held 1']);
    expect(ops(r.handle(data(two.subarray(40))))).toEqual(['notify held 2']);
    expect(ops(r.handle({ type: 'release-all', action: 'forward' }))).toEqual([
      'notify released 1 forwarded', `write server ${HB}`, 'record c2s Heartbeat#5', 'notify released 2 forwarded', `write server ${HB}`, 'record c2s Heartbeat#6',
    ]);
  });

  it('passes a half-close on only after the held PDUs before it', () => {
    const r = open(policy());
    r.handle(data(hb('2')));
    expect(ops(r.handle({ type: 'end', side: 'client' }))).toEqual(['record half-close']);
    expect(ops(r.handle({ type: 'release', key: 1, action: 'forward' }))).toEqual(['notify released 1 forwarded', `write server ${HB}`, 'record c2s Heartbeat#2', 'end server']);
  });

  it('starts framing mid-stream only at a frame boundary the recorder confirms', () => {
    let boundary = false;
    const r = open(undefined, () => boundary);
    const pdu = hb('2');
    expect(ops(r.handle(data(pdu.subarray(0, 10))))).toEqual(['write server 10', 'record c2s 10B']);
    // Rules arrive while a PDU is half through: the relay cannot cut here, so bytes keep flowing as they are.
    expect(ops(r.handle({ type: 'configure', policy: policy() }))).toEqual([]);
    expect(ops(r.handle(data(pdu.subarray(10))))).toEqual([`write server ${HB - 10}`, `record c2s ${HB - 10}B`, 'timer boundary:c2s 0']);
    boundary = true; // the recorder has cut the whole PDU
    expect(ops(r.handle({ type: 'timer', key: 'boundary:c2s' }))).toEqual([]);
    expect(ops(r.handle(data(hb('2'))))).toEqual(['notify held 1']);
  });

  it('goes back to a plain pipe when the rules are removed, keeping what is held', () => {
    const r = open(policy());
    r.handle(data(hb('2')));
    r.handle({ type: 'configure', policy: undefined });
    expect(ops(r.handle(data(hb('7'))))).toEqual([]); // still behind the held one
    expect(ops(r.handle({ type: 'release', key: 1, action: 'forward' }))).toEqual(['notify released 1 forwarded', `write server ${HB}`, 'record c2s Heartbeat#2', `write server ${HB}`, 'record c2s Heartbeat#7']);
    // A plain pipe again: part of a PDU goes through at once instead of waiting to be whole.
    expect(ops(r.handle(data(hb('8').subarray(0, 5))))).toEqual(['write server 5', 'record c2s 5B']);
  });

  it('reports held PDUs as lost when the connection dies', () => {
    const r = open(policy());
    r.handle(data(hb('2')));
    expect(ops(r.handle({ type: 'closed', side: 'client' }))).toEqual(['destroy server']);
    expect(ops(r.handle({ type: 'closed', side: 'server' }))).toEqual(['notify released 1 lost', 'record closed']);
  });

  it('pauses a client whose frames pile up behind a held one, and resumes it once released', () => {
    const r = open(policy());
    r.handle(data(hb('2')));
    const big = flyer.encode('ReportJobResult', 'c2s', { packet_id: '9', jobBeanId: 'j', result: 0, logStr: 'x'.repeat(1_100_000) });
    expect(ops(r.handle(data(big)))).toEqual(['pause client']);
    expect(ops(r.handle({ type: 'release', key: 1, action: 'forward' })).slice(-1)).toEqual(['resume client']);
  });
});

describe('relay mock answers', () => {
  it('answers a request from the proxy: recorded as answered, never written to the server, the reply goes to the client', () => {
    const r = open(policy({ hold: (pdu) => ({ answer: [hbr(String(flyer.decode(pdu, 'c2s').value.packet_id))] }) }));
    // The request is recorded first, so the session pairs the reply with it.
    expect(ops(r.handle(data(hb('3'))))).toEqual(['record c2s Heartbeat#3 [answered]', `write client ${HBR}`, 'record s2c HeartbeatResponse#3 [mock]']);
  });
});

describe('relay injection', () => {
  it('writes injected bytes at once at a boundary, marked', () => {
    const r = open(undefined, () => true);
    r.handle(data(hb('1')));
    expect(ops(r.handle({ type: 'inject', direction: 'c2s', bytes: hb('99') }))).toEqual([`write server ${HB}`, 'record c2s Heartbeat#99 [injected]']);
    expect(ops(r.handle({ type: 'inject', direction: 's2c', bytes: hbr('98') }))).toEqual([`write client ${HBR}`, 'record s2c HeartbeatResponse#98 [injected]']);
  });

  it('waits while the stream is inside a PDU, then goes in between two PDUs, never inside one', () => {
    let boundary = true;
    const r = open(undefined, () => boundary);
    const pdu = hb('1');
    r.handle(data(pdu.subarray(0, 12)));
    boundary = false;
    expect(ops(r.handle({ type: 'inject', direction: 'c2s', bytes: hb('99') }))).toEqual(['timer inject:c2s:1 5000']);
    expect(ops(r.handle(data(pdu.subarray(12))))).toEqual([`write server ${HB - 12}`, `record c2s ${HB - 12}B`, 'timer boundary:c2s 0']);
    boundary = true;
    expect(ops(r.handle({ type: 'timer', key: 'boundary:c2s' }))).toEqual([`write server ${HB}`, 'record c2s Heartbeat#99 [injected]']);
    expect(ops(r.handle({ type: 'timer', key: 'inject:c2s:1' }))).toEqual([]);
  });

  it('gives an injection up visibly when no boundary comes', () => {
    const r = open(undefined, () => false);
    r.handle(data(hb('1').subarray(0, 3)));
    r.handle({ type: 'inject', direction: 'c2s', bytes: hb('99') });
    expect(ops(r.handle({ type: 'timer', key: 'inject:c2s:1' }))).toEqual(['notify inject-failed']);
  });

  it('with framing on, injects ahead of held PDUs and of a PDU still arriving', () => {
    const r = open(policy());
    r.handle(data(hb('2')));
    r.handle(data(hb('3').subarray(0, 5)));
    expect(ops(r.handle({ type: 'inject', direction: 'c2s', bytes: hb('99') }))).toEqual([`write server ${HB}`, 'record c2s Heartbeat#99 [injected]']);
  });

  it('refuses to inject where the connection is closed', () => {
    const r = open();
    r.handle({ type: 'closed', side: 'server' });
    expect(ops(r.handle({ type: 'inject', direction: 'c2s', bytes: hb('1') }))).toEqual(['notify inject-failed']);
  });
});

describe('relay chaos', () => {
  const chaos = (c: RelayPolicy['chaos']): RelayPolicy => ({ framer: (d) => flyer.framer(d), chaos: c });

  it('splits each frame into writes of N bytes with a delay between writes; recorded with its last piece', () => {
    const r = open(chaos({ c2s: { splitBytes: 12, delayMs: 5 } }));
    expect(ops(r.handle(data(hb('1'))))).toEqual(['write server 12', 'timer out:c2s 5']);
    expect(ops(r.handle(data(hb('2'))))).toEqual([]);
    expect(ops(r.handle({ type: 'timer', key: 'out:c2s' }))).toEqual(['write server 12', 'timer out:c2s 5']);
    expect(ops(r.handle({ type: 'timer', key: 'out:c2s' }))).toEqual([`write server ${HB - 24}`, 'record c2s Heartbeat#1', 'timer out:c2s 5']);
    expect(ops(r.handle({ type: 'timer', key: 'out:c2s' }))).toEqual(['write server 12', 'timer out:c2s 5']);
  });

  it('coalesces frames into one write, and writes a short group after the wait', () => {
    const r = open(chaos({ s2c: { coalesce: 2, coalesceWaitMs: 20 } }));
    expect(ops(r.handle(data(hbr('1'), 'server')))).toEqual(['timer coalesce:s2c 20']);
    expect(ops(r.handle(data(hbr('2'), 'server')))).toEqual([`write client ${2 * HBR}`, 'record s2c HeartbeatResponse#1', 'record s2c HeartbeatResponse#2']);
    expect(ops(r.handle(data(hbr('3'), 'server')))).toEqual([]);
    expect(ops(r.handle({ type: 'timer', key: 'coalesce:s2c' }))).toEqual([`write client ${HBR}`, 'record s2c HeartbeatResponse#3']);
    // The other direction is untouched.
    expect(ops(r.handle(data(hb('1'))))).toEqual([`write server ${HB}`, 'record c2s Heartbeat#1']);
  });

  it('coalesces then splits, so writes straddle frame boundaries (粘包 and 拆包 at once) without losing a byte', () => {
    const r = open(chaos({ c2s: { coalesce: 3, splitBytes: 40 } }));
    const frames = [hb('1'), hb('22'), hb('333')];
    const cmds = r.handle(data(concatBytes(frames)));
    expect(ops(cmds)).toEqual(['write server 40', 'record c2s Heartbeat#1', 'write server 40', 'record c2s Heartbeat#22', `write server ${3 * HB - 80}`, 'record c2s Heartbeat#333']);
    const written = concatBytes(cmds.flatMap((c) => (c.type === 'write' ? [c.bytes] : [])));
    expect(toHex(written)).toBe(toHex(concatBytes(frames)));
  });

  it('flushes what chaos still holds when it is switched off, in order', () => {
    const r = open(chaos({ c2s: { splitBytes: 10, delayMs: 50 } }));
    r.handle(data(hb('1')));
    expect(ops(r.handle({ type: 'configure', policy: undefined }))).toEqual(['write server 10', `write server ${HB - 20}`, 'record c2s Heartbeat#1']);
    expect(ops(r.handle(data(hb('2'))))).toEqual([`write server ${HB}`, 'record c2s Heartbeat#2']);
  });

  it('ends the write side only after the delayed pieces', () => {
    const r = open(chaos({ c2s: { splitBytes: 20, delayMs: 5 } }));
    r.handle(data(hb('1')));
    expect(ops(r.handle({ type: 'end', side: 'client' }))).toEqual(['record half-close']);
    expect(ops(r.handle({ type: 'timer', key: 'out:c2s' }))).toEqual([`write server ${HB - 20}`, 'record c2s Heartbeat#1', 'timer out:c2s 5', 'end server']);
  });
});
