/** The toolbar's "Compose" button: opens (or closes) the composer drawer. */
import type { ReactElement } from 'react';
import { useApp, useAppStore } from '../../stores/store';

export function ComposeButton(): ReactElement {
  const store = useAppStore();
  const open = useApp((s) => s.composer !== undefined);
  return (
    <button
      className={`tool-button${open ? ' active' : ''}`} aria-pressed={open} data-testid="compose-button"
      title="Compose a message: a template for every message, sent on a new connection, an open one, or injected into a live one"
      onClick={() => (open ? store.getState().closeComposer() : void store.getState().openComposer())}
    >
      <svg className="icon" width={16} height={16} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.8} strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
        <path d="M4 20h4L19 9l-4-4L4 16zM13.5 6.5l4 4" />
      </svg>
      <span>Compose</span>
    </button>
  );
}
