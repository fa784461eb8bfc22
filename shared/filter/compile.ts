/**
 * Turns a syntax tree into one closure per node, once: names are resolved, literals parsed and typed against their
 * field, regular expressions built, so that test() only reads values and compares. All type errors surface here,
 * located under the characters at fault.
 */
import { fromHex, fromUtf8, toHex, utf8 } from '../codec/bytes';
import type { FieldValue } from '../codec/tree';
import { FilterError, type CompareOp, type Expr, type FieldRef, type Literal, type SetItem, type Span } from './ast';
import type { FieldKind } from './builtin-fields';
import type { FieldInfo, FieldTable } from './field-table';
import { compareIp, inNetwork, ipOfValue, parseNetwork, type IpAddress } from './ip';
import { parseByteString, parseInteger, parseNumber } from './literals';

/** What the engine answers for a field name: a value, an array for a repeated field (N5), or undefined if absent. */
export type Lookup = (name: string) => FieldValue | FieldValue[] | undefined;

export interface CompiledFilter {
  test(lookup: Lookup): boolean;
  /** Every name test() may pass to the lookup, so the engine knows whether its index alone can answer. */
  fields: string[];
}

type Test = (lookup: Lookup) => boolean;
type Pred = (value: FieldValue) => boolean;
/** `!=` never reaches a predicate: it is compiled as `!(a == b)`. */
type ValueOp = Exclude<CompareOp, '!='>;
type OrderOp = '==' | '<' | '>' | '<=' | '>=';

const ORDERED: readonly string[] = ['==', '!=', '<', '>', '<=', '>=', 'in'];
/** The operators each kind of field accepts (`!=` and `in` included; `not in` goes with `in`). */
export const ALLOWED: Record<FieldKind, readonly string[]> = {
  int: ORDERED, int64: ORDERED, float: ORDERED, ip: ORDERED,
  string: [...ORDERED, 'contains', 'matches'],
  bytes: [...ORDERED, 'contains', 'matches'],
  any: [...ORDERED, 'contains', 'matches'],
  bool: ['==', '!=', 'in'],
  none: [],
  protocol: [],
};

export function compileExpr(expr: Expr | undefined, table: FieldTable): CompiledFilter {
  if (!expr) return { test: () => true, fields: [] };
  const c = new Compiler(table);
  const test = c.expr(expr);
  return { test, fields: [...c.fields] };
}

class Compiler {
  readonly fields = new Set<string>();

  constructor(private readonly table: FieldTable) {}

  expr(e: Expr): Test {
    switch (e.type) {
      case 'and':
      case 'or': {
        const tests = chain(e).map((x) => this.expr(x));
        if (tests.length === 2) {
          const [a, b] = tests;
          return e.type === 'and' ? (lk) => a(lk) && b(lk) : (lk) => a(lk) || b(lk);
        }
        // Long chains (`a or b or c …`, generated filters) run in a loop, not a closure nested per operand.
        return e.type === 'and' ? (lk) => every(tests, lk) : (lk) => some(tests, lk);
      }
      case 'not': {
        const a = this.expr(e.operand);
        return (lk) => !a(lk);
      }
      case 'exists':
        return this.exists(this.field(e.field));
      case 'compare': {
        const f = this.field(e.field);
        checkOp(f, e.op, e.opSpan);
        const t = relation(f.reads, this.pred(f, e.op === '!=' ? '==' : e.op, e.value));
        return e.op === '!=' ? (lk) => !t(lk) : t;
      }
      case 'in': {
        const f = this.field(e.field);
        checkOp(f, 'in', e.opSpan, e.negated ? 'not in' : 'in');
        const t = relation(f.reads, this.setPred(f, e.items));
        return e.negated ? (lk) => !t(lk) : t;
      }
    }
  }

  private field(ref: FieldRef): FieldInfo {
    const f = this.table.resolve(ref.name);
    if (!f) throw FilterError.at(`"${ref.name}" is not a valid field`, ref);
    for (const r of f.reads) this.fields.add(r);
    return f;
  }

