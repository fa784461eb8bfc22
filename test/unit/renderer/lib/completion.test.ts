import { describe, expect, it } from 'vitest';
import { compileFilter, suggestCompletions } from '../../../../shared/filter/index';
import { fieldCatalog } from '../../../../shared/protocols/index';
import { applyCompletion } from '../../../../renderer/src/lib/completion';

describe('applyCompletion', () => {
  it('replaces the word under the cursor and adds a space', () => {
    expect(applyCompletion('flyer.proto', 0, 11, { label: 'flyer.protocol', kind: 'field' })).toEqual({ text: 'flyer.protocol ', cursor: 15 });
  });

  it('does not add a space after a field base, so completion continues', () => {
    expect(applyCompletion('hodor.bo', 0, 8, { label: 'hodor.body.', kind: 'field' })).toEqual({ text: 'hodor.body.', cursor: 11 });
  });

  it('keeps the text after the word and steps over an existing space', () => {
    expect(applyCompletion('tcp.str == 3', 0, 7, { label: 'tcp.stream', kind: 'field' })).toEqual({ text: 'tcp.stream == 3', cursor: 11 });
  });

  it('builds a filter that compiles from the engine’s own suggestions, as a user picking them', () => {
    const catalog = fieldCatalog();
    let text = '';
    const pick = (typed: string, label: string) => {
      text += typed;
      const c = suggestCompletions(text, text.length, catalog);
      const item = c.items.find((i) => i.label === label);
      expect(item, `${label} among ${c.items.map((i) => i.label).join(' ')}`).toBeDefined();
      text = applyCompletion(text, c.from, c.to, item!).text;
    };
    pick('flyer.proto', 'flyer.protocol');
    pick('', '==');
    pick('Shake', 'ShakeHand');
    expect(text).toBe('flyer.protocol == ShakeHand ');
    expect(compileFilter(text, catalog).ok).toBe(true);
  });
});
