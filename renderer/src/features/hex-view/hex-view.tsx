/**
 * The bytes of the selected frame: offset | hex | ASCII, 16 a line. The selected field's range (as the decoder gave
 * it: the UI never recomputes ranges) is highlighted; clicking a byte selects the deepest field covering it. The
 * clicked byte is a cursor the arrow keys move (as in Wireshark's bytes pane), selecting the field under it.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactElement } from 'react';
import { fromHex } from '../../../../shared/codec/bytes';
import { asciiChar, BYTES_PER_LINE, hexByte, inRange, lineCount, linesOfRange, offsetLabel } from '../../lib/hex-layout';
import { nodeByKey } from '../../stores/detail-slice';
import { useApp, useAppStore } from '../../stores/store';

const LINE_HEIGHT = 20;

export function HexView(): ReactElement {
  const store = useAppStore();
  const decoded = useApp((s) => s.decoded);
  const selectedNode = useApp((s) => s.selectedNode);
  const scroller = useRef<HTMLDivElement>(null);
  const bytes = useMemo(() => (decoded ? fromHex(decoded.detail.hex) : new Uint8Array(0)), [decoded]);
  const node = decoded ? nodeByKey(decoded.view.tree, selectedNode) : undefined;
  const range = node && node.length > 0 ? { start: node.start, length: node.length } : undefined;
  const lines = decoded ? lineCount(bytes.length) : 0;
  const virtualizer = useVirtualizer({
    count: lines, getScrollElement: () => scroller.current, estimateSize: () => LINE_HEIGHT, overscan: 10,
  });

  const [cursor, setCursor] = useState<number | undefined>();
  useEffect(() => setCursor(undefined), [decoded]);

  const firstLine = range ? linesOfRange(range)[0] : -1;
  useEffect(() => {
    if (firstLine >= 0) virtualizer.scrollToIndex(firstLine, { align: 'auto' });
  }, [firstLine, virtualizer]);

  if (!decoded) return <div className="pane-empty">No frame selected.</div>;

  const select = (offset: number): void => {
    setCursor(offset);
    store.getState().selectNodeAtOffset(offset);
  };
  const onKeyDown = (e: KeyboardEvent): void => {
    const from = cursor ?? range?.start ?? 0;
    const lineStart = from - (from % BYTES_PER_LINE);
    const moves: Record<string, number> = {
      ArrowLeft: from - 1, ArrowRight: from + 1, ArrowUp: from - BYTES_PER_LINE, ArrowDown: from + BYTES_PER_LINE,
      Home: lineStart, End: lineStart + BYTES_PER_LINE - 1,
    };
    const target = moves[e.key];
    if (target === undefined || bytes.length === 0) return;
    e.preventDefault();
    const next = Math.max(0, Math.min(bytes.length - 1, target));
    select(next);
    virtualizer.scrollToIndex(Math.floor(next / BYTES_PER_LINE), { align: 'auto' });
  };

  return (
    <div className="hex-view">
      <div className="pane-title">
        <span>Bytes</span>
        <span className="dim">{range ? `${range.length} byte${range.length === 1 ? '' : 's'} at ${range.start} (0x${range.start.toString(16)})` : `${bytes.length} bytes`}</span>
      </div>
      <div ref={scroller} className="hex-scroller" data-testid="hex-view" tabIndex={0} onKeyDown={onKeyDown} aria-label="Bytes: arrow keys move through them">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const base = item.index * BYTES_PER_LINE;
            const end = Math.min(bytes.length, base + BYTES_PER_LINE);
            const hex: ReactElement[] = [];
            const ascii: ReactElement[] = [];
            for (let o = base; o < base + BYTES_PER_LINE; o++) {
              if (o >= end) {
                hex.push(<span key={o} className={`byte pad${o - base === 8 ? ' gap' : ''}`}>{'  '}</span>);
                continue;
              }
              const at = o === cursor ? ' cursor' : '';
              const cls = `byte${inRange(o, range) ? ' hl' : ''}${at}${o - base === 8 ? ' gap' : ''}`;
              hex.push(<span key={o} className={cls} data-offset={o} onMouseDown={() => select(o)}>{hexByte(bytes[o])}</span>);
              ascii.push(<span key={o} className={`ch${inRange(o, range) ? ' hl' : ''}${at}`} data-offset={o} onMouseDown={() => select(o)}>{asciiChar(bytes[o])}</span>);
            }
            return (
              <div key={item.index} className="hex-line" style={{ transform: `translateY(${item.start}px)` }}>
                <span className="offset">{offsetLabel(base, bytes.length)}</span>
                <span className="hex">{hex}</span>
                <span className="ascii">{ascii}</span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
