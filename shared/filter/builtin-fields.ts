/**
 * Fields every frame has, whatever its protocol: where it came from and what the engine knows about it. They are
 * answered by the engine's lookup from its frame index, so filters on them never need a decoded tree.
 */

/**
 * How a field's values compare. `int`: numbers; `int64`: decimal strings compared as BigInt (N8); `float`: numbers
 * with fractions; `bytes`: lowercase hex strings; `ip`: address strings; `any`: JSON members under a dynamic base,
 * typed only at run time; `none` and `protocol`: presence only.
 */
export type FieldKind = 'int' | 'int64' | 'float' | 'string' | 'bytes' | 'bool' | 'ip' | 'any' | 'none' | 'protocol';

export interface BuiltinField {
  name: string;
  kind: FieldKind;
  /** What completion and error messages call the type. */
  type: string;
  label: string;
  /** Names the engine's lookup is asked for, when not the field itself (`ip.addr` reads `ip.src` and `ip.dst`). */
  reads?: string[];
  /** The only values the field takes (a typo in a filter is a compile error, not an empty view). */
  values?: Record<string, string>;
}

export const BUILTIN_FIELDS: readonly BuiltinField[] = [
  { name: 'frame.number', kind: 'int', type: 'integer', label: 'Frame number in the session (1-based)' },
  { name: 'frame.time_relative', kind: 'float', type: 'seconds', label: 'Time since the first frame of the session' },
  { name: 'frame.len', kind: 'int', type: 'integer', label: 'PDU length in bytes' },
  { name: 'ip.src', kind: 'ip', type: 'IP address', label: 'Source address' },
  { name: 'ip.dst', kind: 'ip', type: 'IP address', label: 'Destination address' },
  { name: 'ip.addr', kind: 'ip', type: 'IP address', label: 'Source or destination address', reads: ['ip.src', 'ip.dst'] },
  { name: 'tcp.srcport', kind: 'int', type: 'u16', label: 'Source port' },
  { name: 'tcp.dstport', kind: 'int', type: 'u16', label: 'Destination port' },
  { name: 'tcp.port', kind: 'int', type: 'u16', label: 'Source or destination port', reads: ['tcp.srcport', 'tcp.dstport'] },
  { name: 'tcp.stream', kind: 'int', type: 'integer', label: 'TCP connection index' },
  {
    name: 'fs.direction', kind: 'string', type: 'direction', label: 'Direction: c2s (from the side that connected) or s2c',
    values: { c2s: 'client to server', s2c: 'server to client' },
  },
  { name: 'fs.malformed', kind: 'bool', type: 'boolean', label: 'The decoder raised an error note (the row is red)' },
  { name: 'fs.response_time', kind: 'float', type: 'seconds', label: 'Time from the paired request to this response' },
  { name: 'fs.protocol', kind: 'string', type: 'protocol id', label: 'Protocol of the frame' },
  { name: 'fs.message', kind: 'string', type: 'string', label: 'Message name (PROTOCOLS.md §0.3)' },
];

/** The field a bare protocol id (`flyer`) reads: `flyer` means `fs.protocol == "flyer"`. */
export const PROTOCOL_FIELD = 'fs.protocol';
