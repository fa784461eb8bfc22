/**
 * Framing and detection of the push protocol (PROTOCOLS.md §5.1, §5.2, §5.6).
 *
 * c2s: the 4-byte magic once at the start of the stream, then `\n`-ended command lines; IDENTIFY and PUB lines are
 * followed by `[u32 BE size][body]`, and line + body make one PDU. s2c: `[u32 size][u32 frame_type][data]`.
 *
 * Both framers are stateful. After an IDENTIFY negotiation that switches the connection to TLS, snappy or deflate
 * the bytes that follow are not the protocol any more: the framers then report everything as unframed (INVALID,
 * and nothing is plausible), so no bogus PDU is ever cut out of ciphertext.
 */
import { fromUtf8 } from '../../codec/bytes';
import { DEFAULT_MAX_PDU, indexOf, peekInt } from '../../codec/framing';
import { INVALID, NEED_MORE, type Framer, type FramerOptions } from '../../codec/protocol';
import {
  DETECT_MAX_SIZE, MAX_LINE, MESSAGE_HEADER, indexOfByte, isPrintable, knownLineAt, latin1, startsWithMagic,
} from './push-wire';

// ---------------------------------------------------------------------------------------------------------------
// c2s

/** Length of the command line at `off` including `\n`, NEED_MORE or INVALID (control bytes, too long). */
function lineLength(b: Uint8Array, off: number, end: number, maxLine: number): number {
  const stop = Math.min(end, off + maxLine);
  for (let i = off; i < stop; i++) {
    const c = b[i];
    if (c === 0x0a) return i + 1 - off;
    if (c === 0x0d) {
      if (i + 1 < end && b[i + 1] !== 0x0a) return INVALID; // `\r` only right before `\n`
      continue;
    }
    if (c < 0x20 || c > 0x7e) return INVALID; // command lines are printable ASCII
  }
  return stop === end && end - off < maxLine ? NEED_MORE : INVALID;
}

/** Whether the line of `lineLen` bytes at `off` starts with the command word `w`. */
function startsWithWord(b: Uint8Array, off: number, lineLen: number, w: string): boolean {
  if (lineLen < w.length + 1) return false;
  for (let i = 0; i < w.length; i++) if (b[off + i] !== w.charCodeAt(i)) return false;
  const next = b[off + w.length];
  return next === 0x20 || next === 0x0a || next === 0x0d;
}

/** IDENTIFY and PUB lines carry a `[u32 size][body]` after them. */
function hasBody(b: Uint8Array, off: number, lineLen: number): boolean {
  return b[off] === 0x49 ? startsWithWord(b, off, lineLen, 'IDENTIFY') : b[off] === 0x50 ? startsWithWord(b, off, lineLen, 'PUB') : false;
}

/** The PDU at `off` in a client stream: its length, NEED_MORE or INVALID. Pure (no framer state). */
export function commandFrameAt(b: Uint8Array, off: number, end: number, max: number, atStart: boolean): number {
  const avail = end - off;
  if (avail <= 0) return NEED_MORE;
  if (atStart && b[off] === 0x20) {
    // The broker reads the first 4 bytes as the magic whatever they are; no command starts with two spaces.
    if (avail < 2) return NEED_MORE;
    if (b[off + 1] === 0x20) return avail < 4 ? NEED_MORE : 4;
  }
  const n = lineLength(b, off, end, Math.min(MAX_LINE, max));
  if (n < 0) return n;
  if (!hasBody(b, off, n)) return n > max ? INVALID : n;
  if (avail < n + 4) return n + 4 > max ? INVALID : NEED_MORE;
  const total = n + 4 + peekInt(b, off + n, 'u4be');
  if (total > max) return INVALID;
  return avail < total ? NEED_MORE : total;
}

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const TRUE = ascii('true');
const FEATURE_NEGOTIATION = ascii('feature_negotiation');
const UPGRADES = [ascii('tls_v1'), ascii('snappy'), ascii('deflate')];

/**
 * Whether the JSON text in b[from..to) certainly cannot ask for an upgrade, seen on its bytes: an upgrade needs two
 * `true` literals (feature_negotiation and one feature; literals are never escaped), and without a backslash (no
 * escaped member name) the member names must appear as they are. This runs for every IDENTIFY the framer cuts, so
 * most bodies need no JSON.parse.
 */
function cannotAskUpgrade(b: Uint8Array, from: number, to: number): boolean {
  const first = indexOf(b, TRUE, from, to);
  if (first < 0 || indexOf(b, TRUE, first + 4, to) < 0) return true;
  if (indexOfByte(b, 0x5c, from, to) >= 0) return false;
  return indexOf(b, FEATURE_NEGOTIATION, from, to) < 0 || UPGRADES.every((u) => indexOf(b, u, from, to) < 0);
}

/** Whether an IDENTIFY PDU asks for feature negotiation with TLS, snappy or deflate. */
export function identifyRequestsUpgrade(pdu: Uint8Array): boolean {
  const nl = indexOfByte(pdu, 0x0a, 0, pdu.length);
  if (nl < 0 || pdu.length < nl + 5) return false;
  if (cannotAskUpgrade(pdu, nl + 5, pdu.length)) return false;
  try {
    const v: unknown = JSON.parse(fromUtf8(pdu, nl + 5, pdu.length));
    if (typeof v !== 'object' || v === null) return false;
    const o = v as Record<string, unknown>;
    return o.feature_negotiation === true && (o.tls_v1 === true || o.snappy === true || o.deflate === true);
  } catch {
    return false;
  }
}

