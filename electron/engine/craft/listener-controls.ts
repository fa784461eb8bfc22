/**
 * One proxy listener's intercept rules, mock rules and chaos, turned into the RelayPolicy each of its connections
 * runs with. No settings, no policy: the relay stays the plain byte pipe of the hot path.
 */
import type { ChaosSettings, InterceptRule, InterceptSettings } from '../../../shared/api/contract';
import type { Direction, FramerExchange, Protocol } from '../../../shared/codec/protocol';
import type { CompiledFilter } from '../../../shared/filter/index';
import type { Endpoint } from '../../../shared/model/session';
import { detectProtocol, getProtocol } from '../../../shared/protocols/index';
import type { ChaosSpec, PduDecision, RelayPolicy } from '../proxy/relay';
import { CraftError } from './craft-error';
import type { MockResponder } from './mock-rules';
import { compileRule, LoosePdu } from './pdu-lookup';

export const DEFAULT_HOLD_TIMEOUT_S = 60;

/** What a policy needs to know about its connection, asked when it needs it (the session may detect late). */
export interface ConnectionContext {
  connection: number;
  client: Endpoint;
  server: Endpoint;
  /** The session's protocol for the connection, once known. */
  protocol?: string;
}

export class ListenerControls {
  private settings: InterceptSettings;
  private rules: { filter: CompiledFilter; directions: Direction[] }[] = [];
  private chaosSettings: ChaosSettings | null = null;
  /** Mock responders attached to this listener, by mock id. */
  readonly mocks = new Map<string, MockResponder>();

  constructor(readonly listenerId: string, readonly protocol: string, private readonly onError: (message: string) => void = () => undefined) {
    this.settings = { listenerId, rules: [], holdTimeoutSeconds: DEFAULT_HOLD_TIMEOUT_S, timeoutAction: 'forward' };
  }

  get intercept(): InterceptSettings {
    return this.settings;
  }

  get chaos(): ChaosSettings | null {
    return this.chaosSettings;
  }

  setIntercept(rules: InterceptRule[], holdTimeoutSeconds?: number, timeoutAction?: 'forward' | 'drop'): InterceptSettings {
    if (!Array.isArray(rules)) throw new CraftError('rules: expected a list of {filter, direction}');
    const compiled = rules.map((r, i) => {
      const at = `rules[${i}]`;
      if (typeof r?.filter !== 'string' || r.filter.trim() === '') throw new CraftError(`${at}.filter: expected a display filter`);
      if (r.direction !== 'c2s' && r.direction !== 's2c' && r.direction !== 'both') throw new CraftError(`${at}.direction: expected c2s, s2c or both`);
      return { rule: r, filter: compileRule(r.filter, `${at}.filter`), directions: r.direction === 'both' ? ['c2s', 's2c'] as Direction[] : [r.direction] };
    });
    const timeout = holdTimeoutSeconds ?? this.settings.holdTimeoutSeconds;
    if (typeof timeout !== 'number' || !(timeout >= 0 && timeout <= 86_400)) throw new CraftError('holdTimeoutSeconds: expected 0 (never) to 86400');
    const action = timeoutAction ?? this.settings.timeoutAction;
    if (action !== 'forward' && action !== 'drop') throw new CraftError('timeoutAction: expected forward or drop');
    this.rules = compiled.filter((c) => c.rule.enabled !== false);
    this.settings = { listenerId: this.listenerId, rules: rules.map((r) => ({ filter: r.filter, direction: r.direction, ...(r.enabled === false ? { enabled: false } : {}) })), holdTimeoutSeconds: timeout, timeoutAction: action };
    return this.settings;
  }

