/** Clear over frames that are in no file yet: save them first, clear anyway, or keep them (as Wireshark asks). */
import type { ReactElement } from 'react';
import { formatCount } from '../../lib/format';
import { useApp, useAppStore } from '../../stores/store';
import { Dialog } from './dialog';

export function ConfirmClearDialog(): ReactElement {
  const store = useAppStore();
  const unsaved = useApp((s) => Math.max(0, s.frames - s.savedFrames));
  const close = () => store.getState().closeDialog();
  return (
    <Dialog title="Clear the session" onClose={close}>
      <div className="form" data-testid="confirm-clear">
        <p>{formatCount(unsaved)} frames were recorded since the last save. Clearing discards them; listeners and capture keep running.</p>
        <div className="form-actions">
          <button type="button" className="small-button" onClick={close} autoFocus>Cancel</button>
          <button type="button" className="small-button" onClick={() => store.getState().openDialog('save')}>Save first…</button>
          <button type="button" className="primary-button danger" data-testid="confirm-clear-button" onClick={() => { close(); void store.getState().clearSession(); }}>Clear</button>
        </div>
      </div>
    </Dialog>
  );
}
