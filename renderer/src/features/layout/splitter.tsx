/** The draggable bar between the frame list and the lower pane. */
import type { MouseEvent as ReactMouseEvent, ReactElement } from 'react';
import { useAppStore } from '../../stores/store';

export function Splitter({ container }: { container: () => HTMLElement | null }): ReactElement {
  const store = useAppStore();
  const onMouseDown = (e: ReactMouseEvent): void => {
    e.preventDefault();
    const el = container();
    if (!el) return;
    const box = el.getBoundingClientRect();
    const move = (ev: MouseEvent) => store.getState().setSplit((ev.clientY - box.top) / box.height);
    const up = () => { window.removeEventListener('mousemove', move); window.removeEventListener('mouseup', up); document.body.classList.remove('resizing'); };
    document.body.classList.add('resizing');
    window.addEventListener('mousemove', move);
    window.addEventListener('mouseup', up);
  };
  return <div className="splitter" role="separator" aria-orientation="horizontal" onMouseDown={onMouseDown} />;
}
