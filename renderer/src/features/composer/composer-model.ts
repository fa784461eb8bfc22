/**
 * The composer's pure logic, over the shared protocol declarations (the renderer imports shared/ directly): the
 * template picker's entries, a message's JSON Schema (completion, validation and hover in Monaco), the derived fields
 * a user may override, the live preview (encode, then decode for the field tree whose ranges the hex highlights),
 * and the payload the engine is sent. No React, no store: unit-tested in test/unit/renderer/composer.
 */
import type { CraftPayload } from '../../../../shared/api/contract';
import { fromHex, toHex } from '../../../../shared/codec/bytes';
import type { DecodedFrame, Direction, MessageInfo, Protocol } from '../../../../shared/codec/protocol';
import { DERIVED, type Doc, type JsonSchema } from '../../../../shared/codec/schema';
import { getProtocol, PROTOCOLS } from '../../../../shared/protocols/index';

export type ComposerMode = 'json' | 'hex';

/** What the composer holds: which message, in which direction, as JSON (the `value`) or raw hex. */
export interface ComposerDraft {
  protocol: string;
  message: string;
  direction: Direction;
  mode: ComposerMode;
  /** The message document's `value`, as JSON text (what Monaco edits). */
  text: string;
  /** Raw bytes for hex mode (spaces, colons and newlines allowed). */
  hex: string;
  /** Derived fields (lengths, counts) given by hand, to send a deliberately broken frame: name → number text. */
  overrides: Record<string, string>;
}

export interface TemplateEntry {
  protocol: string;
  protocolName: string;
  message: string;
  direction: MessageInfo['direction'];
  description?: string;
}

/** Every message of every protocol, for the template picker. */
export function templateEntries(): TemplateEntry[] {
  return PROTOCOLS.flatMap((p) => p.messages.map((m) => ({
    protocol: p.id, protocolName: p.name, message: m.name, direction: m.direction, description: m.description,
  })));
}

export function messageInfo(protocol: string, message: string): MessageInfo | undefined {
  return getProtocol(protocol)?.messages.find((m) => m.name === message);
}

/** The direction a message is sent in by default (a `both` message goes towards the server). */
export function defaultDirection(info: Pick<MessageInfo, 'direction'> | undefined): Direction {
  return info?.direction === 's2c' ? 's2c' : 'c2s';
}

export function formatValue(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** A draft from a message's template. */
export function draftFromTemplate(protocol: string, message: string, direction?: Direction): ComposerDraft {
  const info = messageInfo(protocol, message);
  if (!info) throw new Error(`no message ${protocol}/${message}`);
  return {
    protocol, message, direction: direction ?? defaultDirection(info), mode: 'json', text: formatValue(info.template()), hex: '',
    overrides: {},
  };
}

/** A draft from a decoded document (a frame's or a held frame's `value`). */
export function draftFromDocument(doc: { protocol: string; message: string; direction: Direction; value?: Doc; hex?: string }): ComposerDraft {
  const known = messageInfo(doc.protocol, doc.message) !== undefined;
  return {
    protocol: doc.protocol, message: doc.message, direction: doc.direction,
    mode: known && doc.value ? 'json' : 'hex',
    text: formatValue(doc.value ?? {}), hex: spacedHex(doc.hex ?? ''), overrides: {},
  };
}

/** The decoded document of raw bytes (what "Edit & resend" starts from). */
export function decodeDocument(protocolId: string, hex: string, direction: Direction, opts: { context?: Record<string, unknown>; variant?: string } = {}): DecodedFrame | undefined {
  const protocol = getProtocol(protocolId);
  if (!protocol) return undefined;
  try {
    return protocol.decode(fromHex(hex), direction, opts);
  } catch {
    return undefined;
  }
}

export function spacedHex(hex: string): string {
  const clean = hex.replace(/[^0-9a-fA-F]/g, '').toLowerCase();
  const lines: string[] = [];
  for (let i = 0; i < clean.length; i += 32) lines.push(clean.slice(i, i + 32).replace(/(..)(?!$)/g, '$1 '));
  return lines.join('\n');
}

export function cleanHex(text: string): string {
  return text.replace(/[\s:]/g, '').toLowerCase();
}

/** A derived field (size, length, count) the encoder computes unless the document gives it. */
export interface DerivedField {
  /** Path in the document: `length`, `items.0.size` is not offered; only members of the top-level object. */
  name: string;
  description: string;
}

export function derivedFields(schema: JsonSchema | undefined): DerivedField[] {
  const out: DerivedField[] = [];
  for (const [name, prop] of Object.entries(schema?.properties ?? {})) {
    // Some declarations describe a computed member without the keyword: the description says so.
    if (prop[DERIVED] || /computed when absent/.test(prop.description ?? '')) out.push({ name, description: prop.description ?? name });
  }
  return out;
}

/**
 * The schema Monaco validates against: the codec's, with every enum's labels also as `enumDescriptions` (shown in
 * completion) and the labels added to the description hover shows.
 */
export function editorSchema(schema: JsonSchema): JsonSchema {
  return decorate(schema);
}

function decorate(s: JsonSchema): JsonSchema {
  const out: JsonSchema = { ...s };
  if (s.properties) out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, decorate(v)]));
  if (s.items) out.items = decorate(s.items);
  if (s.anyOf) out.anyOf = s.anyOf.map(decorate);
  if (s.oneOf) out.oneOf = s.oneOf.map(decorate);
  if (s.enum && s.markdownEnumDescriptions) out.enumDescriptions = s.markdownEnumDescriptions;
  const labels = (s.anyOf ?? []).find((a) => a.enum && a.markdownEnumDescriptions);
  if (labels && labels.enum && labels.markdownEnumDescriptions) {
    const names = labels.enum.map((v, i) => `${String(v)} = ${labels.markdownEnumDescriptions![i]}`);
    out.markdownDescription = `${s.description ?? ''}\n\nValues: ${names.join(', ')}`;
  }
  return out;
}

