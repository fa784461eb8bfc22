/** The selected frame's field tree (decoded in the worker): expand/collapse, selection ↔ hex, right-click actions. */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, type KeyboardEvent, type ReactElement } from 'react';
import { nodeDisplay } from '../../../../shared/codec/render';
import { ancestorKeys } from '../../stores/detail-slice';
import { useApp, useAppStore, useServices } from '../../stores/store';
import { nodeMenu } from '../context-menu/frame-menu';
import { Icon } from '../icons/icons';
import { nodeText, visibleLines } from './visible-nodes';

const LINE_HEIGHT = 21;

export function FieldTree(): ReactElement {
  const store = useAppStore();
  const services = useServices();
  const decoded = useApp((s) => s.decoded);
  const state = useApp((s) => s.detailState);
  const error = useApp((s) => s.detailError);
  const expanded = useApp((s) => s.expanded);
  const selectedNode = useApp((s) => s.selectedNode);
  const catalog = useApp((s) => s.catalog);
  const scroller = useRef<HTMLDivElement>(null);

  const tree = decoded?.view.tree;
  const lines = useMemo(() => (tree ? visibleLines(tree, expanded) : []), [tree, expanded]);
  const virtualizer = useVirtualizer({
    count: lines.length, getScrollElement: () => scroller.current, estimateSize: () => LINE_HEIGHT, overscan: 12,
  });

  // A byte clicked in the hex pane selects a node that may be far down: bring it into view.
  useEffect(() => {
    if (selectedNode === undefined) return;
    const i = lines.findIndex((l) => l.kind === 'node' && l.key === selectedNode);
    if (i >= 0) virtualizer.scrollToIndex(i, { align: 'auto' });
  }, [selectedNode, lines, virtualizer]);

  const onKeyDown = (e: KeyboardEvent): void => {
    const s = store.getState();
    const nodes = lines.filter((l) => l.kind === 'node');
    const at = nodes.findIndex((l) => l.key === s.selectedNode);
    const current = nodes[at];
    let handled = true;
    if (e.key === 'ArrowDown') s.selectNode(nodes[Math.min(nodes.length - 1, at + 1)]?.key);
    else if (e.key === 'ArrowUp') s.selectNode(nodes[Math.max(0, at - 1)]?.key);
    else if (e.key === 'ArrowRight' && current?.kind === 'node' && current.expandable) s.toggleNode(current.key, true);
    else if (e.key === 'ArrowLeft' && current) {
      if (current.kind === 'node' && current.open) s.toggleNode(current.key, false);
      else s.selectNode(ancestorKeys(current.key).pop() ?? current.key);
    } else if (e.key === 'Enter' && current?.kind === 'node' && current.expandable) s.toggleNode(current.key);
    else handled = false;
    if (handled) e.preventDefault();
  };

  if (state === 'none') return <div className="pane-empty">Select a frame to see its fields.</div>;
  if (state === 'error') return <div className="pane-empty error">Cannot show this frame: {error}</div>;
  if (!decoded) return <div className="pane-empty">Decoding…</div>;
  const { view } = decoded;

  return (
    <div className="field-tree">
      <div className="pane-title">
        <span className="frame-title">
          Frame {view.number}: <b>{view.protocol}</b> {decoded.detail.row.direction === 'c2s' ? 'client → server' : 'server → client'}, {view.message}, {view.length} bytes
          {view.malformed ? <span className="badge error">malformed</span> : null}
        </span>
        <span className="pane-actions">
          <button className="small-button" title="Open this frame in the composer to edit and resend it" data-testid="edit-resend" onClick={() => void store.getState().editFrame(view.number)}>Edit &amp; resend</button>
          <button className="icon-button" title="Expand all" onClick={() => store.getState().expandAll()}><Icon name="expand" /></button>
          <button className="icon-button" title="Collapse all" onClick={() => store.getState().collapseAll()}><Icon name="collapse" /></button>
        </span>
      </div>
      <div ref={scroller} className="tree-scroller" tabIndex={0} onKeyDown={onKeyDown} role="tree" aria-label="Fields" data-testid="field-tree">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const line = lines[item.index];
            const style = { transform: `translateY(${item.start}px)`, paddingLeft: 6 + line.depth * 16 };
            if (line.kind === 'note') {
              return (
                <div key={line.key} className={`tree-line note ${line.note.severity}`} style={style} role="treeitem" aria-level={line.depth + 1}>
                  <span className="twisty" />
                  <span className="note-mark">{line.note.severity === 'error' ? '✖' : line.note.severity === 'warn' ? '▲' : 'ℹ'}</span>
                  {line.note.message}
                </div>
              );
            }
            const { node, key } = line;
            const isSelected = key === selectedNode;
            return (
              <div
                key={key} className={`tree-line${isSelected ? ' selected' : ''}${node.generated ? ' generated' : ''}`} style={style}
                role="treeitem" aria-level={line.depth + 1} aria-expanded={line.expandable ? line.open : undefined}
                aria-selected={isSelected} data-key={key} data-abbrev={node.abbrev} data-start={node.start} data-length={node.length}
                title={node.abbrev ? `${node.abbrev} — bytes ${node.start}…${node.start + node.length - 1}` : undefined}
                onMouseDown={(e) => { if (e.button === 0) store.getState().selectNode(key); }}
                onDoubleClick={() => line.expandable && store.getState().toggleNode(key)}
                onContextMenu={(e) => {
                  e.preventDefault();
                  store.getState().selectNode(key);
                  store.getState().openMenu({ x: e.clientX, y: e.clientY, items: nodeMenu(store, services, node, catalog) });
                }}
              >
                <span
                  className={`twisty${line.expandable ? ' can' : ''}${line.open ? ' open' : ''}`}
                  onMouseDown={(e) => { if (line.expandable) { e.stopPropagation(); store.getState().toggleNode(key); } }}
                >{line.expandable ? <Icon name="chevron" size={12} /> : null}</span>
                <span className="node-text">{nodeText(node, nodeDisplay(node))}</span>
                {node.notes?.some((n) => n.severity === 'error') ? <span className="badge error">!</span> : null}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
