/** Wireshark's three panes: toolbar and filter on top, the frame list, then the frame's tree and bytes; a status bar. */
import { useEffect, useRef, type ReactElement } from 'react';
import { useApp } from './stores/store';
import { ComposerDrawer } from './features/composer/composer-drawer';
import { ContextMenu } from './features/context-menu/context-menu';
import { DecodeAsDialog } from './features/dialogs/decode-as-dialog';
import { FileDialog } from './features/dialogs/file-dialog';
import { ProxyDialog } from './features/dialogs/proxy-dialog';
import { CaptureDialog } from './features/capture/capture-dialog';
import { ConfirmClearDialog } from './features/dialogs/confirm-clear-dialog';
import { OperationProgress } from './features/progress/operation-progress';
import { RecoveryPrompt } from './features/recovery/recovery-prompt';
import { FilterBar } from './features/filter-bar/filter-bar';
import { FrameList } from './features/frame-list/frame-list';
import { LowerPane } from './features/layout/lower-pane';
import { Splitter } from './features/layout/splitter';
import { Notices } from './features/notices/notices';
import { StatusBar } from './features/status-bar/status-bar';
import { Toolbar } from './features/toolbar/toolbar';
import { Welcome } from './features/welcome/welcome';

export function App(): ReactElement {
  const theme = useApp((s) => s.theme);
  const split = useApp((s) => s.split);
  const dialog = useApp((s) => s.dialog);
  const ready = useApp((s) => s.ready);
  // The welcome screen while nothing has happened yet: no frames, no listener, no file.
  const empty = useApp((s) => s.ready && s.frames === 0 && s.proxies.length === 0 && !s.file && s.appliedFilter === '' && !s.demoRunning && s.capture.state !== 'capturing');
  const main = useRef<HTMLElement>(null);

  useEffect(() => { document.documentElement.dataset.theme = theme; }, [theme]);

  return (
    <div className="app">
      <Toolbar />
      <FilterBar />
      <div className="workbench">
        <main ref={main} className="main">
          {!ready ? <div className="pane-empty">Connecting to the engine…</div> : empty ? <Welcome /> : (
            <>
              <section className="upper" style={{ flexBasis: `${split * 100}%` }}><FrameList /></section>
              <Splitter container={() => main.current} />
              <LowerPane />
            </>
          )}
        </main>
        <ComposerDrawer />
      </div>
      <OperationProgress />
      <StatusBar />
      <ContextMenu />
      <Notices />
      {dialog?.name === 'proxy' ? <ProxyDialog /> : null}
      {dialog?.name === 'open' ? <FileDialog mode="open" /> : null}
      {dialog?.name === 'save' ? <FileDialog mode="save" /> : null}
      {dialog?.name === 'decodeAs' ? <DecodeAsDialog port={dialog.port} protocol={dialog.protocol} /> : null}
      {dialog?.name === 'capture' ? <CaptureDialog /> : null}
      {dialog?.name === 'confirmClear' ? <ConfirmClearDialog /> : null}
      <RecoveryPrompt />
    </div>
  );
}
