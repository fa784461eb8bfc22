/**
 * `framescope proxy --write` as a user runs it: a real upstream, a real client, Ctrl-C, then the file in tshark
 * (Follow TCP Stream must give back exactly the bytes) and in `framescope read`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { concatBytes, toHex } from '../../shared/codec/bytes';
import { getProtocol } from '../../shared/protocols/index';
import { followTcp, tshark } from '../support/tshark';

const BIN = join(__dirname, '..', '..', 'bin', 'framescope.js');
const flyer = getProtocol('flyer')!;
const requests = [
  flyer.encode('ShakeHand', 'c2s', { packet_id: '0', appCode: 'demo', vhost: '', req: 0 }),
  flyer.encode('Heartbeat', 'c2s', { packet_id: '0', appCode: 'demo', vhost: '', req: 0 }),
  flyer.encode('ReportJobResult', 'c2s', { packet_id: '42', jobBeanId: 'job', result: 0, logStr: 'x'.repeat(5000) }),
];
const replies = [
  flyer.encode('ShakeHandResponse', 's2c', { packet_id: '0', resp: 1 }),
  flyer.encode('HeartbeatResponse', 's2c', { packet_id: '0', resp: 1, serverVersion: 7 }),
  flyer.encode('ReportJobResultResponse', 's2c', { packet_id: '42', jobBeanId: 'job', result: 0 }),
];

let upstream: Server;
afterAll(() => upstream?.close());

function startUpstream(): Promise<number> {
  upstream = createServer((s) => {
    let buffered = Buffer.alloc(0);
    let answered = 0;
    s.on('data', (d) => {
      buffered = Buffer.concat([buffered, d]);
      let need = requests.slice(0, answered + 1).reduce((n, r) => n + r.length, 0);
      while (answered < requests.length && buffered.length >= need) {
        s.write(replies[answered++]);
        need += requests[answered]?.length ?? 0;
      }
      if (answered === requests.length) s.end();
    });
  });
  return new Promise((resolve) => upstream.listen(0, '127.0.0.1', () => resolve((upstream.address() as { port: number }).port)));
}

function waitForLine(child: ChildProcess, stream: 'stdout' | 'stderr', pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} in: ${text}`)), 10_000);
    child[stream]!.on('data', (d) => {
      text += d.toString();
      const m = text.match(pattern);
      if (m) { clearTimeout(timer); resolve(m); }
    });
  });
}

describe('framescope proxy --write', () => {
  it('prints a line per frame, and writes a pcapng that tshark reads back byte for byte', async () => {
    const upstreamPort = await startUpstream();
    const file = join(mkdtempSync(join(tmpdir(), 'fs-proxy-')), 'session.pcapng');
    const child = spawn(process.execPath, [BIN, 'proxy', '--listen', '127.0.0.1:0', '--upstream', `127.0.0.1:${upstreamPort}`, '--protocol', 'flyer', '--write', file]);
    const stdout: string[] = [];
    child.stdout.on('data', (d) => stdout.push(d.toString()));
    const [, port] = await waitForLine(child, 'stderr', /127\.0\.0\.1:(\d+) → /);

    const received = await new Promise<Buffer>((resolve, reject) => {
      const c = connect(Number(port), '127.0.0.1');
      const parts: Buffer[] = [];
      c.on('data', (d) => parts.push(d));
      c.on('end', () => { c.end(); resolve(Buffer.concat(parts)); });
      c.on('error', reject);
      c.write(concatBytes(requests));
    });
    expect(toHex(received)).toBe(toHex(concatBytes(replies)));

    await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    const lines = stdout.join('').trim().split('\n');
    const printed = lines.map((l) => l.match(/flyer\s+\d+\s+(\w+)/)?.[1]);
    expect([...printed].sort()).toEqual(['Heartbeat', 'HeartbeatResponse', 'ReportJobResult', 'ReportJobResultResponse', 'ShakeHand', 'ShakeHandResponse']);
    expect(printed.indexOf('ShakeHand')).toBeLessThan(printed.indexOf('ShakeHandResponse'));

    // Wireshark's Follow TCP Stream gives back exactly what crossed the proxy.
    expect(tshark(['-r', file]).stderr).toBe('');
    const follow = followTcp(file);
    expect(toHex(follow.c2s)).toBe(toHex(concatBytes(requests)));
    expect(toHex(follow.s2c)).toBe(toHex(concatBytes(replies)));
    expect(tshark(['-r', file, '-Y', 'tcp.analysis.flags && !tcp.analysis.window_update']).stdout.trim()).toBe('');

    // And our own reader decodes the same six frames from it.
    const count = spawnSync(process.execPath, [BIN, 'read', '-r', file, '--count'], { encoding: 'utf8' });
    expect(count.stdout.trim()).toBe('6');
    const filtered = spawnSync(process.execPath, [BIN, 'read', '-r', file, '-Y', 'flyer.logStr contains "xxx" && fs.direction == c2s', '--count'], { encoding: 'utf8' });
    expect(filtered.stdout.trim()).toBe('1');
  }, 60_000);

  it('reports a bad filter with its position and exits non-zero', () => {
    const r = spawnSync(process.execPath, [BIN, 'proxy', '--listen', '0', '--upstream', '127.0.0.1:1', '-Y', 'flyer.nope == 1'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/-Y: "flyer.nope" is not a valid field/);
  });

  it('refuses a --busy-poll that is not a number of microseconds', () => {
    const r = spawnSync(process.execPath, [BIN, 'proxy', '--listen', '0', '--upstream', '127.0.0.1:1', '--busy-poll', '50us'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--busy-poll: expected microseconds from 0 to 1000000, got '50us'/);
  });
});
