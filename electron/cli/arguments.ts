/**
 * Parsing the arguments several sub-commands take, with one wording for what is wrong (`<flag>: expected …, got '…'`):
 * `[host:]port` and `host:port` (IPv6 hosts in brackets: `[::1]:8080`), and whole numbers in a range.
 */
import type { Endpoint } from '../../shared/model/session';
import { UsageError } from './cli-error';

export function parseEndpoint(text: string, flag: string, defaultHost?: string): Endpoint {
  const t = text.trim();
  let host: string | undefined;
  let portText: string;
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(t);
  if (bracketed) [, host, portText] = bracketed;
  else if (/^\d+$/.test(t)) portText = t;
  else {
    const at = t.lastIndexOf(':');
    host = at > 0 ? t.slice(0, at) : undefined;
    portText = at > 0 ? t.slice(at + 1) : '';
  }
  const port = /^\d+$/.test(portText) ? Number(portText) : NaN;
  host ??= defaultHost;
  if (!host || !(port >= 0 && port <= 65535)) throw new UsageError(`${flag}: expected ${defaultHost ? '[host:]port' : 'host:port'}, got '${text}'`);
  return { host, port };
}

export interface IntegerRange {
  min: number;
  max?: number;
  /** What the number is, for the message (`microseconds`); default `an integer`. */
  what?: string;
}

/** A whole number in decimal digits (no `0x`, no exponent, not empty) within the range. */
export function parseInteger(text: string, flag: string, { min, max = Number.MAX_SAFE_INTEGER, what = 'an integer' }: IntegerRange): number {
  const n = /^-?\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) {
    throw new UsageError(`${flag}: expected ${what} ${max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`}, got '${text}'`);
  }
  return n;
}
