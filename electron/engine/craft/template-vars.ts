/**
 * `{{…}}` variables in message documents (sequences and mock replies; README.md lists them). A string that is one
 * variable and nothing else takes the variable's value with its type (`"{{reply.login.value.user_id}}"` → 1001); a
 * variable inside a longer string is interpolated as text. An unknown variable or a missing value is an error that
 * names it, never a silent empty string.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { FieldValue } from '../../../shared/codec/tree';
import { CraftError } from './craft-error';

/** What a template can read about a frame (a reply, or the request a mock answers). */
export interface FrameVars {
  message: string;
  summary: string;
  direction: string;
  /** The decoded message document. */
  value: Record<string, unknown>;
  /** Flattened fields by display-filter name (`tt.result`). */
  fields: Record<string, FieldValue | FieldValue[]>;
  hex: string;
}

export interface TemplateScope {
  /** Counts messages sent (sequences) or replies written (mocks), from 1. */
  seq?: number;
  iteration?: number;
  step?: number;
  request?: FrameVars;
  last?: FrameVars;
  /** A reply by step name or index; undefined when that step got none. */
  reply?: (id: string) => FrameVars | undefined;
}

const VAR = /\{\{\s*(.*?)\s*\}\}/g;
const WHOLE = /^\{\{\s*(.*?)\s*\}\}$/;

/** Expands every variable in a document (strings at any depth; keys are left alone). */
export function expandTemplate(value: unknown, scope: TemplateScope, where = 'value'): unknown {
  if (typeof value === 'string') return expandString(value, scope, where);
  if (Array.isArray(value)) return value.map((v, i) => expandTemplate(v, scope, `${where}[${i}]`));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = expandTemplate(v, scope, `${where}.${k}`);
    return out;
  }
  return value;
}

function expandString(text: string, scope: TemplateScope, where: string): unknown {
  if (!text.includes('{{')) return text;
  const whole = WHOLE.exec(text);
  if (whole && !whole[1].includes('{{')) return evaluate(whole[1], scope, where);
  return text.replace(VAR, (_, expr: string) => {
    const v = evaluate(expr, scope, where);
    return typeof v === 'string' ? v : JSON.stringify(v);
  });
}

/** Step ids a document reads replies of (`{{reply.login.…}}` → `login`), so a runner can wait for them first. */
export function replyRefs(value: unknown, out = new Set<string>()): Set<string> {
  if (typeof value === 'string') {
    for (const m of value.matchAll(VAR)) {
      const path = parsePath(m[1], 'value');
      if (path[0] === 'reply' && path.length > 1) out.add(path[1]);
    }
  } else if (Array.isArray(value)) {
    for (const v of value) replyRefs(v, out);
  } else if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) replyRefs(v, out);
  }
  return out;
}

function evaluate(expr: string, scope: TemplateScope, where: string): unknown {
  const path = parsePath(expr, where);
  const fail = (why: string): never => { throw new CraftError(`${where}: {{${expr}}}: ${why}`); };
  const [root, ...rest] = path;
  const scalar = (v: unknown): unknown => (rest.length > 0 ? fail(`${root} has no members`) : v);
  switch (root) {
    case 'seq': return scalar(scope.seq ?? 1);
    case 'iteration': return scalar(scope.iteration ?? 0);
    case 'step': return scalar(scope.step ?? 0);
    case 'now': return scalar(Math.floor(Date.now() / 1000));
    case 'now_ms': return scalar(Date.now());
    case 'random': return scalar(randomInt(0, 2 ** 31 - 1));
    case 'uuid': return scalar(randomUUID());
    case 'request':
      if (!scope.request) return fail('only a mock reply has a request');
      return frameMember(scope.request, rest, fail);
    case 'last':
      if (!scope.last) return fail('no reply has been received yet');
      return frameMember(scope.last, rest, fail);
    case 'reply': {
      if (!scope.reply) return fail('only a sequence step has replies');
      const [id, ...member] = rest;
      if (id === undefined) return fail('name the step: reply.<name or index>.value.<path>');
      const f = scope.reply(id);
      if (!f) return fail(`step ${/^\d+$/.test(id) ? id : `"${id}"`} got no reply (let it wait with "waitReply": true)`);
      return frameMember(f, member, fail);
    }
    default:
      return fail(`unknown variable "${root}" (known: seq, now, now_ms, random, uuid, iteration, step, request, reply, last)`);
  }
}

function frameMember(f: FrameVars, path: string[], fail: (why: string) => never): unknown {
  const [member, ...rest] = path;
  switch (member) {
    case 'message': case 'summary': case 'direction': case 'hex':
      if (rest.length) fail(`${member} has no members`);
      return f[member];
    case 'value': {
      let v: unknown = f.value;
      for (let i = 0; i < rest.length; i++) {
        const key = rest[i];
        if (Array.isArray(v) && /^\d+$/.test(key) && Number(key) < v.length) v = v[Number(key)];
        else if (typeof v === 'object' && v !== null && !Array.isArray(v) && key in v) v = (v as Record<string, unknown>)[key];
        else fail(`${f.message} has no value.${rest.slice(0, i + 1).join('.')}${i === 0 ? ` (it has ${Object.keys(f.value).join(', ') || 'no members'})` : ''}`);
      }
      return v;
    }
    case 'field': case 'fields': {
      const name = rest.join('.');
      if (!name) fail('name the field: field.<abbrev>, e.g. field.tt.result');
      if (!(name in f.fields)) fail(`${f.message} has no field ${name}`);
      return f.fields[name];
    }
    default:
      return fail(`a frame has message, summary, direction, hex, value.<path> and field.<abbrev>, not "${member ?? ''}"`);
  }
}

/** `reply.0.fields["tt.token"]` → ['reply', '0', 'fields', 'tt.token']. */
function parsePath(expr: string, where: string): string[] {
  const out: string[] = [];
  let i = 0;
  const fail = (why: string): never => { throw new CraftError(`${where}: {{${expr}}}: ${why}`); };
  while (i < expr.length) {
    if (expr[i] === '[') {
      const m = /^\[\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|(\d+))\s*\]/.exec(expr.slice(i));
      if (!m) fail(`bad [ ] at column ${i + 1}`);
      out.push(m![1] !== undefined ? m![1].replace(/\\(.)/g, '$1') : (m![2] ?? m![3]));
      i += m![0].length;
    } else {
      const m = /^[^.[\]\s]+/.exec(expr.slice(i));
      if (!m) fail(`unexpected "${expr[i]}" at column ${i + 1}`);
      out.push(m![0]);
      i += m![0].length;
    }
    if (expr[i] === '.') i++;
    else if (i < expr.length && expr[i] !== '[') fail(`unexpected "${expr[i]}" at column ${i + 1}`);
  }
  if (out.length === 0) fail('empty variable');
  return out;
}
