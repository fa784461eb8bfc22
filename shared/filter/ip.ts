/**
 * IPv4 and IPv6 addresses for the `ip.*` fields. Addresses compare as numbers, not as text, so `10.0.0.1`,
 * `::ffff:10.0.0.1` (how a dual-stack Node socket reports an IPv4 peer) and `10.000.0.1` are the same address.
 */

/** IPv4 as an unsigned 32-bit number, IPv6 as a 128-bit BigInt. */
export type IpAddress = { v6: false; n: number } | { v6: true; n: bigint };

export interface IpNetwork {
  addr: IpAddress;
  /** Prefix length; the full width (32 or 128) for a single address. */
  prefix: number;
}

function parseV4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const b = Number(p);
    if (b > 255) return undefined;
    n = n * 256 + b;
  }
  return n;
}

function parseV6(text: string): bigint | undefined {
  const zone = text.indexOf('%'); // link-local zone (`fe80::1%eth0`) does not take part in comparisons
  const body = zone >= 0 ? text.slice(0, zone) : text;
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string): number[] | undefined => {
    if (half === '') return [];
    const out: number[] = [];
    const parts = half.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseV4(p);
        if (v4 === undefined) return undefined;
        out.push(v4 >>> 16, v4 & 0xffff);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) out.push(parseInt(p, 16));
      else return undefined;
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  let n = 0n;
  for (const g of [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail]) n = (n << 16n) | BigInt(g);
  return n;
}

/** Parses an address; an IPv4-mapped IPv6 address becomes the IPv4 address. */
export function parseIp(text: string): IpAddress | undefined {
  const v4 = parseV4(text);
  if (v4 !== undefined) return { v6: false, n: v4 };
  if (!text.includes(':')) return undefined;
  const v6 = parseV6(text);
  if (v6 === undefined) return undefined;
  if (v6 >> 32n === 0xffffn) return { v6: false, n: Number(v6 & 0xffffffffn) };
  return { v6: true, n: v6 };
}

/** `10.0.0.1`, `10.0.0.0/8`, `2001:db8::/32`; host bits under the prefix are ignored, as Wireshark does. */
export function parseNetwork(text: string): IpNetwork | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) {
    const addr = parseIp(text);
    return addr && { addr, prefix: addr.v6 ? 128 : 32 };
  }
  const lenText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText)) return undefined;
  let prefix = Number(lenText);
  const addrText = text.slice(0, slash);
  const addr = parseIp(addrText);
  if (!addr) return undefined;
  // `::ffff:10.0.0.0/104` was mapped to IPv4 by parseIp: its prefix counts from bit 96.
  if (!addr.v6 && addrText.includes(':')) {
    if (prefix < 96) return undefined;
    prefix -= 96;
  }
  if (prefix > (addr.v6 ? 128 : 32)) return undefined;
  return { addr, prefix };
}

export function inNetwork(a: IpAddress, net: IpNetwork): boolean {
  if (a.v6 !== net.addr.v6) return false;
  if (net.prefix === 0) return true;
  if (!a.v6) return ((a.n ^ (net.addr.n as number)) >>> (32 - net.prefix)) === 0;
  return ((a.n ^ (net.addr.n as bigint)) >> BigInt(128 - net.prefix)) === 0n;
}

/** Orders addresses: IPv4 before IPv6, then numerically. */
export function compareIp(a: IpAddress, b: IpAddress): number {
  if (a.v6 !== b.v6) return a.v6 ? 1 : -1;
  return a.n < b.n ? -1 : a.n > b.n ? 1 : 0;
}

const cache = new Map<string, IpAddress | null>();
const CACHE_LIMIT = 4096;

/**
 * The address of a field value. Captures repeat the same few addresses, so parsed values are cached; the cache is
 * dropped when it fills up (a scan of many hosts), which keeps it bounded without bookkeeping.
 */
export function ipOfValue(value: unknown): IpAddress | undefined {
  if (typeof value !== 'string') return undefined;
  let hit = cache.get(value);
  if (hit === undefined) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    hit = parseIp(value) ?? null;
    cache.set(value, hit);
  }
  return hit ?? undefined;
}
