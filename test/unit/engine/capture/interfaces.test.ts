import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { loadCapWith, type CapDevice, type CapModule } from '../../../../electron/engine/capture/cap-binding';
import { CaptureError, CapturePermissionError, CaptureUnavailableError } from '../../../../electron/engine/capture/capture-errors';
import { listInterfaces } from '../../../../electron/engine/capture/interfaces';

function capListing(list: () => CapDevice[]): () => CapModule {
  class Cap {
    static deviceList = list;
    open(): string {
      throw new Error('not used');
    }
    close(): boolean {
      return false;
    }
    on(): this {
      return this;
    }
    removeAllListeners(): this {
      return this;
    }
  }
  return () => ({ Cap });
}

describe('listInterfaces', () => {
  it('maps pcap_findalldevs as cap reports it (its Linux output) to names, addresses and a loopback flag', () => {
    const load = capListing(() => [
      { name: 'eth0', addresses: [{ addr: '192.168.0.10', netmask: '255.255.255.0', broadaddr: '192.168.0.255' }] },
      { name: 'any', description: 'Pseudo-device that captures on all interfaces', addresses: [] },
      {
        name: 'lo',
        addresses: [{ addr: '127.0.0.1', netmask: '255.0.0.0' }, { addr: '::1', netmask: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff' }],
        flags: 'PCAP_IF_LOOPBACK',
      },
      { name: 'tun0', addresses: [{ addr: '10.8.0.2', dstaddr: '10.8.0.1' }, { netmask: '255.0.0.0' }] },
    ]);
    expect(listInterfaces(load)).toEqual([
      { name: 'eth0', addresses: [{ address: '192.168.0.10', netmask: '255.255.255.0', broadcast: '192.168.0.255' }], loopback: false },
      { name: 'any', description: 'Pseudo-device that captures on all interfaces', addresses: [], loopback: false },
      {
        name: 'lo',
        addresses: [{ address: '127.0.0.1', netmask: '255.0.0.0' }, { address: '::1', netmask: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff' }],
        loopback: true,
      },
      // an address inet_ntop could not print comes back without `addr`: dropped
      { name: 'tun0', addresses: [{ address: '10.8.0.2', destination: '10.8.0.1' }], loopback: false },
    ]);
  });

  it('reports a refused listing as a permission error and anything else as an open error', () => {
    const refused = capListing(() => {
      throw new Error('(cannot open BPF device) /dev/bpf0: Permission denied');
    });
    const error = (() => {
      try {
        listInterfaces(refused, 'darwin');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(CapturePermissionError);
    expect((error as Error).message).toContain('ChmodBPF');
    const broken = capListing(() => {
      throw new Error('Failed to open socket');
    });
    expect(() => listInterfaces(broken)).toThrow(CaptureError);
    expect(() => listInterfaces(broken)).toThrow('Cannot list capture interfaces: Failed to open socket');
  });

  it('throws CaptureUnavailableError with the fix when cap is not installed', () => {
    const missing = () => loadCapWith(createRequire('/nonexistent-framescope-dir/index.js'), 'win32');
    expect(() => listInterfaces(missing)).toThrow(CaptureUnavailableError);
    expect(() => listInterfaces(missing)).toThrow(/Npcap.*npm ci/);
  });
});
