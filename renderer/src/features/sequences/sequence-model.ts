/**
 * Sequence documents in the panel: parse and check the text, edit `repeat`/`delayMs`, add the composer's message as
 * a step, and the file a browser download saves. Pure; the engine checks again (unknown keys are its errors).
 */
import type { SequenceFile, SequenceRunInfo, SequenceStep } from '../../../../shared/api/contract';
import type { ComposerDraft } from '../composer/composer-model';
import { cleanHex } from '../composer/composer-model';

export type ParsedSequence = { ok: true; sequence: SequenceFile } | { ok: false; error: string };

export function parseSequence(text: string): ParsedSequence {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `JSON: ${(e as Error).message}` };
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return { ok: false, error: 'A sequence is a JSON object' };
  const seq = doc as SequenceFile;
  if (typeof seq.protocol !== 'string' || !seq.protocol) return { ok: false, error: 'protocol: required' };
  if (!Array.isArray(seq.steps)) return { ok: false, error: 'steps: a list of steps' };
  for (const [i, step] of seq.steps.entries()) {
    if (!step || typeof step !== 'object') return { ok: false, error: `step ${i}: an object` };
    if (!step.message && step.hex === undefined) return { ok: false, error: `step ${i}: give message + value, or hex` };
  }
  return { ok: true, sequence: seq };
}

export function formatSequence(seq: SequenceFile): string {
  return JSON.stringify(seq, null, 2);
}

export function emptySequence(protocol: string): SequenceFile {
  return { format: 'framescope-sequence', version: 1, name: 'new sequence', protocol, repeat: 1, delayMs: 0, replyTimeoutMs: 5000, steps: [] };
}

/** The composer's draft as a step (its document, or its hex). */
export function stepFromDraft(draft: ComposerDraft, waitReply: boolean): SequenceStep {
  if (draft.mode === 'hex') return { hex: cleanHex(draft.hex) };
  const value = JSON.parse(draft.text) as Record<string, unknown>;
  for (const [k, v] of Object.entries(draft.overrides)) value[k] = Number(v);
  return { message: draft.message, direction: draft.direction, value, ...(waitReply ? { waitReply: true } : {}) };
}

export function withStep(seq: SequenceFile, step: SequenceStep): SequenceFile {
  return { ...seq, steps: [...seq.steps, step] };
}

export function withoutStep(seq: SequenceFile, index: number): SequenceFile {
  return { ...seq, steps: seq.steps.filter((_, i) => i !== index) };
}

/** 0…1: steps done of steps × repeat. */
export function runProgress(run: SequenceRunInfo): number {
  const total = Math.max(1, run.steps * Math.max(1, run.repeat));
  if (run.state === 'done') return 1;
  return Math.min(1, (run.iteration * run.steps + run.step) / total);
}

/** A file name for the download: the sequence's name, made safe. */
export function sequenceFileName(seq: SequenceFile): string {
  const base = (seq.name ?? 'sequence').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'sequence';
  return `${base}.sequence.json`;
}
