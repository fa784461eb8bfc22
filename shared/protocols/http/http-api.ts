/**
 * What PROTOCOLS.md §6.1 knows about the HTTP APIs of push and hodor: the API names (`http.api`), the push
 * servers' result codes and the registration's device types. Display only: nothing here changes the bytes.
 */

/** `http.api` by request path (exact match, as Go's ServeMux registers these handlers). */
export const API_BY_PATH: Readonly<Record<string, string>> = {
  '/registration': 'push.registration',
  '/put': 'push.put',
  '/pub': 'push.put', // the worker's alias of /put
  '/ping': 'push.ping',
  '/info': 'push.info',
  '/registry': 'hodor.registry',
};

export const API_NAMES: Readonly<Record<string, string>> = {
  'push.registration': 'push router: device registration (/registration)',
  'push.put': 'push worker: publish a message (/put, alias /pub)',
  'push.ping': 'push router or worker: liveness (/ping)',
  'push.info': 'push router or worker: version (/info)',
  'hodor.registry': 'hodor scheduler: executor registry (/registry, design only)',
};

/** The path of a request target: origin-form `/p?q`, absolute-form `http://host/p?q`, asterisk-form `*`. */
export function targetPath(uri: string): string {
  const [start, end] = pathRange(uri);
  return uri.slice(start, end);
}

/** Character range of the path in a request target (empty for authority-form `host:port`). */
export function pathRange(uri: string): [number, number] {
  let start = 0;
  const scheme = uri.indexOf('://');
  if (scheme > 0 && /^[A-Za-z][A-Za-z0-9+.-]*$/.test(uri.slice(0, scheme))) {
    const slash = uri.indexOf('/', scheme + 3);
    const q = uri.indexOf('?', scheme + 3);
    if (slash < 0 || (q >= 0 && q < slash)) return [uri.length, uri.length];
    start = slash;
  }
  let end = uri.length;
  const q = uri.indexOf('?', start);
  if (q >= 0) end = q;
  const h = uri.indexOf('#', start);
  if (h >= 0 && h < end) end = h;
  return [start, end];
}

export function apiOfPath(path: string): string | undefined {
  return API_BY_PATH[path];
}

/** Result codes of the push router and worker (`code` in their JSON replies, document 004 §3). */
const PUSH_CODES: Readonly<Record<number, string>> = {
  [-1]: 'NotFound', 0: 'OK', 1: 'ParamErr', 2: 'InternalErr', 3: 'MethodErr', 4: 'MsgEmpty', 5: 'MsgTooLong',
  6: 'MsgErr', 7: 'ChannelIdErr', 8: 'DeviceTypeErr',
};

/** Code 9 differs by server (PROTOCOLS.md §6.1 DOC ≠ WIRE): both meanings are right for their server. */
export function pushCodeName(code: number, api: string | undefined): string | undefined {
  if (code === 9) {
    if (api === 'push.registration') return 'SerialNoErr';
    if (api === 'push.put') return 'NoSubErr';
    return 'SerialNoErr (router) / NoSubErr (worker)';
  }
  return PUSH_CODES[code];
}

/** `device_type` of /registration (document 004 §3.1). /put's document gives a different list; not shown. */
export const REGISTRATION_DEVICE_TYPES: Readonly<Record<string, string>> = {
  0: 'all', 1: 'browser', 2: 'PC', 3: 'Android', 4: 'iOS', 5: 'Windows Phone', 6: 'other',
};

/** Standard reason phrases, for responses whose document leaves `reason` out. */
export const REASONS: Readonly<Record<number, string>> = {
  100: 'Continue', 101: 'Switching Protocols', 200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content',
  206: 'Partial Content', 301: 'Moved Permanently', 302: 'Found', 304: 'Not Modified', 307: 'Temporary Redirect',
  308: 'Permanent Redirect', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 408: 'Request Timeout', 411: 'Length Required', 413: 'Request Entity Too Large',
  414: 'Request URI Too Long', 415: 'Unsupported Media Type', 429: 'Too Many Requests',
  500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable',
  504: 'Gateway Timeout',
};