  /** A bare name: the field is present; a protocol id: the frame is of that protocol; a boolean: it is true. */
  private exists(f: FieldInfo): Test {
    if (f.kind === 'protocol') { const id = f.protocol; return relation(f.reads, (v) => v === id); }
    if (f.kind === 'bool') return relation(f.reads, boolPred(true));
    if (f.reads.length === 1) {
      const name = f.reads[0];
      return (lk) => present(lk(name));
    }
    const [a, b] = f.reads;
    return (lk) => present(lk(a)) || present(lk(b));
  }

  private pred(f: FieldInfo, op: ValueOp, lit: Literal): Pred {
    switch (f.kind) {
      case 'int': {
        const values = this.numbers(f, lit);
        if (op === '==' && values.length > 1) return numberSet(values);
        return numberPred(op as OrderOp, values[0]);
      }
      case 'float': {
        // A JSON number beyond 2^53 arrives as decimal text (N6): integer literals compare exactly, as BigInt.
        const int = lit.kind === 'word' ? parseInteger(lit.text) : undefined;
        if (int !== undefined) return int64Pred(op as OrderOp, int);
        const values = this.numbers(f, lit);
        if (op === '==' && values.length > 1) return numberSet(values);
        return numberPred(op as OrderOp, values[0]);
      }
      case 'int64': {
        const values = this.bigints(f, lit);
        if (op === '==' && values.length > 1) return anyOf(values.map((b) => int64Pred('==', b)));
        return int64Pred(op as OrderOp, values[0]);
      }
      case 'string':
        return this.stringPred(f, op, lit);
      case 'bytes':
        return this.bytesPred(op, lit);
      case 'bool':
        return boolPred(boolLiteral(f, lit));
      case 'ip':
        return ipPred(op as OrderOp, lit);
      case 'any':
        return anyValuePred(op, lit);
      default:
        throw FilterError.at(`${f.name} can only be tested for presence`, lit); // unreachable: checkOp refused
    }
  }

  private setPred(f: FieldInfo, items: SetItem[]): Pred {
    const ranges = items.some((i) => i.hi !== undefined);
    if (!ranges && f.kind === 'int') return numberSet(items.flatMap((i) => this.numbers(f, i.lo)));
    if (!ranges && f.kind === 'string') return stringSet(items.flatMap((i) => this.stringValues(f, i.lo)));
    const preds = items.map((item): Pred => {
      if (!item.hi) return this.pred(f, '==', item.lo);
      if (f.kind === 'bool') throw FilterError.at(`a range needs an ordered field; ${f.name} is ${f.type}`, item);
      const lo = this.pred(f, '>=', item.lo);
      const hi = this.pred(f, '<=', item.hi);
      return (v) => lo(v) && hi(v);
    });
    return anyOf(preds);
  }

  /** Numeric literal, or an enum value name (`ShakeHand`, `"Shake Hand"`), for int and float fields. */
  private numbers(f: FieldInfo, lit: Literal): number[] {
    const integer = f.kind !== 'float';
    if (lit.kind === 'word') {
      const n = integer ? parseInteger(lit.text) : parseNumber(lit.text);
      if (n !== undefined) return [Number(n)];
    }
    const named = this.named(f, lit);
    if (named) return named.map(Number);
    if (lit.kind === 'string') throw FilterError.at(`${f.name} (${f.type}) is a number, not a string`, lit);
    throw FilterError.at(`"${lit.text}" is not a valid ${integer ? 'integer' : 'number'} for ${f.name} (${f.type})`, lit);
  }

  private bigints(f: FieldInfo, lit: Literal): bigint[] {
    if (lit.kind === 'word') {
      const n = parseInteger(lit.text);
      if (n !== undefined) return [n];
    }
    const named = this.named(f, lit);
    if (named) return named.map((v) => BigInt(v));
    if (lit.kind === 'string') throw FilterError.at(`${f.name} (${f.type}) is a number, not a string`, lit);
    throw FilterError.at(`"${lit.text}" is not a valid integer for ${f.name} (${f.type})`, lit);
  }

