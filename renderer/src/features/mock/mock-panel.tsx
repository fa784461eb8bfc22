/**
 * Mock responders: the running ones (remove), a form for a new one (its own listener, or rules on a proxy listener),
 * rules as a `framescope-mock` JSON document built with a rule builder (request → reply with copy-from-request
 * members) or loaded from a file, and the requests no rule answered — each answerable by hand in the composer.
 */
import { useMemo, useRef, useState, type ReactElement } from 'react';
import type { MockRule, MockSpec } from '../../../../shared/api/contract';
import { parseEndpoint } from '../dialogs/proxy-dialog';
import { formatEndpoint } from '../../lib/format';
import { useApp, useAppStore } from '../../stores/store';
import { ListenerPicker, useCraftListener } from '../intercept/intercept-panel';
import { buildRule, copyableMembers, defaultRules, replyMessages, requestMessages } from './mock-rules-builder';
import '../composer/craft.css';

const rulesText = (protocol: string, rules: MockRule[]): string => JSON.stringify({ format: 'framescope-mock', protocol, rules }, null, 2);

/** The rules document as typed: `{rules: […]}` or a bare list. */
export function parseRules(text: string): { rules: MockRule[]; protocol?: string } {
  const doc = JSON.parse(text) as unknown;
  if (Array.isArray(doc)) return { rules: doc as MockRule[] };
  if (doc && typeof doc === 'object' && Array.isArray((doc as { rules?: unknown }).rules)) {
    const d = doc as { rules: MockRule[]; protocol?: string };
    return { rules: d.rules, protocol: d.protocol };
  }
  throw new Error('write {"rules": [ … ]} or a list of rules');
}

