/**
 * The syntax tree of a display filter, as the parser writes it: names and literals are still plain text with their
 * position, so the compiler can report a type error under the exact characters that caused it.
 */

/** A range of the filter text: `start` inclusive, `end` exclusive, 0-based UTF-16 offsets. */
export interface Span {
  start: number;
  end: number;
}

export type CompareOp = '==' | '!=' | '<' | '>' | '<=' | '>=' | 'contains' | 'matches';

export interface FieldRef extends Span {
  name: string;
}

/**
 * A value as typed. `word` is anything unquoted (`42`, `0x1f`, `ab:cd`, `10.0.0.0/8`, `ShakeHand`, `true`): the
 * field's type decides what it means. `string` is a quoted string with its escapes already resolved.
 */
export interface Literal extends Span {
  kind: 'word' | 'string';
  text: string;
}

/** One member of `in {…}`: a value, or an inclusive range `lo..hi`. */
export interface SetItem extends Span {
  lo: Literal;
  hi?: Literal;
}

export type Expr =
  | ({ type: 'and' | 'or'; left: Expr; right: Expr } & Span)
  | ({ type: 'not'; operand: Expr } & Span)
  | ({ type: 'exists'; field: FieldRef } & Span)
  | ({ type: 'compare'; op: CompareOp; opSpan: Span; field: FieldRef; value: Literal } & Span)
  | ({ type: 'in'; negated: boolean; opSpan: Span; field: FieldRef; items: SetItem[] } & Span);

/** A syntax or type error, located in the filter text (what the filter bar underlines). */
export class FilterError extends Error {
  constructor(message: string, readonly column: number, readonly length: number) {
    super(message);
  }

  static at(message: string, span: Span): FilterError {
    return new FilterError(message, span.start, span.end - span.start);
  }
}