  /** The values an enum name stands for; throws when the field has names and this is none of them. */
  private named(f: FieldInfo, lit: Literal): string[] | undefined {
    if (!f.names) return undefined;
    const exact = f.names.get(lit.text);
    if (exact) return exact;
    // Case-insensitive when that is unambiguous: `tt.module_id == login`.
    const lower = lit.text.toLowerCase();
    let found: string[] | undefined;
    for (const [name, values] of f.names) {
      if (name.toLowerCase() !== lower) continue;
      if (found) { found = undefined; break; }
      found = values;
    }
    if (found) return found;
    throw notAmong(f, lit);
  }

  private stringValues(f: FieldInfo, lit: Literal): string[] {
    if (f.names?.has(lit.text)) return f.names.get(lit.text)!;
    if (f.closedValues) {
      const key = Object.keys(f.closedValues).find((k) => k.toLowerCase() === lit.text.toLowerCase());
      if (key === undefined) throw notAmong(f, lit);
      return [key];
    }
    return [lit.text];
  }

  private stringPred(f: FieldInfo, op: ValueOp, lit: Literal): Pred {
    if (op === 'matches') { const re = regex(lit); return (v) => { const t = textOf(v); return t !== undefined && re.test(t); }; }
    if (op === 'contains') {
      const s = lit.text;
      return (v) => (typeof v === 'string' ? v.includes(s) : textOf(v)?.includes(s) === true);
    }
    const values = this.stringValues(f, lit);
    if (op === '==') return values.length === 1 ? stringEq(values[0]) : stringSet(values);
    return textOrderPred(op, values[0]);
  }

  private bytesPred(op: ValueOp, lit: Literal): Pred {
    if (op === 'matches') {
      const re = regex(lit);
      return (v) => typeof v === 'string' && re.test(hexToText(v));
    }
    const hex = lit.kind === 'string' ? toHex(utf8(lit.text)) : parseByteString(lit.text);
    if (hex === undefined) {
      throw FilterError.at(`"${lit.text}" is not a valid byte string (write ab:cd:ef or abcdef, or "text" in quotes for its UTF-8 bytes)`, lit);
    }
    if (op === 'contains') return (v) => typeof v === 'string' && containsBytes(v, hex);
    if (op === '==') return (v) => v === hex;
    // Lowercase hex of whole bytes sorts exactly as the bytes do.
    return textOrderPred(op, hex);
  }
}

/** The operands of a left-nested chain of one operator, in text order (`a or b or c` → a, b, c). */
function chain(e: Expr): Expr[] {
  const out: Expr[] = [];
  let cur = e;
  while (cur.type === e.type && (cur.type === 'and' || cur.type === 'or')) { out.push(cur.right); cur = cur.left; }
  out.push(cur);
  return out.reverse();
}

function every(tests: readonly Test[], lk: Lookup): boolean {
  for (let i = 0; i < tests.length; i++) if (!tests[i](lk)) return false;
  return true;
}

function some(tests: readonly Test[], lk: Lookup): boolean {
  for (let i = 0; i < tests.length; i++) if (tests[i](lk)) return true;
  return false;
}

function checkOp(f: FieldInfo, op: string, at: Span, shown = op): void {
  if (ALLOWED[f.kind].includes(op)) return;
  if (f.kind === 'protocol') throw FilterError.at(`${f.name} is a protocol and can only be tested for presence`, at);
  if (f.kind === 'none') throw FilterError.at(`${f.name} has no value and can only be tested for presence`, at);
  throw FilterError.at(`"${shown}" cannot be used with ${f.name} (${f.type})`, at);
}

function notAmong(f: FieldInfo, lit: Literal): FilterError {
  return FilterError.at(`"${lit.text}" cannot be found among the possible values for ${f.name}`, lit);
}

// -- Reading values ------------------------------------------------------------------------------------------------

/** Runs `pred` on a field's value, or on each occurrence of a repeated field: any match is a match. */
function relation(reads: readonly string[], pred: Pred): Test {
  if (reads.length === 1) {
    const name = reads[0];
    return (lk) => {
      const v = lk(name);
      if (v === undefined) return false;
      if (typeof v !== 'object' || v === null) return pred(v);
      return someOf(v, pred);
    };
  }
  return (lk) => {
    for (const name of reads) {
      const v = lk(name);
      if (v === undefined) continue;
      if (typeof v !== 'object' || v === null ? pred(v) : someOf(v, pred)) return true;
    }
    return false;
  };
}

