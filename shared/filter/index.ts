/**
 * The display-filter language (README.md has the grammar): Wireshark-style filters over decoded frames, compiled
 * once into closures, plus completion for the filter bar.
 */
import type { CatalogEntry } from '../codec/schema';
import { FilterError } from './ast';
import { compileExpr, type CompiledFilter } from './compile';
import { fieldTable } from './field-table';
import { parseFilter } from './parser';

export type { CompiledFilter, Lookup } from './compile';
export type { Completion, CompletionKind, Completions } from './suggest';
export { suggestCompletions } from './suggest';
export { BUILTIN_FIELDS, PROTOCOL_FIELD, type BuiltinField, type FieldKind } from './builtin-fields';

export interface FilterErrorInfo {
  message: string;
  /** 0-based offset in the filter text (UTF-16 code units, as JavaScript indexes strings). */
  column: number;
  /** How many characters to underline; 0 at the end of the text. */
  length: number;
}

export type CompileResult = { ok: true; filter: CompiledFilter } | { ok: false; error: FilterErrorInfo };

/**
 * Compiles filter text against a protocol catalog (plus the built-in fields). Empty text matches every frame.
 * Never throws for bad input: syntax and type errors come back located in the text.
 */
export function compileFilter(text: string, catalog: readonly CatalogEntry[]): CompileResult {
  try {
    return { ok: true, filter: compileExpr(parseFilter(text), fieldTable(catalog)) };
  } catch (e) {
    if (e instanceof FilterError) return { ok: false, error: { message: e.message, column: e.column, length: e.length } };
    throw e;
  }
}
