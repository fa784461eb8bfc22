/**
 * A mock responder with no upstream, built from the documented example rules file, answering the demo flyer client
 * (a real client that checks every packet id) through a whole round; unanswered requests are reported.
 */
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach, until } from '../support/wait';
import type { EventName, MockRule, UnansweredRequest } from '../../shared/api/contract';
import { getProtocol } from '../../shared/protocols/index';
import { Engine } from '../../electron/engine/api/engine';
import { DemoConnection } from '../../electron/engine/demo/demo-connection';
import { runDemoClient } from '../../electron/engine/demo/demo';

const flyer = getProtocol('flyer')!;
const EXAMPLE = join(__dirname, '..', '..', 'electron', 'engine', 'craft', 'examples', 'flyer-server.mock.json');
const rules = (JSON.parse(readFileSync(EXAMPLE, 'utf8')) as { rules: MockRule[] }).rules;

const cleanup = cleanupAfterEach();


function engine(): { engine: Engine; events: Array<{ event: EventName; data: unknown }> } {
  const e = new Engine({ spoolDir: mkdtempSync(join(tmpdir(), 'fs-mock-')) });
  const events: Array<{ event: EventName; data: unknown }> = [];
  e.on((event, data) => events.push({ event, data }));
  cleanup.push(() => e.close());
  return { engine: e, events };
}

