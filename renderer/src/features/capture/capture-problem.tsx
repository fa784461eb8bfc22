/**
 * Why capture cannot run, as the engine says it (electron/engine/capture/capture-errors.ts: the message ends with
 * ". Fix: <what to do>", commands in backticks): the problem and its fix shown apart, the commands as copyable code.
 */
import type { ReactElement, ReactNode } from 'react';

export interface CaptureProblemText {
  kind: 'permission' | 'unavailable' | 'filter' | 'other';
  /** What went wrong (libpcap's reason in parentheses). */
  problem: string;
  /** What to do about it, or undefined when the engine named nothing. */
  fix?: string;
}

export function splitCaptureError(message: string): CaptureProblemText {
  const text = message.replace(/^Error:\s*/, '').trim();
  const at = text.lastIndexOf('. Fix: ');
  const problem = at >= 0 ? text.slice(0, at) : text;
  const fix = at >= 0 ? text.slice(at + '. Fix: '.length) : undefined;
  const kind = /^Not permitted to capture/i.test(problem) ? 'permission'
    : /^Live capture is unavailable/i.test(problem) ? 'unavailable'
      : /^Invalid capture filter/i.test(problem) ? 'filter' : 'other';
  return { kind, problem, ...(fix ? { fix } : {}) };
}

/** Text with `backticked` parts as code. */
export function withCode(text: string): ReactNode[] {
  return text.split(/(`[^`]+`)/).filter(Boolean).map((part, i) => (
    part.startsWith('`') && part.endsWith('`') ? <code key={i} className="cap-code">{part.slice(1, -1)}</code> : <span key={i}>{part}</span>
  ));
}

const TITLES: Record<CaptureProblemText['kind'], string> = {
  permission: 'Not permitted to capture',
  unavailable: 'Live capture is not available',
  filter: 'The capture filter is not valid',
  other: 'Capture could not start',
};

export function CaptureProblem({ message }: { message: string }): ReactElement {
  const p = splitCaptureError(message);
  return (
    <div className={`capture-problem ${p.kind}`} role="alert" data-testid="capture-problem" data-kind={p.kind}>
      <div className="capture-problem-title">{TITLES[p.kind]}</div>
      <div className="capture-problem-text">{withCode(p.problem)}</div>
      {p.fix ? (
        <div className="capture-fix" data-testid="capture-fix">
          <span className="capture-fix-label">How to fix it</span>
          <div>{withCode(p.fix.charAt(0).toUpperCase() + p.fix.slice(1))}</div>
        </div>
      ) : null}
    </div>
  );
}
