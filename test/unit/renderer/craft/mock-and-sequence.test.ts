import { describe, expect, it } from 'vitest';
import { buildRule, copyableMembers, defaultRules } from '../../../../renderer/src/features/mock/mock-rules-builder';
import { parseRules } from '../../../../renderer/src/features/mock/mock-panel';
import { emptySequence, parseSequence, runProgress, sequenceFileName, stepFromDraft, withoutStep, withStep } from '../../../../renderer/src/features/sequences/sequence-model';
import { draftFromTemplate } from '../../../../renderer/src/features/composer/composer-model';
import { chaosFromForm } from '../../../../renderer/src/features/chaos/chaos-panel';
import { mergeRuns } from '../../../../renderer/src/stores/craft-slice';

describe('mock rule builder', () => {
  it('copies what the client pairs on, never the message id or computed lengths', () => {
    expect(copyableMembers('flyer', 'ShakeHand', 'ShakeHandResponse')).toContain('packet_id');
    expect(copyableMembers('flyer', 'ShakeHand', 'ShakeHandResponse')).not.toContain('protocol');
    expect(copyableMembers('flyer', 'ShakeHand', 'ShakeHandResponse')).not.toContain('length');
    expect(copyableMembers('hodor', 'HeartbeatRequest', 'HeartbeatResponse')).toEqual(expect.arrayContaining(['id', 'version', 'attachment']));
    expect(copyableMembers('hodor', 'HeartbeatRequest', 'HeartbeatResponse')).not.toContain('body');
    expect(copyableMembers('tt', 'LoginRequest', 'LoginResponse')).toContain('reserved');
  });

  it('builds a rule from a request and a reply template, and a whole server from the declarations', () => {
    const rule = buildRule('flyer', 'Heartbeat', 'HeartbeatResponse', ['packet_id']);
    expect(rule.match).toBe('fs.protocol == "flyer" && fs.message == "Heartbeat"');
    expect(rule.reply).toMatchObject({ message: 'HeartbeatResponse', value: { packet_id: '{{request.value.packet_id}}' } });
    expect(buildRule('flyer', 'ExecuteJobResponse', undefined, []).reply).toEqual([]);
    const rules = defaultRules('tt');
    expect(rules.length).toBeGreaterThan(5);
    expect(parseRules(JSON.stringify({ rules })).rules).toEqual(rules);
    expect(parseRules('[]').rules).toEqual([]);
    expect(() => parseRules('{"x":1}')).toThrow(/rules/);
  });
});

describe('sequence model', () => {
  it('checks documents, adds composer messages as steps, and names downloads', () => {
    expect(parseSequence('{')).toMatchObject({ ok: false });
    expect(parseSequence('{"steps":[]}')).toEqual({ ok: false, error: 'protocol: required' });
    expect(parseSequence('{"protocol":"tt","steps":[{"name":"x"}]}')).toMatchObject({ ok: false, error: expect.stringContaining('step 0') });
    let seq = emptySequence('tt');
    seq = withStep(seq, stepFromDraft({ ...draftFromTemplate('tt', 'LoginRequest'), overrides: { length: '3' } }, true));
    seq = withStep(seq, stepFromDraft({ ...draftFromTemplate('tt', 'Heartbeat'), mode: 'hex', hex: '00 01:02' }, false));
    expect(seq.steps[0]).toMatchObject({ message: 'LoginRequest', waitReply: true, value: { username: 'zhangsan', length: 3 } });
    expect(seq.steps[1]).toEqual({ hex: '000102' });
    expect(parseSequence(JSON.stringify(seq))).toEqual({ ok: true, sequence: seq });
    expect(withoutStep(seq, 0).steps).toEqual([{ hex: '000102' }]);
    expect(sequenceFileName({ ...seq, name: 'tt: log in!' })).toBe('tt-log-in.sequence.json');
  });

  it('measures progress over steps × repeat, and merges run updates newest first', () => {
    const run = { runId: 'a', state: 'running' as const, iteration: 1, step: 1, steps: 2, repeat: 2, sent: 3, replies: 3, frames: [] };
    expect(runProgress(run)).toBe(0.75);
    expect(runProgress({ ...run, state: 'done' })).toBe(1);
    const merged = mergeRuns([{ ...run, runId: 'old' }, run], [{ ...run, step: 0 }, { ...run, runId: 'new' }]);
    expect(merged.map((r) => r.runId)).toEqual(['a', 'new', 'old']);
    expect(merged[0].step).toBe(0);
  });
});

describe('chaos form', () => {
  it('turns blank fields off and names a bad one', () => {
    expect(chaosFromForm({ direction: 'both', splitBytes: '7', coalesce: '3', delayMs: '1', coalesceWaitMs: '' })).toEqual({ direction: 'both', splitBytes: 7, coalesce: 3, delayMs: 1 });
    expect(chaosFromForm({ direction: 'c2s', splitBytes: '', coalesce: '0', delayMs: '', coalesceWaitMs: '' })).toEqual({ direction: 'c2s' });
    expect(chaosFromForm({ direction: 'both', splitBytes: '-1', coalesce: '', delayMs: '', coalesceWaitMs: '' })).toBe('splitBytes: a whole number ≥ 0');
  });
});
