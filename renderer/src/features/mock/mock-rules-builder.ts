/**
 * Builds mock rules from the protocol declarations: a request message's filter, and a reply from the reply message's
 * template whose members the request also has are copied from it (`{{request.value.<member>}}`) — packet ids,
 * `reserved`, hodor's `id`/`version`/`attachment`, txlcn's `key` — so a client pairs the replies. Pure; unit-tested.
 */
import type { MockRule } from '../../../../shared/api/contract';
import type { Doc, JsonSchema } from '../../../../shared/codec/schema';
import { DERIVED } from '../../../../shared/codec/schema';
import { getProtocol } from '../../../../shared/protocols/index';
import { filterForMessage } from '../../lib/filter-text';

export function requestMessages(protocolId: string): { name: string; replies: string[] }[] {
  return (getProtocol(protocolId)?.messages ?? [])
    .filter((m) => m.direction !== 's2c')
    .map((m) => ({ name: m.name, replies: m.replies ?? [] }));
}

export function replyMessages(protocolId: string): string[] {
  return (getProtocol(protocolId)?.messages ?? []).filter((m) => m.direction !== 'c2s').map((m) => m.name);
}

/**
 * Members the reply copies from the request by default: those both messages declare with the same schema, except
 * computed ones (lengths), message discriminators (`const`) and enumerations (module ids, formats) — what is left
 * is what a client pairs on (packet ids, `reserved`, hodor's `id`/`version`/`attachment`, txlcn's `key`) and
 * harmless constants.
 */
export function copyableMembers(protocolId: string, request: string, reply: string): string[] {
  const p = getProtocol(protocolId);
  const req = p?.messages.find((m) => m.name === request);
  const rep = p?.messages.find((m) => m.name === reply);
  if (!req || !rep) return [];
  const reqProps = req.schema.properties ?? {};
  return Object.entries(rep.schema.properties ?? {}).filter(([k, prop]) => {
    const other = reqProps[k];
    if (!other || JSON.stringify(other) !== JSON.stringify(prop)) return false;
    if (isDerived(prop) || prop.const !== undefined || prop.enum || prop.anyOf?.some((a) => a.enum)) return false;
    return true;
  }).map(([k]) => k);
}

/** A member the encoder computes when absent. */
export function isDerived(prop: JsonSchema): boolean {
  return Boolean(prop[DERIVED]) || /computed when absent/.test(prop.description ?? '');
}

export function buildRule(protocolId: string, request: string, reply: string | undefined, copy: readonly string[]): MockRule {
  const filter = filterForMessage({ protocol: protocolId, message: request });
  if (!reply) return { name: `${request}: swallow`, match: filter, reply: [] };
  const rep = getProtocol(protocolId)?.messages.find((m) => m.name === reply);
  const value: Doc = rep ? rep.template() : {};
  for (const k of copy) value[k] = `{{request.value.${k}}}`;
  return { name: `${request} → ${reply}`, match: filter, reply: { message: reply, value } };
}

/** A rule for every request message, answered with its first reply: a whole server to start from. */
export function defaultRules(protocolId: string): MockRule[] {
  return requestMessages(protocolId).map((m) => {
    const reply = m.replies[0];
    return buildRule(protocolId, m.name, reply, reply ? copyableMembers(protocolId, m.name, reply) : []);
  });
}
