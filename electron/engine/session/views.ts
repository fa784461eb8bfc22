/**
 * Filtered views over a session. A view is the list of frame indices a display filter accepts, extended lazily
 * as frames arrive; rows are fetched by range. Filters that read only built-in fields (frame.*, ip.*, tcp.*, fs.*)
 * run on the index alone; others decode the frames they look at.
 */
import { extractFields } from '../../../shared/codec/extract';
import type { FlatFields } from '../../../shared/codec/protocol';
import { flattenFields, type FieldValue } from '../../../shared/codec/tree';
import { BUILTIN_FIELDS, compileFilter, type CompiledFilter, type FilterErrorInfo } from '../../../shared/filter/index';
import type { FrameRow } from '../../../shared/model/session';
import { fieldCatalog, getProtocol } from '../../../shared/protocols/index';
import type { Session } from './session';

const BUILTIN = new Set(BUILTIN_FIELDS.map((f) => f.name));

export class FrameView {
  /** Matching frame indices; undefined for the unfiltered view (every frame). */
  private matches: Uint32Array | undefined;
  private matchCount = 0;
  private checked = 0;

  constructor(private readonly session: Session, readonly filterText: string, private readonly filter: CompiledFilter | undefined) {
    if (filter) this.matches = new Uint32Array(1024);
  }

  /** Evaluates frames that arrived since the last call. */
  update(): { count: number; total: number } {
    const total = this.session.frameCount;
    if (this.filter) {
      const wanted = treeFields(this.filter);
      const needsTree = wanted.length > 0;
      for (; this.checked < total; this.checked++) {
        if (this.filter.test(frameLookup(this.session, this.checked, needsTree, wanted))) this.push(this.checked);
      }
    }
    return { count: this.filter ? this.matchCount : total, total };
  }

  private push(frame: number): void {
    if (this.matchCount === this.matches!.length) {
      const next = new Uint32Array(this.matches!.length * 2);
      next.set(this.matches!);
      this.matches = next;
    }
    this.matches![this.matchCount++] = frame;
  }

  /** Frame indices of rows [start, start+count). */
  indices(start: number, count: number): number[] {
    const { count: n } = this.update();
    const out: number[] = [];
    for (let i = Math.max(0, start); i < Math.min(n, start + count); i++) out.push(this.matches ? this.matches[i] : i);
    return out;
  }

  rows(start: number, count: number): FrameRow[] {
    return this.indices(start, count).map((i) => this.session.row(i));
  }
}

export function createView(session: Session, text: string): FrameView | { error: FilterErrorInfo } {
  if (text.trim() === '') return new FrameView(session, text, undefined);
  const compiled = compileFilter(text, fieldCatalog());
  if (!compiled.ok) return { error: compiled.error };
  return new FrameView(session, text, compiled.filter);
}

const treeFieldCache = new WeakMap<CompiledFilter, readonly string[]>();

/** The names a filter reads that only a frame's decoded fields can answer (not built-ins). */
export function treeFields(filter: CompiledFilter): readonly string[] {
  let names = treeFieldCache.get(filter);
  if (!names) { names = filter.fields.filter((f) => !BUILTIN.has(f)); treeFieldCache.set(filter, names); }
  return names;
}

/**
 * The value of a field for one frame: built-ins from the index and the connection, protocol fields from the
 * frame's decoded tree (decoded once, on first need). With `wanted` (every non-built-in name the caller may ask
 * for, as `treeFields` gives a filter's), only those are extracted (`Protocol.extract`: no tree when the protocol
 * can avoid it), and a frame whose protocol has none of them is not decoded at all; a name outside `wanted` still
 * gets the full decode.
 */
export function frameLookup(session: Session, frame: number, decodeOnDemand = true, wanted?: readonly string[]): (name: string) => FieldValue | FieldValue[] | undefined {
  let fields: FlatFields | undefined;
  let all: FlatFields | undefined;
  const i = session.index;
  return (name) => {
    switch (name) {
      case 'frame.number': return frame + 1;
      case 'frame.len': return i.length(frame);
      case 'frame.time_relative': return session.timeRelative(frame);
      case 'fs.direction': return session.directionOf(frame);
      case 'fs.malformed': return i.malformed(frame);
      case 'fs.response_time': return session.responseTime(frame);
      case 'fs.protocol': return session.protocolName(frame);
      case 'fs.message': return session.messageName(frame);
      case 'tcp.stream': return i.connection(frame);
      case 'ip.src': case 'ip.dst': case 'tcp.srcport': case 'tcp.dstport': {
        const c = session.connection(i.connection(frame))!;
        const c2s = i.direction(frame) === 0;
        const src = c2s ? c.client : c.server;
        const dst = c2s ? c.server : c.client;
        if (name === 'ip.src') return src.host;
        if (name === 'ip.dst') return dst.host;
        return name === 'tcp.srcport' ? src.port : dst.port;
      }
    }
    if (!decodeOnDemand) return undefined;
    if (wanted && wanted.includes(name)) {
      if (!fields) {
        const protocol = session.protocolOf(frame);
        // A protocol's fields are all named `<id>.…` (tested per protocol): other protocols' frames have none of them.
        if (!protocol || i.skipped(frame) || !mentions(wanted, protocol.id)) fields = NONE;
        else fields = extractFields(protocol, session.bytes(frame), session.directionOf(frame), wanted, session.decodeOptions(frame));
      }
      return fields[name];
    }
    if (!all) {
      const protocol = getProtocol(session.protocolName(frame));
      if (!protocol || i.skipped(frame)) all = {};
      else all = flattenFields(protocol.decode(session.bytes(frame), session.directionOf(frame), session.decodeOptions(frame)).tree);
    }
    return all[name];
  };
}

const NONE: FlatFields = Object.freeze({}) as FlatFields;
const mentionCache = new WeakMap<readonly string[], Map<string, boolean>>();

/** Whether any of `names` can belong to protocol `id` (`id` itself or a name under `id.`); memoised per list. */
function mentions(names: readonly string[], id: string): boolean {
  let byId = mentionCache.get(names);
  if (!byId) { byId = new Map(); mentionCache.set(names, byId); }
  let yes = byId.get(id);
  if (yes === undefined) {
    yes = names.some((n) => n.startsWith(id) && (n.length === id.length || n.charCodeAt(id.length) === 46));
    byId.set(id, yes);
  }
  return yes;
}