  setChaos(chaos: ChaosSettings | null): ChaosSettings | null {
    if (chaos === null) { this.chaosSettings = null; return null; }
    if (typeof chaos !== 'object') throw new CraftError('chaos: expected {direction, splitBytes?, coalesce?, delayMs?} or null');
    if (chaos.direction !== 'c2s' && chaos.direction !== 's2c' && chaos.direction !== 'both') throw new CraftError('chaos.direction: expected c2s, s2c or both');
    const int = (key: 'splitBytes' | 'coalesce' | 'delayMs' | 'coalesceWaitMs', min: number, max: number): number | undefined => {
      const v = chaos[key];
      if (v === undefined) return undefined;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new CraftError(`chaos.${key}: expected an integer from ${min} to ${max}`);
      return v;
    };
    const splitBytes = int('splitBytes', 1, 1 << 24);
    const coalesce = int('coalesce', 1, 10_000);
    const delayMs = int('delayMs', 0, 60_000);
    const coalesceWaitMs = int('coalesceWaitMs', 0, 60_000);
    this.chaosSettings = {
      direction: chaos.direction, ...(splitBytes !== undefined ? { splitBytes } : {}), ...(coalesce !== undefined ? { coalesce } : {}),
      ...(delayMs !== undefined ? { delayMs } : {}), ...(coalesceWaitMs !== undefined ? { coalesceWaitMs } : {}),
    };
    return this.chaosSettings;
  }

  /** The policy of one connection; undefined when nothing is set. */
  policyFor(ctx: () => ConnectionContext | undefined): RelayPolicy | undefined {
    const inspect = { c2s: this.mocks.size > 0 || this.rules.some((r) => r.directions.includes('c2s')), s2c: this.rules.some((r) => r.directions.includes('s2c')) };
    const chaos = this.chaosSettings;
    if (!inspect.c2s && !inspect.s2c && !chaos) return undefined;
    const fixed = this.protocol === 'auto' ? undefined : getProtocol(this.protocol);
    const chosen: Partial<Record<Direction, Protocol>> = {};
    const chaosOn = (d: Direction): boolean => chaos !== null && (chaos.direction === 'both' || chaos.direction === d);
    const framed = { c2s: inspect.c2s || chaosOn('c2s'), s2c: inspect.s2c || chaosOn('s2c') };
    // Where the responses are framed, the requests are cut too when the protocol frames a response by its request
    // (HTTP: a HEAD's has no body). The two share an exchange when both were framed from the start of the stream.
    let exchange: FramerExchange | undefined;
    const rules = this.rules;
    const mocks = [...this.mocks.values()];
    const spec: ChaosSpec | undefined = chaos ? { splitBytes: chaos.splitBytes, coalesce: chaos.coalesce, delayMs: chaos.delayMs, coalesceWaitMs: chaos.coalesceWaitMs } : undefined;
    return {
      framer: (direction, first, atStart) => {
        const c = ctx();
        const p = fixed ?? (c?.protocol ? getProtocol(c.protocol) : undefined) ?? (first ? detectProtocol(first, direction)?.protocol : undefined);
        if (!p || (!framed[direction] && !p.framesResponsesByRequest)) return undefined;
        chosen[direction] = p;
        let shared: FramerExchange | undefined;
        if (p.framesResponsesByRequest && atStart) shared = direction === 'c2s' ? (exchange = { pending: [] }) : exchange;
        return p.framer(direction, { exchange: shared });
      },
      inspect,
      frame: { c2s: framed.s2c },
      decide: (direction, pdu): PduDecision => {
        const c = ctx();
        if (!c) return 'pass';
        // A connection framed under an earlier policy keeps its framer: its protocol is the fixed or detected one.
        const protocol = chosen[direction] ?? fixed ?? (c.protocol ? getProtocol(c.protocol) : undefined);
        const loose = new LoosePdu(protocol, pdu, direction, c);
        if (direction === 'c2s') {
          for (const m of mocks) {
            if (m.protocol !== protocol) continue;
            try {
              const answer = m.answer(loose);
              if (answer) return { answer: answer.replies.map((r) => r.bytes), close: answer.close };
            } catch (e) {
              this.onError((e as Error).message);
            }
          }
        }
        return rules.some((r) => r.directions.includes(direction) && r.filter.test(loose.lookup)) ? 'hold' : 'pass';
      },
      holdTimeoutMs: this.settings.holdTimeoutSeconds * 1000,
      holdTimeoutAction: this.settings.timeoutAction,
      ...(spec ? { chaos: chaos!.direction === 'both' ? { c2s: spec, s2c: spec } : { [chaos!.direction]: spec } } : {}),
    };
  }
}
