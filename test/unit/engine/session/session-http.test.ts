/**
 * HTTP in a session: a response is framed and decoded by its request (the response to a HEAD has no body whatever
 * its Content-Length says; `http.api` comes from the request's target), whether the session keeps the bytes or not.
 */
import { describe, expect, it } from 'vitest';
import { concatBytes, utf8 } from '../../../../shared/codec/bytes';
import { flattenFields } from '../../../../shared/codec/tree';
import { getProtocol } from '../../../../shared/protocols/index';
import { Session } from '../../../../electron/engine/session/session';

const http = getProtocol('http')!;
const client = { host: '127.0.0.1', port: 50000 };
const server = { host: '127.0.0.1', port: 8710 };

const head = utf8('HEAD /info HTTP/1.1\r\nHost: x\r\n\r\n');
const headReply = utf8('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 48\r\n\r\n');
const put = utf8('POST /put?channel_id=1 HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello');
const putReply = utf8('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{"code":9}');

interface Seen { message: string; api: unknown; code: string | undefined; malformed: boolean }

/** Pipelined HEAD and POST, both replies in one chunk; what onFrame sees of each frame. */
function run(keepBytes: boolean | undefined, gapBetween = false): { seen: Seen[]; session: Session } {
  const seen: Seen[] = [];
  const session: Session = new Session({
    keepBytes,
    onFrame: (frame) => {
      const decoded = http.decode(session.bytes(frame), session.directionOf(frame), session.decodeOptions(frame));
      const code = decoded.tree.flatMap(function walk(n): string[] { return [...(n.abbrev === 'http.json.code' ? [n.display!] : []), ...(n.children ?? []).flatMap(walk)]; });
      seen.push({ message: session.messageName(frame), api: flattenFields(decoded.tree)['http.api'], code: code[0], malformed: decoded.malformed });
    },
  });
  const id = session.openConnection({ source: 'file', client, server, protocol: 'http' });
  session.data(id, 'c2s', concatBytes([head, put]));
  if (gapBetween) session.gap(id, 'c2s', 100);
  session.data(id, 's2c', concatBytes([headReply, putReply]));
  return { seen, session };
}

describe('session: HTTP responses by their requests', () => {
  it.each([['kept', undefined], ['not kept', false]] as const)('frames the HEAD reply without a body and decodes both replies by their requests (bytes %s)', (_name, keepBytes) => {
    const { seen, session } = run(keepBytes);
    expect(seen).toEqual([
      { message: 'Request', api: 'push.info', code: undefined, malformed: false },
      { message: 'Request', api: 'push.put', code: undefined, malformed: false },
      { message: 'Response', api: 'push.info', code: undefined, malformed: false },
      { message: 'Response', api: 'push.put', code: '9 (NoSubErr)', malformed: false },
    ]);
    expect(session.responseTime(3)).toBeGreaterThanOrEqual(0);
    expect(session.index.pair(2)).toBe(0);
  });

  it('frames alone after bytes were lost: requests and responses no longer line up', () => {
    // The gap may have taken requests: the HEAD reply is no longer known as one and takes the next bytes as its body.
    const { seen, session } = run(undefined, true);
    expect(seen.slice(0, 2).map((s) => s.message)).toEqual(['Request', 'Request']);
    expect(session.index.length(2)).toBe(headReply.length + 48);
  });
});
