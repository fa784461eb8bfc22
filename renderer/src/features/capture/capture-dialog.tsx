/**
 * Capture options, as Wireshark's: pick an interface (capture.interfaces), a capture filter (BPF, as tcpdump takes
 * it), the kernel buffer size; Start (capture.start) / Stop (capture.stop). When the engine may not capture here, its
 * message is shown with the fix for this platform (capture-problem.tsx).
 */
import { useEffect, useState, type FormEvent, type ReactElement } from 'react';
import type { CaptureInterface } from '../../../../shared/model/session';
import { formatCount } from '../../lib/format';
import { useApp, useAppStore, useServices } from '../../stores/store';
import { Dialog } from '../dialogs/dialog';
import { CaptureProblem } from './capture-problem';
import './capture.css';

const LAST_KEY = 'framescope.capture';
const DEFAULT_BUFFER_MIB = 64;

interface LastCapture { interface?: string; bpf?: string; bufferMiB?: number }

/** The interface to preselect: the last one used, else a loopback one, else the first. */
export function pickInterface(list: readonly CaptureInterface[], last?: string): string | undefined {
  return list.find((i) => i.name === last)?.name ?? list.find((i) => i.loopback)?.name ?? list[0]?.name;
}

export function CaptureDialog(): ReactElement {
  const store = useAppStore();
  const { api, storage } = useServices();
  const capture = useApp((s) => s.capture);
  const saved = ((): LastCapture => { try { return JSON.parse(storage?.getItem(LAST_KEY) ?? '{}') as LastCapture; } catch { return {}; } })();
  const [interfaces, setInterfaces] = useState<CaptureInterface[] | undefined>();
  const [selected, setSelected] = useState<string | undefined>(saved.interface);
  const [bpf, setBpf] = useState(saved.bpf ?? '');
  const [bufferMiB, setBufferMiB] = useState(String(saved.bufferMiB ?? DEFAULT_BUFFER_MIB));
  const [problem, setProblem] = useState<string | undefined>(capture.state === 'unavailable' ? capture.message : undefined);
  const [busy, setBusy] = useState(false);
  const close = () => store.getState().closeDialog();
  const capturing = capture.state === 'capturing';

  useEffect(() => {
    let live = true;
    api.call('capture.interfaces', {}).then(
      (list) => { if (!live) return; setInterfaces(list); setSelected((s) => pickInterface(list, s)); },
      (e: Error) => { if (!live) return; setInterfaces([]); setProblem(e.message); },
    );
    return () => { live = false; };
  }, [api]);

  const start = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (!selected) return;
    const mib = Number(bufferMiB);
    if (!Number.isFinite(mib) || mib < 1 || mib > 4096) { setProblem('Buffer size: a number of MiB between 1 and 4096'); return; }
    setBusy(true);
    setProblem(undefined);
    try {
      const status = await api.call('capture.start', { interface: selected, ...(bpf.trim() ? { bpf: bpf.trim() } : {}), bufferSize: Math.round(mib * 1024 * 1024) });
      store.setState({ capture: status });
      try { storage?.setItem(LAST_KEY, JSON.stringify({ interface: selected, bpf: bpf.trim(), bufferMiB: mib })); } catch { /* a convenience */ }
      close();
    } catch (err) {
      setProblem((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const stop = async (): Promise<void> => {
    setBusy(true);
    try { store.setState({ capture: await api.call('capture.stop', {}) }); } catch (err) { setProblem((err as Error).message); } finally { setBusy(false); }
  };

  return (
    <Dialog title="Capture" onClose={close} wide>
      {capturing ? (
        <div className="capture-state" data-testid="capture-running">
          <span>● Capturing on <b>{capture.interface}</b>{capture.filter ? <> with filter <code className="cap-code">{capture.filter}</code></> : null} · {formatCount(capture.packets)} packets</span>
          <span className="spacer" />
          <button className="small-button" onClick={() => void stop()} disabled={busy} data-testid="capture-stop">Stop</button>
        </div>
      ) : null}
      {problem ? <CaptureProblem message={problem} /> : null}
      <form className="form" onSubmit={(e) => void start(e)} data-testid="capture-form">
        <div className="form-field">
          <span>Interface</span>
          <div className="iface-list" role="listbox" aria-label="Interfaces" data-testid="capture-interfaces">
            {interfaces === undefined ? <div className="pane-empty">Listing interfaces…</div>
              : interfaces.length === 0 ? <div className="pane-empty">No interface to capture on.</div>
                : interfaces.map((i) => (
                  <div
                    key={i.name} role="option" aria-selected={selected === i.name} className={`iface-row${selected === i.name ? ' selected' : ''}`}
                    onClick={() => setSelected(i.name)} onDoubleClick={() => setSelected(i.name)} data-iface={i.name} title={i.description ?? i.name}
                  >
                    <input type="radio" name="iface" checked={selected === i.name} onChange={() => setSelected(i.name)} aria-label={i.name} />
                    <span className="iface-name">{i.name}</span>
                    <span className="iface-addr">{[i.loopback ? 'loopback' : '', i.description ?? '', i.addresses.join(', ')].filter(Boolean).join(' · ') || '—'}</span>
                  </div>
                ))}
          </div>
        </div>
        <div className="form-row">
          <label>Capture filter (BPF, as for tcpdump)
            <input name="bpf" value={bpf} onChange={(e) => setBpf(e.target.value)} placeholder="tcp port 8070 or tcp port 46367" spellCheck={false} />
          </label>
          <label>Buffer size (MiB)
            <input name="buffer" type="number" min={1} max={4096} value={bufferMiB} onChange={(e) => setBufferMiB(e.target.value)} />
          </label>
        </div>
        <div className="form-actions">
          <button type="button" className="small-button" onClick={close}>Close</button>
          <button type="submit" className="primary-button" disabled={!selected || busy} data-testid="capture-start">
            {capturing ? 'Restart capture' : 'Start capture'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
