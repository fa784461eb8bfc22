/**
 * Offset | hex | ASCII lines of any bytes: the frame's (hex-view.tsx) or a secondary data source's. The highlighted
 * range is the selected field's; with `onSelect`, a clicked byte is reported and becomes a cursor that the arrow keys,
 * Home and End move (as in Wireshark's bytes pane), reporting each byte they land on.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState, type KeyboardEvent, type ReactElement } from 'react';
import { asciiChar, BYTES_PER_LINE, hexByte, inRange, lineCount, linesOfRange, moveCursor, offsetLabel } from '../../lib/hex-layout';

const LINE_HEIGHT = 20;

export function HexBytes({ bytes, range, onSelect, testId }: {
  bytes: Uint8Array; range?: { start: number; length: number }; onSelect?(offset: number): void; testId?: string;
}): ReactElement {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: lineCount(bytes.length), getScrollElement: () => scroller.current, estimateSize: () => LINE_HEIGHT, overscan: 10 });
  const firstLine = range ? linesOfRange(range)[0] : -1;
  useEffect(() => { if (firstLine >= 0) virtualizer.scrollToIndex(firstLine, { align: 'auto' }); }, [firstLine, virtualizer]);
  const [cursor, setCursor] = useState<number | undefined>();
  useEffect(() => setCursor(undefined), [bytes]);

  const select = onSelect ? (offset: number): void => { setCursor(offset); onSelect(offset); } : undefined;
  const onKeyDown = (e: KeyboardEvent): void => {
    const next = select ? moveCursor(e.key, cursor ?? range?.start ?? 0, bytes.length) : undefined;
    if (next === undefined) return;
    e.preventDefault();
    select!(next);
    virtualizer.scrollToIndex(Math.floor(next / BYTES_PER_LINE), { align: 'auto' });
  };

  return (
    <div ref={scroller} className="hex-scroller" data-testid={testId} tabIndex={select ? 0 : undefined} onKeyDown={onKeyDown} aria-label={select ? 'Bytes: the arrow keys move through them' : 'Bytes'}>
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((item) => {
          const base = item.index * BYTES_PER_LINE;
          const end = Math.min(bytes.length, base + BYTES_PER_LINE);
          const hex: ReactElement[] = [];
          const ascii: ReactElement[] = [];
          for (let o = base; o < base + BYTES_PER_LINE; o++) {
            if (o >= end) { hex.push(<span key={o} className={`byte pad${o - base === 8 ? ' gap' : ''}`}>{'  '}</span>); continue; }
            const marks = `${inRange(o, range) ? ' hl' : ''}${o === cursor ? ' cursor' : ''}`;
            hex.push(<span key={o} className={`byte${marks}${o - base === 8 ? ' gap' : ''}`} data-offset={o} onMouseDown={() => select?.(o)}>{hexByte(bytes[o])}</span>);
            ascii.push(<span key={o} className={`ch${marks}`} data-offset={o} onMouseDown={() => select?.(o)}>{asciiChar(bytes[o])}</span>);
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
  );
}
