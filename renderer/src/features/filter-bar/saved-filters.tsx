/** Saved filter buttons (Wireshark's filter toolbar): one click applies; "+" saves the filter in the bar. */
import { useState, type ReactElement } from 'react';
import { useApp, useAppStore } from '../../stores/store';
import { Icon } from '../icons/icons';

export function SavedFilters({ onApply }: { onApply(filter: string): void }): ReactElement {
  const store = useAppStore();
  const saved = useApp((s) => s.savedFilters);
  const text = useApp((s) => s.filterText);
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState('');

  const save = (): void => {
    const n = name.trim();
    if (n && text.trim()) store.getState().saveFilter(n, text.trim());
    setNaming(false);
    setName('');
  };

  return (
    <div className="saved-filters" data-testid="saved-filters">
      {saved.map((s) => (
        <button
          key={s.name} className="saved-filter" title={`${s.filter}\n(right-click to remove)`} onClick={() => onApply(s.filter)}
          onContextMenu={(e) => {
            e.preventDefault();
            store.getState().openMenu({ x: e.clientX, y: e.clientY, items: [
              { label: `Apply “${s.name}”`, action: () => onApply(s.filter) },
              { label: 'Remove this button', action: () => store.getState().removeSavedFilter(s.name) },
            ] });
          }}
        >
          <Icon name="bookmark" size={12} /> {s.name}
        </button>
      ))}
      {naming ? (
        <input
          className="saved-name" autoFocus placeholder="Button name, Enter" value={name} onChange={(e) => setName(e.target.value)}
          onKeyDown={(e) => { if (e.key === 'Enter') save(); if (e.key === 'Escape') setNaming(false); }} onBlur={save}
        />
      ) : (
        <button className="saved-filter add" title="Save the filter in the bar as a button" disabled={!text.trim()} onClick={() => setNaming(true)}>
          <Icon name="plus" size={12} />
        </button>
      )}
    </div>
  );
}
