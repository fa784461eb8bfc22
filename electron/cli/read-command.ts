/** `framescope read`: a capture file through reassembly and decoding, printed or counted like tshark -r. */
import { CaptureFileError } from '../engine/files/capture-model';
import { openCaptureFile, type OpenedCaptureFile } from '../engine/capture/file-ingest';
import { PacketIngest } from '../engine/capture/packet-ingest';
import { Session } from '../engine/session/session';
import { flattenFields } from '../../shared/codec/tree';
import { getProtocol, protocolIds } from '../../shared/protocols/index';
import { CliError, UsageError } from './cli-error';
import { compileDisplayFilter, frameLine, matches } from './frame-printer';
import { existsSync } from 'node:fs';

export interface ReadFlags {
  read: string;
  displayFilter?: string;
  decodeAs?: string[];
  count?: boolean;
  json?: boolean;
}

/** tshark's `-d tcp.port==N,protocol`. */
export function parseDecodeAs(text: string): { port: number; protocol: string; variant?: string } {
  const m = /^tcp\.port\s*==\s*(\d+)\s*,\s*([a-z]+)(?::([A-Za-z0-9]+))?$/.exec(text.trim());
  if (!m) throw new UsageError(`-d: expected tcp.port==<port>,<protocol>, got '${text}'`);
  if (!getProtocol(m[2])) throw new UsageError(`-d: unknown protocol '${m[2]}' (known: ${protocolIds().join(', ')})`);
  return { port: Number(m[1]), protocol: m[2], ...(m[3] ? { variant: m[3] } : {}) };
}

/** `opened`: the file as the CLI opened it before loading this module (its reading may have begun). */
export async function runRead(flags: ReadFlags, out: (text: string) => void, opened?: OpenedCaptureFile): Promise<void> {
  // The command line first (exit 2), then the file (exit 1).
  const decodeAs = (flags.decodeAs ?? []).map(parseDecodeAs);
  const filter = compileDisplayFilter(flags.displayFilter);
  if (!existsSync(flags.read)) throw new CliError(`-r ${flags.read}: no such file`);
  let matched = 0;
  // JSON is printed as it comes, a frame a line, so memory does not grow with the capture; each frame waits for the
  // next to learn whether a comma follows it.
  const streamJson = flags.json === true && !flags.count;
  let jsonFrame: string | undefined;
  if (streamJson) out('{"frames":[');
  const session: Session = new Session({
    // Every frame is printed (or counted) in onFrame and never looked at again: no copy of its bytes is kept.
    keepBytes: false,
    onFrame: (frame) => {
      if (!matches(session, frame, filter)) return;
      matched++;
      if (flags.count) return;
      if (!flags.json) { out(frameLine(session, frame)); return; }
      if (jsonFrame !== undefined) out(`${jsonFrame},`);
      jsonFrame = JSON.stringify(frameJson(session, frame));
    },
  });
  for (const rule of decodeAs) session.setDecodeAs(rule.port, rule.protocol, rule.variant);
  try {
    await (opened ?? openCaptureFile(flags.read)).ingest(new PacketIngest(session, 'file'));
  } catch (e) {
    if (e instanceof CaptureFileError) throw new CliError(`-r ${flags.read}: ${e.message}`);
    throw e;
  } finally {
    // A damaged file still leaves valid JSON: the frames before the damage (the error follows on stderr).
    if (streamJson) {
      if (jsonFrame !== undefined) out(jsonFrame);
      out(']}');
    }
  }
  if (flags.count) out(String(matched));
  session.close(true);
}

function frameJson(session: Session, frame: number): unknown {
  const row = session.row(frame);
  const protocol = getProtocol(row.protocol);
  const decoded = protocol && !session.index.skipped(frame) ? protocol.decode(session.bytes(frame), row.direction, session.decodeOptions(frame)) : undefined;
  return {
    ...row,
    ...(decoded ? { value: decoded.value, fields: flattenFields(decoded.tree), notes: decoded.notes } : {}),
  };
}
