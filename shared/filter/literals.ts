/** Reading the unquoted values of the filter language: integers, numbers and byte strings. */

const INTEGER = /^([+-]?)(0[xX][0-9a-fA-F]+|0[bB][01]+|\d+)$/;
const DECIMAL = /^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$/;

/** `42`, `-7`, `0x1f`, `0b101` (decimal even with leading zeros: `010` is ten, unlike Wireshark's octal). */
export function parseInteger(text: string): bigint | undefined {
  const m = INTEGER.exec(text);
  if (!m) return undefined;
  const n = BigInt(m[2]);
  return m[1] === '-' ? -n : n;
}

/** An integer as above, or a decimal fraction with an optional exponent (`0.25`, `1e-3`). */
export function parseNumber(text: string): number | undefined {
  const big = parseInteger(text);
  if (big !== undefined) return Number(big);
  return DECIMAL.test(text) ? Number(text) : undefined;
}

/**
 * A byte string as lowercase hex without separators: `ab:cd:ef`, `ab-cd-ef`, `ab.cd.ef` (one separator kind, one or
 * two digits per byte), `abcdef` (an even number of digits) or `0xabcdef`. Undefined when the text is not one.
 */
export function parseByteString(text: string): string | undefined {
  let body = text;
  if (/^0x/i.test(body)) {
    body = body.slice(2);
    return /^([0-9a-fA-F]{2})+$/.test(body) ? body.toLowerCase() : undefined;
  }
  const sep = /[:.-]/.exec(body)?.[0];
  if (sep === undefined) return /^([0-9a-fA-F]{2})+$/.test(body) ? body.toLowerCase() : undefined;
  let out = '';
  for (const part of body.split(sep)) {
    if (!/^[0-9a-fA-F]{1,2}$/.test(part)) return undefined;
    out += part.length === 1 ? `0${part}` : part;
  }
  return out.toLowerCase();
}
