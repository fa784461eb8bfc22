/**
 * Query strings the way the push servers read them (Go's url.ParseQuery): pairs split on `&`, name and value
 * split on the first `=`, `+` means a space, `%XX` are bytes, and the bytes are UTF-8. Works over the PDU's
 * bytes so every parameter keeps its byte range.
 */

import { isValidUtf8, latin1Text } from '../../codec/bytes';

export interface QueryParam {
  /** Byte range of `name=value` in the PDU. */
  start: number;
  end: number;
  name: string;
  value: string;
  /** Percent-encoding or UTF-8 was broken: the text shown is a best effort. */
  problem?: string;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenientUtf8 = new TextDecoder('utf-8', { ignoreBOM: true });

export function parseQuery(buf: Uint8Array, start: number, end: number): QueryParam[] {
  const out: QueryParam[] = [];
  let at = start;
  while (at <= end) {
    let amp = at;
    while (amp < end && buf[amp] !== 0x26) amp++;
    if (amp > at) {
      let eq = at;
      while (eq < amp && buf[eq] !== 0x3d) eq++;
      const name = formDecode(buf, at, eq);
      const value = eq < amp ? formDecode(buf, eq + 1, amp) : { text: '' };
      if (name.text !== '') {
        const p: QueryParam = { start: at, end: amp, name: name.text, value: value.text };
        const problem = name.problem ?? value.problem;
        if (problem) p.problem = problem;
        out.push(p);
      }
    }
    at = amp + 1;
  }
  return out;
}

/** Decodes one `application/x-www-form-urlencoded` component. */
export function formDecode(buf: Uint8Array, start: number, end: number): { text: string; problem?: string } {
  // Plain ASCII without `+` or `%` (most names and values) is its own text: no copy, no decoder.
  let plain = true;
  for (let i = start; plain && i < end; i++) { const b = buf[i]; if (b >= 0x80 || b === 0x2b || b === 0x25) plain = false; }
  if (plain) return { text: latin1Text(buf, start, end) };
  const bytes = new Uint8Array(end - start);
  let n = 0;
  let problem: string | undefined;
  for (let i = start; i < end; i++) {
    const b = buf[i];
    if (b === 0x2b) { bytes[n++] = 0x20; continue; }
    if (b === 0x25) {
      const hi = hexDigit(buf[i + 1]);
      const lo = hexDigit(buf[i + 2]);
      if (i + 2 < end && hi >= 0 && lo >= 0) { bytes[n++] = (hi << 4) | lo; i += 2; continue; }
      problem ??= `invalid percent-encoding at byte ${i}`;
    }
    bytes[n++] = b;
  }
  const view = bytes.subarray(0, n);
  // Validated first rather than caught: the fatal decoder's exception costs far more than the check.
  if (isValidUtf8(view)) return problem ? { text: strictUtf8.decode(view), problem } : { text: strictUtf8.decode(view) };
  return { text: lenientUtf8.decode(view), problem: problem ?? 'percent-decoded bytes are not valid UTF-8' };
}

function hexDigit(b: number | undefined): number {
  if (b === undefined) return -1;
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  const l = b | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x57 : -1;
}
