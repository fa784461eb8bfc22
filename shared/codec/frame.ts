/** Assembles a DecodedFrame from a protocol's decode result: the root node, trailing bytes, the malformed flag. */
import { asciiPreview } from './bytes';
import type { DecodedFrame, Direction } from './protocol';
import type { DecodeResult, Doc } from './schema';
import type { FieldNode, Note } from './tree';

export interface FrameParts {
  protocol: string;
  /** Protocol display name for the root node (`flyer job scheduler`). */
  protocolLabel: string;
  pdu: Uint8Array;
  direction: Direction;
  message: string;
  summary: string;
  value: Doc;
  tree: FieldNode[];
  notes: Note[];
  /** Bytes the decoders consumed; anything after is shown as trailing bytes with a warn note. */
  consumed?: number;
  failed?: boolean;
}

export function assembleFrame(p: FrameParts): DecodedFrame {
  const children = p.tree;
  const notes = p.notes;
  if (p.consumed !== undefined && !p.failed && p.consumed < p.pdu.length) {
    const n = p.pdu.length - p.consumed;
    children.push({
      label: 'trailing bytes', start: p.consumed, length: n,
      display: `${n} byte${n === 1 ? '' : 's'} after the message: ${asciiPreview(p.pdu, p.consumed)}`,
      notes: [{ severity: 'warn', message: `${n} trailing byte${n === 1 ? '' : 's'} not decoded` }],
    });
    notes.push({ severity: 'warn', message: `${n} trailing byte${n === 1 ? '' : 's'} not decoded` });
  }
  const root: FieldNode = {
    abbrev: p.protocol,
    label: `${p.protocolLabel}, ${p.message}`,
    start: 0,
    length: p.pdu.length,
    children,
  };
  return {
    protocol: p.protocol,
    message: p.message,
    direction: p.direction,
    length: p.pdu.length,
    summary: p.summary,
    value: p.value,
    tree: [root],
    notes,
    malformed: notes.some((n) => n.severity === 'error'),
  };
}

/** Merges the results of decoding consecutive parts of one PDU (a header, then a body). */
export function mergeResults(...parts: DecodeResult[]): DecodeResult {
  return {
    doc: Object.assign({}, ...parts.map((p) => p.doc)),
    tree: parts.flatMap((p) => p.tree),
    notes: parts.flatMap((p) => p.notes),
    consumed: parts.reduce((n, p) => n + p.consumed, 0),
    failed: parts.some((p) => p.failed),
  };
}

