/** `framescope serve`: the engine and the web UI for a browser, loopback and token-protected by default. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../engine/api/engine';
import { startWebServer } from '../engine/api/web-server';
import { parseInteger } from './arguments';
import { CliError } from './cli-error';

export interface ServeFlags {
  host: string;
  port: string;
}

/** The built renderer next to the CLI bundle (dist/cli → dist/renderer), or in the source tree's dist. */
export function rendererDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [join(here, '..', 'renderer'), join(here, '..', '..', 'dist', 'renderer')]) {
    if (existsSync(join(candidate, 'index.html'))) return candidate;
  }
  return join(here, '..', 'renderer');
}

export async function runServe(flags: ServeFlags, err: (line: string) => void): Promise<{ url: string; stop(): Promise<void> }> {
  const port = parseInteger(flags.port, '--port', { min: 0, max: 65535, what: 'a port' });
  if (!['127.0.0.1', 'localhost', '::1'].includes(flags.host)) {
    err(`framescope serve: WARNING: listening on ${flags.host}, not loopback: anyone who can reach it and has the URL's token can see and change your traffic`);
  }
  const engine = new Engine();
  let server;
  try {
    server = await startWebServer(engine, { host: flags.host, port, staticDir: rendererDir() });
  } catch (e) {
    await engine.close();
    throw new CliError(`--host ${flags.host} --port ${port}: ${(e as Error).message}`);
  }
  return {
    url: server.url,
    async stop() { await server.close(); await engine.close(); },
  };
}
