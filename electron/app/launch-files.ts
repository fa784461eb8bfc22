/**
 * Capture files named on a command line: the first launch's, or a second instance's that the single-instance lock
 * forwards (`second-instance` hands over its argv and working directory). Linux desktop files pass `file://` URIs
 * (Exec=… %U), Windows and macOS plain paths; Chromium switches and the app's own entry script are skipped by
 * taking only existing files with a capture extension.
 */
import { statSync } from 'node:fs';
import { extname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CAPTURE_EXTENSIONS = ['.pcapng', '.pcap', '.cap'] as const;

export function isCaptureFile(path: string): boolean {
  return (CAPTURE_EXTENSIONS as readonly string[]).includes(extname(path).toLowerCase());
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Absolute paths of the capture files in `argv` (argv[0], the executable, is skipped), in order, without repeats. */
export function captureFilesFromArgv(argv: readonly string[], cwd: string, exists: (path: string) => boolean = isFile): string[] {
  const out: string[] = [];
  for (const arg of argv.slice(1)) {
    if (!arg || arg.startsWith('-')) continue;
    let path = arg;
    if (/^file:\/\//i.test(arg)) {
      try {
        path = fileURLToPath(arg);
      } catch {
        continue;
      }
    }
    if (!isCaptureFile(path)) continue;
    const full = isAbsolute(path) ? path : resolve(cwd, path);
    if (exists(full) && !out.includes(full)) out.push(full);
  }
  return out;
}
