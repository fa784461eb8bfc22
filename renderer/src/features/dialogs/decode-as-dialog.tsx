/** Decode As: connections to a server port are decoded as a chosen protocol (tt has no port of its own). */
import { useState, type FormEvent, type ReactElement } from 'react';
import { useApp, useAppStore, useServices } from '../../stores/store';
import { Dialog } from './dialog';

export function DecodeAsDialog({ port: initialPort, protocol: current }: { port?: number; protocol?: string }): ReactElement {
  const store = useAppStore();
  const { api } = useServices();
  const protocols = useApp((s) => s.protocols);
  const [port, setPort] = useState(initialPort ? String(initialPort) : '');
  // The frame's own protocol when it has one (as Wireshark shows the current decoding); else tt, the protocol a port
  // is most often decoded as, having no port of its own.
  const [protocol, setProtocol] = useState(() => (current && protocols.some((p) => p.id === current) ? current : 'tt'));
  // '' = the protocol's default form (what detection picks); hodor's generations and txlcn's JSON form by choice.
  const [variant, setVariant] = useState('');
  const variants = protocols.find((p) => p.id === protocol)?.variants ?? [];
  const close = () => store.getState().closeDialog();

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const p = Number(port);
    if (!Number.isInteger(p) || p < 1 || p > 65535) { store.getState().notify('error', 'Decode As: the port must be 1–65535'); return; }
    const ok = await store.getState().attempt('Decode As', () => api.call('decodeAs.set', { port: p, protocol, ...(variant ? { variant } : {}) }));
    if (ok === undefined) return;
    close();
    const as = variant ? `${protocol} (${variants.find((v) => v.id === variant)?.label ?? variant})` : protocol;
    // A file is decoded again from its bytes, as Wireshark does; live frames already recorded keep their decoding.
    const { file, proxies, capture } = store.getState();
    if (file && proxies.length === 0 && capture.state !== 'capturing') {
      if (await store.getState().openFile(file)) store.getState().notify('info', `${file}: port ${p} decoded as ${as}`);
    } else {
      store.getState().notify('info', `Connections to port ${p} opened from now on are decoded as ${as}`);
    }
  };

  return (
    <Dialog title="Decode As" onClose={close}>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <label>Server port<input value={port} onChange={(e) => setPort(e.target.value)} inputMode="numeric" autoFocus /></label>
        <label>Protocol
          <select value={protocol} onChange={(e) => { setProtocol(e.target.value); setVariant(''); }} data-testid="decode-as-protocol">
            {protocols.map((p) => <option key={p.id} value={p.id}>{p.id}{p.name.toLowerCase() !== p.id ? ` — ${p.name}` : ''}</option>)}
          </select>
        </label>
        {variants.length > 0 ? (
          <label>Variant
            <select value={variant} onChange={(e) => setVariant(e.target.value)} data-testid="decode-as-variant">
              <option value="">automatic (as detected)</option>
              {variants.map((v) => <option key={v.id} value={v.id}>{v.label}</option>)}
            </select>
          </label>
        ) : null}
        <p className="dim">An opened file is decoded again; in a live session it applies to connections opened after this.</p>
        <div className="form-actions">
          <button type="button" className="small-button" onClick={close}>Cancel</button>
          <button type="submit" className="primary-button">Decode</button>
        </div>
      </form>
    </Dialog>
  );
}
