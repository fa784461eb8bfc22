/** The floating right-click menu; kept inside the window, closed by Escape, a click elsewhere or a choice. */
import { useEffect, useLayoutEffect, useRef, useState, type ReactElement } from 'react';
import { useApp, useAppStore } from '../../stores/store';

export function ContextMenu(): ReactElement | null {
  const store = useAppStore();
  const menu = useApp((s) => s.menu);
  const ref = useRef<HTMLDivElement>(null);
  const [pos, setPos] = useState({ x: 0, y: 0 });

  useLayoutEffect(() => {
    if (!menu || !ref.current) return;
    const r = ref.current.getBoundingClientRect();
    setPos({ x: Math.min(menu.x, window.innerWidth - r.width - 4), y: Math.min(menu.y, window.innerHeight - r.height - 4) });
  }, [menu]);

  useEffect(() => {
    if (!menu) return;
    const close = () => store.getState().closeMenu();
    const onKey = (e: KeyboardEvent) => { if (e.key === 'Escape') close(); };
    const onDown = (e: MouseEvent) => { if (!ref.current?.contains(e.target as Node)) close(); };
    window.addEventListener('keydown', onKey);
    window.addEventListener('mousedown', onDown, true);
    window.addEventListener('blur', close);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('mousedown', onDown, true);
      window.removeEventListener('blur', close);
    };
  }, [menu, store]);

  if (!menu) return null;
  return (
    <div ref={ref} className="context-menu" role="menu" style={{ left: pos.x, top: pos.y }} data-testid="context-menu">
      {menu.items.map((item, i) => (
        <div key={i}>
          {item.separatorBefore ? <div className="menu-sep" /> : null}
          <button
            className="menu-item" role="menuitem" disabled={!item.action}
            onClick={() => { store.getState().closeMenu(); item.action?.(); }}
          >
            <span>{item.label}</span>{item.hint ? <span className="menu-hint">{item.hint}</span> : null}
          </button>
        </div>
      ))}
    </div>
  );
}
