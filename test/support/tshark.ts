// Runs Wireshark's command-line tools for the engine tests. They are required (CI installs the `tshark` apt package):
// the point of these tests is that real Wireshark agrees with us, so a missing tshark fails loudly instead of skipping.
import { spawnSync } from 'node:child_process';

export interface ToolResult {
  stdout: string;
  /** stderr without the "Running as user root" notice every tool prints under root. */
  stderr: string;
  status: number;
}

function run(tool: string, args: string[]): ToolResult {
  const r = spawnSync(tool, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.error) {
    throw new Error(`${tool} is needed by these tests (apt-get install -y tshark): ${r.error.message}`);
  }
  const stderr = r.stderr.split('\n').filter((l) => l.trim() !== '' && !/^Running as user "root"/.test(l)).join('\n');
  return { stdout: r.stdout, stderr, status: r.status ?? -1 };
}

export function tshark(args: string[]): ToolResult {
  return run('tshark', args);
}

export function capinfos(args: string[]): ToolResult {
  return run('capinfos', args);
}

/** `tshark -T fields` rows, one array of field values per packet. */
export function tsharkFields(file: string, fields: string[], extra: string[] = []): string[][] {
  const r = tshark(['-r', file, ...extra, '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=|', ...fields.flatMap((f) => ['-e', f])]);
  if (r.status !== 0 || r.stderr) throw new Error(`tshark failed on ${file}: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

/** Follow TCP Stream, raw: the bytes each side sent, as tshark reassembles them (node 0, the first sender, is c2s). */
export function followTcp(file: string, stream = 0): { c2s: Uint8Array; s2c: Uint8Array; nodes: [string, string] } {
  const r = tshark(['-r', file, '-q', '-z', `follow,tcp,raw,${stream}`]);
  if (r.status !== 0 || r.stderr) throw new Error(`tshark follow failed on ${file}: ${r.stderr}`);
  const lines = r.stdout.split('\n');
  const nodes = lines.filter((l) => /^Node [01]: /.test(l)).map((l) => l.slice(8)) as [string, string];
  let c2s = '';
  let s2c = '';
  const start = lines.findIndex((l) => l.startsWith('Node 1: '));
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('====')) break;
    if (line.startsWith('\t')) s2c += line.trim();
    else c2s += line.trim();
  }
  return { c2s: Buffer.from(c2s, 'hex'), s2c: Buffer.from(s2c, 'hex'), nodes };
}

export interface TsharkPacket {
  epoch: string;
  length: number;
  capturedLength: number;
  interfaceId: number;
  comment: string;
  hex: string;
}

/** What tshark reads from a capture file, packet by packet: time, lengths, interface, comments and bytes. */
export function tsharkPackets(file: string): TsharkPacket[] {
  const rows = tsharkFields(file, ['frame.time_epoch', 'frame.len', 'frame.cap_len', 'frame.interface_id', 'frame.comment']);
  const json = tshark(['-r', file, '-T', 'json', '-x']);
  if (json.status !== 0 || json.stderr) throw new Error(`tshark failed on ${file}: ${json.stderr}`);
  const raw = (JSON.parse(json.stdout) as { _source: { layers: { frame_raw?: [string] } } }[]).map((p) => p._source.layers.frame_raw?.[0] ?? '');
  return rows.map((r, i) => ({
    epoch: r[0],
    length: Number(r[1]),
    capturedLength: Number(r[2]),
    interfaceId: Number(r[3]),
    comment: r[4] ?? '',
    hex: raw[i],
  }));
}
