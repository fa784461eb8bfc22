/**
 * Splits filter text into tokens. Unquoted values and field names share one token kind, `word`, because only the
 * field on the left says what `ab:cd`, `10.0.0.0/8` or `LOGIN` means (Wireshark's "unparsed" literals do the same).
 */
import { FilterError } from './ast';

export type TokenType =
  | 'word' | 'string' | 'op' | '(' | ')' | '{' | '}' | ',' | '..' | '&&' | '||' | '!'
  /** Only in tolerant mode (completion): a character that starts no token. */
  | 'error'
  | 'eof';

export interface Token {
  type: TokenType;
  /** The source text of the token (for strings: with quotes). */
  text: string;
  /** For strings: the value with escapes resolved. */
  value?: string;
  start: number;
  end: number;
  /** A string that reached the end of the text without its closing quote (tolerant mode only). */
  open?: boolean;
}

const SINGLE: Record<string, TokenType> = { '(': '(', ')': ')', '{': '{', '}': '}', ',': ',' };

/** Letters, digits and the punctuation found inside names, numbers, byte strings and addresses. */
function isWordChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39)
    || c === 0x5f /* _ */ || c === 0x2e /* . */ || c === 0x3a /* : */ || c === 0x2d /* - */ || c === 0x2f /* / */
    || c === 0x24 /* $ */ || c === 0x40 /* @ */
    // JSON member names under a dynamic base are verbatim and may be CJK.
    || (c >= 0x80 && c !== 0xa0 && c !== 0x3000 && !(c >= 0x2000 && c <= 0x200b));
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0xa0 || c === 0x3000;
}

/**
 * Tokenises `text`. Strict mode throws FilterError on a bad character, an unknown escape or an unterminated
 * string; tolerant mode (for completion while the user types) turns them into `error` / open `string` tokens.
 * The list always ends with one `eof` token.
 */
export function lex(text: string, tolerant = false): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) { i++; continue; }
    const ch = text[i];
    const two = text.slice(i, i + 2);
    if (ch === '"' || ((ch === 'r' || ch === 'R') && text[i + 1] === '"' && !(i > 0 && isWordChar(text.charCodeAt(i - 1))))) {
      const tok = readString(text, i, tolerant);
      tokens.push(tok);
      i = tok.end;
      continue;
    }
    if (two === '==' || two === '!=' || two === '<=' || two === '>=') { tokens.push({ type: 'op', text: two, start: i, end: i + 2 }); i += 2; continue; }
    if (two === '&&' || two === '||' || two === '..') { tokens.push({ type: two, text: two, start: i, end: i + 2 }); i += 2; continue; }
    if (ch === '<' || ch === '>' || ch === '~') { tokens.push({ type: 'op', text: ch, start: i, end: i + 1 }); i++; continue; }
    if (ch === '!') { tokens.push({ type: '!', text: ch, start: i, end: i + 1 }); i++; continue; }
    const single = SINGLE[ch];
    if (single) { tokens.push({ type: single, text: ch, start: i, end: i + 1 }); i++; continue; }
    if (isWordChar(c)) {
      const start = i;
      // A word stops before `..` so that `{1..5}` is a range, not one strange word.
      while (i < n && isWordChar(text.charCodeAt(i)) && !(text[i] === '.' && text[i + 1] === '.')) i++;
      tokens.push({ type: 'word', text: text.slice(start, i), start, end: i });
      continue;
    }
    // A character that starts nothing: a lone `=`, `&`, `|`, a single quote, …
    const width = c >= 0xd800 && c <= 0xdbff && i + 1 < n ? 2 : 1;
    if (tolerant) { tokens.push({ type: 'error', text: text.slice(i, i + width), start: i, end: i + width }); i += width; continue; }
    throw new FilterError(badCharMessage(text.slice(i, i + width)), i, width);
  }
  tokens.push({ type: 'eof', text: '', start: n, end: n });
  return tokens;
}

function badCharMessage(ch: string): string {
  const hint: Record<string, string> = {
    '=': ' (did you mean "=="?)',
    '&': ' (did you mean "&&" or "and"?)',
    '|': ' (did you mean "||" or "or"?)',
    "'": ' (strings use double quotes)',
  };
  return `unexpected character "${ch}"${hint[ch] ?? ''}`;
}

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', "'": "'", n: '\n', r: '\r', t: '\t', '0': '\0', a: '\x07', b: '\b', f: '\f', v: '\v' };

/**
 * A quoted string at `start`: `"…"` with C-style escapes (`\n`, `\xHH`, `\uHHHH`, `\u{H…}`), or a raw string `r"…"`
 * whose backslashes are kept as typed (for regular expressions: `r"^\d+$"`).
 */
function readString(text: string, start: number, tolerant: boolean): Token {
  const raw = text[start] !== '"';
  let i = start + (raw ? 2 : 1);
  let value = '';
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"') return { type: 'string', text: text.slice(start, i + 1), value, start, end: i + 1 };
    if (ch !== '\\') { value += ch; i++; continue; }
    if (raw) {
      // `\"` does not end a raw string; both characters are kept.
      value += text.slice(i, i + 2);
      i += 2;
      continue;
    }
    const e = text[i + 1];
    if (e !== undefined && e in ESCAPES) { value += ESCAPES[e]; i += 2; continue; }
    const code = e === 'x' ? hexEscape(text, i + 2, 2, 2) : e === 'u' ? unicodeEscape(text, i + 2) : undefined;
    if (code) { value += String.fromCodePoint(code.value); i = code.end; continue; }
    if (tolerant) { value += ch; i++; continue; }
    if (e === undefined) break;
    throw new FilterError(`invalid escape "\\${e}" in a string (write "\\\\" for a backslash, or use a raw string r"…" for regular expressions)`, i, 2);
  }
  if (tolerant) return { type: 'string', text: text.slice(start), value, start, end: text.length, open: true };
  throw new FilterError('unterminated string (missing the closing ")', start, text.length - start);
}

function hexEscape(text: string, at: number, min: number, max: number): { value: number; end: number } | undefined {
  let j = at;
  while (j < text.length && j - at < max && /[0-9a-fA-F]/.test(text[j])) j++;
  if (j - at < min) return undefined;
  return { value: parseInt(text.slice(at, j), 16), end: j };
}

function unicodeEscape(text: string, at: number): { value: number; end: number } | undefined {
  if (text[at] === '{') {
    const close = text.indexOf('}', at);
    if (close < 0 || !/^[0-9a-fA-F]{1,6}$/.test(text.slice(at + 1, close))) return undefined;
    const value = parseInt(text.slice(at + 1, close), 16);
    return value <= 0x10ffff ? { value, end: close + 1 } : undefined;
  }
  return hexEscape(text, at, 4, 4);
}
