/** Reading the CLI's inputs: hex strings, binary files, JSON from a file or stdin. */
import { readFileSync } from 'node:fs';
import { fromHex, HexError } from '../../shared/codec/bytes';
import { CliError, UsageError } from './cli-error';

export function readBytes(opts: { hex?: string; file?: string }): Uint8Array {
  if ((opts.hex === undefined) === (opts.file === undefined)) throw new UsageError('give exactly one of --hex <hex> or --file <path>');
  if (opts.hex !== undefined) {
    try {
      return fromHex(opts.hex);
    } catch (e) {
      if (e instanceof HexError) throw new CliError(`--hex: ${e.message}`);
      throw e;
    }
  }
  return new Uint8Array(readInput(opts.file!, '--file'));
}

export function readInput(path: string, flag: string): Buffer {
  try {
    return readFileSync(path === '-' ? 0 : path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new CliError(`${flag} ${path}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  }
}

export function readJson(path: string, flag: string): unknown {
  const text = readInput(path, flag).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliError(`${flag} ${path === '-' ? '(stdin)' : path}: invalid JSON: ${(e as Error).message}`);
  }
}
