/**
 * txlcn.groups: the frames of each transaction group across connections, replies without a group id joined through
 * pairing, the outcome from the notify-group payload.
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../../../../electron/engine/api/engine';
import { loadFixtures } from '../../../support/fixtures';

describe('txlcn transaction groups', () => {
  it('groups by groupId across connections and follows replies by pairing', async () => {
    const fx = loadFixtures('txlcn');
    const f = (name: string) => fx.find((x) => x.file.startsWith(name))!;
    const engine = new Engine();
    try {
      const s = engine.session;
      const client = (port: number) => s.openConnection({ source: 'proxy', client: { host: '10.0.0.2', port }, server: { host: '10.0.0.1', port: 8070 }, protocol: 'txlcn' });
      const a = client(50001);
      const b = client(50002);
      const send = (conn: number, name: string) => { const x = f(name); s.data(conn, x.direction, x.bytes); };
      send(a, '03-'); send(a, '04-'); // cg, rok
      send(b, '05-'); // atg from another service
      send(b, '07-'); send(b, '08-'); // nt (other group), its rok without a groupId
      send(a, '11-'); // heartbeat: no group
      send(a, '02-'); // clg state 0: rollback

      const groups = await engine.call('txlcn.groups', {});
      expect(groups.map((g) => g.groupId)).toEqual(['25303224612738888', '254623260531887672']);
      const [g1, g2] = groups;
      expect(g1.messages.map((m) => [m.number, m.action, m.connection])).toEqual([[1, 'cg', a], [2, 'rok', a], [3, 'atg', b], [7, 'clg', a]]);
      expect(g1.connections).toEqual([a, b]);
      expect(g1.outcome).toBe('rollback');
      expect(g1.messages[3].state).toBe('rollback group');
      expect(g1.messages[1]).toMatchObject({ request: 'cg', state: 'ok', direction: 's2c' });
      expect(g2.messages.map((m) => [m.number, m.action])).toEqual([[4, 'nt'], [5, 'rok']]);
      expect(g2.messages[0].state).toBe('commit unit');
      expect(g2.outcome).toBe('open');
      expect(await engine.call('txlcn.groups', { limit: 1 })).toHaveLength(1);
    } finally {
      await engine.close();
    }
  });
});
