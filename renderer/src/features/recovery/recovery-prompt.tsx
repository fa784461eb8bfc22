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
      <table className="mini-table" data-testid="recovery-list">
        <thead><tr><th>Started</th><th>Last written</th><th className="num">Size</th><th>Spool file</th><th /></tr></thead>
        <tbody>
          {list.map((r) => (
            <tr key={r.id}>
              <td>{new Date(r.startedAt).toLocaleString()}</td>
              <td>{new Date(r.modifiedAt).toLocaleString()}</td>
              <td className="num">{formatBytes(r.size)}</td>
              <td className="mono" title={r.path} style={{ maxWidth: 260, overflow: 'hidden', textOverflow: 'ellipsis' }}>{r.path.split(/[\\/]/).slice(-2).join('/')}</td>
              <td style={{ display: 'flex', gap: 6 }}>
                <button className="primary-button" disabled={busy} onClick={() => void reopen(r)} data-testid="recovery-open">Reopen</button>
                <button className="small-button" disabled={busy} onClick={() => void discard(r)} data-testid="recovery-discard">Discard</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="form-actions" style={{ marginTop: 12 }}>
        <button className="small-button" onClick={later} data-testid="recovery-later">Later</button>
      </div>
    </Dialog>
  );
}
