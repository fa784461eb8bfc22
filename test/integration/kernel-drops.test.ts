/**
 * Kernel drop counts of a live capture, read by our addon (native/packet-stats) from the AF_PACKET socket of cap's
 * libpcap, through the real LiveCapture on Linux's "lo". Needs root (or CAP_NET_RAW), cap and the addon; without
 * them the tests are skipped, loudly.
 *
 * Overload is made, not hoped for: the capture gets cap's smallest ring (libpcap rounds it up to one 128 KiB block,
 * a slot or so of 64 KiB packets on lo) and this process's event loop is blocked while a child process floods
 * loopback, so nothing empties the ring until the flood is over.
 */
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadCap } from '../../electron/engine/capture/cap-binding';
import { openCapture, type LiveCapture } from '../../electron/engine/capture/live-capture';
import { loadPacketStats } from '../../electron/engine/capture/packet-stats';

function skipReason(): string | undefined {
  if (process.platform !== 'linux') return `kernel drop counts exist on Linux only (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'not running as root (capturing needs CAP_NET_RAW)';
  try {
    loadCap();
  } catch (error) {
    return (error as Error).message;
  }
  if (!loadPacketStats()) return 'the addon @framescope/packet-stats (native/packet-stats) did not build or load: drops are unknown here';
  return undefined;
}

const skip = skipReason();
if (skip) {
  console.warn(`\n${'!'.repeat(100)}\n!!! SKIPPING the kernel drop count tests: ${skip}\n${'!'.repeat(100)}\n`);
}

/** A child process that sends `count` UDP datagrams of 200 bytes to 127.0.0.1:port, then creates `doneFile`. */
function flood(port: number, count: number, doneFile: string): Promise<number | null> {
  const script = `
    const d = require('node:dgram').createSocket('udp4');
    const m = Buffer.alloc(200, 7);
    let sent = 0;
    const next = () => {
      if (sent === ${count}) { require('node:fs').writeFileSync(${JSON.stringify(doneFile)}, String(sent)); d.close(); return; }
      d.send(m, ${port}, '127.0.0.1', (e) => { if (e) throw e; sent++; next(); });
    };
    next();`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'inherit', 'inherit'] });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

/** Blocks this event loop (cap's poll callback cannot run) until `file` exists, for at most `limitMs`. */
function blockUntil(file: string, limitMs: number): number {
  const t0 = Date.now();
  while (!existsSync(file) && Date.now() - t0 < limitMs) {
    // busy: no packet leaves the kernel's ring meanwhile
  }
  return Date.now() - t0;
}

/** Waits until the received count stops moving for 300 ms (what was left in the ring has been delivered). */
async function settled(capture: LiveCapture): Promise<void> {
  let last = -1;
  while (capture.stats().received !== last) {
    last = capture.stats().received;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

describe.skipIf(skip !== undefined)('kernel drop counts of a live capture (Linux, our packet-stats addon)', () => {
  let sink: dgram.Socket;
  let port = 0;
  let dir = '';
  const open: LiveCapture[] = [];

  beforeAll(async () => {
    // Something listening on the port, so that loopback carries no ICMP "port unreachable" back and forth.
    sink = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => sink.bind(0, '127.0.0.1', resolve));
    port = sink.address().port;
    dir = mkdtempSync(join(tmpdir(), 'fs-kernel-drops-'));
  });
  afterAll(() => {
    sink.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    for (const c of open.splice(0)) c.close();
  });

  it('counts drops when the ring overflows: received + dropped accounts for every datagram sent', async () => {
    const SENT = 3000;
    // "inbound": the kernel's filter keeps only the received copy of each datagram (on lo it sees the sent one too),
    // so the kernel counts each datagram once.
    const capture = openCapture({ interface: 'lo', bpf: `udp port ${port} and inbound`, bufferSize: 1 }, () => {});
    open.push(capture);
    expect(capture.stats().droppedByKernel).toBe(0);

    const doneFile = join(dir, 'flood-1');
    const exited = flood(port, SENT, doneFile);
    const blockedMs = blockUntil(doneFile, 20_000);
    expect(existsSync(doneFile)).toBe(true); // the whole flood happened while the ring could not be emptied
    expect(await exited).toBe(0);
    await settled(capture);
    capture.close();
    const { received, droppedByKernel } = capture.stats();
    console.log(`kernel drops under overload: sent ${SENT}, received ${received}, dropped ${droppedByKernel} (event loop blocked ${blockedMs} ms)`);

    expect(typeof droppedByKernel).toBe('number');
    const dropped = droppedByKernel as number;
    expect(dropped).toBeGreaterThan(0);
    // A one-block ring holds a few packets at most: nearly everything was dropped …
    expect(received).toBeLessThan(64);
    // … and every datagram is either received or counted as dropped (at most the few left in the ring are neither).
    expect(received + dropped).toBeLessThanOrEqual(SENT);
    expect(received + dropped).toBeGreaterThanOrEqual(SENT - 16);
  }, 60_000);

  it('counts zero drops (a number, not null) when the ring keeps up, and delivers every packet', async () => {
    const SENT = 200;
    // Without "inbound": libpcap discards the sent copy on lo itself; a 64 MiB ring has room for all 400 copies.
    const capture = openCapture({ interface: 'lo', bpf: `udp port ${port}` }, () => {});
    open.push(capture);
    const doneFile = join(dir, 'flood-2');
    expect(await flood(port, SENT, doneFile)).toBe(0);
    await settled(capture);
    const running = capture.stats();
    capture.close();
    const final = capture.stats();
    console.log(`kernel drops without overload: sent ${SENT}, received ${final.received}, dropped ${final.droppedByKernel}`);
    expect(running.droppedByKernel).toBe(0);
    expect(final.droppedByKernel).toBe(0);
    expect(final.received).toBe(SENT);
  }, 60_000);
});
