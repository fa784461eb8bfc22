/**
 * Completion for the filter bar: field names where a field may start, operators after a field, value names after
 * an operator or inside `in {…}`, `and`/`or` after a complete test. Works on unfinished text: the tolerant lexer
 * never throws and a small state machine follows the grammar up to the cursor.
 */
import type { CatalogEntry } from '../codec/schema';
import { BUILTIN_FIELDS } from './builtin-fields';
import { ALLOWED } from './compile';
import { fieldTable, type FieldInfo, type FieldTable } from './field-table';
import { lex, type Token } from './lexer';
import { compareOp, isKeyword } from './parser';

export type CompletionKind = 'field' | 'operator' | 'value' | 'keyword';

export interface Completion {
  /** The text to insert. */
  label: string;
  detail: string;
  kind: CompletionKind;
}

/** Items replace text[from..to) (the word under the cursor, or nothing at the cursor). */
export interface Completions {
  from: number;
  to: number;
  items: Completion[];
}

const OPERATORS: readonly [op: string, detail: string][] = [
  ['==', 'equals'],
  ['!=', 'does not equal: !(a == b), so also true when the field is absent'],
  ['>', 'greater than'],
  ['<', 'less than'],
  ['>=', 'greater than or equal'],
  ['<=', 'less than or equal'],
  ['contains', 'contains the text or the bytes'],
  ['matches', 'matches a regular expression ("(?i)…" ignores case)'],
  ['in', 'is one of {a b c}, or within {lo..hi}'],
];

const JOINERS: Completion[] = [
  { label: 'and', detail: 'both tests hold', kind: 'keyword' },
  { label: 'or', detail: 'either test holds', kind: 'keyword' },
];

type State =
  | { at: 'field' }
  | { at: 'operator'; field: string }
  | { at: 'not-in'; field: string }
  | { at: 'value'; field: string; op: string }
  | { at: 'brace'; field: string }
  | { at: 'set'; field: string }
  | { at: 'joiner' }
  | { at: 'lost' };

export function suggestCompletions(text: string, cursor: number, catalog: readonly CatalogEntry[]): Completions {
  const at = Math.max(0, Math.min(cursor, text.length));
  const tokens = lex(text, true);
  const under = tokens.find((t) => t.type !== 'eof' && t.start < at && (at < t.end || (t.open === true && at === t.end)));
  if (under && under.type !== 'word') return { from: at, to: at, items: [] }; // inside a string or an operator
  const word = tokens.find((t) => t.type === 'word' && t.start < at && at <= t.end);
  const from = word ? word.start : at;
  const to = word ? word.end : at;
  const prefix = word ? text.slice(word.start, at) : '';

  let state: State = { at: 'field' };
  for (const t of tokens) {
    if (t.type === 'eof' || t.end > from) break;
    state = step(state, t);
  }

  const table = fieldTable(catalog);
  return { from, to, items: filterByPrefix(itemsFor(state, table, prefix), prefix) };
}

const isJoiner = (t: Token): boolean => t.type === '&&' || t.type === '||' || (t.type === 'word' && (isKeyword(t.text, 'and') || isKeyword(t.text, 'or')));
const isNot = (t: Token): boolean => t.type === '!' || (t.type === 'word' && isKeyword(t.text, 'not'));

/** The grammar of README.md as a state machine, following only the paths that unfinished text can be on. */
function step(s: State, t: Token): State {
  switch (s.at) {
    case 'field':
      if (t.type === '(' || isNot(t)) return s;
      if (t.type === 'word' && !isKeyword(t.text)) return { at: 'operator', field: t.text };
      return { at: 'lost' };
    case 'operator': {
      const op = compareOp(t);
      if (op) return { at: 'value', field: s.field, op };
      if (t.type === 'word' && isKeyword(t.text, 'in')) return { at: 'brace', field: s.field };
      if (t.type === 'word' && isKeyword(t.text, 'not')) return { at: 'not-in', field: s.field };
      if (isJoiner(t)) return { at: 'field' };
      return t.type === ')' ? { at: 'joiner' } : { at: 'lost' };
    }
    case 'not-in':
      return t.type === 'word' && isKeyword(t.text, 'in') ? { at: 'brace', field: s.field } : { at: 'lost' };
    case 'value':
      return t.type === 'word' || t.type === 'string' ? { at: 'joiner' } : { at: 'lost' };
    case 'brace':
      return t.type === '{' ? { at: 'set', field: s.field } : { at: 'lost' };
    case 'set':
      if (t.type === '}') return { at: 'joiner' };
      return t.type === 'word' || t.type === 'string' || t.type === ',' || t.type === '..' ? s : { at: 'lost' };
    case 'joiner':
      if (isJoiner(t)) return { at: 'field' };
      return t.type === ')' ? s : { at: 'lost' };
    case 'lost':
      return s;
  }
}

