import { describe, expect, it } from 'vitest';
import { toHex } from '../../../../shared/codec/bytes';
import { getProtocol, PROTOCOLS } from '../../../../shared/protocols/index';
import {
  derivedFields, draftFromDocument, draftFromTemplate, editorSchema, enumLabel, messageInfo, parseDraft, payloadOf, preview, spacedHex,
  templateEntries,
} from '../../../../renderer/src/features/composer/composer-model';

describe('composer model', () => {
  it('offers a template for every message of every protocol, and every template previews as its encoding', () => {
    const entries = templateEntries();
    expect(entries.length).toBe(PROTOCOLS.reduce((n, p) => n + p.messages.length, 0));
    let encoded = 0;
    for (const e of entries) {
      const draft = draftFromTemplate(e.protocol, e.message);
      const p = preview(draft);
      if (!p.ok) continue; // a few templates need context (txlcn replies) — the preview then says why
      const expected = getProtocol(e.protocol)!.encode(e.message, draft.direction, JSON.parse(draft.text));
      expect(p.hex).toBe(toHex(expected));
      expect(p.frame?.message).toBe(e.message);
      encoded++;
    }
    expect(encoded).toBeGreaterThan(entries.length * 0.9);
  });

  it('fills lengths in unless overridden, and an override reaches the bytes (a deliberately broken frame)', () => {
    const draft = draftFromTemplate('tt', 'LoginRequest');
    expect(derivedFields(messageInfo('tt', 'LoginRequest')!.schema).map((f) => f.name)).toEqual(expect.arrayContaining(['length', 'username_len']));
    const good = preview(draft);
    expect(good.ok).toBe(true);
    expect(good.bytes.length).toBe(new DataView(good.bytes.buffer, good.bytes.byteOffset).getUint32(0));
    const broken = preview({ ...draft, overrides: { length: '9999' } });
    expect(new DataView(broken.bytes.buffer, broken.bytes.byteOffset).getUint32(0)).toBe(9999);
    expect(broken.bytes.length).toBe(good.bytes.length);
    expect(payloadOf({ ...draft, overrides: { length: '9999' } })).toMatchObject({ protocol: 'tt', message: 'LoginRequest', direction: 'c2s', value: { length: 9999 } });
    expect(parseDraft({ ...draft, overrides: { length: 'x' } })).toEqual({ ok: false, error: 'Override length: write a whole number' });
  });

  it('reports bad JSON and encoder errors instead of throwing, and leaves {{variables}} to the engine', () => {
    const draft = draftFromTemplate('flyer', 'ShakeHand');
    expect(preview({ ...draft, text: '{"appCode": ' })).toMatchObject({ ok: false, error: expect.stringContaining('JSON') });
    expect(preview({ ...draft, text: '[1]' })).toMatchObject({ ok: false, error: 'The document must be a JSON object' });
    expect(preview({ ...draft, text: '{"packet_id": "{{seq}}"}' })).toMatchObject({ ok: true, variables: true });
    expect(payloadOf({ ...draft, text: '{"packet_id": "{{seq}}"}' })).toMatchObject({ value: { packet_id: '{{seq}}' } });
  });

  it('takes raw hex exactly as written (spaces and colons allowed) and decodes it for the tree', () => {
    const bytes = getProtocol('flyer')!.encode('Heartbeat', 'c2s', getProtocol('flyer')!.messages.find((m) => m.name === 'Heartbeat')!.template());
    const hex = toHex(bytes);
    const draft = { ...draftFromTemplate('flyer', 'Heartbeat'), mode: 'hex' as const, hex: spacedHex(hex).replace(/ /, ':') };
    const p = preview(draft);
    expect(p.hex).toBe(hex);
    expect(p.frame?.message).toBe('Heartbeat');
    expect(payloadOf(draft)).toEqual({ hex });
    expect(preview({ ...draft, hex: 'abc' })).toMatchObject({ ok: false });
  });

  it('starts from a decoded frame (edit & resend), or from its bytes when there is no decoder', () => {
    const d = draftFromDocument({ protocol: 'tt', message: 'LoginRequest', direction: 'c2s', value: { username: 'x' } });
    expect(d).toMatchObject({ mode: 'json', protocol: 'tt', message: 'LoginRequest' });
    expect(JSON.parse(d.text)).toEqual({ username: 'x' });
    expect(draftFromDocument({ protocol: 'nope', message: 'Data', direction: 's2c', hex: '0102' })).toMatchObject({ mode: 'hex', hex: '01 02' });
  });

  it('gives Monaco enum labels for completion and hover', () => {
    const schema = editorSchema(messageInfo('tt', 'LoginRequest')!.schema);
    const status = schema.properties!.online_status;
    expect(String(status.markdownDescription)).toContain('1 = online');
    expect(enumLabel(messageInfo('tt', 'LoginRequest')!.schema.properties!.online_status, 1)).toBe('online');
    expect(status.anyOf?.[0].enumDescriptions).toEqual(status.anyOf?.[0].markdownEnumDescriptions);
  });
});
