/** First run: an empty session offers the demo (every protocol live in seconds), a proxy, or a file. */
import type { ReactElement } from 'react';
import { useApp, useAppStore } from '../../stores/store';
import { Icon } from '../icons/icons';

export function Welcome(): ReactElement {
  const store = useAppStore();
  const protocols = useApp((s) => s.protocols);
  const s = store.getState;
  return (
    <div className="welcome" data-testid="welcome">
      <div className="welcome-card">
        <h1><span className="brand-mark">◆</span> Framescope</h1>
        <p className="lead">Decode, proxy and inspect custom binary TCP protocols: {protocols.map((p) => p.id).join(', ') || 'flyer, hodor, tt, txlcn, push, http'}.</p>
        <button className="primary-button big" data-testid="start-demo" onClick={() => void s().startDemo()}>
          <Icon name="demo" size={18} /> Start the demo
        </button>
        <p className="dim">Simulated servers and clients for every protocol talk through Framescope’s proxy: frames appear within a second.</p>
        <div className="welcome-actions">
          <button className="small-button" onClick={() => s().openDialog('proxy')}><Icon name="play" size={14} /> Proxy a real server…</button>
          <button className="small-button" onClick={() => s().openDialog('open')}><Icon name="open" size={14} /> Open a capture file…</button>
        </div>
        <ul className="welcome-tips">
          <li>Filters: <code>flyer.protocol == ShakeHand</code>, <code>tcp.stream == 3</code>, <code>fs.response_time &gt; 0.01</code>, <code>fs.malformed</code></li>
          <li>Right-click a frame to follow its connection or filter on it; click a byte to find its field.</li>
          <li>Keyboard: ↑ ↓ PgUp PgDn Home End in the list; ← → in the tree.</li>
        </ul>
      </div>
    </div>
  );
}
