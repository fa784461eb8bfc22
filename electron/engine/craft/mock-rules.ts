/**
 * Mock responders' rules: a request matching a rule's display filter is answered with the rule's replies, whose
 * documents copy what pairing needs from the request (`{{request.value.packet_id}}`). README.md documents the file.
 */
import type { MockReply, MockRule } from '../../../shared/api/contract';
import type { Protocol } from '../../../shared/codec/protocol';
import type { CompiledFilter } from '../../../shared/filter/index';
import { getProtocol, protocolIds } from '../../../shared/protocols/index';
import { CraftError } from './craft-error';
import { isObject, payloadBytes } from './payload';
import { compileRule, type LoosePdu } from './pdu-lookup';
import { expandTemplate } from './template-vars';

const RULE_KEYS = new Set(['name', 'match', 'reply', 'close', 'comment']);
const FILE_KEYS = new Set(['format', 'version', 'protocol', 'variant', 'rules', 'comment']);

export interface MockRulesFile {
  protocol?: string;
  variant?: string;
  rules: MockRule[];
}

/** A rules file: `{"protocol", "rules": […]}` or just the list of rules. */
export function parseMockRules(input: unknown, where = 'rules'): MockRulesFile {
  const file = Array.isArray(input) ? { rules: input } : input;
  if (!isObject(file)) throw new CraftError(`${where}: expected {"protocol", "rules": [...]} or a list of rules`);
  for (const k of Object.keys(file)) if (!FILE_KEYS.has(k)) throw new CraftError(`${where}: unknown key "${k}" (known: ${[...FILE_KEYS].join(', ')})`);
  if (file.format !== undefined && file.format !== 'framescope-mock') throw new CraftError(`${where}.format: expected "framescope-mock"`);
  if (file.protocol !== undefined && (typeof file.protocol !== 'string' || !getProtocol(file.protocol))) {
    throw new CraftError(`${where}.protocol: expected a protocol id (${protocolIds().join(', ')})`);
  }
  if (!Array.isArray(file.rules)) throw new CraftError(`${where}.rules: expected a list of rules`);
  const rules = file.rules.map((r, i) => checkRule(r, `${where}.rules[${i}]`));
  return { ...(typeof file.protocol === 'string' ? { protocol: file.protocol } : {}), ...(typeof file.variant === 'string' ? { variant: file.variant } : {}), rules };
}

function checkRule(r: unknown, at: string): MockRule {
  if (!isObject(r)) throw new CraftError(`${at}: expected {"match", "reply"}`);
  for (const k of Object.keys(r)) if (!RULE_KEYS.has(k)) throw new CraftError(`${at}: unknown key "${k}" (known: ${[...RULE_KEYS].join(', ')})`);
  if (typeof r.match !== 'string') throw new CraftError(`${at}.match: expected a display filter`);
  if (r.reply === undefined) throw new CraftError(`${at}.reply: expected a reply {"message", "value"} or {"hex"}, or a list of them`);
  const replies = Array.isArray(r.reply) ? r.reply : [r.reply];
  replies.forEach((x, i) => {
    if (!isObject(x) || (typeof x.message !== 'string' && typeof x.hex !== 'string')) throw new CraftError(`${at}.reply${Array.isArray(r.reply) ? `[${i}]` : ''}: expected {"message", "value"} or {"hex"}`);
    if (x.delayMs !== undefined && !(typeof x.delayMs === 'number' && x.delayMs >= 0)) throw new CraftError(`${at}.reply.delayMs: expected milliseconds ≥ 0`);
  });
  if (r.close !== undefined && typeof r.close !== 'boolean') throw new CraftError(`${at}.close: expected true or false`);
  return r as unknown as MockRule;
}

export interface MockAnswer {
  /** Index of the rule that matched. */
  rule: number;
  replies: { bytes: Uint8Array; delayMs: number }[];
  close: boolean;
}

/** Compiled rules of one protocol: the first rule whose filter matches a request answers it. */
export class MockResponder {
  private readonly compiled: { rule: MockRule; filter: CompiledFilter; replies: MockReply[] }[];
  private written = 0;

  constructor(readonly rules: MockRule[], readonly protocol: Protocol, readonly variant?: string) {
    this.compiled = rules.map((rule, i) => {
      const at = `rule ${i}${rule.name ? ` (${rule.name})` : ''}`;
      const replies = Array.isArray(rule.reply) ? rule.reply : [rule.reply];
      // Template-free replies are encoded now, so a mistake shows when the rules are loaded, not at the first request.
      replies.forEach((r, j) => {
        if (!JSON.stringify(r).includes('{{')) payloadBytes(r, { protocol, direction: 's2c', variant }, `${at} reply ${j}`);
      });
      return { rule, filter: compileRule(rule.match, `${at}.match`), replies };
    });
  }

  /** The replies to a request, or undefined when no rule matches. Throws CraftError when a reply cannot be built. */
  answer(request: LoosePdu): MockAnswer | undefined {
    const i = this.compiled.findIndex((c) => c.filter.test(request.lookup));
    if (i < 0) return undefined;
    const c = this.compiled[i];
    const at = `mock rule ${i}${c.rule.name ? ` (${c.rule.name})` : ''}`;
    const vars = request.vars();
    const back = request.direction === 'c2s' ? 's2c' : 'c2s';
    const replies = c.replies.map((r, j) => {
      const scope = { request: vars, seq: ++this.written };
      const expanded = expandTemplate(r, scope, `${at} reply ${j}`) as MockReply;
      return { bytes: payloadBytes(expanded, { protocol: this.protocol, direction: back, variant: this.variant }, `${at} reply ${j}`).bytes, delayMs: r.delayMs ?? 0 };
    });
    return { rule: i, replies, close: c.rule.close === true };
  }
}
