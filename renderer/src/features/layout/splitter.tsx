/** The draggable bar between the frame list and the lower pane, and the drag both splitters share. */
import type { MouseEvent as ReactMouseEvent, ReactElement } from 'react';
import { useAppStore } from '../../stores/store';

/**
 * Follows the mouse from a splitter's mousedown until the button is released: `move` gets every position, and
 * `cursorClass` is on the body meanwhile (the resize cursor everywhere, no text selected on the way).
 */
export function dragSplitter(e: ReactMouseEvent, cursorClass: string, move: (ev: MouseEvent) => void): void {
  e.preventDefault();
  const up = () => { window.removeEventListener('mousemove', move); window.removeEventListener('mouseup', up); document.body.classList.remove(cursorClass); };
  document.body.classList.add(cursorClass);
  window.addEventListener('mousemove', move);
  window.addEventListener('mouseup', up);
}

export function Splitter({ container }: { container: () => HTMLElement | null }): ReactElement {
  const store = useAppStore();
  const onMouseDown = (e: ReactMouseEvent): void => {
    const el = container();
    if (!el) { e.preventDefault(); return; }
    const box = el.getBoundingClientRect();
    dragSplitter(e, 'resizing', (ev) => store.getState().setSplit((ev.clientY - box.top) / box.height));
  };
  return <div className="splitter" role="separator" aria-orientation="horizontal" onMouseDown={onMouseDown} />;
}
