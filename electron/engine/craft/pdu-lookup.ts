/**
 * Display filters over a PDU that is not (yet) in the session: a held frame, a request a mock answers. The same
 * field names as the frame list (built-ins from the connection, protocol fields from the decoded tree, decoded once
 * on first need), so a rule written in the filter bar works unchanged.
 */
import { toHex } from '../../../shared/codec/bytes';
import type { DecodedFrame, Direction, Protocol } from '../../../shared/codec/protocol';
import { compileFilter, type CompiledFilter, type Lookup } from '../../../shared/filter/index';
import { flattenFields, type FieldValue } from '../../../shared/codec/tree';
import type { Endpoint } from '../../../shared/model/session';
import { fieldCatalog } from '../../../shared/protocols/index';
import { CraftError } from './craft-error';
import type { FrameVars } from './template-vars';

export interface PduContext {
  connection: number;
  client: Endpoint;
  server: Endpoint;
  variant?: string;
}

/** One PDU, decoded lazily; what filters and templates read. */
export class LoosePdu {
  private decodedFrame: DecodedFrame | undefined;
  private flat: Record<string, FieldValue | FieldValue[]> | undefined;

  constructor(readonly protocol: Protocol | undefined, readonly bytes: Uint8Array, readonly direction: Direction, readonly ctx: PduContext) {}

  get decoded(): DecodedFrame | undefined {
    if (!this.protocol) return undefined;
    this.decodedFrame ??= this.protocol.decode(this.bytes, this.direction, this.ctx.variant ? { variant: this.ctx.variant } : undefined);
    return this.decodedFrame;
  }

  get fields(): Record<string, FieldValue | FieldValue[]> {
    this.flat ??= this.decoded ? flattenFields(this.decoded.tree) : {};
    return this.flat;
  }

  get message(): string {
    return this.protocol ? (this.decodedFrame?.message ?? this.protocol.peek(this.bytes, this.direction, this.ctx.variant ? { variant: this.ctx.variant } : undefined).message) : 'Data';
  }

  lookup: Lookup = (name) => {
    const c2s = this.direction === 'c2s';
    switch (name) {
      case 'frame.len': return this.bytes.length;
      case 'fs.direction': return this.direction;
      case 'fs.protocol': return this.protocol?.id ?? 'tcp';
      case 'fs.message': return this.message;
      case 'fs.malformed': return this.decoded?.malformed ?? false;
      case 'tcp.stream': return this.ctx.connection;
      case 'ip.src': return (c2s ? this.ctx.client : this.ctx.server).host;
      case 'ip.dst': return (c2s ? this.ctx.server : this.ctx.client).host;
      case 'tcp.srcport': return (c2s ? this.ctx.client : this.ctx.server).port;
      case 'tcp.dstport': return (c2s ? this.ctx.server : this.ctx.client).port;
      case 'frame.number': case 'frame.time_relative': case 'fs.response_time': return undefined;
    }
    return this.fields[name];
  };

  vars(): FrameVars {
    const d = this.decoded;
    return {
      message: d?.message ?? 'Data', summary: d?.summary ?? `${this.bytes.length} bytes`, direction: this.direction,
      value: d?.value ?? {}, fields: this.fields, hex: toHex(this.bytes),
    };
  }
}

/** Compiles a rule's display filter; a bad one is an error that shows where. */
export function compileRule(text: string, where: string): CompiledFilter {
  const r = compileFilter(text, fieldCatalog());
  if (!r.ok) throw new CraftError(`${where}: ${r.error.message} (column ${r.error.column + 1} of "${text}")`);
  return r.filter;
}

/** FrameVars of a decoded frame (a reply a sequence received). */
export function varsOf(d: DecodedFrame, bytes: Uint8Array): FrameVars {
  return { message: d.message, summary: d.summary, direction: d.direction, value: d.value, fields: flattenFields(d.tree), hex: toHex(bytes) };
}