export function MockPanel(): ReactElement {
  const store = useAppStore();
  const mocks = useApp((s) => s.mocks);
  const unanswered = useApp((s) => s.unanswered);
  const protocols = useApp((s) => s.protocols);
  const [name, setName] = useState('');
  const [where, setWhere] = useState<'listen' | 'proxy'>('listen');
  const [listen, setListen] = useState('127.0.0.1:0');
  const listenerId = useCraftListener();
  const [protocol, setProtocol] = useState('flyer');
  const [text, setText] = useState(() => rulesText('flyer', defaultRules('flyer')));
  const [error, setError] = useState<string | undefined>();
  const [request, setRequest] = useState('');
  const [reply, setReply] = useState('');
  const fileInput = useRef<HTMLInputElement>(null);
  const s = store.getState;

  const requests = useMemo(() => requestMessages(protocol), [protocol]);
  const replies = useMemo(() => replyMessages(protocol), [protocol]);
  const req = request || requests[0]?.name || '';
  const rep = reply === '' ? (requests.find((r) => r.name === req)?.replies[0] ?? '') : reply === '-' ? '' : reply;
  const copy = useMemo(() => (rep ? copyableMembers(protocol, req, rep) : []), [protocol, req, rep]);

  const addRule = (): void => {
    try {
      const { rules } = parseRules(text);
      setText(rulesText(protocol, [...rules, buildRule(protocol, req, rep || undefined, copy)]));
      setError(undefined);
    } catch (e) { setError(`Rules: ${(e as Error).message}`); }
  };

  const start = async (): Promise<void> => {
    let parsed: ReturnType<typeof parseRules>;
    try { parsed = parseRules(text); } catch (e) { setError(`Rules: ${(e as Error).message}`); return; }
    const spec: MockSpec = { name: name || undefined, rules: parsed.rules };
    if (where === 'listen') {
      const ep = parseEndpoint(listen);
      if (!ep) { setError('Listen: write host:port or a port (0 picks a free one)'); return; }
      spec.listen = ep;
      spec.protocol = protocol;
    } else {
      if (!listenerId) { setError('Choose a proxy listener'); return; }
      spec.listenerId = listenerId;
    }
    setError(undefined);
    await s().addMock(spec);
  };

  const load = async (file: File): Promise<void> => {
    const t = await file.text();
    try {
      const parsed = parseRules(t);
      if (parsed.protocol) setProtocol(parsed.protocol);
      setText(t);
      setError(undefined);
    } catch (e) { setError(`${file.name}: ${(e as Error).message}`); }
  };

  return (
    <div className="craft-panel" data-testid="mock-panel">
      <div className="craft-col side">
        <h3>New mock responder</h3>
        <div className="craft-line">
          <select value={where} onChange={(e) => setWhere(e.target.value as 'listen' | 'proxy')} aria-label="Where">
            <option value="listen">its own listener (no server)</option>
            <option value="proxy">answer on a proxy listener</option>
          </select>
          {where === 'listen' ? (
            <input className="endpoint-input" value={listen} onChange={(e) => setListen(e.target.value)} aria-label="Listen on" data-testid="mock-listen" />
          ) : <ListenerPicker testId="mock-listener" />}
        </div>
        <div className="craft-line">
          <label>Protocol
            <select
              value={protocol} data-testid="mock-protocol" disabled={where === 'proxy'}
              onChange={(e) => { setProtocol(e.target.value); setRequest(''); setReply(''); setText(rulesText(e.target.value, defaultRules(e.target.value))); }}
            >
              {protocols.map((p) => <option key={p.id} value={p.id}>{p.id}</option>)}
            </select>
          </label>
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="name (optional)" aria-label="Name" />
        </div>
        <div className="craft-line" title="Adds a rule: the request message, the reply built from its template, members the request also has copied from it">
          <select value={req} onChange={(e) => { setRequest(e.target.value); setReply(''); }} aria-label="Request">
            {requests.map((r) => <option key={r.name} value={r.name}>{r.name}</option>)}
          </select>
          →
          <select value={rep || '-'} onChange={(e) => setReply(e.target.value)} aria-label="Reply">
            <option value="-">no reply (swallow)</option>
            {replies.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
          <button className="small-button" onClick={addRule} data-testid="mock-add-rule">+ Rule</button>
        </div>
        {copy.length ? <div className="panel-note">copied from the request: {copy.join(', ')}</div> : null}
        <textarea value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} aria-label="Mock rules" data-testid="mock-rules" />
        {error ? <div className="form-error">{error}</div> : null}
        <div className="craft-line">
          <button className="small-button" onClick={() => setText(rulesText(protocol, defaultRules(protocol)))}>Reset</button>
          <button className="small-button" onClick={() => fileInput.current?.click()}>Load…</button>
          <input ref={fileInput} type="file" accept=".json,application/json" hidden data-testid="mock-file" onChange={(e) => { const f = e.target.files?.[0]; if (f) void load(f); e.target.value = ''; }} />
          <span className="spacer" />
          <button className="primary-button" onClick={() => void start()} data-testid="mock-start">Start responder</button>
        </div>
      </div>
      <div className="craft-col grow">
        <h3>Mock responders <span className="tab-count">{mocks.length}</span></h3>
        {mocks.length === 0 ? <div className="panel-note">None yet. A responder answers requests by its rules; requests no rule matches are listed below.</div> : (
          <table className="mini-table" data-testid="mock-table">
            <thead><tr><th>Name</th><th>Protocol</th><th>Where</th><th>State</th><th className="num">Rules</th><th className="num">Conns</th><th className="num">Answered</th><th className="num">Unanswered</th><th /></tr></thead>
            <tbody>
              {mocks.map((m) => (
                <tr key={m.id} data-mock={m.id}>
                  <td>{m.name ?? m.id}</td>
                  <td>{m.protocol}</td>
                  <td className="mono" data-testid="mock-where">{m.listen ? formatEndpoint(m.listen) : `proxy ${m.listenerId}`}</td>
                  <td><span className={`state-tag ${m.state}`}>{m.state}</span></td>
                  <td className="num">{m.rules.length}</td>
                  <td className="num">{m.connections}</td>
                  <td className="num" data-testid="mock-answered">{m.answered}</td>
                  <td className="num">{m.unanswered}</td>
                  <td><button className="small-button danger" onClick={() => void s().removeMock(m.id)}>Remove</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <h3>Unanswered requests <span className="tab-count" data-testid="unanswered-count">{unanswered.length}</span><span className="spacer" />
          <button className="small-button" disabled={unanswered.length === 0} onClick={() => s().clearUnanswered()}>Clear</button>
        </h3>
        {unanswered.length === 0 ? <div className="panel-note">Every request so far had a rule.</div> : (
          <table className="mini-table" data-testid="unanswered-table">
            <thead><tr><th>Frame</th><th>Conn</th><th>Message</th><th>Summary</th><th /></tr></thead>
            <tbody>
              {[...unanswered].reverse().slice(0, 100).map((u, i) => (
                <tr key={`${u.mockId}-${u.frame ?? i}-${i}`}>
                  <td className="num">{u.frame ?? ''}</td>
                  <td className="num">{u.connection}</td>
                  <td>{u.message}</td>
                  <td className="mono" title={u.summary}>{u.summary}</td>
                  <td>
                    <button
                      className="small-button" title="Write a reply by hand into this connection"
                      onClick={() => void (async () => {
                        const m = mocks.find((x) => x.id === u.mockId);
                        const reqInfo = requestMessages(m?.protocol ?? protocol).find((r) => r.name === u.message);
                        const replyName = reqInfo?.replies[0];
                        if (replyName) await s().pickTemplate(m?.protocol ?? protocol, replyName); else await s().openComposer();
                        s().setComposerTarget({ kind: 'inject', connection: u.connection, direction: 's2c' });
                      })()}
                    >Answer…</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}
