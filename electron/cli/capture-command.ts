/** `framescope capture` and `framescope interfaces`: live capture through libpcap, like tshark -i. */
import { listInterfaces } from '../engine/capture/interfaces';
import { MAX_BUFFER_SIZE, openCapture } from '../engine/capture/live-capture';
import { CaptureError } from '../engine/capture/capture-errors';
import { PacketIngest } from '../engine/capture/packet-ingest';
import { SessionSpool } from '../engine/files/session-spool';
import { Session } from '../engine/session/session';
import { parseInteger } from './arguments';
import { CliError } from './cli-error';
import { compileDisplayFilter, frameLine, matches } from './frame-printer';
import { parseDecodeAs } from './read-command';

export interface CaptureFlags {
  interface: string;
  filter?: string;
  write?: string;
  displayFilter?: string;
  decodeAs?: string[];
  quiet?: boolean;
  bufferSize?: string;
}

export function runInterfaces(): string {
  let list;
  try {
    list = listInterfaces();
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  return list.map((i, n) => `${n + 1}. ${i.name}${i.description ? ` (${i.description})` : ''}${i.loopback ? ' [loopback]' : ''}${i.addresses.length ? `  ${i.addresses.map((a) => a.address).join(', ')}` : ''}`).join('\n');
}

export async function runCapture(flags: CaptureFlags, out: (line: string) => void, err: (line: string) => void): Promise<{ stop(): Promise<string> }> {
  const filter = compileDisplayFilter(flags.displayFilter);
  const session: Session = new Session({
    onFrame: (frame) => { if (!flags.quiet && matches(session, frame, filter)) out(frameLine(session, frame)); },
  });
  for (const d of flags.decodeAs ?? []) {
    const rule = parseDecodeAs(d);
    session.setDecodeAs(rule.port, rule.protocol, rule.variant);
  }
  const spool = flags.write ? await SessionSpool.create(flags.write, `framescope capture -i ${flags.interface}${flags.filter ? ` -f "${flags.filter}"` : ''}`) : undefined;
  const ingest = new PacketIngest(session, 'capture');
  const MiB = 1024 * 1024;
  const bufferSize = flags.bufferSize === undefined ? undefined : parseInteger(flags.bufferSize, '-B', { min: 1, max: Math.floor(MAX_BUFFER_SIZE / MiB), what: 'MiB' }) * MiB;
  let capture;
  try {
    capture = openCapture({ interface: flags.interface, bpf: flags.filter, bufferSize }, (p) => {
      spool?.captured(p);
      ingest.push({ ...p, interfaceId: 0 });
    });
  } catch (e) {
    await spool?.close();
    if (e instanceof CaptureError || e instanceof RangeError) throw new CliError(e.message);
    throw e;
  }
  err(`framescope capture: capturing on ${flags.interface}${flags.filter ? ` (${flags.filter})` : ''}${flags.write ? `, writing ${flags.write}` : ''}`);
  return {
    async stop() {
      const stats = capture.stats();
      capture.close();
      ingest.end();
      await spool?.close();
      session.close(true);
      const drops = stats.droppedByKernel === null ? 'kernel drops unknown (counted on Linux only, with the packet-stats addon built)' : `${stats.droppedByKernel} dropped by the kernel`;
      return `${stats.received} packets captured, ${session.frameCount} frames, ${drops}`;
    },
  };
}
