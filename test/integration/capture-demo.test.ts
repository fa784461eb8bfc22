/**
 * Capture on `lo` while the demo peers of every protocol talk on ephemeral ports: the session must find each
 * protocol by its first bytes alone (no port tells it) and decode every frame. Needs root and `cap`; skipped loudly
 * otherwise.
 */
import { describe, expect, it } from 'vitest';
import { loadCap } from '../../electron/engine/capture/cap-binding';
import { openCapture } from '../../electron/engine/capture/live-capture';
import { PacketIngest } from '../../electron/engine/capture/packet-ingest';
import { DEMO_PROTOCOLS, runDemoClient, startDemoServer } from '../../electron/engine/demo/demo';
import { Session } from '../../electron/engine/session/session';

function skipReason(): string | undefined {
  if (process.platform !== 'linux') return 'captures on Linux loopback';
  if (process.getuid?.() !== 0) return 'not running as root (capturing needs CAP_NET_RAW)';
  try { loadCap(); } catch (e) { return (e as Error).message; }
  return undefined;
}
const skip = skipReason();
if (skip) console.warn(`\n${'!'.repeat(100)}\n!!! SKIPPING the live capture of the demo: ${skip}\n${'!'.repeat(100)}\n`);

describe.skipIf(skip !== undefined)('live capture of every protocol on lo', () => {
  it('detects and decodes a live conversation of each protocol', async () => {
    const session = new Session();
    const ingest = new PacketIngest(session, 'capture');
    const servers = await Promise.all(DEMO_PROTOCOLS.map((id) => startDemoServer(id, { port: 0 })));
    const capture = openCapture({ interface: 'lo', bpf: servers.map((s) => `tcp port ${s.port}`).join(' or ') }, (p) => ingest.push({ ...p, interfaceId: 0 }));
    try {
      await Promise.all(servers.map((s) => runDemoClient(s.protocol, { host: '127.0.0.1', port: s.port, rounds: 1 })));
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      capture.close();
      ingest.end();
      await Promise.all(servers.map((s) => s.close()));
    }
    const byProtocol = new Map<string, { frames: number; malformed: number; messages: Set<string> }>();
    for (let i = 0; i < session.frameCount; i++) {
      const p = session.protocolName(i);
      const s = byProtocol.get(p) ?? { frames: 0, malformed: 0, messages: new Set() };
      s.frames++;
      if (session.index.malformed(i)) s.malformed++;
      s.messages.add(session.messageName(i));
      byProtocol.set(p, s);
    }
    for (const id of DEMO_PROTOCOLS) {
      const s = byProtocol.get(id);
      expect(s?.frames, `${id} frames`).toBeGreaterThan(3);
      expect(s?.messages.size, `${id} message kinds`).toBeGreaterThan(1);
    }
    // Every connection was captured from its SYN: nothing is left undetected or malformed.
    expect(byProtocol.get('tcp')?.frames ?? 0).toBe(0);
    for (const id of DEMO_PROTOCOLS) expect(byProtocol.get(id)!.malformed, `${id} malformed frames`).toBe(0);
  }, 120_000);
});
