/** Notices from the engine and failed commands, bottom right; info fades by itself, errors stay until dismissed. */
import { useEffect, type ReactElement } from 'react';
import { useApp, useAppStore } from '../../stores/store';

export function Notices(): ReactElement {
  const store = useAppStore();
  const notices = useApp((s) => s.notices);
  useEffect(() => {
    const timers = notices.filter((n) => n.severity === 'info').map((n) => setTimeout(() => store.getState().dismissNotice(n.id), 4000));
    return () => timers.forEach(clearTimeout);
  }, [notices, store]);
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