function itemsFor(s: State, table: FieldTable, prefix: string): Completion[] {
  switch (s.at) {
    case 'field':
      return [...fieldItems(table, prefix), { label: 'not', detail: 'negates the test that follows', kind: 'keyword' }];
    case 'operator': {
      const f = table.resolve(s.field);
      const allowed = f ? ALLOWED[f.kind] : OPERATORS.map(([op]) => op);
      const ops = OPERATORS.filter(([op]) => allowed.includes(op)).map(([label, detail]): Completion => ({ label, detail, kind: 'operator' }));
      return [...ops, ...JOINERS];
    }
    case 'value':
      return s.op === 'contains' || s.op === 'matches' ? [] : valueItems(table.resolve(s.field));
    case 'set':
      return valueItems(table.resolve(s.field));
    case 'not-in':
      return [{ label: 'in', detail: 'is none of {a b c}', kind: 'operator' }];
    case 'brace':
      return [{ label: '{', detail: 'a set: {a b c}, {a, b}, {lo..hi}', kind: 'operator' }];
    case 'joiner':
      return JOINERS;
    case 'lost':
      return [];
  }
}

/**
 * Protocol ids first, then the built-in fields, then the protocols' fields in catalog order. Until the prefix has a
 * dot only protocol ids and built-ins are offered, so the list starts short (as Wireshark's does): `tt` then `.`
 * lists tt's fields.
 */
function fieldItems(table: FieldTable, prefix: string): Completion[] {
  const rank = (f: FieldInfo): number => (f.kind === 'protocol' ? 0 : BUILTIN_NAMES.has(f.name) ? 1 : 2);
  const dotted = prefix.includes('.');
  const p = prefix.toLowerCase();
  return table.all
    .filter((f) => (dotted || rank(f) < 2) && f.name.toLowerCase().startsWith(p))
    .sort((a, b) => rank(a) - rank(b))
    .map((f) => ({ label: f.name, detail: fieldDetail(f), kind: 'field' as const }));
}

const BUILTIN_NAMES = new Set(BUILTIN_FIELDS.map((b) => b.name));

function fieldDetail(f: FieldInfo): string {
  if (f.kind === 'protocol') return `protocol: the frame is ${f.name}`;
  if (f.base) return `${f.type} · ${f.label}: ${f.name}<name>`;
  return `${f.type} · ${f.label}${f.names ? '; named values' : ''}`;
}

function valueItems(f: FieldInfo | undefined): Completion[] {
  if (!f) return [];
  if (f.names) {
    // Text values are offered as themselves (`cg`, `RUNNING`) unless they are bare codes (`1` for `browser`).
    const byValue = f.kind === 'string' && [...f.names.values()].flat().every((v) => !/^-?\d+$/.test(v));
    if (byValue) return [...f.names].flatMap(([name, values]) => values.map((v) => ({ label: quoteIfNeeded(v), detail: name === v ? '' : name, kind: 'value' as const })));
    return [...f.names].map(([name, values]) => ({ label: quoteIfNeeded(name), detail: values.join(', '), kind: 'value' as const }));
  }
  const values = f.closedValues ?? f.suggestedValues;
  if (!values) return [];
  return Object.entries(values).map(([label, detail]) => ({ label, detail, kind: 'value' as const }));
}

/** A value that would not read back as one word (spaces, operators) is offered in quotes. */
function quoteIfNeeded(value: string): string {
  const tokens = lex(value, true);
  return tokens.length === 2 && tokens[0].type === 'word' && tokens[0].text === value ? value : JSON.stringify(value);
}

/** Prefix match, case-insensitive; a quoted value name matches what is typed after its quote. */
function filterByPrefix(items: Completion[], prefix: string): Completion[] {
  const p = prefix.toLowerCase();
  return items.filter((item) => {
    const label = item.label.toLowerCase();
    return label.startsWith(p) || (item.kind === 'value' && label.startsWith(`"${p}`));
  });
}
