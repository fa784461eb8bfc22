/**
 * Live capture from a network interface through libpcap (the optional native module `cap`).
 *
 * openCapture() returns once libpcap is capturing: every packet the filter passes after that reaches `onPacket`,
 * on the event loop, as its own copy of the bytes. What cap 0.2 cannot tell us, and what we do instead:
 *   - timestamps: none from the kernel; each packet is stamped with the host clock when it reaches JavaScript
 *     (nanoseconds since the Unix epoch, bigint, as the file readers use; monotonic within one capture). libpcap runs
 *     in immediate mode on Linux, so the lag is the event loop's, usually well under a millisecond;
 *   - original length: recovered from the IP header (original-length.ts);
 *   - drop counters: cap has no pcap_stats(); on Linux our addon reads the same kernel counters from the socket
 *     libpcap opened (packet-stats.ts), elsewhere (or without the addon) drops are reported as null, unknown;
 *   - promiscuous mode is always on, libpcap's own snaplen is 65535 (ours cuts the copy, not the kernel's).
 * A capture filter is first tried on a throwaway handle with a minimal ring buffer: a filter libpcap rejects leaves
 * an open handle behind that cap cannot close (see cap-binding.ts), and that handle should be small (128 KiB).
 */
import type { CapturePacket } from '../files/capture-model';
import { createCap, linkTypeFromCap, loadCap, type CapInstance, type CapLoader, type CapModule } from './cap-binding';
import { CaptureError, CaptureFilterError, errorText } from './capture-errors';
import { isPermissionFailure, permissionError } from './capture-permission';
import { originalFrameLength } from './original-length';
import { loadPacketStats, watchOpen, type PacketStatsLoader } from './packet-stats';

export interface LiveCaptureOptions {
  /** An interface name from listInterfaces() ('any' on Linux: every interface, Linux cooked link type). */
  interface: string;
  /** Capture filter in pcap-filter(7) syntax, as tcpdump takes it; empty or absent captures everything. */
  bpf?: string;
  /** Kernel ring buffer in bytes (pcap_set_buffer_size). Default 64 MiB (DEFAULT_BUFFER_SIZE says why). */
  bufferSize?: number;
  /** Bytes kept per packet, 1..65535 (larger values mean 65535: cap fixes libpcap's snaplen there). Default 65535. */
  snaplen?: number;
}

export type LivePacket = Pick<CapturePacket, 'linkType' | 'timestamp' | 'capturedLength' | 'originalLength' | 'data'>;

export interface LiveCaptureStats {
  /** Packets handed to onPacket (libpcap's ps_recv is not available through cap). */
  received: number;
  /** Captured bytes handed to onPacket. */
  bytes: number;
  /** Packets delivered shorter than they were on the wire. */
  truncated: number;
  /**
   * pcap_stats() ps_drop: packets the kernel could not queue for us (ring full), read by our addon since cap 0.2 has
   * no pcap_stats(). A number on Linux when the addon is built (packet-stats.ts), otherwise null (unknown). On
   * loopback the kernel sees each packet twice (sent and received; libpcap keeps the received copy), and counts a
   * drop for either copy, as tcpdump's "dropped by kernel" does.
   */
  droppedByKernel: number | null;
  /** pcap_stats() ps_ifdrop: always null (not read). */
  droppedByInterface: number | null;
}

export interface LiveCapture {
  readonly interface: string;
  readonly filter: string;
  /** pcap LINKTYPE_* value of every packet of this capture. */
  readonly linkType: number;
  /** Bytes kept per packet. */
  readonly snaplen: number;
  /** Where timestamps come from: the host clock when the packet reached JavaScript (cap gives no kernel time). */
  readonly timestampSource: 'arrival';
  readonly closed: boolean;
  stats(): LiveCaptureStats;
  /** Stops capturing; no packet is delivered after it returns. Safe to call twice, and from inside onPacket. */
  close(): void;
}

// cap puts libpcap in immediate mode, where Linux uses a ring of fixed slots, each sized for the largest packet:
// 65535 bytes (cap's fixed snaplen) on loopback and on interfaces with segmentation offload, so a slot takes 128 KiB
// and 64 MiB holds only 512 packets. Measured on lo at ~50k packets/s on a busy 2-core machine: 16 MiB lost about
// 23% of the packets, 32 MiB 7%, 64 MiB under 2%.
export const DEFAULT_BUFFER_SIZE = 64 * 1024 * 1024;
export const MAX_SNAPLEN = 65535;
// The smallest ring libpcap will build (it rounds up to one block, 128 KiB on Linux): enough to compile a filter.
const PROBE_BUFFER_SIZE = 1;
export const MAX_BUFFER_SIZE = 0x7fffffff; // cap passes it on as a C int

/** Nanoseconds since the Unix epoch from a monotonic clock anchored once, so that one capture never runs backwards. */
function arrivalClock(): () => bigint {
  const hr0 = process.hrtime.bigint();
  const wall0 = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
  return () => wall0 + (process.hrtime.bigint() - hr0);
}

type Attempt = { ok: true; instance: CapInstance; linkName: string } | { ok: false; error: unknown };

function attempt(cap: CapModule, device: string, filter: string, bufferSize: number, buffer: Buffer, instance = createCap(cap)): Attempt {
  try {
    return { ok: true, instance, linkName: instance.open(device, filter, bufferSize, buffer) };
  } catch (error) {
    return { ok: false, error }; // never close() a Cap whose open() failed: cap crashes
  }
}

