import { describe, expect, it } from 'vitest';
import { parseEndpoint } from '../../electron/cli/endpoints';

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
