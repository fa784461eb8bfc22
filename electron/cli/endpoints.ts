/** Parsing `[host:]port` and `host:port` arguments. */
import type { Endpoint } from '../../shared/model/session';
import { CliError } from './cli-error';

export function parseEndpoint(text: string, flag: string, defaultHost?: string): Endpoint {
  const m = /^(?:\[([^\]]+)\]|([^:]+(?::[^:]+)*?))?:?(\d+)$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  const host = m?.[1] ?? (m?.[2] && m[2] !== '' ? m[2] : undefined) ?? defaultHost;
  if (!m || !Number.isInteger(port) || port < 0 || port > 65535 || (!host && !defaultHost)) {
    throw new CliError(`${flag}: expected ${defaultHost ? '[host:]port' : 'host:port'}, got '${text}'`);
  }
  return { host: host ?? defaultHost!, port };
}
