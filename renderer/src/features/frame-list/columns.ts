/** The frame list's columns, shared by its header and its rows (one CSS grid template). */
import type { FrameRow } from '../../../../shared/model/session';
import { formatDelta, formatTime } from '../../lib/format';
import { markClass, markPrefix } from '../intercept/frame-mark';

export interface Column {
  id: string;
  title: string;
  width: string;
  align?: 'right' | 'center';
  text(row: FrameRow): string;
  tooltip?: string;
}

export const COLUMNS: readonly Column[] = [
  { id: 'number', title: 'No.', width: '64px', align: 'right', text: (r) => String(r.number) },
  // Room for 12 monospace characters ("12345.678901"): a session past 100 s or a file's hours must not clip.
  { id: 'time', title: 'Time', width: '100px', align: 'right', text: (r) => formatTime(r.time) },
  { id: 'source', title: 'Source', width: 'minmax(110px, 140px)', text: (r) => r.source },
  { id: 'direction', title: '', width: '22px', align: 'center', text: (r) => (r.direction === 'c2s' ? '→' : '←'), tooltip: 'Direction: → client to server, ← server to client' },
  { id: 'destination', title: 'Destination', width: 'minmax(110px, 140px)', text: (r) => r.destination },
  { id: 'protocol', title: 'Protocol', width: '74px', text: (r) => r.protocol },
  { id: 'length', title: 'Length', width: '64px', align: 'right', text: (r) => String(r.length) },
  { id: 'info', title: 'Info', width: 'minmax(200px, 1fr)', text: (r) => markPrefix(r) + r.summary },
  { id: 'rt', title: 'Δt reply', width: '74px', align: 'right', text: (r) => formatDelta(r.responseTime), tooltip: 'Time from the paired request to this response' },
];

export const GRID_TEMPLATE = COLUMNS.map((c) => c.width).join(' ');

/** Protocols that have a colour of their own (others use the neutral one). */
const COLOURED = new Set(['flyer', 'hodor', 'tt', 'txlcn', 'push', 'http']);

export function rowClass(row: FrameRow, selected: boolean): string {
  const proto = COLOURED.has(row.protocol) ? row.protocol : 'other';
  return `frame-row proto-${proto}${row.malformed ? ' malformed' : ''}${markClass(row)}${selected ? ' selected' : ''}`;
}
