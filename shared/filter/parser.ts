/**
 * Recursive-descent parser for the grammar in README.md. Syntax only: whether a name is a field and whether a value
 * suits it is the compiler's business, so the parser needs no catalog.
 */
import { FilterError, type CompareOp, type Expr, type FieldRef, type Literal, type SetItem, type Span } from './ast';
import { lex, type Token } from './lexer';

/** Word operators, Wireshark's C-like aliases included; keys are lower case (keywords are case-insensitive). */
const WORD_OPS: Record<string, CompareOp> = {
  eq: '==', ne: '!=', gt: '>', lt: '<', ge: '>=', le: '<=', contains: 'contains', matches: 'matches',
};
const SYMBOL_OPS: Record<string, CompareOp> = { '==': '==', '!=': '!=', '<': '<', '>': '>', '<=': '<=', '>=': '>=', '~': 'matches' };

export const KEYWORDS = new Set(['and', 'or', 'not', 'in', ...Object.keys(WORD_OPS)]);

export function isKeyword(word: string, keyword?: string): boolean {
  const w = word.toLowerCase();
  return keyword === undefined ? KEYWORDS.has(w) : w === keyword;
}

/** The comparison operator a token spells, if any. */
export function compareOp(t: Token): CompareOp | undefined {
  if (t.type === 'op') return SYMBOL_OPS[t.text];
  if (t.type === 'word') return WORD_OPS[t.text.toLowerCase()];
  return undefined;
}

/** Parses filter text; undefined for an empty (all-whitespace) filter. Throws FilterError. */
export function parseFilter(text: string): Expr | undefined {
  const p = new Parser(lex(text));
  if (p.peek().type === 'eof') return undefined;
  const expr = p.parseOr();
  const t = p.peek();
  if (t.type !== 'eof') {
    if (t.type === ')') throw FilterError.at('unmatched ")"', t);
    throw FilterError.at(`unexpected ${describe(t)} (expected "and", "or" or the end of the filter)`, t);
  }
  return expr;
}

function describe(t: Token): string {
  return t.type === 'eof' ? 'end of filter' : `"${t.text}"`;
}

const isAnd = (t: Token): boolean => t.type === '&&' || (t.type === 'word' && isKeyword(t.text, 'and'));
const isOr = (t: Token): boolean => t.type === '||' || (t.type === 'word' && isKeyword(t.text, 'or'));
const isNot = (t: Token): boolean => t.type === '!' || (t.type === 'word' && isKeyword(t.text, 'not'));
const isValue = (t: Token): boolean => t.type === 'word' || t.type === 'string';

