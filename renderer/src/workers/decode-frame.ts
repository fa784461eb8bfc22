/**
 * Decodes one frame for the tree and hex panes, with the shared codec: the same declaration the engine used, so
 * tree ranges are exactly what the hex pane highlights. Runs inside the decode worker; pure, so tests call it too.
 */
import { fromHex } from '../../../shared/codec/bytes';
import type { FieldNode, Note } from '../../../shared/codec/tree';
import type { FrameDetail } from '../../../shared/model/session';
import { getProtocol } from '../../../shared/protocols/index';
import { findDataSources, type DataSource } from './data-sources';

export interface DecodedView {
  number: number;
  protocol: string;
  message: string;
  summary: string;
  malformed: boolean;
  length: number;
  notes: Note[];
  tree: FieldNode[];
  /** Bytes inside the frame worth their own hex tab (data-sources.ts). */
  sources?: DataSource[];
}

export function decodeFrame(detail: FrameDetail): DecodedView {
  const bytes = fromHex(detail.hex);
  const { row } = detail;
  const base = { number: row.number, protocol: row.protocol, length: bytes.length };
  const protocol = getProtocol(row.protocol);
  if (!protocol || row.message === 'Skipped') {
    // No decoder (a connection whose protocol is unknown) or bytes the deframer skipped: one raw node.
    const label = protocol ? `Skipped bytes (no plausible ${protocol.name} header)` : 'Data';
    return {
      ...base, message: row.message, summary: row.summary, malformed: row.malformed, notes: detail.notes ?? [],
      tree: [{ label, start: 0, length: bytes.length, value: detail.hex, display: `${bytes.length} bytes` }],
    };
  }
  try {
    const frame = protocol.decode(bytes, row.direction, { context: detail.context, variant: detail.variant });
    const sources = findDataSources(frame.tree, bytes);
    return {
      ...base, message: frame.message, summary: frame.summary, malformed: frame.malformed,
      notes: [...(detail.notes ?? []), ...frame.notes], tree: frame.tree, ...(sources.length ? { sources } : {}),
    };
  } catch (e) {
    // Decoders never throw by contract; if one does, show the bytes and say so rather than an empty pane.
    return {
      ...base, message: row.message, summary: row.summary, malformed: true,
      notes: [{ severity: 'error', message: `decoder failed: ${(e as Error).message}` }],
      tree: [{ label: protocol.name, start: 0, length: bytes.length, notes: [{ severity: 'error', message: (e as Error).message }] }],
    };
  }
}
