/**
 * The loader of our kernel-counter addon (native/packet-stats) and the bookkeeping around it, with stand-ins: the
 * fallback to null (drops unknown) wherever the addon cannot be used, and how openCapture finds cap's socket and sums
 * the kernel's read-and-reset counters. The real addon against the real kernel: test/integration/kernel-drops.test.ts.
 */
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type { CapModule } from '../../../../electron/engine/capture/cap-binding';
import { openCapture } from '../../../../electron/engine/capture/live-capture';
import { loadPacketStatsWith, PACKET_STATS_MODULE, watchOpen, type PacketSocket, type PacketSocketStats, type PacketStatsModule } from '../../../../electron/engine/capture/packet-stats';

const requireFromNowhere = createRequire('/nonexistent-framescope-dir/index.js');

/** A kernel with packet sockets whose counters the test bumps; reading returns and resets them, as PACKET_STATISTICS does. */
class FakeKernel implements PacketStatsModule {
  sockets = new Map<string, PacketSocket & PacketSocketStats>();
  reads = 0;
  private nextInode = 1000;

  add(fd: number): PacketSocket & PacketSocketStats {
    const s = { fd, inode: this.nextInode++, packets: 0, drops: 0 };
    this.sockets.set(`${s.fd}:${s.inode}`, s);
    return s;
  }

  remove(s: PacketSocket): void {
    this.sockets.delete(`${s.fd}:${s.inode}`);
  }

  packetSockets(): PacketSocket[] {
    return [...this.sockets.values()].map(({ fd, inode }) => ({ fd, inode }));
  }

  readStats(fd: number, inode: number): PacketSocketStats | null {
    this.reads++;
    const s = this.sockets.get(`${fd}:${inode}`);
    if (!s) return null;
    const read = { packets: s.packets, drops: s.drops };
    s.packets = 0;
    s.drops = 0;
    return read;
  }
}

describe('loadPacketStatsWith', () => {
  it('is null where the addon is not installed (a failed or skipped build)', () => {
    expect(loadPacketStatsWith(requireFromNowhere, 'linux')).toBeNull();
  });

  it('is null off Linux without even trying to load it', () => {
    let asked = 0;
    const kernel = new FakeKernel();
    expect(loadPacketStatsWith(() => (asked++, kernel), 'darwin')).toBeNull();
    expect(loadPacketStatsWith(() => (asked++, kernel), 'win32')).toBeNull();
    expect(asked).toBe(0);
  });

  it('is null when loading throws anything, or the module lacks the API, or cannot list sockets', () => {
    expect(loadPacketStatsWith(() => { throw new Error('packet_stats.node: invalid ELF header'); }, 'linux')).toBeNull();
    expect(loadPacketStatsWith(() => ({}), 'linux')).toBeNull();
    expect(loadPacketStatsWith(() => null, 'linux')).toBeNull();
    expect(loadPacketStatsWith(() => ({ packetSockets: () => { throw new Error('/proc/self/fd: No such file'); }, readStats: () => null }), 'linux')).toBeNull();
  });

  it('returns the module when it loads, asking for it by its package name', () => {
    const kernel = new FakeKernel();
    const asked: string[] = [];
    expect(loadPacketStatsWith((id) => (asked.push(id), kernel), 'linux')).toBe(kernel);
    expect(asked).toEqual([PACKET_STATS_MODULE]);
  });
});

describe('watchOpen', () => {
  it('finds the one socket the open created, zeroes it, and sums every read', () => {
    const kernel = new FakeKernel();
    const other = kernel.add(5);
    other.drops = 7; // someone else's socket: never read
    let mine: ReturnType<FakeKernel['add']> | undefined;
    const { result, counters } = watchOpen(kernel, () => {
      mine = kernel.add(9);
      mine.packets = 3; // counted while libpcap was setting up: discarded
      mine.drops = 1;
      return 'opened';
    });
    expect(result).toBe('opened');
    expect(counters).not.toBeNull();
    expect([counters!.packets, counters!.drops]).toEqual([0, 0]);
    mine!.packets = 10;
    mine!.drops = 4;
    expect(counters!.poll()).toBe(true);
    mine!.packets = 5;
    mine!.drops = 5;
    expect(counters!.poll()).toBe(true);
    expect([counters!.packets, counters!.drops]).toEqual([15, 9]);
    expect(other.drops).toBe(7);
    // The socket closes (or its fd now names another socket): the totals stay, polling stops.
    kernel.remove(mine!);
    kernel.add(9);
    expect(counters!.poll()).toBe(false);
    expect(counters!.poll()).toBe(false);
    expect([counters!.packets, counters!.drops]).toEqual([15, 9]);
  });

  it('gives no counters when the socket cannot be told apart, or without the addon', () => {
    const kernel = new FakeKernel();
    expect(watchOpen(kernel, () => 1).counters).toBeNull(); // no new socket
    expect(watchOpen(kernel, () => (kernel.add(3), kernel.add(4), 2)).counters).toBeNull(); // two
    expect(watchOpen(null, () => 3)).toEqual({ result: 3, counters: null });
  });

  it('passes the open\'s exception through, and never throws its own', () => {
    const kernel = new FakeKernel();
    expect(() => watchOpen(kernel, () => { throw new Error('libpcap says no'); })).toThrow('libpcap says no');
    const broken: PacketStatsModule = { packetSockets: () => { throw new Error('EMFILE'); }, readStats: () => null };
    expect(watchOpen(broken, () => 4)).toEqual({ result: 4, counters: null });
  });
});

describe('openCapture with kernel counters', () => {
  function fakeCapOpening(kernel: FakeKernel, fd: number): { cap: CapModule; socket: () => ReturnType<FakeKernel['add']> } {
    let socket: ReturnType<FakeKernel['add']> | undefined;
    class Cap extends EventEmitter {
      static deviceList() {
        return [];
      }
      open(): string {
        socket = kernel.add(fd);
        return 'ETHERNET';
      }
      close(): boolean {
        if (socket) kernel.remove(socket);
        return true;
      }
    }
    return { cap: { Cap } as unknown as CapModule, socket: () => socket! };
  }

  it('reports the kernel drops as a number, current at every stats(), and the last ones read before close', () => {
    const kernel = new FakeKernel();
    const { cap, socket } = fakeCapOpening(kernel, 11);
    const capture = openCapture({ interface: 'lo' }, () => {}, () => cap, 'linux', () => kernel);
    expect(capture.stats().droppedByKernel).toBe(0);
    socket().packets = 100;
    socket().drops = 40;
    expect(capture.stats().droppedByKernel).toBe(40);
    socket().drops = 2; // counted between the last stats() and close(): read before the socket goes
    capture.close();
    expect(capture.stats().droppedByKernel).toBe(42);
    expect(capture.stats().droppedByInterface).toBeNull();
  });

  it('reports drops as null (unknown) without the addon', () => {
    const kernel = new FakeKernel();
    const { cap } = fakeCapOpening(kernel, 11);
    const capture = openCapture({ interface: 'lo' }, () => {}, () => cap, 'linux', () => null);
    expect(capture.stats().droppedByKernel).toBeNull();
    capture.close();
    expect(capture.stats().droppedByKernel).toBeNull();
  });
});
