/**
 * Opening or saving a large file: the engine's `session.progress` events ({path, done, total} in bytes) as a bar
 * above the status bar, with the file, the percentage and the bytes. Gone a moment after the operation ends.
 */
import { useEffect, useState, type ReactElement } from 'react';
import type { Events } from '../../../../shared/api/contract';
import { formatBytes } from '../../lib/format';
import { useServices } from '../../stores/store';
import './progress.css';

type Progress = Events['session.progress'];

/** 0..100, one decimal; 100 when the total is unknown (0) or reached. */
export function percent(p: Pick<Progress, 'done' | 'total'>): number {
  if (p.total <= 0) return 100;
  return Math.min(100, Math.round((p.done / p.total) * 1000) / 10);
}

export function OperationProgress(): ReactElement | null {
  const { api } = useServices();
  const [progress, setProgress] = useState<Progress | undefined>();
  useEffect(() => {
    let hide: ReturnType<typeof setTimeout> | undefined;
    const off = api.on('session.progress', (p) => {
      if (hide) { clearTimeout(hide); hide = undefined; }
      setProgress(p);
      if (p.done >= p.total) hide = setTimeout(() => setProgress(undefined), 800);
    });
    return () => { off(); if (hide) clearTimeout(hide); };
  }, [api]);
  if (!progress) return null;
  const pc = percent(progress);
  const name = progress.path.split(/[\\/]/).pop();
  const verb = progress.operation === 'save' ? 'Saving' : 'Opening';
  const finished = progress.done >= progress.total;
  return (
    <div className="op-progress" role="status" data-testid="operation-progress" data-percent={pc} data-operation={progress.operation ?? 'open'}>
      <span className="op-text" title={progress.path}>{finished ? (progress.operation === 'save' ? 'Saved' : 'Opened') : verb} <b>{name}</b></span>
      <progress className="op-bar" max={100} value={pc} aria-label={`${verb} ${name}`} />
      <span className="op-numbers">{pc.toFixed(pc >= 100 ? 0 : 1)}% · {formatBytes(progress.done)} of {formatBytes(progress.total)}</span>
    </div>
  );
}
