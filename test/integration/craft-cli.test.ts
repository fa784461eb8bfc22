/**
 * `framescope send` and `framescope mock` as users run them: the built bin as real processes, against the demo peers
 * on loopback, with the documented example files.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { toHex } from '../../shared/codec/bytes';
import { getProtocol } from '../../shared/protocols/index';
import { DemoConnection } from '../../electron/engine/demo/demo-connection';
import { runDemoClient, startDemoServer } from '../../electron/engine/demo/demo';

const BIN = join(__dirname, '..', '..', 'bin', 'framescope.js');
const EXAMPLES = join(__dirname, '..', '..', 'electron', 'engine', 'craft', 'examples');
const flyer = getProtocol('flyer')!;
const dir = mkdtempSync(join(tmpdir(), 'fs-craft-cli-'));

const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => { for (const c of cleanup.splice(0).reverse()) await c(); });

/** Runs the CLI without blocking this process (the demo servers it talks to live here). */
function run(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

async function demo(protocol: string) {
  const s = await startDemoServer(protocol, { port: 0 });
  cleanup.push(() => s.close());
  return s;
}

describe('framescope send', () => {
  it('sends one message document and prints both frames like proxy does, the reply paired', async () => {
    const server = await demo('tt');
    const file = join(dir, 'login.json');
    writeFileSync(file, JSON.stringify({ protocol: 'tt', message: 'LoginRequest', direction: 'c2s', value: { module_id: 1, command_id: 3, version: 1, reserved: 5, username: 'zhangsan', password: 'e10adc3949ba59abbe56e057f20f883e', online_status: 1, client_type: 1, client_version: '2.0.1' } }));
    const r = await run(['send', '--to', `127.0.0.1:${server.port}`, '--protocol', 'tt', '--json', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^\s+1\s+0\.000000\s+#1 127\.0\.0\.1:\d+ → 127\.0\.0\.1:\d+\s+tt\s+\d+\s+LoginRequest username=zhangsan/);
    expect(lines[1]).toMatch(/#1 127\.0\.0\.1:\d+ ← 127\.0\.0\.1:\d+\s+tt\s+\d+\s+LoginResponse result=ok user_id_url=1001 .*\(\d+\.\d{3} ms\)$/);
  });

  it('takes decode --json output on stdin, byte for byte', async () => {
    const server = await demo('flyer');
    const hb = toHex(flyer.encode('Heartbeat', 'c2s', { packet_id: '0', appCode: 'cli', vhost: '', req: 0 }));
    const decoded = await run(['decode', '--protocol', 'flyer', '--direction', 'c2s', '--json', '--hex', hb]);
    const r = await run(['send', '--to', `127.0.0.1:${server.port}`, '--json', '-'], decoded.stdout);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/flyer\s+28\s+Heartbeat appCode=cli/);
    expect(r.stdout).toMatch(/HeartbeatResponse .*\(\d+\.\d{3} ms\)/);
  });

  it('runs the documented example sequence file', async () => {
    const server = await demo('tt');
    const r = await run(['send', '--to', `127.0.0.1:${server.port}`, '--json', join(EXAMPLES, 'tt-login.sequence.json')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const m of ['LoginRequest', 'LoginResponse', 'UserInfoRequest', 'UserInfoResponse', 'TimeResponse', 'MsgData ', 'MsgDataAck']) expect(r.stdout).toContain(m);
  });

  it('exits non-zero with one line when the connection fails or no reply comes', async () => {
    const server = await demo('flyer');
    const port = server.port;
    // A response pairs with nothing of ours: sent, nothing to wait for.
    const silent = await run(['send', '--to', `127.0.0.1:${port}`, '--protocol', 'flyer', '--timeout', '300', '--hex', toHex(flyer.encode('CancelJobResponse', 'c2s', { packet_id: '1', jobBeanId: 'x', result: 0 }))]);
    expect(silent.code).toBe(0);
    expect(silent.stdout).toMatch(/CancelJobResponse/);
    const ignored = { protocol: 'flyer', message: 'CancelJobResponse', value: { packet_id: '1', jobBeanId: 'x', result: 0 } };
    const seq = join(dir, 'wait.json');
    writeFileSync(seq, JSON.stringify({ protocol: 'flyer', steps: [{ message: ignored.message, value: ignored.value, expect: 'CancelJob' }] }));
    const timeout = await run(['send', '--to', `127.0.0.1:${port}`, '--timeout', '300', '--json', seq]);
    expect(timeout.code).toBe(1);
    expect(timeout.stderr.trim()).toBe('framescope: step 0: no CancelJob within 300 ms');
    await server.close();
    const refused = await run(['send', '--to', `127.0.0.1:${port}`, '--protocol', 'flyer', '--hex', '00']);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe(`framescope: cannot connect to 127.0.0.1:${port}: connection refused`);
    const bad = await run(['send', '--to', `127.0.0.1:${port}`, '--protocol', 'flyer', '--json', '-'], '{"message":"Nope","value":{}}');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^framescope: --json\.message: flyer has no message 'Nope'/);
  });
});

describe('framescope mock', () => {
  it('serves the documented example rules to the demo flyer client, prints the frames, reports unanswered requests', async () => {
    const child = spawn(process.execPath, [BIN, 'mock', '--listen', '0', '--protocol', 'flyer', '--rules', join(EXAMPLES, 'flyer-server.mock.json')]);
    cleanup.push(() => child.kill('SIGKILL'));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    const port = await new Promise<number>((resolve, reject) => {
      child.stderr.on('data', (d) => {
        stderr += d;
        const m = /framescope mock: 127\.0\.0\.1:(\d+) \(flyer, 7 rules\)/.exec(stderr);
        if (m) resolve(Number(m[1]));
      });
      child.on('exit', () => reject(new Error(`mock exited: ${stderr}`)));
    });
    await runDemoClient('flyer', { port, rounds: 1 });
    const c = await DemoConnection.connect(flyer, '127.0.0.1', port);
    c.send('Unknown', { protocol: 1014, packet_id: '5' });
    await new Promise((r) => setTimeout(r, 200));
    c.destroy();
    expect(stderr).toMatch(/#3 unanswered \(frame \d+\): Unknown/);
    expect(stdout).toMatch(/ShakeHandResponse/);
    expect(stdout).toMatch(/CommitJobResponse .*\(\d+\.\d{3} ms\)/);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('refuses a broken rules file with one line and exit 1', async () => {
    const file = join(dir, 'bad.mock.json');
    writeFileSync(file, JSON.stringify({ protocol: 'flyer', rules: [{ match: 'flyer.nope == 1', reply: [] }] }));
    const r = await run(['mock', '--listen', '0', '--rules', file]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^framescope: rule 0\.match: "flyer\.nope" is not a valid field/);
  });
});