/** The enum label of a value, when the schema names one (for the preview's value hints). */
export function enumLabel(schema: JsonSchema | undefined, value: unknown): string | undefined {
  const labels = (schema?.anyOf ?? []).find((a) => a.enum && a.markdownEnumDescriptions);
  if (!labels?.enum) return undefined;
  const i = labels.enum.findIndex((v) => String(v) === String(value));
  return i >= 0 ? labels.markdownEnumDescriptions?.[i] : undefined;
}

export type ParsedDraft =
  | { ok: true; value: Doc }
  | { ok: false; error: string };

/** The document's value with the overrides applied (numbers where they parse, else left out with an error). */
export function parseDraft(draft: ComposerDraft): ParsedDraft {
  let value: unknown;
  try {
    value = JSON.parse(draft.text);
  } catch (e) {
    return { ok: false, error: `JSON: ${(e as Error).message}` };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { ok: false, error: 'The document must be a JSON object' };
  const doc: Doc = { ...(value as Doc) };
  for (const [name, text] of Object.entries(draft.overrides)) {
    const t = text.trim();
    if (!/^-?\d+$/.test(t)) return { ok: false, error: `Override ${name}: write a whole number` };
    doc[name] = Number(t);
  }
  return { ok: true, value: doc };
}

export interface Preview {
  ok: boolean;
  error?: string;
  /** Set when the document holds {{variables}}: they are filled in when sent, the preview cannot show them. */
  variables?: boolean;
  bytes: Uint8Array;
  hex: string;
  frame?: DecodedFrame;
}

const EMPTY = new Uint8Array(0);

/** Encodes the draft (JSON mode) or takes its bytes (hex mode), and decodes them for the tree. */
export function preview(draft: ComposerDraft): Preview {
  const protocol = getProtocol(draft.protocol);
  if (draft.mode === 'hex') {
    const clean = cleanHex(draft.hex);
    if (/\{\{/.test(clean)) return { ok: true, variables: true, bytes: EMPTY, hex: '' };
    if (!/^([0-9a-f]{2})*$/.test(clean)) return { ok: false, error: 'Hex: an even number of hex digits (spaces and colons allowed)', bytes: EMPTY, hex: '' };
    const bytes = fromHex(clean);
    return { ok: true, bytes, hex: clean, frame: protocol && bytes.length ? decodeSafe(protocol, bytes, draft.direction) : undefined };
  }
  if (!protocol) return { ok: false, error: `Unknown protocol ${draft.protocol}`, bytes: EMPTY, hex: '' };
  const parsed = parseDraft(draft);
  if (!parsed.ok) return { ok: false, error: parsed.error, bytes: EMPTY, hex: '' };
  if (JSON.stringify(parsed.value).includes('{{')) {
    return { ok: true, variables: true, bytes: EMPTY, hex: '' };
  }
  try {
    const bytes = protocol.encode(draft.message, draft.direction, parsed.value);
    return { ok: true, bytes, hex: toHex(bytes), frame: decodeSafe(protocol, bytes, draft.direction) };
  } catch (e) {
    return { ok: false, error: (e as Error).message, bytes: EMPTY, hex: '' };
  }
}

function decodeSafe(protocol: Protocol, bytes: Uint8Array, direction: Direction): DecodedFrame | undefined {
  try {
    return protocol.decode(bytes, direction);
  } catch {
    return undefined;
  }
}

/** What the engine is sent: a document it encodes (variables filled in there) or the raw bytes. */
export function payloadOf(draft: ComposerDraft): CraftPayload {
  if (draft.mode === 'hex') return { hex: cleanHex(draft.hex) };
  const parsed = parseDraft(draft);
  if (!parsed.ok) throw new Error(parsed.error);
  return { protocol: draft.protocol, message: draft.message, direction: draft.direction, value: parsed.value };
}
