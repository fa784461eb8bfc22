/**
 * Intercept: per proxy listener, rules (display filter + direction) and the hold timeout; the queue of held frames,
 * each editable in the composer, then forwarded (as it was or edited) or dropped, or all released at once. Frames
 * decided on stay listed (greyed) with what happened to them: `modified` ones were forwarded edited.
 */
import { useEffect, useState, type ReactElement } from 'react';
import type { InterceptRule } from '../../../../shared/api/contract';
import { formatEndpoint } from '../../lib/format';
import { useApp, useAppStore } from '../../stores/store';
import '../composer/craft.css';

/** The proxy listener the panels work on (one choice for intercept, mocks and chaos; the first one by default). */
export function useCraftListener(): string | undefined {
  const proxies = useApp((s) => s.proxies);
  const chosen = useApp((s) => s.craftListener);
  return proxies.some((p) => p.id === chosen) ? chosen : proxies[0]?.id;
}

export function ListenerPicker({ testId }: { testId: string }): ReactElement {
  const store = useAppStore();
  const proxies = useApp((s) => s.proxies);
  const value = useCraftListener();
  return (
    <select aria-label="Proxy listener" value={value ?? ''} onChange={(e) => store.getState().setCraftListener(e.target.value)} data-testid={testId}>
      {proxies.length === 0 ? <option value="">no proxy listener</option> : null}
      {proxies.map((p) => (
        <option key={p.id} value={p.id}>{formatEndpoint({ host: p.host ?? '127.0.0.1', port: p.boundPort })} → {formatEndpoint(p.upstream)} ({p.protocol})</option>
      ))}
    </select>
  );
}

