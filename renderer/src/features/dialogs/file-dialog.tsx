/**
 * Open and Save. The engine reads and writes the files, possibly on another machine (web mode), so the path is
 * the engine's: typed, not picked (the Electron shell will offer its native file dialog here).
 */
import { useState, type FormEvent, type ReactElement } from 'react';
import { useApp, useAppStore } from '../../stores/store';
import { formatCount } from '../../lib/format';
import { Dialog } from './dialog';

export function FileDialog({ mode }: { mode: 'open' | 'save' }): ReactElement {
  const store = useAppStore();
  const file = useApp((s) => s.file);
  const unsaved = useApp((s) => Math.max(0, s.frames - s.savedFrames));
  const [path, setPath] = useState(mode === 'save' ? (file?.replace(/\.pcap$/, '.pcapng') ?? '') : '');
  const [busy, setBusy] = useState(false);
  const close = () => store.getState().closeDialog();

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (!path.trim()) return;
    setBusy(true);
    const ok = mode === 'open' ? await store.getState().openFile(path.trim()) : await store.getState().saveFile(path.trim());
    setBusy(false);
    if (ok) close();
  };

  return (
    <Dialog title={mode === 'open' ? 'Open a capture file' : 'Save the session'} onClose={close}>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <label>{mode === 'open' ? 'pcap or pcapng file (path on the engine’s machine)' : 'pcapng file to write (path on the engine’s machine)'}
          <input value={path} onChange={(e) => setPath(e.target.value)} autoFocus placeholder={mode === 'open' ? '/path/to/capture.pcapng' : '/path/to/session.pcapng'} />
        </label>
        {mode === 'open' ? <p className="dim">Opening replaces the current session; TCP streams are reassembled and decoded as they are read.</p> : null}
        {mode === 'open' && unsaved > 0 ? <p className="warn-text" data-testid="open-unsaved">{formatCount(unsaved)} frames of the current session are in no file yet: opening discards them (Save first to keep them).</p> : null}
        <div className="form-actions">
          <button type="button" className="small-button" onClick={close}>Cancel</button>
          <button type="submit" className="primary-button" disabled={busy || !path.trim()}>{busy ? (mode === 'open' ? 'Opening…' : 'Saving…') : mode === 'open' ? 'Open' : 'Save'}</button>
        </div>
      </form>
    </Dialog>
  );
}
