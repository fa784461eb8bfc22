import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { loadCapWith, type CapDevice, type CapInstance, type CapModule } from '../../../../electron/engine/capture/cap-binding';
import { CaptureError, CaptureFilterError, CapturePermissionError, CaptureUnavailableError } from '../../../../electron/engine/capture/capture-errors';
import { DEFAULT_BUFFER_SIZE, openCapture, type LivePacket } from '../../../../electron/engine/capture/live-capture';

/**
 * A stand-in for cap 0.2 with its observable behaviour: open() throws libpcap's text or returns the link type name,
 * every packet is copied into the one Buffer given to open() (cut to its length) before 'packet' is emitted, and a
 * failed instance must never be closed (the real one crashes).
 */
interface FakeWorld {
  /** Returns libpcap's error text for this open, or undefined to succeed. */
  refuse(device: string, filter: string, bufferSize: number): string | undefined;
  linkName: string;
  instances: FakeCap[];
}

class FakeCap extends EventEmitter implements CapInstance {
  buffer: Buffer | undefined;
  opened = false;
  failed = false;
  closes = 0;
  args: { device: string; filter: string; bufferSize: number } | undefined;

  constructor(private readonly world: FakeWorld) {
    super();
    world.instances.push(this);
  }

  open(device: string, filter: string, bufferSize: number, buffer: Buffer): string {
    this.args = { device, filter, bufferSize };
    const refusal = this.world.refuse(device, filter, bufferSize);
    if (refusal !== undefined) {
      this.failed = true;
      throw new Error(refusal);
    }
    this.opened = true;
    this.buffer = buffer;
    return this.world.linkName;
  }

  close(): boolean {
    if (this.failed) throw new Error('closed a cap instance whose open() failed: the real cap segfaults');
    this.closes++;
    const was = this.opened;
    this.opened = false;
    return was;
  }

  /** What cap's native side does for one packet. */
  deliver(frame: Uint8Array): void {
    if (!this.opened || !this.buffer) return;
    const n = Math.min(frame.length, this.buffer.length);
    this.buffer.set(frame.subarray(0, n));
    this.emit('packet', n, frame.length > this.buffer.length);
  }
}

function fakeCap(world: Partial<FakeWorld> = {}): { load: () => CapModule; world: FakeWorld; live: () => FakeCap } {
  const w: FakeWorld = { refuse: () => undefined, linkName: 'ETHERNET', instances: [], ...world };
  class Cap extends FakeCap {
    constructor() {
      super(w);
    }
    static deviceList(): CapDevice[] {
      return [];
    }
  }
  const module: CapModule = { Cap };
  const live = () => {
    const open = w.instances.filter((i) => i.opened);
    expect(open).toHaveLength(1);
    return open[0];
  };
  return { load: () => module, world: w, live };
}

// Ethernet + IPv4 (total length = 20 + payload) + payload, no TCP: enough for the length logic.
function frame(payload: number[], ipTotal = 20 + payload.length): Uint8Array {
  const ip = [0x45, 0, ipTotal >> 8, ipTotal & 0xff, 0, 0, 0, 0, 64, 6, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1];
  return Uint8Array.from([...new Array<number>(12).fill(0), 0x08, 0x00, ...ip, ...payload]);
}

function failure(run: () => unknown): CaptureError {
  try {
    run();
  } catch (error) {
    if (error instanceof CaptureError) return error;
    throw error;
  }
  throw new Error('expected a CaptureError');
}

