/** The `framescope` command as users and the acceptance check run it: the built bin, real processes, real files. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { concatBytes, toHex } from '../../shared/codec/bytes';
import { PROTOCOLS } from '../../shared/protocols/index';
import { fixtureProtocols, loadFixtures } from '../support/fixtures';

const BIN = join(__dirname, '..', '..', 'bin', 'framescope.js');

function run(args: string[], input?: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const shakeHand = '010009000000ea030000010000000000000000000400' + '64656d6f' + '000000';
const heartbeatResponse = '010005000000ed0300000100000000000000000001' + '07000000';

describe('framescope decode', () => {
  it('prints a readable tree like tshark -V', () => {
    const r = run(['decode', '--protocol', 'flyer', '--hex', shakeHand]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Frame 1: flyer c2s ShakeHand, 29 bytes at offset 0');
    expect(r.stdout).toMatch(/appCode \(flyer\.appCode\): "demo"\s+\[22\+4\]/);
  });

  it('prints the JSON contract: frames with fields, value, tree and notes, and the remainder', () => {
    const r = run(['decode', '--protocol', 'flyer', '--direction', 'c2s', '--json', '--hex', shakeHand + shakeHand + '0100090000']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.remainder).toBe(5);
    expect(out.frames).toHaveLength(2);
    const f = out.frames[1];
    expect(Object.keys(f).sort()).toEqual(['direction', 'fields', 'length', 'message', 'notes', 'offset', 'protocol', 'summary', 'tree', 'value']);
    expect(f).toMatchObject({ protocol: 'flyer', message: 'ShakeHand', direction: 'c2s', offset: 29, length: 29 });
    expect(f.fields).toMatchObject({ 'flyer.protocol': 1002, 'flyer.packet_id': '0', 'flyer.appCode': 'demo', 'flyer.vhost': '', 'flyer.req': 0 });
    expect(f.tree[0]).toMatchObject({ abbrev: 'flyer', start: 0, length: 29 });
  });

  it('detects every protocol with --protocol auto from a real first PDU', () => {
    const samples: Record<string, string> = {
      flyer: heartbeatResponse,
      tt: '0000000c0007000100010000',
      hodor: 'f6660000000000000009010200000000000000 0f7b22726571756573744964223a397d'.replace(/ /g, ''),
      push: '20205631',
      http: toHex(new TextEncoder().encode('GET /ping HTTP/1.1\r\nHost: x\r\n\r\n')),
    };
    const nc = loadFixtures('txlcn').find((f) => f.message === 'nc')!;
    samples.txlcn = toHex(nc.bytes);
    for (const [id, hex] of Object.entries(samples)) {
      const out = JSON.parse(run(['decode', '--protocol', 'auto', '--json', '--hex', hex]).stdout);
      expect(out.frames[0]?.protocol, id).toBe(id);
    }
  });

  it('reads a binary file and stdin', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fs-cli-'));
    const file = join(dir, 'stream.bin');
    writeFileSync(file, Buffer.from(heartbeatResponse + heartbeatResponse, 'hex'));
    expect(JSON.parse(run(['decode', '-p', 'flyer', '--json', '--file', file]).stdout).frames).toHaveLength(2);
    const r = spawnSync(process.execPath, [BIN, 'decode', '-p', 'flyer', '--json', '--file', '-'], { input: Buffer.from(heartbeatResponse, 'hex') });
    expect(JSON.parse(r.stdout.toString()).frames[0].message).toBe('HeartbeatResponse');
  });
});

describe('framescope encode', () => {
  it('gives back every fixture byte for byte from its decode --json frame (all protocols)', () => {
    // One process for all fixtures of a protocol: the whole decode output encodes frame after frame.
    for (const id of fixtureProtocols()) {
      const fixtures = loadFixtures(id).filter((f) => f.roundTrip && !f.variant && !f.charset && !f.context);
      for (const dir of ['c2s', 's2c'] as const) {
        const set = fixtures.filter((f) => f.direction === dir);
        if (set.length === 0) continue;
        const frames = set.map((f) => JSON.parse(run(['decode', '-p', id, '--direction', dir, '--json', '--hex', toHex(f.bytes)]).stdout).frames[0]);
        const r = run(['encode', '--protocol', id, '--json', '-'], JSON.stringify({ frames }));
        expect(r.stderr).toBe('');
        expect(r.stdout.trim(), `${id} ${dir}`).toBe(toHex(concatBytes(set.map((f) => f.bytes))));
      }
    }
  });

  it('encodes one frame object read from a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fs-cli-'));
    const file = join(dir, 'frame.json');
    writeFileSync(file, JSON.stringify({ message: 'HeartbeatResponse', direction: 's2c', value: { packet_id: '0', resp: 1, serverVersion: 7 } }));
    const r = run(['encode', '--protocol', 'flyer', '--json', file]);
    expect(r.stdout.trim()).toBe(heartbeatResponse);
  });
});

describe('framescope protocols', () => {
  it('lists protocols, messages and typed fields', () => {
    const out = JSON.parse(run(['protocols', '--json']).stdout);
    expect(out.protocols.map((p: { id: string }) => p.id).sort()).toEqual(PROTOCOLS.map((p) => p.id).sort());
    const tt = out.protocols.find((p: { id: string }) => p.id === 'tt');
    expect(tt.messages.some((m: { name: string }) => m.name === 'LoginRequest')).toBe(true);
    expect(tt.fields.find((f: { abbrev: string }) => f.abbrev === 'tt.length').type).toBe('u32');
    expect(run(['protocols']).stdout).toContain('flyer.packet_id');
  });
});

describe('bad input', () => {
  // Exit 1: the input is bad (a file, hex, JSON, a value the codec refuses); exit 2: the command line is (as commander's own errors).
  const cases: Array<[string[], 1 | 2, RegExp, string?]> = [
    [['decode', '-p', 'flyer', '--hex', 'zz'], 1, /^framescope: --hex: not a hex digit at position 0: 'z'$/],
    [['decode', '-p', 'flyer', '--hex', 'abc'], 1, /odd number of digits/],
    [['decode', '-p', 'nope', '--hex', '00'], 2, /^framescope: unknown protocol 'nope' \(known: .*flyer.*\)$/],
    [['decode', '-p', 'flyer'], 2, /give exactly one of --hex <hex> or --file <path>/],
    [['decode', '-p', 'flyer', '--file', '/no/such/file'], 1, /--file \/no\/such\/file: no such file/],
    [['decode', '-p', 'flyer', '--hex', '00', '--direction', 'up'], 2, /--direction must be c2s or s2c/],
    [['decode', '-p', 'auto', '--hex', '0000'], 1, /no protocol recognises the first bytes/],
    [['encode', '-p', 'flyer', '--json', '-'], 1, /invalid JSON/, '{nope'],
    [['encode', '-p', 'flyer', '--json', '-'], 1, /frame\.message: expected a message name of flyer/, '{}'],
    [['encode', '-p', 'flyer', '--json', '-'], 1, /flyer\.serverVersion: expected an integer/, '{"message":"HeartbeatResponse","direction":"s2c","value":{"serverVersion":"x"}}'],
    [['read', '-r', '/no/such/file.pcapng'], 1, /^framescope: -r \/no\/such\/file\.pcapng: no such file$/],
    [['read', '-r', '/no/such/file.pcapng', '-d', 'tcp.port=1,flyer'], 2, /^framescope: -d: expected tcp\.port==<port>,<protocol>, got 'tcp\.port=1,flyer'$/],
    // Numbers are checked by the command, before anything is opened, in one wording for every sub-command.
    [['capture', '-i', 'lo', '-B', 'abc'], 2, /^framescope: -B: expected MiB from 1 to 2047, got 'abc'$/],
    [['decode', '-p', 'flyer', '--hex', '00', '--max-pdu', '0'], 2, /^framescope: --max-pdu: expected a number of bytes of at least 1, got '0'$/],
    [['serve', '--port', ''], 2, /^framescope: --port: expected a port from 0 to 65535, got ''$/],
    [['demo', 'client', '--protocol', 'flyer', '--connect', 'nope'], 2, /^framescope: --connect: expected host:port, got 'nope'$/],
  ];
  for (const [args, code, pattern, input] of cases) {
    it(`${args.join(' ')} → one line on stderr, exit ${code}`, () => {
      const r = run(args, input);
      expect(r.code).toBe(code);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(pattern);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }

  it('rejects an unknown sub-command or a missing option with one line of usage help and exit code 2', () => {
    for (const [args, message] of [[['frobnicate'], "unknown command 'frobnicate'"], [['encode'], "required option '--json <file>' not specified"]] as const) {
      const r = run([...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`error: ${message} (run framescope --help for usage)\n`);
    }
  });

  it('works as `npx framescope` from the project folder', () => {
    const out = execFileSync('npx', ['--no-install', 'framescope', 'protocols', '--json'], { encoding: 'utf8', cwd: join(__dirname, '..', '..') });
    expect(JSON.parse(out).protocols.length).toBe(PROTOCOLS.length);
  });
});
