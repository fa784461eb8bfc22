/** One line per frame, as tshark and mitmdump print them, optionally restricted by a display filter (-Y). */
import { compileFilter, type CompiledFilter } from '../../shared/filter/index';
import { fieldCatalog } from '../../shared/protocols/index';
import type { Session } from '../engine/session/session';
import { frameLookup, treeFields } from '../engine/session/views';
import { CliError } from './cli-error';

export function compileDisplayFilter(text: string | undefined): CompiledFilter | undefined {
  if (!text) return undefined;
  const r = compileFilter(text, fieldCatalog());
  if (!r.ok) throw new CliError(`-Y: ${r.error.message} (column ${r.error.column + 1})\n  ${text}\n  ${' '.repeat(r.error.column)}${'^'.repeat(Math.max(1, r.error.length))}`);
  return r.filter;
}

export function matches(session: Session, frame: number, filter: CompiledFilter | undefined): boolean {
  if (!filter) return true;
  const wanted = treeFields(filter);
  return filter.test(frameLookup(session, frame, wanted.length > 0, wanted));
}

export function frameLine(session: Session, frame: number): string {
  const r = session.row(frame);
  const arrow = r.direction === 'c2s' ? '→' : '←';
  const [client, server] = r.direction === 'c2s' ? [r.source, r.destination] : [r.destination, r.source];
  const rt = r.responseTime !== undefined ? `  (${(r.responseTime * 1000).toFixed(3)} ms)` : '';
  return `${String(r.number).padStart(6)} ${r.time.toFixed(6).padStart(11)}  #${r.connection} ${client} ${arrow} ${server}  ${r.protocol.padEnd(5)} ${r.length.toString().padStart(6)}  ${r.summary}${r.malformed ? '  [MALFORMED]' : ''}${rt}`;
}
