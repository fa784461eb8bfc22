import { describe, expect, it } from 'vitest';
import { isPermissionFailure, permissionError, permissionFix } from '../../../../electron/engine/capture/capture-permission';
import { CaptureError, CapturePermissionError } from '../../../../electron/engine/capture/capture-errors';

// Texts libpcap (through cap) really produces when the OS refuses a capture.
const REFUSALS = [
  'Attempt to create packet socket failed - CAP_NET_RAW may be required', // Linux, libpcap 1.10
  'socket: Operation not permitted', // Linux, older libpcap
  "You don't have permission to capture on that device (socket: Operation not permitted)",
  '(cannot open BPF device) /dev/bpf0: Permission denied', // macOS
  'Attempt to open /dev/bpf0 failed - root privileges may be required',
  'Error opening adapter: Access is denied.  (5)', // Windows, Npcap restricted to Administrators
];

// Failures that are not about privileges: they must not send the user to setcap.
const OTHER_FAILURES = ['No such device exists', "unknown port 'nope'", 'syntax error', "can't parse filter expression: syntax error", 'SIOCGIFHWADDR: No such device'];

describe('isPermissionFailure', () => {
  it.each(REFUSALS)('recognises %j', (text) => {
    expect(isPermissionFailure(new Error(text))).toBe(true);
  });

  it.each(OTHER_FAILURES)('does not mistake %j for a permission failure', (text) => {
    expect(isPermissionFailure(new Error(text))).toBe(false);
  });

  it('recognises a Node system error by its code', () => {
    expect(isPermissionFailure(Object.assign(new Error('open failed'), { code: 'EPERM' }))).toBe(true);
    expect(isPermissionFailure(Object.assign(new Error('open failed'), { code: 'EACCES' }))).toBe(true);
    expect(isPermissionFailure(Object.assign(new Error('open failed'), { code: 'ENOENT' }))).toBe(false);
  });

  it('accepts a thrown string', () => {
    expect(isPermissionFailure('socket: Operation not permitted')).toBe(true);
    expect(isPermissionFailure(undefined)).toBe(false);
  });
});

describe('permissionFix', () => {
  it('Linux: setcap on the real node binary, or root', () => {
    const fix = permissionFix('linux');
    expect(fix).toContain('sudo setcap cap_net_raw,cap_net_admin=eip $(readlink -f $(which node))');
    expect(fix).toContain('root');
    expect(fix).not.toMatch(/ChmodBPF|Npcap/);
  });

  it('macOS: ChmodBPF or chmod on /dev/bpf*', () => {
    const fix = permissionFix('darwin');
    expect(fix).toContain('ChmodBPF');
    expect(fix).toContain('sudo chmod o+r /dev/bpf*');
    expect(fix).not.toMatch(/setcap|Npcap/);
  });

  it('Windows: Npcap', () => {
    const fix = permissionFix('win32');
    expect(fix).toContain('Npcap');
    expect(fix).toContain('Administrator');
    expect(fix).not.toMatch(/setcap|ChmodBPF/);
  });

  it('other Unix: root or /dev/bpf access', () => {
    expect(permissionFix('freebsd')).toContain('/dev/bpf');
  });
});

describe('permissionError', () => {
  it('names the device, keeps libpcap\'s words and ends with the platform fix', () => {
    const cause = new Error(REFUSALS[0]);
    const error = permissionError('eth0', cause, 'linux');
    expect(error).toBeInstanceOf(CapturePermissionError);
    expect(error).toBeInstanceOf(CaptureError);
    expect(error.code).toBe('permission');
    expect(error.name).toBe('CapturePermissionError');
    expect(error.cause).toBe(cause);
    expect(error.message).toBe(`Not permitted to capture on "eth0" (${REFUSALS[0]}). Fix: ${permissionFix('linux')}`);
    expect(error.fix).toBe(permissionFix('linux'));
  });

  it('picks the fix by the injected platform, not the one running the test', () => {
    expect(permissionError('en0', new Error(REFUSALS[3]), 'darwin').message).toContain('ChmodBPF');
    expect(permissionError('\\Device\\NPF_{X}', new Error(REFUSALS[5]), 'win32').message).toContain('Npcap');
  });
});
