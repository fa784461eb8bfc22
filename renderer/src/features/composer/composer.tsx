/**
 * The composer: a drawer on the right with a message document (Monaco, schema-driven) or raw hex, a template for
 * every message of every protocol, derived-field overrides for deliberately broken frames, a live preview (tree and
 * bytes, linked), and where it goes: a client session of ours, a new TCP connection, a live connection (inject,
 * either way, proxied or a mock's), or the held frame it edits (forward edited).
 */
import { useEffect, useMemo, useState, type ReactElement } from 'react';
import type { ConnectionSummary } from '../../../../shared/model/session';
import { parseEndpoint } from '../dialogs/proxy-dialog';
import { formatEndpoint } from '../../lib/format';
import type { ComposerTarget } from '../../stores/craft-slice';
import { useApp, useAppStore, useServices } from '../../stores/store';
import { MIN_LIST_WIDTH, SPLITTER_WIDTH } from '../../stores/ui-slice';
import { PreviewHex, PreviewTree, keyOfMember } from './byte-preview';
import { derivedFields, editorSchema, messageInfo, preview, spacedHex, templateEntries, type TemplateEntry } from './composer-model';
import { JsonEditor } from './json-editor';
import './craft.css';

export function Composer(): ReactElement | null {
  const store = useAppStore();
  const composer = useApp((s) => s.composer);
  const width = useApp((s) => s.composerWidth);
  const theme = useApp((s) => s.theme);
  const [selected, setSelected] = useState<string | undefined>();

  const draft = composer?.draft;
  const info = draft ? messageInfo(draft.protocol, draft.message) : undefined;
  const schema = useMemo(() => (info ? editorSchema(info.schema) : undefined), [info]);
  const derived = useMemo(() => derivedFields(info?.schema), [info]);
  const result = useMemo(() => (draft ? preview(draft) : undefined), [draft]);
  const tree = result?.frame?.tree;

  if (!composer || !draft) return null;
  const s = store.getState;
  const held = composer.target.kind === 'held' ? composer.target.id : undefined;

  return (
    <aside className="composer" aria-label="Composer" data-testid="composer" style={width !== undefined ? { flexBasis: width, maxWidth: `calc(100% - ${MIN_LIST_WIDTH + SPLITTER_WIDTH}px)` } : undefined}>
      <div className="composer-title">
        <span>Composer{composer.origin ? <span className="dim"> — {composer.origin}</span> : null}</span>
        <button className="icon-button" title="Close the composer" onClick={() => s().closeComposer()} data-testid="composer-close">×</button>
      </div>
      <div className="composer-row">
        <TemplatePicker value={`${draft.protocol}/${draft.message}`} onPick={(e) => { setSelected(undefined); void s().pickTemplate(e.protocol, e.message); }} />
        <select
          aria-label="Direction" value={draft.direction} data-testid="composer-direction"
          onChange={(e) => s().updateDraft({ direction: e.target.value as 'c2s' | 's2c' })}
        >
          <option value="c2s">client → server</option>
          <option value="s2c">server → client</option>
        </select>
        <div className="segmented" role="group" aria-label="Mode">
          <button className={draft.mode === 'json' ? 'on' : ''} onClick={() => s().updateDraft({ mode: 'json' })} data-testid="mode-json">JSON</button>
          <button
            className={draft.mode === 'hex' ? 'on' : ''} data-testid="mode-hex"
            onClick={() => s().updateDraft({ mode: 'hex', hex: draft.hex || spacedHex(result?.hex ?? '') })}
          >Hex</button>
        </div>
      </div>
      {info?.description ? <div className="composer-help dim">{info.description}</div> : null}
      <div className="composer-editor">
        {draft.mode === 'json' ? (
          <JsonEditor
            path={`${draft.protocol}/${draft.message}/${draft.direction}`} value={draft.text} schema={schema} theme={theme}
            onChange={(text) => s().updateDraft({ text })}
            onCursorKey={(key) => { if (key && tree) { const k = keyOfMember(tree, key); if (k) setSelected(k); } }}
          />
        ) : (
          <textarea
            className="hex-input" spellCheck={false} value={draft.hex} data-testid="composer-hex-input" aria-label="Raw hex"
            onChange={(e) => s().updateDraft({ hex: e.target.value })} placeholder="00 01 02 … (sent exactly as written)"
          />
        )}
      </div>
      {draft.mode === 'json' && derived.length > 0 ? (
        <div className="overrides" data-testid="composer-overrides">
          <span className="dim" title="Computed by the encoder unless set here: set one to send a deliberately wrong value">Computed:</span>
          {derived.map((f) => {
            const on = draft.overrides[f.name] !== undefined;
            return (
              <label key={f.name} className={`override${on ? ' on' : ''}`} title={f.description}>
                <input
                  type="checkbox" checked={on} data-testid={`override-${f.name}`}
                  onChange={(e) => {
                    const overrides = { ...draft.overrides };
                    if (e.target.checked) overrides[f.name] = '0'; else delete overrides[f.name];
                    s().updateDraft({ overrides });
                  }}
                />
                {f.name}
                {on ? (
                  <input
                    className="override-value" value={draft.overrides[f.name]} aria-label={`${f.name} override`}
                    onChange={(e) => s().updateDraft({ overrides: { ...draft.overrides, [f.name]: e.target.value } })}
                  />
                ) : <span className="dim">auto</span>}
              </label>
            );
          })}
        </div>
      ) : null}
      <div className="composer-preview">
        <div className="preview-head">
          <span>Preview</span>
          {result?.ok && result.bytes.length ? <span className="dim" data-testid="composer-length">{result.bytes.length} bytes{result.frame ? ` · ${result.frame.summary}` : ''}</span> : null}
          {result?.frame?.malformed ? <span className="badge error">malformed</span> : null}
        </div>
        {!result?.ok ? <div className="composer-error" data-testid="composer-error">{result?.error}</div>
          : result.variables ? <div className="dim preview-note">The document holds {'{{variables}}'}: they are filled in when it is sent.</div> : (
            <div className="preview-panes">
              {tree ? <PreviewTree tree={tree} selected={selected} onSelect={setSelected} /> : <div className="preview-tree dim">No decoder for these bytes.</div>}
              <PreviewHex bytes={result.bytes} tree={tree} selected={selected} onSelect={setSelected} />
            </div>
          )}
      </div>
      <TargetPicker target={composer.target} protocol={draft.protocol} />
      <div className="composer-actions">
        {composer.last ? (
          <span className="dim composer-last" data-testid="composer-last">
            {held !== undefined ? `Forwarded #${held}` : `Sent ${composer.last.length} bytes`}
            {composer.last.frames.length ? ` → frame ${composer.last.frames.join(', ')}` : composer.last.queued ? ' (queued for the next frame boundary)' : ''}
          </span>
        ) : <span />}
        {held !== undefined ? (
          <>
            <button className="small-button" onClick={() => void s().forwardHeld(held).then(() => s().closeComposer())}>Forward original</button>
            <button className="small-button danger" onClick={() => void s().dropHeld(held).then(() => s().closeComposer())}>Drop</button>
          </>
        ) : null}
        <button
          className="primary-button" data-testid="composer-send" disabled={composer.sending || !result?.ok}
          onClick={() => void s().sendComposer().then((r) => { if (r && held !== undefined) s().closeComposer(); })}
        >{held !== undefined ? 'Forward edited' : 'Send'}</button>
      </div>
    </aside>
  );
}

