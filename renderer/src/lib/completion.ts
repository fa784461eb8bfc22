/** Applying a completion item to the filter text (pure, so the rules are tested). */
import type { Completion } from '../../../shared/api/contract';

export type CompletionItem = Completion['items'][number];

/** The new text and cursor after choosing `item` for the word [from, to). */
export function applyCompletion(text: string, from: number, to: number, item: CompletionItem): { text: string; cursor: number } {
  // A field base (`hodor.body.`) continues; anything else is followed by a space, ready for what comes next.
  const continues = item.label.endsWith('.');
  const after = text.slice(to);
  const space = !continues && !after.startsWith(' ') ? ' ' : '';
  return {
    text: text.slice(0, from) + item.label + space + after,
    cursor: from + item.label.length + (continues ? 0 : 1),
  };
}