/** Parentheses and `not` nest by recursion; a limit turns a pathological filter into an error, not a stack overflow. */
const MAX_DEPTH = 200;

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)];
  }

  private next(): Token {
    return this.tokens[this.pos++];
  }

  // or := and (("or" | "||") and)*
  parseOr(): Expr {
    let left = this.parseAnd();
    while (isOr(this.peek())) {
      const op = this.next();
      const right = this.operand(op, () => this.parseAnd());
      left = { type: 'or', left, right, start: left.start, end: right.end };
    }
    return left;
  }

  // and := unary (("and" | "&&") unary)*
  private parseAnd(): Expr {
    let left = this.parseUnary();
    while (isAnd(this.peek())) {
      const op = this.next();
      const right = this.operand(op, () => this.parseUnary());
      left = { type: 'and', left, right, start: left.start, end: right.end };
    }
    return left;
  }

  // unary := ("not" | "!") unary | primary
  private parseUnary(): Expr {
    const t = this.peek();
    if (++this.depth > MAX_DEPTH) throw FilterError.at('the filter is nested too deeply', t);
    try {
      if (isNot(t)) {
        this.next();
        const operand = this.operand(t, () => this.parseUnary());
        return { type: 'not', operand, start: t.start, end: operand.end };
      }
      return this.parsePrimary();
    } finally {
      this.depth--;
    }
  }

  /** Parses what must follow `op` (`and`, `or`, `not`), naming `op` when nothing follows. */
  private operand(op: Token, parse: () => Expr): Expr {
    if (this.peek().type === 'eof') throw FilterError.at(`expected an expression after "${op.text}"`, op);
    return parse();
  }

  // primary := "(" or ")" | field [relation]
  private parsePrimary(): Expr {
    const t = this.peek();
    if (t.type === '(') {
      this.next();
      if (this.peek().type === ')') throw FilterError.at('expected an expression inside "()"', { start: t.start, end: this.peek().end });
      const inner = this.operand(t, () => this.parseOr());
      const close = this.peek();
      if (close.type === ')') { this.next(); return { ...inner, start: t.start, end: close.end }; }
      if (close.type === 'eof') throw FilterError.at('unmatched "("', t);
      throw FilterError.at(`unexpected ${describe(close)} (expected "and", "or" or ")")`, close);
    }
    if (t.type === 'word' && !isKeyword(t.text)) {
      this.next();
      return this.parseRelation({ name: t.text, start: t.start, end: t.end });
    }
    if (t.type === 'eof') throw FilterError.at('expected a field name', t);
    throw FilterError.at(`expected a field name, found ${describe(t)}`, t);
  }

  // relation := cmp-op value | ["not"] "in" set | (nothing: the field must be present)
  private parseRelation(field: FieldRef): Expr {
    const t = this.peek();
    const op = compareOp(t);
    if (op) {
      this.next();
      const value = this.value(t);
      return { type: 'compare', op, opSpan: span(t), field, value, start: field.start, end: value.end };
    }
    if (t.type === 'word' && isKeyword(t.text, 'in')) {
      this.next();
      return this.parseSet(field, t, false);
    }
    const after = this.peek(1);
    if (isNot(t) && t.type === 'word' && after.type === 'word' && isKeyword(after.text, 'in')) {
      this.pos += 2;
      return this.parseSet(field, { start: t.start, end: after.end }, true);
    }
    return { type: 'exists', field, start: field.start, end: field.end };
  }

  /** The value after an operator; a keyword there is a value too (an enum may be called `OR`). */
  private value(after: Token): Literal {
    const t = this.peek();
    if (isValue(t)) { this.next(); return literal(t); }
    if (t.type === 'eof') throw FilterError.at(`expected a value after "${after.text}"`, after);
    throw FilterError.at(`expected a value after "${after.text}", found ${describe(t)}`, t);
  }

  // set := "{" item ([","] item)* "}" ; item := value [".." value]
  private parseSet(field: FieldRef, opSpan: Span, negated: boolean): Expr {
    const open = this.peek();
    const opText = negated ? 'not in' : 'in';
    if (open.type !== '{') {
      if (open.type === 'eof') throw FilterError.at(`expected "{" after "${opText}"`, opSpan);
      throw FilterError.at(`expected "{" after "${opText}", found ${describe(open)}`, open);
    }
    this.next();
    const items: SetItem[] = [];
    let comma = false; // a comma may follow an item, once
    for (;;) {
      const t = this.peek();
      if (t.type === '}') {
        if (items.length === 0) throw FilterError.at('expected a value in the set', { start: open.start, end: t.end });
        this.next();
        return { type: 'in', negated, opSpan: span(opSpan), field, items, start: field.start, end: t.end };
      }
      if (t.type === 'eof') throw FilterError.at('unmatched "{"', open);
      if (t.type === ',' && items.length > 0 && !comma) { this.next(); comma = true; continue; }
      comma = false;
      if (!isValue(t)) throw FilterError.at(`expected a value or "}" in the set, found ${describe(t)}`, t);
      this.next();
      const lo = literal(t);
      if (this.peek().type !== '..') { items.push({ lo, start: lo.start, end: lo.end }); continue; }
      const dots = this.next();
      const hi = this.value(dots);
      items.push({ lo, hi, start: lo.start, end: hi.end });
    }
  }
}

function literal(t: Token): Literal {
  return t.type === 'string'
    ? { kind: 'string', text: t.value ?? '', start: t.start, end: t.end }
    : { kind: 'word', text: t.text, start: t.start, end: t.end };
}

function span(s: Span): Span {
  return { start: s.start, end: s.end };
}
