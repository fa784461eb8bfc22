/** Parsing `[host:]port` and `host:port` arguments (IPv6 hosts in brackets: `[::1]:8080`). */
import type { Endpoint } from '../../shared/model/session';
import { CliError } from './cli-error';

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
  if (!host || !(port >= 0 && port <= 65535)) throw new CliError(`${flag}: expected ${defaultHost ? '[host:]port' : 'host:port'}, got '${text}'`);
  return { host, port };
}
