/**
 * Secondary data sources of a decoded frame, as Wireshark's extra byte tabs ("Decompressed", "Reassembled"): bytes a
 * field carries inside the frame that are worth their own hex view. Found by walking the field tree:
 *   - payloads: a TX-LCN MessageDto's `bytes` (the protobuf inside the Java-serialized object) and a hodor body. They
 *     are slices of the frame: `frameOffset` maps their byte 0 to the frame, so the fields decoded from them
 *     highlight in the tab and a click in the tab selects them;
 *   - Base64 text in a string field, or in a string member of JSON held by a string field (txlcn.json's msg.bytes,
 *     hodor's byte[] results): the decoded bytes;
 *   - JSON held by a string field whose text is not the frame's bytes as they are (generated or escaped): its text.
 * Pure and run in the decode worker (decode-frame.ts), so the main thread only draws.
 */
import { fromHex, toHex, utf8 } from '../../../shared/codec/bytes';
import { fromBase64 } from '../../../shared/codec/protobuf';
import type { FieldNode } from '../../../shared/codec/tree';

export interface DataSource {
  /** Key (index path, `0.4.1`) of the tree node the bytes come from. */
  node: string;
  kind: 'payload' | 'base64' | 'json';
  /** The tab's title. */
  label: string;
  /** What the bytes are (the tab's tooltip and the pane title). */
  description: string;
  hex: string;
  /** Payloads: the frame offset of the source's byte 0. */
  frameOffset?: number;
}

const MAX_SOURCES = 8;
const MAX_BYTES = 1 << 20;

const PAYLOADS: Record<string, { label: string; description: string }> = {
  'txlcn.bytes': { label: 'txlcn.bytes', description: 'MessageDto.bytes, the protobuf parameters' },
  'hodor.body': { label: 'hodor body', description: 'hodor body' },
};

/** Base64 text worth decoding, else undefined (hex strings, ids, words and numbers are not). */
export function base64Bytes(text: string): Uint8Array | undefined {
  if (text.length < 4 || text.length % 4 !== 0 || text.length > (MAX_BYTES * 4) / 3) return undefined;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || /^[0-9a-fA-F]+$/.test(text)) return undefined;
  // Words, identifiers and class names match the alphabet too: ask for padding, a + or /, or a long mix of cases and digits.
  if (!/[=+/]/.test(text) && !(text.length >= 16 && /[A-Z]/.test(text) && /[a-z]/.test(text) && /[0-9]/.test(text))) return undefined;
  const bytes = fromBase64(text);
  return bytes.length > 0 ? bytes : undefined;
}

function sameBytes(a: Uint8Array, b: Uint8Array, at: number): boolean {
  if (at < 0 || at + a.length > b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[at + i]) return false;
  return true;
}

/** Base64 string members of a JSON value, with their paths (`msg.bytes`). */
function base64Members(value: unknown, path: string, out: { path: string; bytes: Uint8Array }[]): void {
  if (out.length >= MAX_SOURCES) return;
  if (typeof value === 'string') {
    const bytes = base64Bytes(value);
    if (bytes) out.push({ path, bytes });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => base64Members(v, `${path}[${i}]`, out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) base64Members(v, path ? `${path}.${k}` : k, out);
  }
}

function parseJson(text: string): unknown {
  const t = text.trimStart();
  if (t[0] !== '{' && t[0] !== '[') return undefined;
  try { return JSON.parse(text) as unknown; } catch { return undefined; }
}

export function findDataSources(tree: readonly FieldNode[], frame: Uint8Array): DataSource[] {
  const out: DataSource[] = [];
  const visit = (nodes: readonly FieldNode[], prefix: string): void => {
    nodes.forEach((node, i) => {
      if (out.length >= MAX_SOURCES) return;
      const key = prefix ? `${prefix}.${i}` : String(i);
      const name = node.abbrev ?? node.label;
      const payload = node.abbrev ? PAYLOADS[node.abbrev] : undefined;
      if (payload && typeof node.value === 'string' && node.value.length > 0 && /^[0-9a-f]+$/.test(node.value) && node.value.length <= MAX_BYTES * 2) {
        const bytes = fromHex(node.value);
        const at = node.start + node.length - bytes.length;
        if (sameBytes(bytes, frame, at)) {
          const format = node.abbrev === 'hodor.body' ? (/\(([^)]+)\)/.exec(node.label)?.[1] ?? '') : '';
          out.push({
            node: key, kind: 'payload', label: `${payload.label} (${bytes.length} B)`, frameOffset: at, hex: node.value,
            description: `${payload.description}${format ? `, ${format}` : ''}: ${bytes.length} bytes at frame offset ${at}`,
          });
        }
      } else if (typeof node.value === 'string' && node.value.length >= 4) {
        const b64 = base64Bytes(node.value);
        const json = b64 ? undefined : parseJson(node.value);
        if (b64) {
          out.push({ node: key, kind: 'base64', label: `Base64 ${name} (${b64.length} B)`, hex: toHex(b64), description: `${name}, Base64-decoded: ${b64.length} bytes` });
        } else if (json !== undefined && node.value.length > 2) {
          const text = utf8(node.value);
          if (node.generated || !sameBytes(text, frame, node.start) || text.length !== node.length) {
            out.push({ node: key, kind: 'json', label: `JSON ${name}`, hex: toHex(text), description: `${name}: the JSON text (${text.length} bytes, UTF-8)` });
          }
          const members: { path: string; bytes: Uint8Array }[] = [];
          base64Members(json, '', members);
          for (const m of members) {
            if (out.length >= MAX_SOURCES) break;
            out.push({ node: key, kind: 'base64', label: `Base64 ${name} → ${m.path} (${m.bytes.length} B)`, hex: toHex(m.bytes), description: `${name} → ${m.path}, Base64-decoded: ${m.bytes.length} bytes` });
          }
        }
      }
      if (node.children) visit(node.children, key);
    });
  };
  visit(tree, '');
  return out;
}
