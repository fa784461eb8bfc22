/** A file copy that reports its progress (Save As of a large live spool), about ten times a second. */
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';

export async function copyWithProgress(from: string, to: string, progress: (done: number, total: number) => void, intervalMs = 100): Promise<void> {
  const total = statSync(from).size;
  let done = 0;
  let last = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      done += chunk.length;
      if (Date.now() - last > intervalMs) { last = Date.now(); progress(Math.min(done, total), total); }
      cb(null, chunk);
    },
  });
  await pipeline(createReadStream(from, { end: total > 0 ? total - 1 : undefined, highWaterMark: 1 << 20 }), counter, createWriteStream(to));
  progress(total, total);
}
