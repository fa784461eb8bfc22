/**
 * stdout for every sub-command, written once per turn of the event loop. A file or a pipe takes each write as a
 * system call of its own, so `read` printing a line per frame spent most of its time writing (2.0 of 2.2 s for
 * 200,000 frames); here each line is encoded into a 64 KiB buffer and a batch of frames is one write. Live commands
 * (proxy, capture) still print as the traffic comes: what a turn printed goes out at its end.
 */
const CHUNK = 64 * 1024;
/** UTF-8 bytes per UTF-16 code unit, at most. */
const MAX_BYTES_PER_UNIT = 3;

let chunk = Buffer.allocUnsafe(CHUNK);
let used = 0;
let scheduled = false;

/** One line (a newline is added unless there is one). */
export function output(text: string): void {
  const line = text.endsWith('\n') ? text : `${text}\n`;
  if (!scheduled) { scheduled = true; setImmediate(flushOutput); }
  if (used + line.length * MAX_BYTES_PER_UNIT > CHUNK) {
    flushOutput();
    if (line.length * MAX_BYTES_PER_UNIT > CHUNK) { process.stdout.write(line); return; }
  }
  used += chunk.write(line, used);
}

/** Writes what is waiting now (before an error line on stderr, so the two read in order). */
export function flushOutput(): void {
  scheduled = false;
  if (used === 0) return;
  // A fresh buffer each time: where stdout is asynchronous (a pipe on macOS, a terminal on Windows) it keeps this one.
  const full = chunk.subarray(0, used);
  chunk = Buffer.allocUnsafe(CHUNK);
  used = 0;
  process.stdout.write(full);
}