describe('mock responders', () => {
  it('plays a flyer server for the demo flyer client, which pairs every reply', async () => {
    const { engine: e } = engine();
    const mock = await e.call('mock.add', { name: 'flyer server', listen: { port: 0 }, protocol: 'flyer', rules });
    expect(mock).toMatchObject({ state: 'listening', protocol: 'flyer', listen: { host: '127.0.0.1' } });
    // The client throws on any packet id that does not echo its request, a missing job, a wrong server version.
    const result = await runDemoClient('flyer', { port: mock.listen!.port, rounds: 1 });
    expect(result.rounds).toBe(1);

    const conns = (await e.call('connections.list', {})).filter((c) => c.source === 'mock');
    expect(conns).toHaveLength(2);
    const rows = (await Promise.all(conns.map((c) => e.call('connection.frames', { connection: c.id })))).flat();
    const requests = rows.filter((r) => ['PullTopology', 'ShakeHand', 'Heartbeat', 'ExecuteJob', 'CancelJob', 'ReportJobResult', 'CommitJob'].includes(r.message));
    expect(requests.length).toBeGreaterThanOrEqual(10);
    for (const r of requests) expect(r.pairedWith, `${r.message} #${r.number}`).toBeDefined();
    expect(rows.some((r) => r.malformed)).toBe(false);
    const info = (await e.call('mock.list', {}))[0];
    expect(info).toMatchObject({ connections: 2, unanswered: 0 });
    expect(info.answered).toBe(rows.filter((r) => r.direction === 'c2s').length);
  });

  it('reports requests no rule answers, and replies whose template reads a field the request lacks', async () => {
    const { engine: e, events } = engine();
    const mock = await e.call('mock.add', {
      listen: { port: 0 }, protocol: 'flyer',
      rules: [
        { match: 'flyer.protocol == Heartbeat', reply: { message: 'HeartbeatResponse', value: { packet_id: '{{request.value.packet_id}}', resp: 1, serverVersion: 1 } } },
        { match: 'flyer.protocol == ShakeHand', reply: { message: 'ShakeHandResponse', value: { packet_id: '{{request.value.nope}}', resp: 1 } } },
      ],
    });
    const client = await DemoConnection.connect(flyer, '127.0.0.1', mock.listen!.port);
    cleanup.push(() => client.destroy());
    expect((await client.request('Heartbeat', { packet_id: '3', appCode: 'a', vhost: '', req: 0 }, 'HeartbeatResponse')).value.packet_id).toBe('3');
    client.send('CommitJob', { packet_id: '8' });
    client.send('ShakeHand', { packet_id: '0', appCode: 'a', vhost: '', req: 0 });
    const unanswered = await until(() => {
      const all = events.filter((x) => x.event === 'mock.unanswered').flatMap((x) => (x.data as { requests: UnansweredRequest[] }).requests);
      return all.length === 2 ? all : undefined;
    });
    expect(unanswered.map((u) => u.message)).toEqual(['CommitJob', 'ShakeHand']);
    expect(unanswered[0]).toMatchObject({ mockId: mock.id, summary: expect.stringContaining('CommitJob') });
    expect(typeof unanswered[0].frame).toBe('number');
    const notices = events.filter((x) => x.event === 'notice').map((x) => (x.data as { message: string }).message);
    expect(notices.some((m) => /\{\{request\.value\.nope\}\}: ShakeHand has no value\.nope/.test(m))).toBe(true);
    expect((await e.call('mock.list', {}))[0]).toMatchObject({ answered: 1, unanswered: 2 });
    // A mock's connection takes injected replies too.
    const conn = (await e.call('connections.list', {})).find((c) => c.source === 'mock')!;
    await e.call('craft.inject', { connection: conn.id, direction: 's2c', payload: { message: 'CancelJob', value: { packet_id: '8', jobBeanId: 'x' } } });
    expect((await client.next('CancelJob')).value.packet_id).toBe('8');
    await e.call('mock.remove', { id: mock.id });
    expect(await e.call('mock.list', {})).toEqual([]);
  });

  it('records the composer talking to its own mock responder once: one connection, each frame once', async () => {
    const { engine: e, events } = engine();
    const mock = await e.call('mock.add', {
      listen: { port: 0 }, protocol: 'flyer',
      rules: [
        { match: 'flyer.protocol == ShakeHand', reply: { message: 'ShakeHandResponse', value: { packet_id: '{{request.value.packet_id}}', resp: 1 } } },
        { match: 'flyer.protocol == Heartbeat', reply: { message: 'HeartbeatResponse', value: { packet_id: '{{request.value.packet_id}}', resp: 1, serverVersion: 1 } } },
      ],
    });
    const info = await e.call('craft.connect', { host: '127.0.0.1', port: mock.listen!.port, protocol: 'flyer' });
    const first = await e.call('craft.send', { id: info.id, payload: { message: 'ShakeHand', value: { packet_id: '0', appCode: 'a', vhost: '', req: 0 } } });
    const second = await e.call('craft.send', { id: info.id, payload: { message: 'Heartbeat', value: { packet_id: '0', appCode: 'a', vhost: '', req: 0 } } });
    const unanswered = await e.call('craft.send', { id: info.id, payload: { message: 'CommitJob', value: { packet_id: '9' } } });
    const rows = await until(async () => {
      const r = await e.call('connection.frames', { connection: info.connection });
      return r.filter((x) => x.direction === 's2c').length === 2 ? r : undefined;
    });
    const reported = await until(() => events.find((x) => x.event === 'mock.unanswered')?.data as { requests: UnansweredRequest[] } | undefined);
    await e.call('craft.close', { id: info.id });
    const conns = await until(async () => {
      const c = await e.call('connections.list', {});
      return c.every((x) => x.state === 'closed') ? c : undefined;
    });

    // One connection, as on the wire: the composer's end and the mock's end are the same TCP connection.
    expect(conns).toHaveLength(1);
    expect(conns[0]).toMatchObject({ id: info.connection, protocol: 'flyer', frames: 5 });
    expect(['craft', 'mock']).toContain(conns[0].source); // the end whose open came first
    expect(rows.map((r) => `${r.direction} ${r.message}`).sort()).toEqual([
      'c2s CommitJob', 'c2s Heartbeat', 'c2s ShakeHand', 's2c HeartbeatResponse', 's2c ShakeHandResponse',
    ]);
    expect(rows.filter((r) => r.direction === 's2c').map((r) => r.pairedWith).sort()).toEqual([first.frames[0], second.frames[0]].sort());
    // The mock's end knows the frame numbers of what it received, though the composer's end recorded them.
    expect(reported.requests).toEqual([expect.objectContaining({ message: 'CommitJob', frame: unanswered.frames[0], connection: info.connection })]);
    expect((await e.call('mock.list', {}))[0]).toMatchObject({ connections: 1, answered: 2, unanswered: 1 });
  });

  it('refuses rules it cannot use before listening', async () => {
    const { engine: e } = engine();
    await expect(e.call('mock.add', { listen: { port: 0 }, protocol: 'flyer', rules: [{ match: 'flyer.protocol ==', reply: [] }] })).rejects.toThrow(/rules\[0\]|match/);
    await expect(e.call('mock.add', { listen: { port: 0 }, protocol: 'flyer', rules: [{ match: 'flyer', reply: { message: 'HeartbeatResponse', value: { packet_id: 'x' } } }] })).rejects.toThrow(/packet_id/);
    await expect(e.call('mock.add', { listen: { port: 0 }, rules: [] })).rejects.toThrow(/protocol/);
  });
});
