/** The toolbar's capture button: opens the capture dialog, or stops a running capture. */
import type { ReactElement } from 'react';
import { useApp, useAppStore, useServices } from '../../stores/store';
import { Icon } from '../icons/icons';
import './capture.css';

export function CaptureButton(): ReactElement {
  const store = useAppStore();
  const { api } = useServices();
  const capturing = useApp((s) => s.capture.state === 'capturing');
  const stop = async (): Promise<void> => {
    const status = await store.getState().attempt('Stop capture', () => api.call('capture.stop', {}));
    if (status) store.setState({ capture: status });
  };
  return (
    <button
      className={`tool-button${capturing ? ' recording' : ''}`} data-testid="capture-button" aria-pressed={capturing}
      title={capturing ? 'Stop the live capture' : 'Capture live traffic from a network interface (libpcap)…'}
      onClick={() => { if (capturing) void stop(); else store.getState().openDialog('capture'); }}
    >
      <Icon name={capturing ? 'stop' : 'capture'} /><span>{capturing ? 'Stop capture' : 'Capture'}</span>
    </button>
  );
}
