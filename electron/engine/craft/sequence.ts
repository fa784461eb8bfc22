/**
 * Sequences: messages sent in order with delays, repeated, with variables and values taken from earlier replies
 * (README.md documents the file format). A run drives a Channel — a client session, or one direction of a proxied
 * connection — and never throws: it ends `done`, `failed` (with the reason) or `stopped`.
 */
import type { SequenceFile, SequenceRunInfo, SequenceStep } from '../../../shared/api/contract';
import type { Protocol } from '../../../shared/codec/protocol';
import { getProtocol, protocolIds } from '../../../shared/protocols/index';
import { CraftError } from './craft-error';
import type { Channel, IncomingFrame } from './pairing';
import { isObject, payloadBytes } from './payload';
import { varsOf } from './pdu-lookup';
import { expandTemplate, replyRefs, type FrameVars, type TemplateScope } from './template-vars';

export const DEFAULT_REPLY_TIMEOUT_MS = 5000;
const MAX_REPEAT = 1_000_000;
const STEP_KEYS = new Set(['name', 'message', 'value', 'direction', 'hex', 'delayMs', 'waitReply', 'expect', 'comment']);
const FILE_KEYS = new Set(['format', 'version', 'name', 'protocol', 'variant', 'repeat', 'delayMs', 'replyTimeoutMs', 'steps', 'comment', 'target']);
const KEPT_FRAMES = 1000;