/** Client → broker framer: magic at the very start only, then command lines (with bodies). */
export function commandFramer(opts: FramerOptions = {}): Framer {
  const max = opts.maxPdu ?? DEFAULT_MAX_PDU;
  let atStart = true;
  /** The client asked for TLS/compression: bytes that are no command mean the upgrade happened. */
  let upgradeAsked = false;
  let opaque = false;
  return {
    frame(buf, off, end) {
      if (opaque) return INVALID;
      const n = commandFrameAt(buf, off, end, max, atStart);
      if (n === INVALID) {
        atStart = false;
        if (upgradeAsked) opaque = true;
      }
      return n;
    },
    commit(pdu) {
      atStart = false;
      if (pdu[0] === 0x49 && identifyRequestsUpgrade(pdu)) upgradeAsked = true;
    },
    plausible(buf, off, end) {
      if (opaque) return false;
      const known = knownLineAt(buf, off, end);
      if (known < 0) return false;
      return commandFrameAt(buf, off, end, max, false) !== INVALID;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// s2c

/** Whether a negotiation Response switched the connection to TLS, snappy or deflate (the rest is not decodable). */
export function responseUpgrades(pdu: Uint8Array): string[] {
  if (pdu.length < 9 || peekInt(pdu, 4, 'u4be') !== 0 || pdu[8] !== 0x7b) return [];
  try {
    const v: unknown = JSON.parse(fromUtf8(pdu, 8, Math.min(pdu.length, 4 + peekInt(pdu, 0, 'u4be'))));
    if (typeof v !== 'object' || v === null) return [];
    const o = v as Record<string, unknown>;
    return ['tls_v1', 'snappy', 'deflate'].filter((k) => o[k] === true);
  } catch {
    return [];
  }
}

/**
 * Strict test of a broker frame at `off` (detection, resynchronisation): size 4 … max, frame type 0 … 3, printable
 * data for Response/Error/Ack (an Error starting with `E_` or `internal error`), room for a Message's header and hex
 * id. Returns true when the bytes seen so far fit (they may end early).
 */
export function plausibleFrameAt(b: Uint8Array, off: number, end: number, max: number, strictError = false): boolean {
  const avail = end - off;
  if (avail < 4) return true;
  const size = peekInt(b, off, 'u4be');
  if (size < 4 || size + 4 > max) return false;
  for (let i = 4; i < 7 && i < avail; i++) if (b[off + i] !== 0) return false;
  if (avail < 8) return true;
  const type = b[off + 7];
  if (type > 3) return false;
  const dataStart = off + 8;
  const dataEnd = Math.min(end, off + 4 + size);
  switch (type) {
    case 0:
      return isPrintable(b, dataStart, dataEnd);
    case 1: {
      if (!isPrintable(b, dataStart, dataEnd)) return false;
      const head = latin1(b, dataStart, Math.min(dataEnd, dataStart + 14));
      const prefixes = strictError ? ['E_'] : ['E_', 'internal error'];
      return size === 4 ? false : prefixes.some((p) => p.startsWith(head) || head.startsWith(p));
    }
    case 2: {
      if (size < 4 + MESSAGE_HEADER) return false;
      const hexStart = dataStart + 10;
      for (let i = hexStart; i < Math.min(dataEnd, hexStart + 16); i++) {
        const c = b[i];
        if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46))) return false;
      }
      return true;
    }
    default:
      return size > 4 && isPrintable(b, dataStart, dataEnd);
  }
}

/** Broker → client framer: `[u32 size][u32 frame_type][data]`. */
export function frameFramer(opts: FramerOptions = {}): Framer {
  const max = opts.maxPdu ?? DEFAULT_MAX_PDU;
  let opaque = false;
  return {
    frame(buf, off, end) {
      if (opaque) return INVALID;
      const avail = end - off;
      if (avail >= 4) {
        const size = peekInt(buf, off, 'u4be');
        if (size < 4 || size + 4 > max) return INVALID;
      }
      // Frame types are small: the three high bytes of a real one are zero (cheap garbage rejection).
      for (let i = 4; i < 7 && i < avail; i++) if (buf[off + i] !== 0) return INVALID;
      if (avail < 8) return NEED_MORE;
      const total = 4 + peekInt(buf, off, 'u4be');
      return avail < total ? NEED_MORE : total;
    },
    commit(pdu) {
      if (pdu[8] === 0x7b && responseUpgrades(pdu).length > 0) opaque = true;
    },
    plausible(buf, off, end) {
      return !opaque && plausibleFrameAt(buf, off, end, max);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Detection and direction

/** Client side (§5.6): the magic, or a known command line mid-stream. */
export function detectClient(first: Uint8Array): boolean {
  if (startsWithMagic(first)) return true;
  return first.length > 0 && knownLineAt(first, 0, first.length) === 1;
}

/** Broker side (§5.6): size 4 … 5 MiB, frame type ≤ 3, printable data for Response/Error (Error starting `E_`). */
export function detectBroker(first: Uint8Array): boolean {
  return first.length >= 8 && plausibleFrameAt(first, 0, first.length, DETECT_MAX_SIZE + 4, true);
}

/**
 * §5.1: the magic or an upper-case command word followed by a space or a newline → c2s; otherwise s2c. Any
 * `20 20` start counts as a (wrong) magic too: a broker frame starting so would announce over 500 MB.
 */
export function guessDirection(pdu: Uint8Array): 'c2s' | 's2c' {
  if (startsWithMagic(pdu) || (pdu.length >= 2 && pdu[0] === 0x20 && pdu[1] === 0x20)) return 'c2s';
  let i = 0;
  while (i < pdu.length && pdu[i] >= 0x41 && pdu[i] <= 0x5a) i++;
  if (i === 0 || i >= pdu.length) return 's2c';
  const c = pdu[i];
  if (c === 0x20 || c === 0x0a) return 'c2s';
  return c === 0x0d && pdu[i + 1] === 0x0a ? 'c2s' : 's2c';
}
