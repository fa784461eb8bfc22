/**
 * `framescope read` as built (reassembly on a worker thread for a file this large, frame bytes not kept past their
 * line) prints what the same command prints from the TypeScript sources on one thread: lines, JSON and counts,
 * filtered or not, and the same error for a damaged file.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runRead, type ReadFlags } from '../../electron/cli/read-command';
import { WORKER_MIN_BYTES } from '../../electron/engine/capture/file-ingest';
import { encodePcapng, type PacketToWrite } from '../../electron/engine/files/pcapng-writer';
import { TcpSynthesizer } from '../../electron/engine/files/tcp-synthesizer';
import { getProtocol } from '../../shared/protocols/index';

const BIN = join(__dirname, '..', '..', 'bin', 'framescope.js');
const dir = mkdtempSync(join(tmpdir(), 'framescope-read-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const JOBS = 12_000;

/** Four flyer executors, jobs interleaved, PDUs split and coalesced across segments, one reset. */
function capture(): Uint8Array {
  const flyer = getProtocol('flyer')!;
  let time = 1_710_000_000_000_000_000n;
  const tick = () => (time += 700_000n);
  const conns = [0, 1, 2, 3].map((k) => new TcpSynthesizer({ client: { ip: `10.2.0.${k + 2}`, port: 41_000 + k }, server: { ip: '10.0.0.1', port: 20180 } }));
  const packets: PacketToWrite[] = [];
  for (const c of conns) packets.push(...c.open(tick()));
  for (let job = 0; job < JOBS; job++) {
    const c = conns[(job * 3) % 4];
    const id = String(5000 + job);
    const jobBeanId = ['invoiceJob', 'reportJob', 'archiveJob'][job % 3];
    const request = flyer.encode('ExecuteJob', 's2c', { packet_id: id, jobBeanId, paramData: `{"n":${job}}` });
    const accepted = flyer.encode('ExecuteJobResponse', 'c2s', { packet_id: id, jobBeanId, result: 0 });
    const report = flyer.encode('ReportJobResult', 'c2s', { packet_id: id, jobBeanId, result: job % 5 === 0 ? 2 : 0, logStr: 'done' });
    if (job % 6 === 1) {
      packets.push(...c.data('s2c', request.subarray(0, 11), tick()), ...c.data('s2c', request.subarray(11), tick()));
    } else {
      packets.push(...c.data('s2c', request, tick()));
    }
    packets.push(...c.data('c2s', job % 4 === 2 ? new Uint8Array([...accepted, ...report]) : accepted, tick()));
    if (job % 4 !== 2) packets.push(...c.data('c2s', report, tick()));
  }
  packets.push(...conns[1].close('rst', 'c2s', tick()), ...conns[2].close('fin', 's2c', tick()));
  return encodePcapng(packets);
}

const file = join(dir, 'jobs.pcapng');
const whole = capture();
writeFileSync(file, whole);
const damaged = join(dir, 'damaged.pcapng');
writeFileSync(damaged, whole.subarray(0, Math.floor(whole.length * 0.9)));

function built(args: string[], timeout?: number): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'read', ...args], { encoding: 'utf8', maxBuffer: 1 << 28, timeout });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

async function fromSources(flags: ReadFlags): Promise<{ stdout: string; error?: string }> {
  const lines: string[] = [];
  try {
    await runRead(flags, (text) => lines.push(text.endsWith('\n') ? text : `${text}\n`));
    return { stdout: lines.join('') };
  } catch (e) {
    return { stdout: lines.join(''), error: (e as Error).message };
  }
}

describe('framescope read, built, against the same command from the sources', () => {
  it.each([
    [[], {}],
    [['-Y', 'flyer.jobBeanId == "invoiceJob"'], { displayFilter: 'flyer.jobBeanId == "invoiceJob"' }],
    [['-Y', 'flyer.protocol == 1008 && flyer.result != 0', '--count'], { displayFilter: 'flyer.protocol == 1008 && flyer.result != 0', count: true }],
    [['--count'], { count: true }],
    [['--json', '-Y', 'fs.response_time > 0'], { json: true, displayFilter: 'fs.response_time > 0' }],
  ] as [string[], Partial<ReadFlags>][])('read %j', async (args, flags) => {
    const r = built(['-r', file, ...args]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const expected = await fromSources({ read: file, ...flags });
    expect(expected.error).toBeUndefined();
    expect(r.stdout).toBe(expected.stdout);
    expect(r.stdout.length).toBeGreaterThan(1);
  });

  it('counts every frame: three PDUs a job, in a file large enough for the worker thread', () => {
    expect(whole.length).toBeGreaterThan(WORKER_MIN_BYTES);
    expect(built(['-r', file, '--count']).stdout.trim()).toBe(String(3 * JOBS));
  });

  it('exits at once on a bad filter, though the worker was already reading the file', () => {
    // The worker waits for a session that never comes: it must not keep the process alive (killed at 10 s if it does).
    const r = built(['-r', file, '-Y', 'flyer.jobBeanId ==', '--count'], 10_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^framescope: -Y: expected a value after "==" \(column 17\)/);
    expect(r.stdout).toBe('');
  });

  it('reports a damaged file the same way after the same lines', async () => {
    const r = built(['-r', damaged]);
    const expected = await fromSources({ read: damaged });
    expect(expected.error).toMatch(/pcapng block cut short/);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`framescope: ${expected.error}\n`);
    expect(r.stdout).toBe(expected.stdout);
  });

  it('prints JSON a frame a line as it reads, and valid JSON of the frames before the damage of a damaged file', async () => {
    const r = built(['-r', damaged, '--json', '-Y', 'flyer.jobBeanId == "reportJob"']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^framescope: -r .*pcapng block cut short/);
    const lines = r.stdout.trimEnd().split('\n');
    expect([lines[0], lines.at(-1)]).toEqual(['{"frames":[', ']}']);
    const { frames } = JSON.parse(r.stdout) as { frames: Array<{ number: number; value: { jobBeanId: string } }> };
    expect(frames.length).toBe(lines.length - 2); // one line each
    expect(frames.length).toBeGreaterThan(1000);
    expect(new Set(frames.map((f) => f.value.jobBeanId))).toEqual(new Set(['reportJob']));
    // The same frames as the text lines before the damage.
    const text = built(['-r', damaged, '-Y', 'flyer.jobBeanId == "reportJob"']).stdout.trimEnd().split('\n');
    expect(frames.map((f) => f.number)).toEqual(text.map((l) => Number(l.trim().split(/\s+/)[0])));
  });
});
