/**
 * The bytes of the selected frame: offset | hex | ASCII, 16 a line. The selected field's range (as the decoder gave
 * it: the UI never recomputes ranges) is highlighted; clicking a byte selects the deepest field covering it, and the
 * arrow keys move on from there (HexBytes).
 */
import { useMemo, type ReactElement } from 'react';
import { fromHex } from '../../../../shared/codec/bytes';
import { nodeByKey } from '../../stores/detail-slice';
import { useApp, useAppStore } from '../../stores/store';
import { HexBytes } from '../data-sources/hex-bytes';

export function HexView(): ReactElement {
  const store = useAppStore();
  const decoded = useApp((s) => s.decoded);
  const selectedNode = useApp((s) => s.selectedNode);
  const bytes = useMemo(() => (decoded ? fromHex(decoded.detail.hex) : new Uint8Array(0)), [decoded]);
  const node = decoded ? nodeByKey(decoded.view.tree, selectedNode) : undefined;
  const range = node && node.length > 0 ? { start: node.start, length: node.length } : undefined;

  if (!decoded) return <div className="pane-empty">No frame selected.</div>;
  return (
    <div className="hex-view">
      <div className="pane-title">
        <span>Bytes</span>
        <span className="dim">{range ? `${range.length} byte${range.length === 1 ? '' : 's'} at ${range.start} (0x${range.start.toString(16)})` : `${bytes.length} bytes`}</span>
      </div>
      <HexBytes bytes={bytes} range={range} onSelect={(o) => store.getState().selectNodeAtOffset(o)} testId="hex-view" />
    </div>
  );
}
