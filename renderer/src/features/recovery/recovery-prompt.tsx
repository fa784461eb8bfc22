/**
 * On start: live sessions of an earlier run that did not exit cleanly (the engine's recovery.list: spools whose
 * writer is gone) are offered back — Reopen (recovery.open, then Save it somewhere), Discard (recovery.discard) or
 * Later (asked again next start).
 */
import { useEffect, useState, type ReactElement } from 'react';
import type { RecoverableSession } from '../../../../shared/api/contract';
import { formatBytes } from '../../lib/format';
import { useApp, useAppStore, useServices } from '../../stores/store';
import { Dialog } from '../dialogs/dialog';
import './recovery.css';

export function RecoveryPrompt(): ReactElement | null {
  const store = useAppStore();
  const { api } = useServices();
  const ready = useApp((s) => s.ready);
  const [list, setList] = useState<RecoverableSession[] | undefined>();
  const [asked, setAsked] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!ready || asked) return;
    setAsked(true);
    api.call('recovery.list', {}).then(setList, () => setList([]));
  }, [ready, asked, api]);

  if (!list || list.length === 0) return null;
  const later = () => setList([]);

  const reopen = async (r: RecoverableSession): Promise<void> => {
    setBusy(true);
    const info = await store.getState().attempt('Recover the session', () => api.call('recovery.open', { id: r.id }));
    setBusy(false);
    if (!info) return;
    store.getState().applyInfo(info);
    await store.getState().sessionReplaced();
    store.getState().notify('info', `Recovered ${info.frames} frames. Save them (Save) to keep them.`);
    setList([]);
  };
  const discard = async (r: RecoverableSession): Promise<void> => {
    setBusy(true);
    await store.getState().attempt('Discard the session', () => api.call('recovery.discard', { id: r.id }));
    setBusy(false);
    setList((l) => (l ?? []).filter((x) => x.id !== r.id));
  };

  return (
    <Dialog title="Recover unsaved sessions?" onClose={later} wide>
      <p className="dim" style={{ marginTop: 0 }}>
        Framescope did not exit cleanly last time. {list.length === 1 ? 'This live session was' : 'These live sessions were'} recorded but not saved:
      </p>
      <div className="recovery-list" data-testid="recovery-list">
        {list.map((r) => (
          <div key={r.id} className="recovery-item">
            <div className="recovery-text">
              <div>Started <b>{new Date(r.startedAt).toLocaleString()}</b>, last written {new Date(r.modifiedAt).toLocaleTimeString()} · {formatBytes(r.size)}</div>
              <div className="mono dim recovery-path" title={r.path}>{r.path.length > 72 ? `…${r.path.slice(-71)}` : r.path}</div>
            </div>
            <button className="primary-button" disabled={busy} onClick={() => void reopen(r)} data-testid="recovery-open">Reopen</button>
            <button className="small-button" disabled={busy} onClick={() => void discard(r)} data-testid="recovery-discard">Discard</button>
          </div>
        ))}
      </div>
      <div className="form-actions" style={{ marginTop: 12 }}>
        <button className="small-button" onClick={later} data-testid="recovery-later">Later</button>
      </div>
    </Dialog>
  );
}