/** Checks a sequence file and returns it normalised; every problem names the step and key at fault. */
export function parseSequence(input: unknown, where = 'sequence'): SequenceFile {
  if (!isObject(input)) throw new CraftError(`${where}: expected a JSON object with "protocol" and "steps"`);
  for (const k of Object.keys(input)) if (!FILE_KEYS.has(k)) throw new CraftError(`${where}: unknown key "${k}" (known: ${[...FILE_KEYS].join(', ')})`);
  if (input.format !== undefined && input.format !== 'framescope-sequence') throw new CraftError(`${where}.format: expected "framescope-sequence"`);
  if (input.version !== undefined && input.version !== 1) throw new CraftError(`${where}.version: only version 1 is known`);
  if (typeof input.protocol !== 'string' || !getProtocol(input.protocol)) throw new CraftError(`${where}.protocol: expected a protocol id (${protocolIds().join(', ')})`);
  const protocol = getProtocol(input.protocol)!;
  const num = (key: string, min: number, max = Number.MAX_SAFE_INTEGER, integer = true): number | undefined => {
    const v = input[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !(v >= min && v <= max) || (integer && !Number.isInteger(v))) throw new CraftError(`${where}.${key}: expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
    return v;
  };
  const repeat = num('repeat', 1, MAX_REPEAT);
  const delayMs = num('delayMs', 0, 86_400_000, false);
  const replyTimeoutMs = num('replyTimeoutMs', 1, 86_400_000, false);
  if (!Array.isArray(input.steps) || input.steps.length === 0) throw new CraftError(`${where}.steps: expected a non-empty list of steps`);
  const names = new Map<string, number>();
  const steps = input.steps.map((raw, i) => {
    const at = `${where}.steps[${i}]`;
    const step = parseStep(raw, at, protocol);
    if (step.name !== undefined) {
      if (/^\d+$/.test(step.name)) throw new CraftError(`${at}.name: a name cannot be a number (steps are also known by index)`);
      if (names.has(step.name)) throw new CraftError(`${at}.name: "${step.name}" is also the name of step ${names.get(step.name)}`);
      names.set(step.name, i);
    }
    for (const ref of replyRefs(step.value ?? step.hex)) {
      const target = /^\d+$/.test(ref) ? Number(ref) : names.get(ref);
      if (target === undefined) throw new CraftError(`${at}: {{reply.${ref}…}} names no earlier step`);
      if (target >= i) throw new CraftError(`${at}: {{reply.${ref}…}} is not an earlier step`);
    }
    return step;
  });
  return {
    format: 'framescope-sequence', version: 1, ...(typeof input.name === 'string' ? { name: input.name } : {}), protocol: protocol.id,
    ...(typeof input.variant === 'string' ? { variant: input.variant } : {}),
    ...(repeat !== undefined ? { repeat } : {}), ...(delayMs !== undefined ? { delayMs } : {}), ...(replyTimeoutMs !== undefined ? { replyTimeoutMs } : {}),
    steps,
  };
}

function parseStep(raw: unknown, at: string, protocol: Protocol): SequenceStep {
  if (!isObject(raw)) throw new CraftError(`${at}: expected {"message", "value"} or {"hex"}`);
  for (const k of Object.keys(raw)) if (!STEP_KEYS.has(k)) throw new CraftError(`${at}: unknown key "${k}" (known: ${[...STEP_KEYS].join(', ')})`);
  const step: SequenceStep = {};
  if (raw.name !== undefined) { if (typeof raw.name !== 'string' || raw.name === '') throw new CraftError(`${at}.name: expected text`); step.name = raw.name; }
  if ((raw.message === undefined) === (raw.hex === undefined)) throw new CraftError(`${at}: give either "message" (with "value") or "hex"`);
  if (raw.hex !== undefined) {
    if (typeof raw.hex !== 'string') throw new CraftError(`${at}.hex: expected hex text`);
    step.hex = raw.hex;
  } else {
    if (typeof raw.message !== 'string' || !protocol.messages.some((m) => m.name === raw.message)) {
      throw new CraftError(`${at}.message: ${protocol.id} has no message '${String(raw.message)}' (${protocol.messages.map((m) => m.name).join(', ')})`);
    }
    step.message = raw.message;
    if (raw.value !== undefined && !isObject(raw.value)) throw new CraftError(`${at}.value: expected an object`);
    step.value = (raw.value as Record<string, unknown> | undefined) ?? {};
    if (raw.direction !== undefined) {
      if (raw.direction !== 'c2s' && raw.direction !== 's2c') throw new CraftError(`${at}.direction: expected c2s or s2c`);
      step.direction = raw.direction;
    }
  }
  if (raw.delayMs !== undefined) {
    if (typeof raw.delayMs !== 'number' || !(raw.delayMs >= 0)) throw new CraftError(`${at}.delayMs: expected a number of milliseconds ≥ 0`);
    step.delayMs = raw.delayMs;
  }
  if (raw.waitReply !== undefined) {
    if (typeof raw.waitReply !== 'boolean') throw new CraftError(`${at}.waitReply: expected true or false`);
    step.waitReply = raw.waitReply;
  }
  if (raw.expect !== undefined) {
    const list = typeof raw.expect === 'string' ? [raw.expect] : raw.expect;
    if (!Array.isArray(list) || list.length === 0 || !list.every((m) => typeof m === 'string' && protocol.messages.some((x) => x.name === m))) {
      throw new CraftError(`${at}.expect: expected a message name of ${protocol.id} or a list of them`);
    }
    step.expect = raw.expect as string | string[];
  }
  return step;
}

export interface SequenceRunOptions {
  runId: string;
  /** The client session the run uses, for the run's info. */
  session?: string;
  onProgress?: (info: SequenceRunInfo) => void;
}

interface Waiter {
  test(f: IncomingFrame): boolean;
  resolve(f: IncomingFrame): void;
}

export class SequenceRun {
  readonly info: SequenceRunInfo;
  private readonly stopper = new AbortController();
  private readonly protocol: Protocol;
  /** Replies by tag (iteration × steps + step). */
  private replies = new Map<number, FrameVars>();
  private waiters = new Set<Waiter>();
  private last: FrameVars | undefined;
  private seq = 0;

  constructor(private readonly file: SequenceFile, private readonly channel: Channel, private readonly opts: SequenceRunOptions) {
    this.protocol = channel.protocol ?? getProtocol(file.protocol)!;
    this.info = {
      runId: opts.runId, ...(file.name ? { name: file.name } : {}), state: 'running', iteration: 0, step: 0, steps: file.steps.length,
      repeat: file.repeat ?? 1, sent: 0, replies: 0, ...(opts.session ? { session: opts.session } : {}), frames: [],
    };
  }

  /** Runs to the end; never rejects. */
  async run(): Promise<SequenceRunInfo> {
    const off = this.channel.onFrame((f) => this.incoming(f));
    try {
      for (let it = 0; it < this.info.repeat && !this.stopped; it++) {
        this.info.iteration = it;
        for (let i = 0; i < this.file.steps.length && !this.stopped; i++) await this.step(it, i);
      }
      this.info.state = this.stopped ? 'stopped' : 'done';
    } catch (e) {
      if (this.stopped) this.info.state = 'stopped';
      else { this.info.state = 'failed'; this.info.error = (e as Error).message; }
    } finally {
      off();
      this.progress();
    }
    return this.info;
  }

  stop(): void {
    this.stopper.abort();
  }

  private get stopped(): boolean {
    return this.stopper.signal.aborted;
  }

  private async step(iteration: number, i: number): Promise<void> {
    const step = this.file.steps[i];
    const label = `step ${i}${step.name ? ` (${step.name})` : ''}`;
    this.info.step = i;
    this.progress();
    await sleep(step.delayMs ?? this.file.delayMs ?? 0, this.stopper.signal);
    if (this.stopped) return;
    if (!this.channel.isOpen) throw new CraftError(`${label}: the connection is closed`);
    const timeout = this.file.replyTimeoutMs ?? DEFAULT_REPLY_TIMEOUT_MS;
    const base = iteration * this.file.steps.length;
    // Replies a step reads must be in before it is built.
    for (const ref of replyRefs(step.value ?? step.hex)) {
      const target = this.stepIndex(ref);
      if (!this.replies.has(base + target)) await this.wait((f) => f.answers?.tag === base + target, timeout, `${label}: no reply to step ${ref} within ${timeout} ms`);
    }
    const scope: TemplateScope = {
      seq: ++this.seq, iteration, step: i, ...(this.last ? { last: this.last } : {}),
      reply: (id) => this.replies.get(base + this.stepIndex(id)),
    };
    const payload = step.hex !== undefined
      ? { hex: String(expandTemplate(step.hex, scope, `${label}.hex`)) }
      : { message: step.message!, value: expandTemplate(step.value ?? {}, scope, `${label}.value`) as Record<string, unknown>, ...(step.direction ? { direction: step.direction } : {}) };
    const { bytes } = payloadBytes(payload, { protocol: this.protocol, direction: this.channel.direction, variant: this.file.variant ?? this.channel.variant }, label);
    const tag = base + i;
    let answered: Promise<IncomingFrame> | undefined;
    if (step.expect !== undefined) {
      const names = typeof step.expect === 'string' ? [step.expect] : step.expect;
      answered = this.wait((f) => f.decoded !== undefined && names.includes(f.decoded.message), timeout, `${label}: no ${names.join(' or ')} within ${timeout} ms`);
    } else if (step.waitReply) {
      if (this.channel.protocol && this.channel.protocol.peek(bytes, this.channel.direction).pair.role !== 'request') {
        throw new CraftError(`${label}: ${step.message ?? 'these bytes'} is not a request nothing pairs with; wait with "expect": "<reply message>" instead`);
      }
      answered = this.wait((f) => (this.channel.protocol ? f.answers?.tag === tag : true), timeout, `${label}: no reply within ${timeout} ms`);
    }
    const sent = this.channel.send(bytes, tag);
    this.info.sent++;
    this.info.frames.push(...sent.frames);
    if (this.info.frames.length > KEPT_FRAMES) this.info.frames.splice(0, this.info.frames.length - KEPT_FRAMES);
    this.progress();
    if (answered) await answered;
  }

  private stepIndex(id: string): number {
    return /^\d+$/.test(id) ? Number(id) : this.file.steps.findIndex((s) => s.name === id);
  }

  private incoming(f: IncomingFrame): void {
    if (f.decoded) this.last = varsOf(f.decoded, f.bytes);
    if (f.answers?.tag !== undefined && f.decoded && !this.replies.has(f.answers.tag)) {
      this.replies.set(f.answers.tag, varsOf(f.decoded, f.bytes));
      this.info.replies++;
    }
    for (const w of this.waiters) if (w.test(f)) { this.waiters.delete(w); w.resolve(f); }
  }

  /** The next received frame that passes `test`; fails after `ms`, when the channel closes or the run stops. */
  private wait(test: (f: IncomingFrame) => boolean, ms: number, timeoutMessage: string): Promise<IncomingFrame> {
    return new Promise((resolve, reject) => {
      const finish = (error?: Error, f?: IncomingFrame): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        this.stopper.signal.removeEventListener('abort', onStop);
        if (error) reject(error); else resolve(f!);
      };
      const waiter: Waiter = { test, resolve: (f) => finish(undefined, f) };
      const timer = setTimeout(() => finish(new CraftError(timeoutMessage)), ms);
      const onStop = (): void => finish(new CraftError('stopped'));
      this.stopper.signal.addEventListener('abort', onStop, { once: true });
      this.waiters.add(waiter);
      void this.channel.closed.then(() => { if (this.waiters.has(waiter)) finish(new CraftError(`${timeoutMessage.replace(/: no .*$/, '')}: the connection closed before the reply`)); });
    });
  }

  private progress(): void {
    this.opts.onProgress?.({ ...this.info, frames: [...this.info.frames] });
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void { clearTimeout(t); signal.removeEventListener('abort', done); resolve(); }
    signal.addEventListener('abort', done, { once: true });
  });
}
