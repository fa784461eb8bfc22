/** `{{…}}` variables: types kept for whole-string variables, text interpolation, replies and requests, errors that name the problem. */
import { describe, expect, it } from 'vitest';
import { expandTemplate, replyRefs, type FrameVars } from '../../../../electron/engine/craft/template-vars';

const login: FrameVars = {
  message: 'LoginResponse', summary: 'LoginResponse result=ok', direction: 's2c', hex: '0000',
  value: { reserved: 1, user_id_url: '1001', token: 'abc', list: [{ id: 7 }] }, fields: { 'tt.result': 0, 'tt.user_id_url': '1001', 'tt.friend': ['1', '2'] },
};

describe('template variables', () => {
  it('keeps the type of a whole-string variable and interpolates inside text', () => {
    const scope = { seq: 4, iteration: 2, step: 1, reply: (id: string) => (id === 'login' || id === '0' ? login : undefined) };
    expect(expandTemplate({
      a: '{{seq}}', b: 'n{{seq}}-{{iteration}}', c: '{{reply.login.value.user_id_url}}', d: '{{ reply.0.value.list.0.id }}',
      e: '{{reply.login.field.tt.result}}', f: '{{reply.0.fields["tt.user_id_url"]}}', g: ['{{reply.login.message}}', 5, null], h: '{{reply.login.value.list}}!',
    }, scope)).toEqual({ a: 4, b: 'n4-2', c: '1001', d: 7, e: 0, f: '1001', g: ['LoginResponse', 5, null], h: '[{"id":7}]!' });
  });

  it('has now, now_ms, random and uuid', () => {
    const before = Math.floor(Date.now() / 1000);
    const v = expandTemplate({ now: '{{now}}', ms: '{{now_ms}}', r: '{{random}}', u: '{{uuid}}' }, {}) as Record<string, number & string>;
    expect(v.now).toBeGreaterThanOrEqual(before);
    expect(v.ms).toBeGreaterThanOrEqual(before * 1000);
    expect(Number.isInteger(v.r) && v.r >= 0 && v.r < 2 ** 31).toBe(true);
    expect(v.u).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(expandTemplate('{{random}}', {})).not.toBe(expandTemplate('{{random}}', {})); // 1 in 2^31 of a false failure
  });

  it('reads the request a mock answers', () => {
    expect(expandTemplate({ packet_id: '{{request.value.reserved}}' }, { request: login })).toEqual({ packet_id: 1 });
  });

  it('names what is wrong instead of sending an empty value', () => {
    const scope = { reply: (id: string) => (id === 'login' ? login : undefined) };
    expect(() => expandTemplate({ x: '{{reply.login.value.nope}}' }, scope, 'step 2.value')).toThrow('step 2.value.x: {{reply.login.value.nope}}: LoginResponse has no value.nope (it has reserved, user_id_url, token, list)');
    expect(() => expandTemplate('{{reply.other.value.x}}', scope)).toThrow(/step "other" got no reply \(let it wait with "waitReply": true\)/);
    expect(() => expandTemplate('{{sequence}}', scope)).toThrow(/unknown variable "sequence"/);
    expect(() => expandTemplate('{{request.value.x}}', scope)).toThrow(/only a mock reply has a request/);
    expect(() => expandTemplate('{{reply.login.field.tt.nope}}', scope)).toThrow(/LoginResponse has no field tt\.nope/);
    expect(() => expandTemplate('{{seq.x}}', scope)).toThrow(/seq has no members/);
    expect(() => expandTemplate('{{reply.login.value[}}', scope)).toThrow(/bad \[ \]/);
  });

  it('leaves text without variables alone, and finds the replies a document reads', () => {
    expect(expandTemplate({ k: 'a { b } c', n: 3 }, {})).toEqual({ k: 'a { b } c', n: 3 });
    expect([...replyRefs({ a: ['{{reply.login.value.x}} {{reply.2.message}}'], b: '{{seq}}' })]).toEqual(['login', '2']);
  });
});
