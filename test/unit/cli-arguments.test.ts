import { describe, expect, it } from 'vitest';
import { parseEndpoint, parseInteger } from '../../electron/cli/arguments';

describe('endpoint arguments', () => {
  it('reads [host:]port and host:port forms', () => {
    expect(parseEndpoint('9180', '--listen', '127.0.0.1')).toEqual({ host: '127.0.0.1', port: 9180 });
    expect(parseEndpoint('0.0.0.0:80', '--listen', '127.0.0.1')).toEqual({ host: '0.0.0.0', port: 80 });
    expect(parseEndpoint('db.internal:20180', '--upstream')).toEqual({ host: 'db.internal', port: 20180 });
    expect(parseEndpoint('[::1]:8070', '--upstream')).toEqual({ host: '::1', port: 8070 });
  });

  it('names the flag and the expected form when wrong', () => {
    expect(() => parseEndpoint('9180', '--upstream')).toThrow("--upstream: expected host:port, got '9180'");
    expect(() => parseEndpoint('host:99999', '--upstream')).toThrow(/expected host:port/);
    expect(() => parseEndpoint('host:', '--listen', '127.0.0.1')).toThrow(/expected \[host:\]port/);
  });
});

describe('integer arguments', () => {
  it('reads decimal whole numbers within the range', () => {
    expect(parseInteger('0', '--port', { min: 0, max: 65535 })).toBe(0);
    expect(parseInteger('65535', '--port', { min: 0, max: 65535 })).toBe(65535);
    expect(parseInteger(' 42 ', '--rounds', { min: 0 })).toBe(42);
  });

  it.each(['', ' ', 'abc', '50us', '1.5', '1e3', '0x10', '-1', '65536'])('refuses %j with the flag, the range and the text', (text) => {
    expect(() => parseInteger(text, '--port', { min: 0, max: 65535, what: 'a port' })).toThrow(`--port: expected a port from 0 to 65535, got '${text}'`);
  });

  it('says "at least" when the range has no top', () => {
    expect(() => parseInteger('0', '--timeout', { min: 1, what: 'milliseconds' })).toThrow("--timeout: expected milliseconds of at least 1, got '0'");
  });
});
