/**
 * Kernel drop counts for live capture on Linux, which `cap` cannot give (it never calls pcap_stats()).
 *
 * libpcap captures on Linux through an AF_PACKET socket, and its pcap_stats() is getsockopt(SOL_PACKET,
 * PACKET_STATISTICS) on that socket. Our own small Node-API addon (native/packet-stats, the optional dependency
 * `@framescope/packet-stats`) lists the process's AF_PACKET sockets and reads those counters. The socket of a capture
 * is the one packet socket that appears while cap's open() runs (fd and inode, so a reused fd number is never
 * mistaken for it). The kernel resets the counters on every read; nothing else reads them (cap never calls
 * pcap_stats()), so the sums kept here are the capture's totals, as tcpdump's "dropped by kernel" would report them.
 *
 * Where the addon is not there (macOS, Windows, or it did not build) the loader returns null and drops stay unknown.
 */
import { createRequire } from 'node:module';

export interface PacketSocket {
  fd: number;
  inode: number;
}

/** One read of PACKET_STATISTICS, since the previous read: packets that passed the filter (dropped ones included), drops. */
export interface PacketSocketStats {
  packets: number;
  drops: number;
}

export interface PacketStatsModule {
  packetSockets(): PacketSocket[];
  /** Reads and resets the counters; null when `fd` is no longer that socket (closed). */
  readStats(fd: number, inode: number): PacketSocketStats | null;
}

export type PacketStatsLoader = () => PacketStatsModule | null;

export const PACKET_STATS_MODULE = '@framescope/packet-stats';

/** The addon through `requireAddon` (a CommonJS require), or null when it is missing, broken or not for this OS. */
export function loadPacketStatsWith(requireAddon: (id: string) => unknown, platform: string): PacketStatsModule | null {
  if (platform !== 'linux') return null;
  try {
    const m = requireAddon(PACKET_STATS_MODULE) as Partial<PacketStatsModule> | null;
    if (typeof m?.packetSockets !== 'function' || typeof m.readStats !== 'function') return null;
    m.packetSockets(); // throws where /proc is not mounted: then it cannot work at all
    return m as PacketStatsModule;
  } catch {
    return null;
  }
}

let cached: { module: PacketStatsModule | null } | undefined;

/** The addon for this process, loaded once; null where kernel drop counts are not available. */
export function loadPacketStats(): PacketStatsModule | null {
  cached ??= { module: loadPacketStatsWith(createRequire(import.meta.url), process.platform) };
  return cached.module;
}

const key = (s: PacketSocket): string => `${s.fd}:${s.inode}`;

/** The capture's kernel counters: totals since start(), kept current by poll(). */
export interface KernelCounters {
  readonly packets: number;
  readonly drops: number;
  /** Adds what the kernel counted since the last read; false once the socket is gone (the totals stay). */
  poll(): boolean;
}

/**
 * Runs `open` (cap's open()) and finds the packet socket it created. Returns the counters, zeroed at that moment (what
 * the kernel counted while libpcap was still setting up, before the filter was in place, is discarded), or null when
 * the socket cannot be told apart (none or several new ones). Exceptions of `open` propagate; the addon's never do.
 */
export function watchOpen<T>(module: PacketStatsModule | null, open: () => T): { result: T; counters: KernelCounters | null } {
  let before: Set<string> | undefined;
  try {
    before = module ? new Set(module.packetSockets().map(key)) : undefined;
  } catch {
    before = undefined;
  }
  const result = open();
  if (!module || !before) return { result, counters: null };
  let socket: PacketSocket | undefined;
  try {
    const added = module.packetSockets().filter((s) => !before.has(key(s)));
    if (added.length !== 1) return { result, counters: null };
    socket = added[0];
    if (module.readStats(socket.fd, socket.inode) === null) return { result, counters: null };
  } catch {
    return { result, counters: null };
  }
  const { fd, inode } = socket;
  let packets = 0;
  let drops = 0;
  let open_ = true;
  return {
    result,
    counters: {
      get packets() {
        return packets;
      },
      get drops() {
        return drops;
      },
      poll() {
        if (!open_) return false;
        let read: PacketSocketStats | null;
        try {
          read = module.readStats(fd, inode);
        } catch {
          read = null;
        }
        if (read === null) {
          open_ = false;
          return false;
        }
        packets += read.packets;
        drops += read.drops;
        return true;
      },
    },
  };
}
