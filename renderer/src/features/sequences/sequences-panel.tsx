/**
 * Sequences: a `framescope-sequence` document (steps with delays, repeat N, {{variables}} — see
 * electron/engine/craft/README.md), its steps listed, the composer's message added as a step, where it runs (a new
 * connection, an open client session, or injected into a live connection), run/stop with progress, save (a download)
 * and load (a file input) — what works in a browser as in the desktop app.
 */
import { useMemo, useRef, useState, type ReactElement } from 'react';
import type { SequenceTarget } from '../../../../shared/api/contract';
import { parseEndpoint } from '../dialogs/proxy-dialog';
import { useApp, useAppStore } from '../../stores/store';
import {
  emptySequence, formatSequence, parseSequence, runProgress, sequenceFileName, stepFromDraft, withoutStep, withStep,
} from './sequence-model';
import '../composer/craft.css';

export function SequencesPanel(): ReactElement {
  const store = useAppStore();
  const runs = useApp((s) => s.runs);
  const sessions = useApp((s) => s.craftSessions);
  const composerOpen = useApp((s) => s.composer !== undefined);
  const [text, setText] = useState(() => formatSequence(emptySequence('tt')));
  const [targetKind, setTargetKind] = useState<'connect' | 'session' | 'inject'>('connect');
  const [endpoint, setEndpoint] = useState('');
  const [sessionId, setSessionId] = useState('');
  const [connection, setConnection] = useState('');
  const [direction, setDirection] = useState<'c2s' | 's2c'>('c2s');
  const [error, setError] = useState<string | undefined>();
  const fileInput = useRef<HTMLInputElement>(null);
  const s = store.getState;

  const parsed = useMemo(() => parseSequence(text), [text]);
  const seq = parsed.ok ? parsed.sequence : undefined;
  const openSessions = sessions.filter((x) => x.state === 'open');
  const active = runs.find((r) => r.state === 'running');

  const update = (f: (q: NonNullable<typeof seq>) => NonNullable<typeof seq>): void => { if (seq) setText(formatSequence(f(seq))); };

  const target = (): SequenceTarget | string => {
    if (targetKind === 'connect') {
      const ep = parseEndpoint(endpoint);
      return ep && ep.port > 0 ? { connect: ep } : 'Target: write the server as host:port';
    }
    if (targetKind === 'session') return sessionId || openSessions[0]?.id ? { session: sessionId || openSessions[0].id } : 'Target: no open client session';
    const c = Number(connection);
    return connection !== '' && Number.isInteger(c) ? { connection: c, direction } : 'Target: the connection number (tcp.stream)';
  };

  const run = async (): Promise<void> => {
    if (!seq) { setError(parsed.ok ? undefined : parsed.error); return; }
    const t = target();
    if (typeof t === 'string') { setError(t); return; }
    setError(undefined);
    await s().runSequence(seq, t);
  };

  const save = (): void => {
    if (!seq) return;
    const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = sequenceFileName(seq);
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  const load = async (file: File): Promise<void> => {
    const t = await file.text();
    const p = parseSequence(t);
    if (!p.ok) { setError(`${file.name}: ${p.error}`); return; }
    setText(formatSequence(p.sequence));
    setError(undefined);
  };

  const addFromComposer = (): void => {
    const c = s().composer;
    if (!c || !seq) return;
    try {
      update((q) => withStep({ ...q, protocol: q.steps.length === 0 ? c.draft.protocol : q.protocol }, stepFromDraft(c.draft, true)));
    } catch (e) { setError(`Composer: ${(e as Error).message}`); }
  };

  return (
    <div className="craft-panel" data-testid="sequences-panel">
      <div className="craft-col side">
        <h3>Sequence <span className="spacer" />
          <button className="small-button" onClick={() => fileInput.current?.click()} data-testid="sequence-load">Load…</button>
          <button className="small-button" onClick={save} disabled={!seq} data-testid="sequence-save">Save</button>
          <input ref={fileInput} type="file" accept=".json,application/json" hidden data-testid="sequence-file" onChange={(e) => { const f = e.target.files?.[0]; if (f) void load(f); e.target.value = ''; }} />
        </h3>
        <div className="craft-line">
          <label>Repeat <input type="number" min={1} value={seq?.repeat ?? 1} disabled={!seq} onChange={(e) => update((q) => ({ ...q, repeat: Math.max(1, Number(e.target.value) || 1) }))} aria-label="Repeat" /></label>
          <label>Delay <input type="number" min={0} value={seq?.delayMs ?? 0} disabled={!seq} onChange={(e) => update((q) => ({ ...q, delayMs: Math.max(0, Number(e.target.value) || 0) }))} aria-label="Delay (ms)" /> ms</label>
          <button className="small-button" disabled={!composerOpen || !seq} onClick={addFromComposer} title="Add the composer's message as the next step (waiting for its reply)">+ Composer message</button>
        </div>
        <textarea value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} aria-label="Sequence document" data-testid="sequence-text" />
        {!parsed.ok ? <div className="form-error">{parsed.error}</div> : null}
        <div className="panel-note">Variables: {'{{seq}} {{now}} {{random}} {{uuid}} {{reply.<step>.value.<path>}} {{last.…}}'}</div>
      </div>
      <div className="craft-col grow">
        <div className="craft-line">
          <span className="dim">Run on</span>
          <select value={targetKind} onChange={(e) => setTargetKind(e.target.value as typeof targetKind)} aria-label="Run target" data-testid="sequence-target">
            <option value="connect">a new TCP connection</option>
            <option value="session" disabled={openSessions.length === 0}>an open client session</option>
            <option value="inject">a live connection (inject)</option>
          </select>
          {targetKind === 'connect' ? <input className="endpoint-input" placeholder="host:port" value={endpoint} onChange={(e) => setEndpoint(e.target.value)} aria-label="Server" data-testid="sequence-endpoint" /> : null}
          {targetKind === 'session' ? (
            <select value={sessionId || openSessions[0]?.id || ''} onChange={(e) => setSessionId(e.target.value)} aria-label="Client session">
              {openSessions.map((x) => <option key={x.id} value={x.id}>#{x.connection} {x.host}:{x.port} {x.protocol}</option>)}
            </select>
          ) : null}
          {targetKind === 'inject' ? (
            <>
              <input type="number" placeholder="tcp.stream" value={connection} onChange={(e) => setConnection(e.target.value)} aria-label="Connection" />
              <select value={direction} onChange={(e) => setDirection(e.target.value as 'c2s' | 's2c')} aria-label="Direction">
                <option value="c2s">towards the server</option>
                <option value="s2c">towards the client</option>
              </select>
            </>
          ) : null}
          <span className="spacer" />
          {active ? <button className="small-button danger" onClick={() => void s().stopSequence(active.runId)} data-testid="sequence-stop">Stop</button> : null}
          <button className="primary-button" disabled={!seq || seq.steps.length === 0} onClick={() => void run()} data-testid="sequence-run">Run</button>
        </div>
        {error ? <div className="form-error">{error}</div> : null}
        {runs.length > 0 ? (
          <table className="mini-table" data-testid="sequence-runs">
            <thead><tr><th>Run</th><th>State</th><th>Progress</th><th className="num">Sent</th><th className="num">Replies</th><th>Error</th></tr></thead>
            <tbody>
              {runs.slice(0, 3).map((r) => (
                <tr key={r.runId} data-run={r.runId}>
                  <td>{r.name ?? r.runId}</td>
                  <td><span className={`state-tag ${r.state}`} data-testid="run-state">{r.state}</span></td>
                  <td><div className="craft-line"><div className="progress"><div style={{ width: `${Math.round(runProgress(r) * 100)}%` }} /></div><span className="dim">{r.iteration + 1}/{r.repeat} · step {Math.min(r.step + 1, r.steps)}/{r.steps}</span></div></td>
                  <td className="num">{r.sent}</td>
                  <td className="num">{r.replies}</td>
                  <td title={r.error}>{r.error ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        <h3>Steps <span className="tab-count">{seq?.steps.length ?? 0}</span></h3>
        {seq && seq.steps.length > 0 ? (
          <table className="mini-table" data-testid="sequence-steps">
            <thead><tr><th>#</th><th>Name</th><th>Message</th><th className="num">Delay</th><th>Waits for</th><th /></tr></thead>
            <tbody>
              {seq.steps.map((st, i) => (
                <tr key={i} className={active && active.step === i ? 'current' : ''}>
                  <td className="num">{i}</td>
                  <td>{st.name ?? ''}</td>
                  <td>{st.message ?? `raw, ${Math.floor((st.hex?.replace(/[\s:]/g, "").length ?? 0) / 2)} bytes`}</td>
                  <td className="num">{st.delayMs ?? seq.delayMs ?? 0} ms</td>
                  <td>{st.waitReply ? 'reply' : st.expect ? [st.expect].flat().join(' | ') : ''}</td>
                  <td><button className="icon-button" title="Remove the step" onClick={() => update((q) => withoutStep(q, i))}>×</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : <div className="panel-note">No steps yet: add the composer's message, or write them in the document.</div>}
      </div>
    </div>
  );
}
