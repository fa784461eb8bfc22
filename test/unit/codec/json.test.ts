import { describe, expect, it } from 'vitest';
import { utf8 } from '../../../shared/codec/bytes';
import { jsonDocValue, jsonTree, jsonValueOf, JsonSyntaxError, parseJsonBytes, stringifyGson } from '../../../shared/codec/json';
import { flattenFields } from '../../../shared/codec/tree';

describe('embedded JSON', () => {
  const text = '{"code":0,"msg":"é ok","data":{"ids":[1,2],"big":9007199254740993,"on":true,"none":null}}';
  const bytes = utf8(text);

  it('flattens members under a base with byte ranges (N6)', () => {
    const node = parseJsonBytes(bytes);
    const tree = jsonTree(node, 'x.body', 'body', 10);
    expect(flattenFields([tree])).toEqual({
      'x.body.code': 0, 'x.body.msg': 'é ok', 'x.body.data.ids': [1, 2], 'x.body.data.big': '9007199254740993',
      'x.body.data.on': true, 'x.body.data.none': null,
    });
    const msg = tree.children![1];
    // the member's range runs from its name to the end of its value, in bytes (é is two)
    expect(msg.start).toBe(10 + text.indexOf('"msg"'));
    expect(msg.length).toBe('"msg":"é ok"'.length + 1);
  });

  it('keeps large integers as decimal strings', () => {
    expect(jsonValueOf(parseJsonBytes(utf8('[9007199254740991,9007199254740993,-1.5]')))).toEqual([9007199254740991, '9007199254740993', -1.5]);
  });

  it('writes like Gson: compact with HTML-safe escapes', () => {
    expect(stringifyGson({ a: '<b>&=\'', n: 1, l: [true, null], s: 'line\nnext\u0001' })).toBe('{"a":"\\u003cb\\u003e\\u0026\\u003d\\u0027","n":1,"l":[true,null],"s":"line\\nnext\\u0001"}');
  });

  it('keeps the document as a value only when writing it back gives the same text', () => {
    const compact = '{"requestId":9}';
    expect(jsonDocValue(compact, jsonValueOf(parseJsonBytes(utf8(compact))), stringifyGson)).toEqual({ requestId: 9 });
    const spaced = '{ "requestId": 9 }';
    expect(jsonDocValue(spaced, jsonValueOf(parseJsonBytes(utf8(spaced))), stringifyGson)).toBe(spaced);
    const numericKeys = '{"2":1,"1":2}';
    expect(jsonDocValue(numericKeys, jsonValueOf(parseJsonBytes(utf8(numericKeys))), stringifyGson)).toBe(numericKeys);
  });

  it('says where bad JSON is wrong', () => {
    expect(() => parseJsonBytes(utf8('{"a":1,}'))).toThrow(new JsonSyntaxError('expected a member name', 7));
    expect(() => parseJsonBytes(utf8('{"a":1} x'))).toThrow(/trailing data after JSON at byte 8/);
    expect(() => parseJsonBytes(utf8('['.repeat(1000)))).toThrow(/nested too deeply/);
  });
});