describe('openCapture', () => {
  it('opens the interface with the filter and buffer size asked for, and reports the link type', () => {
    const { load, live } = fakeCap();
    const capture = openCapture({ interface: 'lo', bpf: ' tcp port 8070 ', bufferSize: 4 << 20 }, () => {}, load);
    expect(live().args).toEqual({ device: 'lo', filter: 'tcp port 8070', bufferSize: 4 << 20 });
    expect(capture.linkType).toBe(1);
    expect(capture.interface).toBe('lo');
    expect(capture.filter).toBe('tcp port 8070');
    expect(capture.snaplen).toBe(65535);
    expect(capture.timestampSource).toBe('arrival');
    capture.close();
  });

  it('hands each packet over as its own copy: cap reuses one buffer', () => {
    const { load, live } = fakeCap();
    const packets: LivePacket[] = [];
    const capture = openCapture({ interface: 'lo' }, (p) => packets.push(p), load);
    const first = frame([1, 2, 3, 4]);
    const second = frame([9, 9, 9, 9, 9, 9, 9, 9]);
    live().deliver(first);
    live().deliver(second);
    expect(packets).toHaveLength(2);
    expect(packets[0].data).toEqual(first);
    expect(packets[1].data).toEqual(second);
    expect(packets[0].data.buffer).not.toBe(live().buffer?.buffer);
    expect(Object.getPrototypeOf(packets[0].data)).toBe(Uint8Array.prototype); // plain, not a Buffer view
    expect(packets[0]).toMatchObject({ linkType: 1, capturedLength: first.length, originalLength: first.length });
    capture.close();
  });

  it('cuts packets to snaplen and recovers their wire length', () => {
    const { load, live } = fakeCap();
    const packets: LivePacket[] = [];
    const capture = openCapture({ interface: 'lo', snaplen: 40 }, (p) => packets.push(p), load);
    const big = frame(new Array<number>(100).fill(5));
    live().deliver(big);
    expect(packets[0].capturedLength).toBe(40);
    expect(packets[0].data).toEqual(big.subarray(0, 40));
    expect(packets[0].originalLength).toBe(big.length);
    expect(capture.stats()).toEqual({ received: 1, bytes: 40, truncated: 1, droppedByKernel: null, droppedByInterface: null });
    capture.close();
  });

  it('counts a packet libpcap itself cut short (its snaplen is fixed at 65535) as truncated', () => {
    const { load, live } = fakeCap();
    const packets: LivePacket[] = [];
    const capture = openCapture({ interface: 'lo', snaplen: 1 << 20 }, (p) => packets.push(p), load);
    expect(capture.snaplen).toBe(65535);
    // What libpcap hands cap for a 65549-byte loopback frame: 65535 bytes, not flagged by cap as truncated.
    live().deliver(frame(new Array<number>(65535 - 34).fill(1), 65535));
    expect(packets[0]).toMatchObject({ capturedLength: 65535, originalLength: 65549 });
    expect(capture.stats().truncated).toBe(1);
    capture.close();
  });

  it('stamps packets with nanoseconds since the epoch, never running backwards', () => {
    const { load, live } = fakeCap();
    const packets: LivePacket[] = [];
    const before = BigInt(Date.now() - 1) * 1_000_000n;
    const capture = openCapture({ interface: 'lo' }, (p) => packets.push(p), load);
    for (let i = 0; i < 200; i++) live().deliver(frame([i & 0xff]));
    const after = BigInt(Date.now() + 1) * 1_000_000n;
    capture.close();
    expect(packets).toHaveLength(200);
    for (let i = 0; i < packets.length; i++) {
      expect(typeof packets[i].timestamp).toBe('bigint');
      expect(packets[i].timestamp >= before && packets[i].timestamp <= after).toBe(true);
      if (i > 0) expect(packets[i].timestamp >= packets[i - 1].timestamp).toBe(true);
    }
  });

  it('counts what it delivered; drops are unknown (null), not zero', () => {
    const { load, live } = fakeCap();
    const capture = openCapture({ interface: 'lo' }, () => {}, load);
    live().deliver(frame([1]));
    live().deliver(frame([1, 2]));
    expect(capture.stats()).toEqual({ received: 2, bytes: 35 + 36, truncated: 0, droppedByKernel: null, droppedByInterface: null });
    capture.close();
  });

  it('delivers nothing after close(), which may be called twice and from inside onPacket', () => {
    const { load, live, world } = fakeCap();
    const seen: number[] = [];
    const capture = openCapture({ interface: 'lo' }, (p) => {
      seen.push(p.data[34]);
      if (p.data[34] === 2) capture.close();
    }, load);
    const instance = live();
    instance.deliver(frame([1]));
    instance.deliver(frame([2]));
    // cap may still emit packets libpcap had already read in the same dispatch loop
    instance.opened = true;
    instance.deliver(frame([3]));
    expect(seen).toEqual([1, 2]);
    expect(capture.closed).toBe(true);
    capture.close();
    expect(world.instances).toEqual([instance]);
    expect(instance.closes).toBe(1);
    expect(instance.listenerCount('packet')).toBe(0);
  });

  it('tries the filter on a throwaway handle with a minimal buffer first, and closes it', () => {
    const { load, world } = fakeCap();
    const capture = openCapture({ interface: 'eth0', bpf: 'tcp', bufferSize: 1 << 20 }, () => {}, load);
    expect(world.instances).toHaveLength(2);
    expect(world.instances[0].args).toEqual({ device: 'eth0', filter: 'tcp', bufferSize: 1 });
    expect(world.instances[0].closes).toBe(1);
    expect(world.instances[1].args?.bufferSize).toBe(1 << 20);
    capture.close();
  });

  it('opens no throwaway handle without a filter, and asks for a 64 MiB ring by default', () => {
    const { load, world } = fakeCap();
    openCapture({ interface: 'eth0', bpf: '  ' }, () => {}, load).close();
    expect(world.instances).toHaveLength(1);
    expect(world.instances[0].args).toEqual({ device: 'eth0', filter: '', bufferSize: DEFAULT_BUFFER_SIZE });
    expect(DEFAULT_BUFFER_SIZE).toBe(64 * 1024 * 1024);
  });

  it('reports a filter libpcap rejects as CaptureFilterError, and never closes the failed handle', () => {
    const { load, world } = fakeCap({ refuse: (_d, filter) => (filter.includes('nope') ? "unknown port 'nope'" : undefined) });
    const error = failure(() => openCapture({ interface: 'lo', bpf: 'tcp port nope' }, () => {}, load));
    expect(error).toBeInstanceOf(CaptureFilterError);
    expect(error.code).toBe('filter');
    expect(error.message).toContain('Invalid capture filter "tcp port nope": unknown port \'nope\'');
    expect((error as CaptureFilterError).filter).toBe('tcp port nope');
    expect(world.instances.every((i) => !i.opened)).toBe(true); // the check without a filter was closed again
    expect(world.instances.some((i) => i.failed)).toBe(true);
  });

  it('tells a filter error from a permission error by trying without the filter, not by the text', () => {
    const { load } = fakeCap({ refuse: (_d, filter) => (filter ? "unknown host 'permission'" : undefined) });
    expect(failure(() => openCapture({ interface: 'lo', bpf: 'host permission' }, () => {}, load))).toBeInstanceOf(CaptureFilterError);
  });

  it('reports a refused open as CapturePermissionError with the fix for the platform', () => {
    const refusal = 'Attempt to create packet socket failed - CAP_NET_RAW may be required';
    const { load, world } = fakeCap({ refuse: () => refusal });
    const linux = failure(() => openCapture({ interface: 'eth0', bpf: 'tcp' }, () => {}, load, 'linux'));
    expect(linux).toBeInstanceOf(CapturePermissionError);
    expect(linux.message).toContain(refusal);
    expect(linux.message).toContain('sudo setcap cap_net_raw,cap_net_admin=eip $(readlink -f $(which node))');
    const mac = failure(() => openCapture({ interface: 'en0' }, () => {}, load, 'darwin'));
    expect(mac).toBeInstanceOf(CapturePermissionError);
    expect(mac.message).toContain('ChmodBPF');
    expect(world.instances.every((i) => i.failed && i.closes === 0)).toBe(true);
  });

  it('reports a missing interface as an open error, even with a filter', () => {
    const { load } = fakeCap({ refuse: (device) => (device === 'eth9' ? 'No such device exists' : undefined) });
    const error = failure(() => openCapture({ interface: 'eth9', bpf: 'tcp' }, () => {}, load));
    expect(error.constructor).toBe(CaptureError);
    expect(error.code).toBe('open');
    expect(error.message).toContain('Cannot capture on "eth9": No such device exists');
    expect(error.fix).toContain('framescope interfaces');
  });

  it('reads a link type cap has no name for from its "Unknown linktype N" text', () => {
    const { load } = fakeCap({ linkName: 'Unknown linktype 276' });
    const packets: LivePacket[] = [];
    const capture = openCapture({ interface: 'any' }, (p) => packets.push(p), load);
    expect(capture.linkType).toBe(276);
    capture.close();
  });

  it('closes the capture and throws when the link type cannot be read', () => {
    const { load, world } = fakeCap({ linkName: 'something else' });
    const error = failure(() => openCapture({ interface: 'lo' }, () => {}, load));
    expect(error.code).toBe('open');
    expect(error.message).toContain('"something else"');
    expect(world.instances[0].closes).toBe(1);
  });

  it('rejects options that are wrong in themselves before touching libpcap', () => {
    const { load, world } = fakeCap();
    expect(() => openCapture({ interface: '' }, () => {}, load)).toThrow(RangeError);
    expect(() => openCapture({ interface: 'lo', bufferSize: 0 }, () => {}, load)).toThrow(RangeError);
    expect(() => openCapture({ interface: 'lo', bufferSize: 2 ** 31 }, () => {}, load)).toThrow(RangeError);
    expect(() => openCapture({ interface: 'lo', snaplen: 0 }, () => {}, load)).toThrow(RangeError);
    expect(() => openCapture({ interface: 'lo', snaplen: 1.5 }, () => {}, load)).toThrow(RangeError);
    expect(world.instances).toHaveLength(0);
  });

  it('throws CaptureUnavailableError naming the fix when cap is not installed', () => {
    const missing = () => loadCapWith(createRequire('/nonexistent-framescope-dir/index.js'), 'linux');
    const error = failure(() => openCapture({ interface: 'lo', bpf: 'tcp' }, () => {}, missing));
    expect(error).toBeInstanceOf(CaptureUnavailableError);
    expect(error.message).toContain('install libpcap-dev');
    expect(error.message).toContain('rerun `npm ci`');
  });
});