/** Turns a failed open into the error the user needs: a bad filter, no permission, or libpcap's own words. */
function explain(cap: CapModule, device: string, filter: string, error: unknown, platform: string): CaptureError {
  if (filter) {
    // The text alone cannot tell a filter error from the rest ("unknown host 'permission'"): the same open without
    // the filter can. This runs on the failure path only.
    const bare = attempt(cap, device, '', PROBE_BUFFER_SIZE, Buffer.alloc(1));
    if (bare.ok) {
      bare.instance.close();
      return new CaptureFilterError(filter, errorText(error), { cause: error });
    }
    error = bare.error;
  }
  if (isPermissionFailure(error)) return permissionError(device, error, platform);
  const text = errorText(error);
  const fix = /no such device/i.test(text) ? 'choose an interface that `framescope interfaces` (or the interface picker) lists' : '';
  return new CaptureError('open', `Cannot capture on "${device}": ${text}`, fix, { cause: error });
}

function checkOptions(options: LiveCaptureOptions): { device: string; filter: string; bufferSize: number; snaplen: number } {
  const device = options.interface;
  if (typeof device !== 'string' || device === '') throw new RangeError('openCapture: an interface name is required');
  const bufferSize = options.bufferSize ?? DEFAULT_BUFFER_SIZE;
  if (!Number.isInteger(bufferSize) || bufferSize < 1 || bufferSize > MAX_BUFFER_SIZE) {
    throw new RangeError(`openCapture: bufferSize must be an integer from 1 to ${MAX_BUFFER_SIZE}, not ${bufferSize}`);
  }
  const snaplen = options.snaplen ?? MAX_SNAPLEN;
  if (!Number.isInteger(snaplen) || snaplen < 1) throw new RangeError(`openCapture: snaplen must be a positive integer, not ${snaplen}`);
  return { device, filter: (options.bpf ?? '').trim(), bufferSize, snaplen: Math.min(snaplen, MAX_SNAPLEN) };
}

/**
 * Starts capturing. Throws CaptureUnavailableError (no cap), CapturePermissionError, CaptureFilterError, or
 * CaptureError with code 'open' (no such interface, …); RangeError for options that are wrong in themselves.
 * `onPacket` runs synchronously for each packet and must not throw (as with any event listener, an exception
 * becomes an uncaught exception).
 */
export function openCapture(
  options: LiveCaptureOptions,
  onPacket: (packet: LivePacket) => void,
  load: CapLoader = loadCap,
  platform: string = process.platform,
  loadStats: PacketStatsLoader = loadPacketStats,
): LiveCapture {
  const { device, filter, bufferSize, snaplen } = checkOptions(options);
  const cap = load();

  if (filter) {
    const probe = attempt(cap, device, filter, PROBE_BUFFER_SIZE, Buffer.alloc(1));
    if (!probe.ok) throw explain(cap, device, filter, probe.error, platform);
    probe.instance.close();
  }

  const stats: LiveCaptureStats = { received: 0, bytes: 0, truncated: 0, droppedByKernel: null, droppedByInterface: null };
  const buffer = Buffer.alloc(snaplen); // cap copies every packet into this one buffer
  const clock = arrivalClock();
  let closed = false;
  let linkType = -1;

  const instance = createCap(cap);
  instance.on('packet', (byteCount, cut) => {
    if (closed) return;
    const data = new Uint8Array(buffer.subarray(0, byteCount)); // a copy: the next packet overwrites the buffer
    const originalLength = originalFrameLength(linkType, data);
    stats.received++;
    stats.bytes += byteCount;
    if (cut || originalLength > byteCount) stats.truncated++;
    onPacket({ linkType, timestamp: clock(), capturedLength: byteCount, originalLength, data });
  });
  const { result: opened, counters } = watchOpen(loadStats(), () => attempt(cap, device, filter, bufferSize, buffer, instance));
  if (!opened.ok) {
    instance.removeAllListeners('packet');
    throw explain(cap, device, '', opened.error, platform); // the filter passed the probe just now
  }
  const known = linkTypeFromCap(opened.linkName);
  if (known === undefined) {
    instance.close();
    instance.removeAllListeners('packet');
    throw new CaptureError('open', `Cannot capture on "${device}": libpcap reported a link type Framescope does not know ("${opened.linkName}")`, '');
  }
  linkType = known;
  // The kernel's counters are 32-bit and read-and-reset: summed once a second, and at every stats() and close().
  let poller: ReturnType<typeof setInterval> | undefined;
  if (counters) {
    stats.droppedByKernel = 0;
    poller = setInterval(() => counters.poll(), 1000);
    poller.unref?.();
  }
  const current = (): LiveCaptureStats => {
    if (counters && !closed) counters.poll();
    return counters ? { ...stats, droppedByKernel: counters.drops } : { ...stats };
  };

  return {
    interface: device,
    filter,
    linkType,
    snaplen,
    timestampSource: 'arrival',
    get closed() {
      return closed;
    },
    stats: current,
    close() {
      if (closed) return;
      counters?.poll(); // the last counts, while the socket is still open
      if (poller) clearInterval(poller);
      closed = true;
      instance.close();
      instance.removeAllListeners('packet');
    },
  };
}
