import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { linkTypeFromCap, loadCapWith, unavailableFix } from '../../../../electron/engine/capture/cap-binding';
import { CaptureError, CaptureUnavailableError } from '../../../../electron/engine/capture/capture-errors';

// A require that resolves from a folder with no node_modules: the real "Cannot find module 'cap'" error.
const requireFromNowhere = createRequire('/nonexistent-framescope-dir/index.js');

function failure(run: () => unknown): CaptureError {
  try {
    run();
  } catch (error) {
    if (error instanceof CaptureError) return error;
    throw error;
  }
  throw new Error('expected a CaptureError');
}

describe('loadCapWith', () => {
  it('turns a missing module into CaptureUnavailableError that names libpcap-dev and npm ci on Linux', () => {
    const error = failure(() => loadCapWith(requireFromNowhere, 'linux'));
    expect(error).toBeInstanceOf(CaptureUnavailableError);
    expect(error.code).toBe('unavailable');
    expect(error.message).toContain('"cap" is not installed');
    expect(error.message).toContain("Cannot find module 'cap'");
    expect(error.fix).toContain('libpcap-dev');
    expect(error.fix).toContain('npm ci');
    expect((error.cause as { code?: string }).code).toBe('MODULE_NOT_FOUND');
  });

  it('names the platform\'s fix', () => {
    expect(failure(() => loadCapWith(requireFromNowhere, 'darwin')).fix).toContain('xcode-select --install');
    expect(failure(() => loadCapWith(requireFromNowhere, 'win32')).fix).toContain('Npcap');
  });

  it('tells a failed build apart from a missing package', () => {
    const error = failure(() => loadCapWith(() => {
      throw Object.assign(new Error("Cannot find module '../build/Release/cap.node'\nRequire stack: ..."), { code: 'MODULE_NOT_FOUND' });
    }, 'linux'));
    expect(error.message).toContain('did not build or failed to load');
    expect(error.message).not.toContain('Require stack');
    expect(error.fix).toContain('libpcap-dev');
  });

  it('sends an ABI mismatch (Electron vs Node) to a rebuild', () => {
    const error = failure(() => loadCapWith(() => {
      throw new Error('The module cap.node was compiled against a different Node.js version using NODE_MODULE_VERSION 115.');
    }, 'linux'));
    expect(error.fix).toContain('npm rebuild cap');
    expect(error.fix).toContain('@electron/rebuild');
  });

  it('rejects a module without cap\'s API', () => {
    expect(failure(() => loadCapWith(() => ({ Cap: {} }), 'linux'))).toBeInstanceOf(CaptureUnavailableError);
    expect(failure(() => loadCapWith(() => null, 'linux'))).toBeInstanceOf(CaptureUnavailableError);
  });

  it('returns a module that has cap\'s API', () => {
    class Cap {
      static deviceList() {
        return [];
      }
      open() {
        return 'ETHERNET';
      }
    }
    const module = { Cap };
    expect(loadCapWith((id) => (id === 'cap' ? module : undefined), 'linux')).toBe(module);
  });
});

describe('unavailableFix', () => {
  it('falls back to libpcap headers on other Unix systems', () => {
    expect(unavailableFix('freebsd', 'x')).toContain('libpcap');
  });
});

describe('linkTypeFromCap', () => {
  it('maps cap\'s names to LINKTYPE numbers', () => {
    expect(linkTypeFromCap('ETHERNET')).toBe(1);
    expect(linkTypeFromCap('NULL')).toBe(0);
    expect(linkTypeFromCap('LINKTYPE_LINUX_SLL')).toBe(113);
    expect(linkTypeFromCap('RAW')).toBe(101); // DLT_RAW is 12 or 14 by OS; files say 101
    expect(linkTypeFromCap('IEEE802_11_RADIO')).toBe(127);
  });

  it('reads the DLT number out of "Unknown linktype N"', () => {
    expect(linkTypeFromCap('Unknown linktype 276')).toBe(276); // Linux SLL2
    expect(linkTypeFromCap('Unknown linktype 108')).toBe(108);
  });

  it('returns undefined for anything else', () => {
    expect(linkTypeFromCap('constructor')).toBeUndefined();
    expect(linkTypeFromCap('Unknown linktype')).toBeUndefined();
    expect(linkTypeFromCap('')).toBeUndefined();
  });
});
