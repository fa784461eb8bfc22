/** Plain, serialisable data the engine hands to the UI and the CLI. No behaviour here. */
import type { Direction } from '../codec/protocol';
import type { Note } from '../codec/tree';

/** Where a connection's bytes come from. */
export type ConnectionSource = 'proxy' | 'capture' | 'file' | 'craft' | 'mock';

export type ConnectionState = 'connecting' | 'open' | 'half-closed' | 'closed' | 'reset' | 'failed';

export interface Endpoint {
  host: string;
  port: number;
}

export interface ConnectionSummary {
  id: number;
  source: ConnectionSource;
  client: Endpoint;
  server: Endpoint;
  /** Protocol id, or undefined while not yet detected. */
  protocol?: string;
  state: ConnectionState;
  /** ns since the session started. */
  openedAt: number;
  closedAt?: number;
  frames: number;
  bytes: { c2s: number; s2c: number };
  /** Why the connection ended badly (upstream refused, reset …). */
  error?: string;
  /** The proxy listener it came through. */
  listenerId?: string;
}

/** One row of the frame list: what the index holds plus the summary, fetched by range. */
export interface FrameRow {
  /** 1-based, as Wireshark numbers frames. */
  number: number;
  /** Seconds since the session started. */
  time: number;
  connection: number;
  source: string;
  destination: string;
  protocol: string;
  direction: Direction;
  length: number;
  message: string;
  summary: string;
  malformed: boolean;
  /** Frame number of the paired request or response. */
  pairedWith?: number;
  /** Seconds between a response and its request (on the response row). */
  responseTime?: number;
}

/** Everything the renderer needs to decode one frame itself (the codec is shared). */
export interface FrameDetail {
  row: FrameRow;
  /** The PDU bytes, lowercase hex. */
  hex: string;
  /** DecodeOptions.context for this frame (e.g. txlcn's requestAction from pairing). */
  context?: Record<string, unknown>;
  variant?: string;
  notes?: Note[];
}

export interface MessageStats {
  protocol: string;
  message: string;
  count: number;
  bytes: number;
  /** Response time in seconds, for responses that were paired. */
  responseTime?: { p50: number; p95: number; max: number; count: number };
}

export interface ProxyListenerSpec {
  /** Listen address, default 127.0.0.1. */
  host?: string;
  port: number;
  upstream: Endpoint;
  /** Protocol id, or `auto` (detect per connection from the first bytes, else the port table). */
  protocol: string;
}

export interface ProxyListenerInfo extends ProxyListenerSpec {
  id: string;
  /** The port actually bound (when 0 was asked). */
  boundPort: number;
  connections: number;
  state: 'listening' | 'stopped' | 'error';
  error?: string;
}

export interface CaptureInterface {
  name: string;
  description?: string;
  addresses: string[];
  loopback: boolean;
}

export interface CaptureStatus {
  state: 'idle' | 'capturing' | 'unavailable';
  interface?: string;
  filter?: string;
  packets: number;
  /** Packets the kernel dropped; null when unknown (read on Linux only, by the packet-stats addon; cap has no pcap_stats). */
  dropped: number | null;
  /** Why capture cannot run here and how to fix it. */
  message?: string;
}

export interface SessionInfo {
  frames: number;
  /** Frames in no file yet (recorded since the last Open or Save): Clear and Open discard them. */
  unsaved: number;
  connections: number;
  /** The file the session was opened from or last saved to. */
  file?: string;
  /** The spool file that holds everything recorded so far. */
  spool?: string;
  capture: CaptureStatus;
  proxies: ProxyListenerInfo[];
  /** The demo peers are running (`demo.start`), so a page opened later shows "Stop demo". */
  demo: boolean;
  startedAt: string;
}
