/** Offset | hex | ASCII lines of any bytes (a secondary data source), drawn like the frame's hex view. */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, type ReactElement } from 'react';
import { asciiChar, BYTES_PER_LINE, hexByte, inRange, lineCount, linesOfRange, offsetLabel } from '../../lib/hex-layout';

const LINE_HEIGHT = 20;

export function HexBytes({ bytes, range, onSelect, testId }: {
  bytes: Uint8Array; range?: { start: number; length: number }; onSelect?(offset: number): void; testId?: string;
}): ReactElement {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: lineCount(bytes.length), getScrollElement: () => scroller.current, estimateSize: () => LINE_HEIGHT, overscan: 10 });
  const firstLine = range ? linesOfRange(range)[0] : -1;
  useEffect(() => { if (firstLine >= 0) virtualizer.scrollToIndex(firstLine, { align: 'auto' }); }, [firstLine, virtualizer]);
  return (
    <div ref={scroller} className="hex-scroller" data-testid={testId}>
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((item) => {
          const base = item.index * BYTES_PER_LINE;
          const end = Math.min(bytes.length, base + BYTES_PER_LINE);
          const hex: ReactElement[] = [];
          const ascii: ReactElement[] = [];
          for (let o = base; o < base + BYTES_PER_LINE; o++) {
            if (o >= end) { hex.push(<span key={o} className={`byte pad${o - base === 8 ? ' gap' : ''}`}>{'  '}</span>); continue; }
            const hl = inRange(o, range);
            hex.push(<span key={o} className={`byte${hl ? ' hl' : ''}${o - base === 8 ? ' gap' : ''}`} data-offset={o} onMouseDown={() => onSelect?.(o)}>{hexByte(bytes[o])}</span>);
            ascii.push(<span key={o} className={`ch${hl ? ' hl' : ''}`} data-offset={o} onMouseDown={() => onSelect?.(o)}>{asciiChar(bytes[o])}</span>);
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
