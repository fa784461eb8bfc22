/**
 * Chaos per proxy listener (粘包/拆包 tests): split every frame into pieces of N bytes, coalesce N frames into one
 * write, delay between writes; one direction or both. Applies to the listener's open connections at once.
 */
import { useEffect, useState, type ReactElement } from 'react';
import type { ChaosSettings } from '../../../../shared/api/contract';
import { useApp, useAppStore } from '../../stores/store';
import { ListenerPicker, useCraftListener } from '../intercept/intercept-panel';
import '../composer/craft.css';

/** The form's text fields → settings (blank = off); an error names the field. */
export function chaosFromForm(form: { direction: ChaosSettings['direction']; splitBytes: string; coalesce: string; delayMs: string; coalesceWaitMs: string }): ChaosSettings | string {
  const out: ChaosSettings = { direction: form.direction };
  for (const key of ['splitBytes', 'coalesce', 'delayMs', 'coalesceWaitMs'] as const) {
    const t = form[key].trim();
    if (t === '') continue;
    const n = Number(t);
    if (!Number.isInteger(n) || n < 0) return `${key}: a whole number ≥ 0`;
    if (n > 0 || key === 'delayMs') out[key] = n;
  }
  return out;
}

export function ChaosPanel(): ReactElement {
  const store = useAppStore();
  const chaos = useApp((s) => s.chaos);
  const listenerId = useCraftListener();
  const [direction, setDirection] = useState<ChaosSettings['direction']>('both');
  const [splitBytes, setSplit] = useState('');
  const [coalesce, setCoalesce] = useState('');
  const [delayMs, setDelay] = useState('');
  const [coalesceWaitMs, setWait] = useState('');
  const [error, setError] = useState<string | undefined>();
  const s = store.getState;
  const current = listenerId ? chaos[listenerId] : undefined;

  useEffect(() => { if (listenerId) void s().loadChaos(listenerId); }, [listenerId, s]);
  useEffect(() => {
    if (!current) { setSplit(''); setCoalesce(''); setDelay(''); setWait(''); return; }
    setDirection(current.direction);
    setSplit(current.splitBytes ? String(current.splitBytes) : '');
    setCoalesce(current.coalesce ? String(current.coalesce) : '');
    setDelay(current.delayMs !== undefined ? String(current.delayMs) : '');
    setWait(current.coalesceWaitMs ? String(current.coalesceWaitMs) : '');
  }, [current]);

  const apply = async (): Promise<void> => {
    if (!listenerId) return;
    const settings = chaosFromForm({ direction, splitBytes, coalesce, delayMs, coalesceWaitMs });
    if (typeof settings === 'string') { setError(settings); return; }
    setError(undefined);
    await s().setChaos(listenerId, settings);
  };

  return (
    <div className="craft-panel" data-testid="chaos-panel">
      <div className="craft-col grow">
        <h3>Chaos {current ? <span className="state-tag held" data-testid="chaos-state">on</span> : <span className="state-tag" data-testid="chaos-state">off</span>}</h3>
        <div className="craft-line"><ListenerPicker testId="chaos-listener" /></div>
        <div className="craft-line">
          <label>Direction
            <select value={direction} onChange={(e) => setDirection(e.target.value as ChaosSettings['direction'])} aria-label="Chaos direction">
              <option value="both">both</option>
              <option value="c2s">towards the server</option>
              <option value="s2c">towards the client</option>
            </select>
          </label>
          <label title="Write each frame (or coalesced group) in pieces of at most N bytes">Split into <input type="number" min={0} value={splitBytes} onChange={(e) => setSplit(e.target.value)} aria-label="Split bytes" data-testid="chaos-split" /> bytes</label>
          <label title="Write N frames as one write">Coalesce <input type="number" min={0} value={coalesce} onChange={(e) => setCoalesce(e.target.value)} aria-label="Coalesce" data-testid="chaos-coalesce" /> frames</label>
          <label title="Pause after each write (≥ 1 for the peer to see separate reads)">Delay <input type="number" min={0} value={delayMs} onChange={(e) => setDelay(e.target.value)} aria-label="Delay" data-testid="chaos-delay" /> ms</label>
          <label title="How long coalescing waits for more frames (default 50)">Wait <input type="number" min={0} value={coalesceWaitMs} onChange={(e) => setWait(e.target.value)} aria-label="Coalesce wait" /> ms</label>
        </div>
        <div className="craft-line">
          <button className="primary-button" disabled={!listenerId} onClick={() => void apply()} data-testid="chaos-apply">Apply</button>
          <button className="small-button" disabled={!listenerId || !current} onClick={() => void (listenerId && s().setChaos(listenerId, null))} data-testid="chaos-clear">Turn off</button>
          {error ? <span className="form-error">{error}</span> : null}
        </div>
        <div className="panel-note">
          Re-segments the proxied byte stream so peers see split and merged packets; no byte is lost or reordered, and the
          session still records every frame whole. Applies to open connections at once; turning it off flushes what it delays.
        </div>
      </div>
    </div>
  );
}
