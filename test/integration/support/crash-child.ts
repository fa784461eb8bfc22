/**
 * A Framescope engine that records live txlcn and flyer traffic through its own proxy listeners, then waits to be
 * killed (crash-recovery.test.ts sends SIGKILL: no clean close, the spool keeps its lock). Prints one JSON line when
 * the frames are on disk: `{"frames": n, "messages": {...}}`.
 */
import { Engine } from '../../../electron/engine/api/engine';
import { runDemoClient, startDemoServer } from '../../../electron/engine/demo/demo';

const root = process.argv[2];
const engine = new Engine({ spoolRoot: root });
const messages: Record<string, number> = {};
for (const protocol of ['flyer', 'txlcn']) {
  const server = await startDemoServer(protocol, { port: 0 });
  const proxy = await engine.call('proxy.add', { port: 0, upstream: { host: '127.0.0.1', port: server.port }, protocol });
  const run = await runDemoClient(protocol, { port: proxy.boundPort, rounds: 2, intervalMs: 0 });
  await run.close();
}
// Let the recorder settle, then wait past the spool's one-second flush.
await new Promise((r) => setTimeout(r, 300));
const frames = engine.session.frameCount;
for (const s of engine.session.messageStats()) messages[`${s.protocol}:${s.message}`] = s.count;
await new Promise((r) => setTimeout(r, 1600));
process.stdout.write(`${JSON.stringify({ frames, messages })}\n`);
setInterval(() => undefined, 1000); // until killed
