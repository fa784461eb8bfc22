/** The main toolbar: proxy, open, save, clear, auto-scroll, the demo, and the theme. */
import type { ReactElement } from 'react';
import { useApp, useAppStore } from '../../stores/store';
import { Icon, type IconName } from '../icons/icons';
import { ComposeButton } from '../composer/compose-button';
import { CaptureButton } from '../capture/capture-button';

function ToolButton({ icon, label, title, onClick, active, disabled, testId, accent }: {
  icon: IconName; label?: string; title: string; onClick(): void; active?: boolean; disabled?: boolean; testId?: string; accent?: boolean;
}): ReactElement {
  return (
    <button
      className={`tool-button${active ? ' active' : ''}${accent ? ' accent' : ''}`} title={title} aria-label={label} aria-pressed={active}
      onClick={onClick} disabled={disabled} data-testid={testId}
    >
      <Icon name={icon} />{label ? <span>{label}</span> : null}
    </button>
  );
}

export function Toolbar(): ReactElement {
  const store = useAppStore();
  const proxies = useApp((s) => s.proxies);
  const autoScroll = useApp((s) => s.autoScroll);
  const theme = useApp((s) => s.theme);
  const demoRunning = useApp((s) => s.demoRunning);
  const frames = useApp((s) => s.frames);
  const s = store.getState;
  const proxyOn = proxies.length > 0;

  return (
    <header className="toolbar" role="toolbar" aria-label="Main">
      <div className="brand" title="Framescope"><span className="brand-mark">◆</span><span className="brand-name">Framescope</span></div>
      <div className="tool-group">
        <ToolButton
          icon={proxyOn ? 'stop' : 'play'} label={proxyOn ? 'Stop proxy' : 'Start proxy'} testId="proxy-button"
          title={proxyOn ? 'Stop every proxy listener' : 'Start a proxy listener: clients connect to it, it forwards to the real server and records both directions'}
          onClick={() => {
            if (!proxyOn) s().openDialog('proxy');
            else void Promise.all(proxies.map((p) => s().removeProxy(p.id))).then(async () => { if (s().demoRunning) await s().stopDemo(); });
          }}
          accent={!proxyOn}
        />
        <ToolButton icon="plug" label="Listeners" title="Proxy listeners: add, list and remove" onClick={() => s().openDialog('proxy')} testId="listeners-button" />
        <CaptureButton />
      </div>
      <div className="tool-group">
        <ToolButton icon="open" label="Open" title="Open a pcap or pcapng file" onClick={() => s().openDialog('open')} />
        <ToolButton icon="save" label="Save" title="Save the session as pcapng" onClick={() => s().openDialog('save')} disabled={frames === 0} />
        <ToolButton icon="clear" label="Clear" title="Clear the session (listeners keep running)" onClick={() => s().requestClear()} testId="clear-button" />
      </div>
      <div className="tool-group">
        <ToolButton
          icon="follow" label="Auto-scroll" title="Follow new frames as they arrive" active={autoScroll}
          onClick={() => s().setAutoScroll(!autoScroll)} testId="autoscroll-button"
        />
      </div>
      <div className="tool-group">
        <ToolButton
          icon={demoRunning ? 'stop' : 'demo'} label={demoRunning ? 'Stop demo' : 'Demo'} testId="demo-button"
          title={demoRunning ? 'Stop the demo peers' : 'Start simulated servers and clients for every protocol, through the proxy'}
          onClick={() => void (demoRunning ? s().stopDemo() : s().startDemo())}
        />
      </div>
      <div className="tool-group"><ComposeButton /></div>
      <div className="spacer" />
      <ToolButton
        icon={theme === 'dark' ? 'sun' : 'moon'} title={theme === 'dark' ? 'Light theme' : 'Dark theme'} testId="theme-button"
        onClick={() => s().setTheme(theme === 'dark' ? 'light' : 'dark')}
      />
    </header>
  );
}
