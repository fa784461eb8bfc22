/** Right-click menus of the frame list and the field tree: every action in one place, built from what was clicked. */
import type { CatalogEntry } from '../../../../shared/codec/schema';
import { nodeDisplay } from '../../../../shared/codec/render';
import type { FieldNode } from '../../../../shared/codec/tree';
import type { FrameRow } from '../../../../shared/model/session';
import { andFilters, filterForConnection, filterForMessage, filterForNode } from '../../lib/filter-text';
import type { Services } from '../../stores/services';
import type { AppStore } from '../../stores/store';
import type { MenuItem } from '../../stores/ui-slice';

/** Puts a filter in the bar and applies it (what "Apply as filter" does in Wireshark). */
export function applyFilterText(store: AppStore, filter: string): void {
  const s = store.getState();
  s.setFilterText(filter);
  void s.checkFilter(filter);
  void s.applyFilter(filter);
}

export function frameMenu(store: AppStore, { decoder, copy }: Services, row: FrameRow): MenuItem[] {
  const messageFilter = filterForMessage(row);
  return [
    {
      label: 'Follow connection', hint: filterForConnection(row.connection),
      action: () => { applyFilterText(store, filterForConnection(row.connection)); store.getState().follow(row.connection); },
    },
    { label: `Filter on ${row.message}`, hint: messageFilter, action: () => applyFilterText(store, messageFilter) },
    {
      label: `…and ${row.message}`, hint: 'add to the current filter',
      action: () => applyFilterText(store, andFilters(store.getState().appliedFilter, messageFilter)),
    },
    {
      label: 'Copy as hex', separatorBefore: true,
      action: () => void decoder.frame(store.getState().generation, row.number).then((f) => copy(f.detail.hex)).then(
        () => store.getState().notify('info', `Copied frame ${row.number} as hex`),
        (e: Error) => store.getState().notify('error', `Copy: ${e.message}`)),
    },
    { label: 'Copy summary', action: () => void copy(row.summary) },
    {
      label: 'Edit & resend…', separatorBefore: true, hint: 'open in the composer',
      action: () => { store.getState().closeMenu(); void store.getState().editFrame(row.number); },
    },
    { label: 'Decode as…', separatorBefore: true, action: () => store.getState().openDialog('decodeAs', serverPort(row), row.protocol) },
  ];
}

export function nodeMenu(store: AppStore, { copy }: Services, node: FieldNode, catalog: readonly CatalogEntry[]): MenuItem[] {
  const filter = filterForNode(node, catalog);
  const value = nodeDisplay(node);
  const raw = node.value === undefined || node.value === null ? value : String(node.value);
  return [
    { label: 'Apply as filter', hint: filter, action: filter ? () => applyFilterText(store, filter) : undefined },
    {
      label: '…and selected', hint: 'add to the current filter',
      action: filter ? () => applyFilterText(store, andFilters(store.getState().appliedFilter, filter)) : undefined,
    },
    { label: 'Copy value', separatorBefore: true, hint: raw.length > 40 ? `${raw.slice(0, 40)}…` : raw, action: raw ? () => void copy(raw) : undefined },
    { label: 'Copy field name', hint: node.abbrev, action: node.abbrev ? () => void copy(node.abbrev!) : undefined },
    { label: 'Copy as filter', hint: filter, action: filter ? () => void copy(filter) : undefined },
  ];
}

/** The server side's port of a row (Decode As keys on it). */
function serverPort(row: FrameRow): number | undefined {
  const endpoint = row.direction === 'c2s' ? row.destination : row.source;
  const port = Number(endpoint.slice(endpoint.lastIndexOf(':') + 1));
  return Number.isInteger(port) ? port : undefined;
}
