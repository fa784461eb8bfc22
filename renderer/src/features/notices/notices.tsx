/** Notices from the engine and failed commands, bottom right; info fades by itself, errors stay until dismissed. */
import { useEffect, useRef, type ReactElement } from 'react';
import { useApp, useAppStore } from '../../stores/store';

export function Notices(): ReactElement {
  const store = useAppStore();
  const notices = useApp((s) => s.notices);
  // One timer per info notice, started when it appears: a newer notice must not restart the older ones' clocks.
  const timers = useRef(new Map<number, ReturnType<typeof setTimeout>>());
  useEffect(() => {
    const live = timers.current;
    for (const n of notices) {
      if (n.severity === 'info' && !live.has(n.id)) live.set(n.id, setTimeout(() => { live.delete(n.id); store.getState().dismissNotice(n.id); }, 4000));
    }
    for (const [id, timer] of live) if (!notices.some((n) => n.id === id)) { clearTimeout(timer); live.delete(id); }
  }, [notices, store]);
  useEffect(() => () => { for (const timer of timers.current.values()) clearTimeout(timer); timers.current.clear(); }, []);
  return (
    <div className="notices" aria-live="polite">
      {notices.map((n) => (
        <div key={n.id} className={`notice ${n.severity}`} role={n.severity === 'error' ? 'alert' : 'status'}>
          <span>{n.message}</span>
          <button className="icon-button" title="Dismiss" onClick={() => store.getState().dismissNotice(n.id)}>×</button>
        </div>
      ))}
    </div>
  );
}
