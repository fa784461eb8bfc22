/** Proxy listeners: the running ones (with Stop) and a form for a new one (listen, upstream, protocol). */
import { useState, type FormEvent, type ReactElement } from 'react';
import { formatEndpoint } from '../../lib/format';
import { useApp, useAppStore } from '../../stores/store';
import { Dialog } from './dialog';

/** `host:port`, `[v6]:port` or a bare port (host defaults to 127.0.0.1). */
export function parseEndpoint(text: string, defaultHost = '127.0.0.1'): { host: string; port: number } | undefined {
  const t = text.trim();
  const m = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d+)$/.exec(t) ?? (/^(\d+)$/.test(t) ? [t, undefined, defaultHost, t] : null);
  if (!m) return undefined;
  const port = Number(m[3]);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return undefined;
  return { host: m[1] ?? m[2] ?? defaultHost, port };
}

export function ProxyDialog(): ReactElement {
  const store = useAppStore();
  const proxies = useApp((s) => s.proxies);
  const protocols = useApp((s) => s.protocols);
  const [listen, setListen] = useState('127.0.0.1:0');
  const [upstream, setUpstream] = useState('');
  const [protocol, setProtocol] = useState('auto');
  const [error, setError] = useState<string | undefined>();
  const close = () => store.getState().closeDialog();

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const l = parseEndpoint(listen);
    const u = parseEndpoint(upstream, '');
    if (!l) { setError('Listen: write host:port or a port (0 picks a free one)'); return; }
    if (!u || !u.host || u.port === 0) { setError('Upstream: write the real server as host:port'); return; }
    setError(undefined);
    const info = await store.getState().addProxy({ host: l.host, port: l.port, upstream: u, protocol });
    if (info) close();
  };

  const suggestedPort = protocols.find((p) => p.id === protocol)?.ports[0];

  return (
    <Dialog title="Proxy listeners" onClose={close}>
      {proxies.length > 0 ? (
        <table className="mini-table">
          <thead><tr><th>Listening on</th><th>Upstream</th><th>Protocol</th><th>Conns</th><th /></tr></thead>
          <tbody>
            {proxies.map((p) => (
              <tr key={p.id}>
                <td className="mono">{formatEndpoint({ host: p.host ?? '127.0.0.1', port: p.boundPort })}</td>
                <td className="mono">{formatEndpoint(p.upstream)}</td>
                <td>{p.protocol}</td>
                <td className="num">{p.connections}</td>
                <td><button className="small-button" onClick={() => void store.getState().removeProxy(p.id)}>Stop</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : <p className="dim">No listener yet. Clients connect to the listen address; Framescope forwards to the upstream and records both directions.</p>}
      <form className="form" onSubmit={(e) => void submit(e)} data-testid="proxy-form">
        <label>Listen on<input name="listen" value={listen} onChange={(e) => setListen(e.target.value)} placeholder="127.0.0.1:8080" /></label>
        <label>Upstream server<input name="upstream" value={upstream} onChange={(e) => setUpstream(e.target.value)} placeholder={`host:${suggestedPort ?? 'port'}`} autoFocus /></label>
        <label>Protocol
          <select name="protocol" value={protocol} onChange={(e) => setProtocol(e.target.value)}>
            <option value="auto">auto (detect from the first bytes, then the port)</option>
            {protocols.map((p) => <option key={p.id} value={p.id}>{p.id} — {p.name}{p.ports.length ? ` (port ${p.ports.join(', ')})` : ''}</option>)}
          </select>
        </label>
        {error ? <div className="form-error">{error}</div> : null}
        <div className="form-actions">
          <button type="button" className="small-button" onClick={close}>Close</button>
          <button type="submit" className="primary-button" data-testid="proxy-start">Start listener</button>
        </div>
      </form>
    </Dialog>
  );
}
