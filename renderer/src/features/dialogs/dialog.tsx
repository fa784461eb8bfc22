/** A modal dialog frame: Escape or the backdrop closes it; focus starts inside. */
import { useEffect, type ReactElement, type ReactNode } from 'react';

export function Dialog({ title, onClose, children, wide }: { title: string; onClose(): void; children: ReactNode; wide?: boolean }): ReactElement {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => { if (e.key === 'Escape') onClose(); };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div className="backdrop" onMouseDown={(e) => { if (e.target === e.currentTarget) onClose(); }}>
      <div className={`dialog${wide ? ' wide' : ''}`} role="dialog" aria-modal="true" aria-label={title}>
        <div className="dialog-title">{title}<button className="icon-button" title="Close" onClick={onClose}>×</button></div>
        {children}
      </div>
    </div>
  );
}
