/** How numbers look in the lists: times, sizes, durations, endpoints. */
import type { Endpoint } from '../../../shared/model/session';

/** Seconds with microseconds, as Wireshark's Time column. */
export function formatTime(seconds: number): string {
  return seconds.toFixed(6);
}

/** A response time: ms below a second, else seconds. */
export function formatDelta(seconds: number | undefined): string {
  if (seconds === undefined) return '';
  if (seconds < 1) return `${(seconds * 1000).toFixed(seconds < 0.01 ? 3 : 1)} ms`;
  return `${seconds.toFixed(3)} s`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}

/** Thousands separated by thin spaces, readable at a glance and locale-independent. */
export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
}

/** ns → a short duration. */
export function formatDurationNs(ns: number): string {
  const s = ns / 1e9;
  if (s < 1) return `${(s * 1000).toFixed(1)} ms`;
  if (s < 60) return `${s.toFixed(2)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

export function formatEndpoint(e: Endpoint): string {
  return e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
}