function someOf(values: readonly FieldValue[], pred: Pred): boolean {
  for (let i = 0; i < values.length; i++) if (pred(values[i])) return true;
  return false;
}

function present(v: FieldValue | FieldValue[] | undefined): boolean {
  return v !== undefined && !(Array.isArray(v) && v.length === 0);
}

function anyOf(preds: Pred[]): Pred {
  if (preds.length === 1) return preds[0];
  return (v) => someOfPreds(preds, v);
}

function someOfPreds(preds: readonly Pred[], v: FieldValue): boolean {
  for (let i = 0; i < preds.length; i++) if (preds[i](v)) return true;
  return false;
}

/** A value as text for string comparisons: numbers and booleans by their JSON spelling, null never matches. */
function textOf(v: FieldValue): string | undefined {
  return typeof v === 'string' ? v : v === null ? undefined : String(v);
}

/** A value as a number: numbers as they are, numeric text parsed (an engine may hand integers over as text). */
function num(v: FieldValue): number {
  if (typeof v === 'number') return v;
  return typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
}

// -- Numbers -------------------------------------------------------------------------------------------------------

function numberPred(op: OrderOp, n: number): Pred {
  switch (op) {
    case '==': return (v) => num(v) === n;
    case '<': return (v) => num(v) < n;
    case '>': return (v) => num(v) > n;
    case '<=': return (v) => num(v) <= n;
    case '>=': return (v) => num(v) >= n;
  }
}

function numberSet(values: number[]): Pred {
  if (values.length === 1) return numberPred('==', values[0]);
  const set = new Set(values);
  return (v) => set.has(num(v));
}

const BIG: Record<OrderOp, (a: bigint, b: bigint) => boolean> = {
  '==': (a, b) => a === b, '<': (a, b) => a < b, '>': (a, b) => a > b, '<=': (a, b) => a <= b, '>=': (a, b) => a >= b,
};
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * 64-bit integers arrive as decimal strings (N8). Up to 15 characters a string is below 2^53, so Number() is exact
 * and cheap; longer ones are compared as BigInt, so ids beyond 2^53 never collide.
 */
function int64Pred(op: OrderOp, lit: bigint): Pred {
  const big = BIG[op];
  const small = numberPred(op, Number(lit));
  const litSafe = lit >= -SAFE && lit <= SAFE;
  return (v) => {
    if (typeof v === 'string') {
      if (litSafe && v.length <= 15) return small(v);
      const b = toBigInt(v);
      return b !== undefined && big(b, lit);
    }
    if (typeof v === 'number') return Number.isSafeInteger(v) && !litSafe ? big(BigInt(v), lit) : small(v);
    return false;
  };
}

function toBigInt(text: string): bigint | undefined {
  if (!/^\s*-?\d+\s*$/.test(text)) return undefined;
  return BigInt(text);
}

// -- Strings, bytes, booleans ---------------------------------------------------------------------------------------

function stringEq(s: string): Pred {
  return (v) => v === s || (typeof v !== 'string' && v !== null && String(v) === s);
}

function stringSet(values: string[]): Pred {
  if (values.length === 1) return stringEq(values[0]);
  const set = new Set(values);
  return (v) => { const t = textOf(v); return t !== undefined && set.has(t); };
}

function textOrderPred(op: ValueOp, s: string): Pred {
  switch (op) {
    case '<': return (v) => { const t = textOf(v); return t !== undefined && t < s; };
    case '>': return (v) => { const t = textOf(v); return t !== undefined && t > s; };
    case '<=': return (v) => { const t = textOf(v); return t !== undefined && t <= s; };
    case '>=': return (v) => { const t = textOf(v); return t !== undefined && t >= s; };
    default: return stringEq(s);
  }
}

/** Byte containment in hex text: a match must start on a byte boundary (`0abc` does not contain `ab`). */
function containsBytes(hex: string, needle: string): boolean {
  let i = hex.indexOf(needle);
  while (i >= 0) {
    if ((i & 1) === 0) return true;
    i = hex.indexOf(needle, i + 1);
  }
  return false;
}