function heldFor(iso: string): string {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min`;
}

export function InterceptPanel(): ReactElement {
  const store = useAppStore();
  const held = useApp((s) => s.held);
  const decided = useApp((s) => s.decided);
  const settings = useApp((s) => s.intercept);
  const listenerId = useCraftListener();
  const [rules, setRules] = useState<InterceptRule[]>([]);
  const [timeout, setTimeoutSeconds] = useState('60');
  const [action, setAction] = useState<'forward' | 'drop'>('forward');
  const [dirty, setDirty] = useState(false);
  const [, tick] = useState(0);
  const s = store.getState;

  useEffect(() => { if (listenerId) void s().loadIntercept(listenerId); }, [listenerId, s]);
  const current = listenerId ? settings[listenerId] : undefined;
  useEffect(() => {
    if (!current || dirty) return;
    setRules(current.rules);
    setTimeoutSeconds(String(current.holdTimeoutSeconds));
    setAction(current.timeoutAction);
  }, [current, dirty]);
  // Held-for times move on.
  useEffect(() => {
    if (held.length === 0) return;
    const t = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, [held.length]);

  const edit = (i: number, patch: Partial<InterceptRule>): void => { setRules(rules.map((r, j) => (j === i ? { ...r, ...patch } : r))); setDirty(true); };
  const apply = async (): Promise<void> => {
    if (!listenerId) return;
    const t = Number(timeout);
    const ok = await s().setInterceptRules(listenerId, rules.filter((r) => r.filter.trim() !== ''), Number.isFinite(t) && t >= 0 ? t : 60, action);
    if (ok) setDirty(false);
  };
  const enabled = current?.rules.filter((r) => r.enabled !== false).length ?? 0;

  return (
    <div className="craft-panel" data-testid="intercept-panel">
      <div className="craft-col side">
        <h3>Intercept rules {enabled > 0 ? <span className="state-tag held">on</span> : <span className="state-tag">off</span>}</h3>
        <div className="craft-line"><ListenerPicker testId="intercept-listener" /></div>
        {rules.map((r, i) => (
          <div className="craft-line" key={i} data-testid="intercept-rule">
            <input type="checkbox" checked={r.enabled !== false} onChange={(e) => edit(i, { enabled: e.target.checked })} title="Enabled" aria-label="Enabled" />
            <input className="filter-text" value={r.filter} placeholder="display filter, e.g. hodor" onChange={(e) => edit(i, { filter: e.target.value })} aria-label="Rule filter" />
            <select value={r.direction} onChange={(e) => edit(i, { direction: e.target.value as InterceptRule['direction'] })} aria-label="Rule direction">
              <option value="c2s" title="client → server">c2s</option>
              <option value="s2c" title="server → client">s2c</option>
              <option value="both">both</option>
            </select>
            <button className="icon-button" title="Remove the rule" onClick={() => { setRules(rules.filter((_, j) => j !== i)); setDirty(true); }}>×</button>
          </div>
        ))}
        <div className="craft-line">
          <button className="small-button" data-testid="intercept-add-rule" onClick={() => { setRules([...rules, { filter: '', direction: 'c2s', enabled: true }]); setDirty(true); }}>+ Rule</button>
          <label>Hold timeout <input type="number" min={0} value={timeout} onChange={(e) => { setTimeoutSeconds(e.target.value); setDirty(true); }} aria-label="Hold timeout (s)" /> s</label>
          <select value={action} onChange={(e) => { setAction(e.target.value as 'forward' | 'drop'); setDirty(true); }} aria-label="On timeout">
            <option value="forward">then forward</option>
            <option value="drop">then drop</option>
          </select>
        </div>
        <div className="craft-line">
          <button className="primary-button" disabled={!listenerId} onClick={() => void apply()} data-testid="intercept-apply">{dirty ? 'Apply rules' : 'Rules applied'}</button>
          <span className="panel-note">0 s = hold forever. Without an enabled rule the connection is a plain byte pipe.</span>
        </div>
      </div>
      <div className="craft-col grow">
        <h3>
          Held frames <span className="tab-count" data-testid="held-count">{held.length}</span>
          <span className="spacer" />
          <button className="small-button" disabled={held.length === 0} onClick={() => void s().releaseAll('forward')} data-testid="release-all">Forward all</button>
          <button className="small-button danger" disabled={held.length === 0} onClick={() => void s().releaseAll('drop')}>Drop all</button>
        </h3>
        {held.length === 0 && decided.length === 0 ? <div className="panel-note">Frames matching an enabled rule wait here; later frames of the same direction queue behind them.</div> : (
          <table className="mini-table held-table" data-testid="held-table">
            <thead><tr><th>#</th><th>Conn</th><th>Dir</th><th>Message</th><th>Summary</th><th>State</th><th>Held</th><th /></tr></thead>
            <tbody>
              {held.map((h) => (
                <tr key={h.id} data-held={h.id}>
                  <td className="num">{h.id}</td>
                  <td className="num">{h.connection}</td>
                  <td>{h.direction === 'c2s' ? '→' : '←'}</td>
                  <td title={`${h.protocol} ${h.message}`}>{h.protocol} {h.message}</td>
                  <td className="mono" title={h.summary}>{h.summary}</td>
                  <td><span className="state-tag held">held</span></td>
                  <td className="num">{heldFor(h.heldAt)}</td>
                  <td>
                    <button className="small-button" onClick={() => void s().editHeld(h.id)} data-testid="held-edit">Edit…</button>{' '}
                    <button className="small-button" onClick={() => void s().forwardHeld(h.id)} data-testid="held-forward">Forward</button>{' '}
                    <button className="small-button danger" onClick={() => void s().dropHeld(h.id)} data-testid="held-drop">Drop</button>
                  </td>
                </tr>
              ))}
              {decided.slice(0, 20).map((h) => (
                <tr key={`d${h.id}`} className="decided" data-decided={h.id}>
                  <td className="num">{h.id}</td>
                  <td className="num">{h.connection}</td>
                  <td>{h.direction === 'c2s' ? '→' : '←'}</td>
                  <td title={`${h.protocol} ${h.message}`}>{h.protocol} {h.message}</td>
                  <td className="mono" title={h.summary}>{h.summary}</td>
                  <td><span className={`state-tag ${h.state}`}>{h.state === 'held' ? 'decided' : h.state}</span></td>
                  <td />
                  <td />
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}
