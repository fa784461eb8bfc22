/** The status bar: frames shown / total, proxy and capture state, drops, the file, the selected field. */
import type { ReactElement } from 'react';
import { formatCount, formatEndpoint } from '../../lib/format';
import { nodeByKey } from '../../stores/detail-slice';
import { useApp } from '../../stores/store';

export function StatusBar(): ReactElement {
  const count = useApp((s) => s.count);
  const total = useApp((s) => s.frames);
  const applied = useApp((s) => s.appliedFilter);
  const proxies = useApp((s) => s.proxies);
  const capture = useApp((s) => s.capture);
  const file = useApp((s) => s.file);
  const transport = useApp((s) => s.transport);
  const connections = useApp((s) => s.connections);
  const field = useApp((s) => (s.decoded ? nodeByKey(s.decoded.view.tree, s.selectedNode) : undefined));

  const captureText = capture.state === 'capturing'
    ? `Capturing on ${capture.interface} · ${formatCount(capture.packets)} packets · ${capture.dropped === null ? 'drops unknown' : `${formatCount(capture.dropped)} dropped`}`
    : undefined;
  const proxyText = proxies.length === 0
    ? 'Proxy off'
    : proxies.length === 1
      ? `Proxy ${formatEndpoint({ host: proxies[0].host ?? '127.0.0.1', port: proxies[0].boundPort })} → ${formatEndpoint(proxies[0].upstream)} (${proxies[0].protocol})`
      : `${proxies.length} proxy listeners`;

  return (
    <footer className="status-bar" data-testid="status-bar">
      <span className={`status-dot ${transport}`} title={`Engine connection: ${transport}`} />
      <span className="status-item" data-testid="status-frames">
        {applied ? `Displayed: ${formatCount(count)} of ${formatCount(total)}` : `Frames: ${formatCount(total)}`}
        <span className="dim"> · {formatCount(connections)} connection{connections === 1 ? '' : 's'}</span>
      </span>
      {field?.abbrev ? (
        <span className="status-item field" data-testid="status-field">{field.label} ({field.abbrev}), {field.length} byte{field.length === 1 ? '' : 's'}</span>
      ) : null}
      <span className="spacer" />
      <span className={`status-item${proxies.length ? ' on' : ''}`} data-testid="status-proxy" title={proxies.map((p) => `${p.id}: ${p.host}:${p.boundPort} → ${p.upstream.host}:${p.upstream.port} ${p.protocol}, ${p.connections} connections`).join('\n')}>
        {proxyText}
      </span>
      {capture.state === 'capturing' ? (
        <span className="status-item on" data-testid="status-capture" title={capture.dropped === null ? "Dropped packets: unknown (kernel drop counts are read on Linux only, with Framescope's packet-stats addon built)" : undefined}>{captureText}</span>
      ) : capture.dropped ? <span className="status-item warn">{formatCount(capture.dropped)} packets dropped</span> : null}
      <span className="status-item" title={file}>{file ? file.split(/[\\/]/).pop() : 'Live session, not saved'}</span>
      {transport !== 'open' ? <span className="status-item error">{transport === 'connecting' ? 'Connecting to the engine…' : 'Engine unreachable, retrying…'}</span> : null}
    </footer>
  );
}