/** `matches` on a bytes field sees the bytes as UTF-8 text (invalid sequences become U+FFFD). */
function hexToText(hex: string): string {
  try { return fromUtf8(fromHex(hex)); } catch { return ''; }
}

function boolLiteral(f: FieldInfo, lit: Literal): boolean {
  const w = lit.kind === 'word' ? lit.text.toLowerCase() : '';
  if (w === 'true' || w === '1') return true;
  if (w === 'false' || w === '0') return false;
  throw FilterError.at(`"${lit.text}" is not a valid boolean for ${f.name} (use true or false)`, lit);
}

function boolPred(b: boolean): Pred {
  return (v) => v === b || (typeof v === 'number' && (v !== 0) === b);
}

// -- Addresses -----------------------------------------------------------------------------------------------------

function ipPred(op: OrderOp, lit: Literal): Pred {
  const net = parseNetwork(lit.text);
  if (!net) throw FilterError.at(`"${lit.text}" is not a valid IP address or network`, lit);
  const single = !lit.text.includes('/');
  if (op === '==') {
    if (single && !net.addr.v6) { const n = net.addr.n; return (v) => { const a = ipOfValue(v); return a !== undefined && !a.v6 && a.n === n; }; }
    return (v) => { const a = ipOfValue(v); return a !== undefined && inNetwork(a, net); };
  }
  if (!single) throw FilterError.at(`"${lit.text}" is a network: compare it with ==, != or in`, lit);
  const addr = net.addr;
  const order = (a: IpAddress): number => compareIp(a, addr);
  switch (op) {
    case '<': return (v) => { const a = ipOfValue(v); return a !== undefined && a.v6 === addr.v6 && order(a) < 0; };
    case '>': return (v) => { const a = ipOfValue(v); return a !== undefined && a.v6 === addr.v6 && order(a) > 0; };
    case '<=': return (v) => { const a = ipOfValue(v); return a !== undefined && a.v6 === addr.v6 && order(a) <= 0; };
    case '>=': return (v) => { const a = ipOfValue(v); return a !== undefined && a.v6 === addr.v6 && order(a) >= 0; };
  }
}

// -- JSON members (typed at run time) ------------------------------------------------------------------------------

/**
 * A member under a dynamic base can hold any JSON type, so the literal decides: a quoted string compares as text,
 * a number numerically (numbers, and numeric text such as 64-bit ids kept as strings), true/false/null by identity,
 * any other word as text. `contains` and `matches` work on the text of the value.
 */
function anyValuePred(op: ValueOp, lit: Literal): Pred {
  if (op === 'matches') { const re = regex(lit); return (v) => { const t = textOf(v); return t !== undefined && re.test(t); }; }
  const s = lit.text;
  if (op === 'contains') return (v) => textOf(v)?.includes(s) === true;
  if (lit.kind === 'word') {
    const int = parseInteger(s);
    if (int !== undefined) return int64Pred(op, int);
    const n = parseNumber(s);
    if (n !== undefined) return numberPred(op, n);
    const word = s.toLowerCase();
    if (word === 'true' || word === 'false' || word === 'null') {
      if (op !== '==') throw FilterError.at(`${word} can only be compared with == and !=`, lit);
      const want = word === 'null' ? null : word === 'true';
      return (v) => v === want;
    }
  }
  return textOrderPred(op, s);
}

// -- Regular expressions -------------------------------------------------------------------------------------------

/** A JavaScript regular expression; a leading `(?i)` (or `(?m)`, `(?s)`, combined) sets flags as in PCRE. */
function regex(lit: Literal): RegExp {
  let source = lit.text;
  let flags = '';
  const inline = /^\(\?([a-zA-Z]+)\)/.exec(source);
  if (inline) {
    for (const ch of inline[1]) {
      if (!'ims'.includes(ch)) throw FilterError.at(`unsupported regular expression flag "${ch}" (i, m and s are)`, lit);
      if (!flags.includes(ch)) flags += ch;
    }
    source = source.slice(inline[0].length);
  }
  try {
    return new RegExp(source, flags);
  } catch (e) {
    const detail = (e as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
    throw FilterError.at(`invalid regular expression: ${detail}`, lit);
  }
}
