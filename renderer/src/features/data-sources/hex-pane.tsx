/**
 * The bytes pane with Wireshark's data-source tabs under it: the frame, then each secondary source the decode worker
 * found (a txlcn `bytes` payload, a hodor body, Base64 or JSON inside strings: workers/data-sources.ts). Selecting a
 * field that owns a source shows that tab; a payload's fields highlight in its tab, and a click there selects them.
 */
import { useEffect, useMemo, useRef, useState, type ReactElement } from 'react';
import { fromHex } from '../../../../shared/codec/bytes';
import type { DataSource } from '../../workers/data-sources';
import { nodeByKey } from '../../stores/detail-slice';
import { useApp, useAppStore } from '../../stores/store';
import { HexView } from '../hex-view/hex-view';
import { HexBytes } from './hex-bytes';
import './data-sources.css';

/** The tab to show after a node was selected: the source it owns, the payload it lies in if that one is shown, else the frame. */
export function tabForNode(sources: readonly DataSource[], key: string | undefined, current: number): number {
  if (key === undefined) return current < sources.length ? current : -1;
  const own = sources.findIndex((s) => s.node === key);
  if (own >= 0) return own;
  const shown = sources[current];
  if (shown && shown.kind === 'payload' && key.startsWith(`${shown.node}.`)) return current;
  return -1;
}

function SourceView({ source }: { source: DataSource }): ReactElement {
  const store = useAppStore();
  const tree = useApp((s) => s.decoded?.view.tree);
  const selectedNode = useApp((s) => s.selectedNode);
  const bytes = useMemo(() => fromHex(source.hex), [source]);
  const node = tree ? nodeByKey(tree, selectedNode) : undefined;
  let range: { start: number; length: number } | undefined;
  if (source.frameOffset !== undefined && node && node.length > 0) {
    const start = Math.max(node.start - source.frameOffset, 0);
    const end = Math.min(node.start + node.length - source.frameOffset, bytes.length);
    if (end > start) range = { start, length: end - start };
  }
  const offset = source.frameOffset;
  return (
    <div className="hex-view">
      <div className="pane-title" title={source.description}>
        <span className="ds-title">{source.description}</span>
        <span className="dim">{range ? `${range.length} B at ${range.start}` : `${bytes.length} bytes`}</span>
      </div>
      <HexBytes bytes={bytes} range={range} testId="source-hex" onSelect={offset === undefined ? undefined : (o) => store.getState().selectNodeAtOffset(offset + o)} />
    </div>
  );
}

export function HexPane(): ReactElement {
  const decoded = useApp((s) => s.decoded);
  const selectedNode = useApp((s) => s.selectedNode);
  const sources = decoded?.view.sources ?? [];
  const [tab, setTab] = useState(-1);
  const frame = decoded?.detail.row.number;
  const lastFrame = useRef(frame);

  useEffect(() => {
    const sameFrame = lastFrame.current === frame;
    lastFrame.current = frame;
    setTab((current) => tabForNode(sources, selectedNode, sameFrame ? current : -1));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [selectedNode, frame]);

  const shown = sources[tab];
  return (
    <div className="hex-pane-stack">
      <div className="hex-pane-body">{shown ? <SourceView source={shown} /> : <HexView />}</div>
      {decoded && sources.length > 0 ? (
        <nav className="ds-tabs" role="tablist" aria-label="Data sources" data-testid="data-source-tabs">
          <button role="tab" aria-selected={!shown} className={`ds-tab${!shown ? ' active' : ''}`} onClick={() => setTab(-1)} title="The frame as it crossed the wire">
            Frame ({decoded.view.length} B)
          </button>
          {sources.map((s, i) => (
            <button key={`${s.node}:${i}`} role="tab" aria-selected={i === tab} className={`ds-tab${i === tab ? ' active' : ''}`} onClick={() => setTab(i)} title={s.description} data-kind={s.kind}>
              {s.label}
            </button>
          ))}
        </nav>
      ) : null}
    </div>
  );
}
