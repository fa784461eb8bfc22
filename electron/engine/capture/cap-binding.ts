/**
 * The optional native module `cap` (libpcap binding), loaded on first use so that a machine without it, or with a
 * failed build, runs everything else. The types below are the part of cap 0.2.x we use, declared here so the
 * typecheck never depends on the package being installed.
 *
 * What cap 0.2.x does and does not give (it shapes live-capture.ts):
 *   - per packet only (byteCount, truncated), copied into one Buffer it reuses: no timestamp, no original length;
 *   - no pcap_stats(), no pcap_set_snaplen() (fixed at 65535), promiscuous mode always on;
 *   - open() returns the link type as a name, or "Unknown linktype <DLT number>";
 *   - the garbage collection of a Cap object, closed or failed, crashes the process later on: see `createCap`.
 */
import { createRequire } from 'node:module';
import { CaptureUnavailableError } from './capture-errors';
import { LinkType } from '../net/link-layer';

export interface CapDeviceAddress {
  addr?: string;
  netmask?: string;
  broadaddr?: string;
  dstaddr?: string;
}

export interface CapDevice {
  name: string;
  description?: string;
  addresses: CapDeviceAddress[];
  /** 'PCAP_IF_LOOPBACK' or absent. */
  flags?: string;
}

export interface CapInstance {
  /** Returns the link type name; throws libpcap's error text. `buffer` receives each packet, cut to its length. */
  open(device: string, filter: string, bufferSize: number, buffer: Buffer): string;
  close(): boolean;
  on(event: 'packet', listener: (byteCount: number, truncated: boolean) => void): unknown;
  removeAllListeners(event: 'packet'): unknown;
}

export interface CapModule {
  Cap: {
    new (): CapInstance;
    deviceList(): CapDevice[];
  };
}

export type CapLoader = () => CapModule;

/** Why cap did not load, and what fixes that on this platform. */
export function unavailableFix(platform: string, reason: string): string {
  const rebuild = 'then rerun `npm ci` (or `npm rebuild cap`)';
  if (/NODE_MODULE_VERSION|was compiled against a different/i.test(reason)) {
    return 'rebuild it for the runtime in use: `npm rebuild cap` for Node, `npx @electron/rebuild -o cap` for the desktop app';
  }
  switch (platform) {
    case 'linux':
      return `install libpcap-dev (Debian/Ubuntu; libpcap-devel on Fedora/RHEL) and a C++ toolchain (make, g++, python3), ${rebuild}`;
    case 'darwin':
      return `install the Xcode Command Line Tools (\`xcode-select --install\`; libpcap ships with macOS), ${rebuild}`;
    case 'win32':
      return `install Npcap in "WinPcap API-compatible Mode" (Wireshark's installer includes it) and the Visual Studio C++ build tools, ${rebuild}`;
    default:
      return `install libpcap with its headers and a C++ toolchain, ${rebuild}`;
  }
}

/** Loads cap through `requireCap` (a CommonJS require). Throws CaptureUnavailableError, never anything else. */
export function loadCapWith(requireCap: (id: string) => unknown, platform: string): CapModule {
  let loaded: unknown;
  try {
    loaded = requireCap('cap');
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    // A failed build leaves the package without build/Release/cap.node: also MODULE_NOT_FOUND, but not "not installed".
    const what = /Cannot find module 'cap'/.test(reason) ? 'is not installed' : 'did not build or failed to load';
    throw new CaptureUnavailableError(`Live capture is unavailable: the optional native module "cap" ${what} (${reason})`, unavailableFix(platform, reason), { cause });
  }
  const Cap: unknown = (loaded as { Cap?: unknown } | null)?.Cap;
  const api = Cap as { deviceList?: unknown; prototype?: { open?: unknown } } | undefined;
  if (typeof Cap !== 'function' || typeof api?.deviceList !== 'function' || typeof api.prototype?.open !== 'function') {
    throw new CaptureUnavailableError('Live capture is unavailable: the installed "cap" module does not have the expected API (cap 0.2.x)', 'reinstall it with `npm ci`');
  }
  return loaded as CapModule;
}

let cached: { module: CapModule } | { error: unknown } | undefined;

/** cap for this process, loaded once (a failure is remembered too: a native build does not fix itself). */
export function loadCap(): CapModule {
  if (!cached) {
    try {
      cached = { module: loadCapWith(createRequire(import.meta.url), process.platform) };
    } catch (error) {
      cached = { error };
    }
  }
  if ('error' in cached) throw cached.error;
  return cached.module;
}

// cap 0.2.1 cannot survive the garbage collection of a Cap object; the process dies with a segfault at some later,
// unrelated moment:
//   - after close(), its uv_poll handle was stopped but never uv_close()d, so libuv's handle list still points into
//     the freed object (the next handle created or closed next to it writes there);
//   - after a failed open(), its destructor stops a uv_poll handle that was never initialised.
// So no Cap object is ever released: each costs a few hundred bytes once closed (plus, after a failed open, the
// handle libpcap had opened, which cap gives no way to close).
const retained: CapInstance[] = [];

/** A new Cap object, kept reachable for the life of the process (see above). */
export function createCap(cap: CapModule): CapInstance {
  const instance = new cap.Cap();
  retained.push(instance);
  return instance;
}

/** DLT numbers equal LINKTYPE numbers except raw IP (DLT_RAW is 12 or 14 by OS, LINKTYPE_RAW is 101). */
const LINK_TYPE_BY_NAME = new Map<string, number>([
  ['NULL', LinkType.NULL],
  ['ETHERNET', LinkType.ETHERNET],
  ['IEEE802_11_RADIO', 127],
  ['LINKTYPE_LINUX_SLL', LinkType.LINUX_SLL],
  ['RAW', LinkType.RAW],
]);

/** The pcap LINKTYPE_* number for what cap's open() returned, or undefined for text we do not recognise. */
export function linkTypeFromCap(name: string): number | undefined {
  const known = LINK_TYPE_BY_NAME.get(name);
  if (known !== undefined) return known;
  const m = /^Unknown linktype (\d+)$/.exec(name);
  return m ? Number(m[1]) : undefined;
}