function TemplatePicker({ value, onPick }: { value: string; onPick(e: TemplateEntry): void }): ReactElement {
  const entries = useMemo(() => templateEntries(), []);
  const groups = useMemo(() => {
    const m = new Map<string, TemplateEntry[]>();
    for (const e of entries) m.set(e.protocolName, [...(m.get(e.protocolName) ?? []), e]);
    return [...m];
  }, [entries]);
  const arrow = (d: string) => (d === 'c2s' ? '→' : d === 's2c' ? '←' : '↔');
  return (
    <select
      aria-label="Template" className="template-picker" value={value} data-testid="composer-template"
      onChange={(e) => { const hit = entries.find((x) => `${x.protocol}/${x.message}` === e.target.value); if (hit) onPick(hit); }}
    >
      {groups.map(([name, list]) => (
        <optgroup key={name} label={name}>
          {list.map((e) => <option key={`${e.protocol}/${e.message}`} value={`${e.protocol}/${e.message}`}>{e.protocol} {arrow(e.direction)} {e.message}</option>)}
        </optgroup>
      ))}
    </select>
  );
}

function TargetPicker({ target, protocol }: { target: ComposerTarget; protocol: string }): ReactElement {
  const store = useAppStore();
  const { api } = useServices();
  const sessions = useApp((s) => s.craftSessions);
  const connectionCount = useApp((s) => s.connections);
  const [conns, setConns] = useState<ConnectionSummary[]>([]);
  const [endpoint, setEndpoint] = useState(target.kind === 'connect' && target.port ? `${target.host}:${target.port}` : '');
  const s = store.getState;

  useEffect(() => {
    if (target.kind !== 'inject') return;
    let live = true;
    void api.call('connections.list', {}).then((list) => { if (live) setConns(list.filter((c) => c.state === 'open' || c.state === 'half-closed')); }, () => undefined);
    return () => { live = false; };
  }, [api, target.kind, connectionCount]);

  const kind = target.kind;
  const openSessions = sessions.filter((x) => x.state === 'open');
  const change = (k: string): void => {
    if (k === 'connect') s().setComposerTarget({ kind: 'connect', host: '127.0.0.1', port: 0 });
    else if (k === 'session' && openSessions[0]) s().setComposerTarget({ kind: 'session', id: openSessions[0].id });
    else if (k === 'inject') s().setComposerTarget({ kind: 'inject', connection: -1, direction: 'c2s' });
  };

  return (
    <div className="composer-target" data-testid="composer-target">
      <span className="dim">Send to</span>
      {kind === 'held' ? <span className="held-target">held frame #{target.id} (forwarded with this document)</span> : (
        <select aria-label="Target" value={kind} onChange={(e) => change(e.target.value)} data-testid="target-kind">
          <option value="connect">a new TCP connection</option>
          <option value="session" disabled={openSessions.length === 0}>an open client session</option>
          <option value="inject">a live connection (inject)</option>
        </select>
      )}
      {target.kind === 'connect' ? (
        <input
          aria-label="host:port" placeholder="host:port" value={endpoint} data-testid="target-endpoint" className="endpoint-input"
          onChange={(e) => {
            setEndpoint(e.target.value);
            const ep = parseEndpoint(e.target.value);
            s().setComposerTarget({ kind: 'connect', host: ep?.host ?? '', port: ep?.port ?? 0 });
          }}
        />
      ) : null}
      {target.kind === 'session' ? (
        <>
          <select aria-label="Client session" value={target.id} onChange={(e) => s().setComposerTarget({ kind: 'session', id: e.target.value })} data-testid="target-session">
            {openSessions.map((x) => <option key={x.id} value={x.id}>#{x.connection} {x.host}:{x.port} {x.protocol} (sent {x.sent}, got {x.received})</option>)}
          </select>
          <button className="small-button" onClick={() => void s().closeCraft(target.id).then(() => s().setComposerTarget({ kind: 'connect', host: '127.0.0.1', port: 0 }))}>Close</button>
        </>
      ) : null}
      {target.kind === 'inject' ? (
        <>
          <select
            aria-label="Connection" value={target.connection} data-testid="target-connection"
            onChange={(e) => s().setComposerTarget({ ...target, connection: Number(e.target.value) })}
          >
            <option value={-1} disabled>choose a connection…</option>
            {conns.some((c) => c.id === target.connection) || target.connection < 0 ? null : <option value={target.connection}>#{target.connection}</option>}
            {conns.map((c) => (
              <option key={c.id} value={c.id}>#{c.id} {c.source} {formatEndpoint(c.client)} → {formatEndpoint(c.server)} {c.protocol ?? ''}{c.protocol && c.protocol !== protocol ? ' (other protocol)' : ''}</option>
            ))}
          </select>
          <select
            aria-label="Inject direction" value={target.direction} data-testid="target-direction"
            onChange={(e) => s().setComposerTarget({ ...target, direction: e.target.value as 'c2s' | 's2c' })}
          >
            <option value="c2s">towards the server</option>
            <option value="s2c">towards the client</option>
          </select>
        </>
      ) : null}
    </div>
  );
}
