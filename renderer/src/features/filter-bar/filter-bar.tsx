/**
 * The display-filter bar: checked by the engine as you type (green, or red with the error underlined at its
 * column), completion from the field catalog, history, apply on Enter, and saved filter buttons.
 */
import { useEffect, useRef, useState, type KeyboardEvent, type ReactElement } from 'react';
import type { Completion } from '../../../../shared/api/contract';
import { applyCompletion, type CompletionItem } from '../../lib/completion';
import { useApp, useAppStore, useServices } from '../../stores/store';
import { Icon } from '../icons/icons';
import { SavedFilters } from './saved-filters';

const CHECK_DELAY_MS = 120;

export function FilterBar(): ReactElement {
  const store = useAppStore();
  const { api } = useServices();
  const text = useApp((s) => s.filterText);
  const check = useApp((s) => s.filterCheck);
  const applied = useApp((s) => s.appliedFilter);
  const history = useApp((s) => s.history);
  const input = useRef<HTMLInputElement>(null);
  const mirror = useRef<HTMLDivElement>(null);
  const [completion, setCompletion] = useState<Completion | undefined>();
  const [active, setActive] = useState(0);
  const [showHistory, setShowHistory] = useState(false);
  const suggestSeq = useRef(0);

  // The engine checks the text shortly after typing stops.
  useEffect(() => {
    const t = setTimeout(() => void store.getState().checkFilter(text), CHECK_DELAY_MS);
    return () => clearTimeout(t);
  }, [text, store]);

  const suggest = async (value: string, cursor: number): Promise<void> => {
    const seq = ++suggestSeq.current;
    try {
      const c = await api.call('filter.suggest', { filter: value, cursor });
      if (seq !== suggestSeq.current) return;
      setCompletion(c.items.length > 0 ? c : undefined);
      setActive(0);
    } catch {
      setCompletion(undefined);
    }
  };

  const syncScroll = (): void => {
    if (mirror.current && input.current) mirror.current.scrollLeft = input.current.scrollLeft;
  };

  const change = (value: string, cursor: number): void => {
    store.getState().setFilterText(value);
    setShowHistory(false);
    void suggest(value, cursor);
  };

  const accept = (item: CompletionItem): void => {
    if (!completion) return;
    const next = applyCompletion(text, completion.from, completion.to, item);
    store.getState().setFilterText(next.text);
    setCompletion(undefined);
    requestAnimationFrame(() => {
      input.current?.setSelectionRange(next.cursor, next.cursor);
      input.current?.focus();
      syncScroll();
      if (item.label.endsWith('.') || item.kind === 'field' || item.kind === 'operator') void suggest(next.text, next.cursor);
    });
  };

  const apply = async (value = text): Promise<void> => {
    setCompletion(undefined);
    setShowHistory(false);
    store.getState().setFilterText(value);
    const error = await store.getState().applyFilter(value);
    if (error) store.setState({ filterCheck: { state: 'error', error } });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>): void => {
    const items = completion?.items ?? [];
    if (items.length > 0 && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
      e.preventDefault();
      setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length);
    } else if (items.length > 0 && e.key === 'Tab') {
      e.preventDefault();
      accept(items[active]);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      // Enter takes a completion the user moved to; otherwise it applies the filter.
      if (items.length > 0 && active > 0) accept(items[active]);
      else void apply();
    } else if (e.key === 'Escape') {
      setCompletion(undefined);
      setShowHistory(false);
    } else if (e.key === ' ' && e.ctrlKey) {
      e.preventDefault();
      void suggest(text, input.current?.selectionStart ?? text.length);
    }
  };

  const error = check.state === 'error' ? check.error : undefined;
  const state = text.trim() === '' ? 'empty' : check.state === 'error' ? 'error' : check.state === 'ok' ? 'ok' : 'empty';
  const dirty = text !== applied;
  const errStart = error ? Math.min(error.column, text.length) : 0;
  const errEnd = error ? Math.min(text.length, error.column + Math.max(1, error.length)) : 0;

  return (
    <div className="filter-row">
      <div className={`filter-bar ${state}`} data-state={state}>
        <Icon name="filter" />
        <div className="filter-field">
          <div ref={mirror} className="filter-mirror" aria-hidden="true">
            {error ? (
              <>
                <span>{text.slice(0, errStart)}</span>
                <span className="squiggle" data-testid="filter-squiggle" data-column={error.column}>{text.slice(errStart, errEnd) || ' '}</span>
                <span>{text.slice(errEnd)}</span>
              </>
            ) : text}
          </div>
          <input
            ref={input} className="filter-input" value={text} spellCheck={false} autoComplete="off"
            placeholder="Apply a display filter … (e.g. flyer.protocol == ShakeHand, tcp.stream == 3, fs.malformed)"
            aria-label="Display filter" aria-invalid={state === 'error'} data-testid="filter-input"
            onChange={(e) => change(e.target.value, e.target.selectionStart ?? e.target.value.length)}
            onKeyDown={onKeyDown} onScroll={syncScroll} onKeyUp={syncScroll}
            onBlur={() => setTimeout(() => { setCompletion(undefined); setShowHistory(false); }, 150)}
          />
          {completion ? (
            <ul className="completion" role="listbox" data-testid="completion">
              {completion.items.slice(0, 60).map((item, i) => (
                <li
                  key={`${item.label}-${i}`} role="option" aria-selected={i === active} className={i === active ? 'active' : ''}
                  onMouseDown={(e) => { e.preventDefault(); accept(item); }}
                >
                  <span className={`kind ${item.kind}`}>{item.kind[0]}</span>
                  <span className="label">{item.label}</span>
                  {item.detail ? <span className="detail">{item.detail}</span> : null}
                </li>
              ))}
            </ul>
          ) : null}
          {showHistory ? (
            <ul className="completion history" role="listbox" data-testid="filter-history">
              {history.length === 0 ? <li className="empty">No filters applied yet</li> : history.map((h) => (
                <li key={h} role="option" aria-selected={false} onMouseDown={(e) => { e.preventDefault(); void apply(h); }}>
                  <span className="label">{h}</span>
                </li>
              ))}
            </ul>
          ) : null}
        </div>
        {error ? (
          <span className="filter-error" data-testid="filter-error" title={error.message}>
            {error.message} <span className="dim">(col {error.column + 1})</span>
          </span>
        ) : null}
        {text ? (
          <button className="icon-button" title="Clear the filter" onClick={() => void apply('')}><Icon name="close" size={14} /></button>
        ) : null}
        <button className="icon-button" title="Recent filters" onMouseDown={(e) => { e.preventDefault(); setCompletion(undefined); setShowHistory((v) => !v); }}>
          <Icon name="history" size={15} />
        </button>
        <button className={`apply-button${dirty ? ' dirty' : ''}`} title="Apply (Enter)" onClick={() => void apply()} disabled={state === 'error'}>
          <Icon name="enter" size={14} /> Apply
        </button>
      </div>
      <SavedFilters onApply={(f) => void apply(f)} />
    </div>
  );
}
