/** What the desktop app remembers (window bounds, recent files) and the files it is asked to open at launch. */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AppStateStore, MAX_RECENT, parseState, withRecent } from '../../../electron/app/app-state';
import { captureFilesFromArgv } from '../../../electron/app/launch-files';

describe('AppStateStore', () => {
  it('starts empty, remembers bounds and recent files across instances, in a JSON file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fs-state-'));
    const file = join(dir, 'profile', 'framescope-state.json');
    const a = new AppStateStore(file);
    expect(a.window).toBeUndefined();
    expect(a.recent).toEqual([]);
    a.setWindow({ x: 10, y: 20, width: 1100, height: 700, maximized: true });
    a.addRecent('/caps/one.pcapng');
    a.addRecent('/caps/two.pcap');
    a.addRecent('/caps/one.pcapng');
    const b = new AppStateStore(file);
    expect(b.window).toEqual({ x: 10, y: 20, width: 1100, height: 700, maximized: true });
    expect(b.recent).toEqual(['/caps/one.pcapng', '/caps/two.pcap']);
    b.removeRecent('/caps/two.pcap');
    expect(new AppStateStore(file).recent).toEqual(['/caps/one.pcapng']);
    b.clearRecent();
    expect(JSON.parse(readFileSync(file, 'utf8')).recent).toEqual([]);
  });

  it('survives a damaged file, keeping what is valid', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fs-state-'));
    const file = join(dir, 'framescope-state.json');
    writeFileSync(file, '{"window": {"width": "wide"}, "recent": ["/a.pcap", 3, null, "", "/b.pcapng", "/a.pcap"]}');
    const s = new AppStateStore(file);
    expect(s.window).toBeUndefined();
    expect(s.recent).toEqual(['/a.pcap', '/b.pcapng']);
    writeFileSync(file, '{not json');
    expect(new AppStateStore(file).recent).toEqual([]);
    expect(parseState('[]')).toEqual({ recent: [] });
    expect(parseState('{"window":{"width":800,"height":600,"x":"1","y":2}}').window).toEqual({ width: 800, height: 600 });
  });

  it('keeps at most MAX_RECENT, most recent first', () => {
    const paths = Array.from({ length: 15 }, (_, i) => `/c/${i}.pcapng`);
    const recent = withRecent([], ...paths);
    expect(recent).toHaveLength(MAX_RECENT);
    expect(recent[0]).toBe('/c/14.pcapng');
  });

  it('does not throw when the profile folder cannot be written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fs-state-'));
    writeFileSync(join(dir, 'a-file'), '');
    const s = new AppStateStore(join(dir, 'a-file', 'state.json'));
    const warn = console.warn;
    const lines: unknown[] = [];
    console.warn = (...a: unknown[]) => { lines.push(a); };
    try {
      s.addRecent('/x.pcap');
    } finally {
      console.warn = warn;
    }
    expect(s.recent).toEqual(['/x.pcap']);
    expect(lines).toHaveLength(1);
  });
});

describe('captureFilesFromArgv', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fs-argv-'));
  mkdirSync(join(dir, 'sub'));
  for (const f of ['a.pcapng', 'b.PCAP', 'notes.txt', 'sub/c.pcap']) writeFileSync(join(dir, f), '');

  it('takes existing capture files, relative to the working directory, skipping switches and the app entry', () => {
    const argv = ['/opt/Framescope/framescope', 'dist/app/main.cjs', '--enable-logging', 'a.pcapng', '-v', 'notes.txt', 'missing.pcap', 'b.PCAP', join(dir, 'sub', 'c.pcap'), 'a.pcapng'];
    expect(captureFilesFromArgv(argv, dir)).toEqual([join(dir, 'a.pcapng'), join(dir, 'b.PCAP'), join(dir, 'sub', 'c.pcap')]);
  });

  it('accepts file:// URIs (Linux desktop files pass %U)', () => {
    expect(captureFilesFromArgv(['framescope', pathToFileURL(join(dir, 'a.pcapng')).href], '/')).toEqual([join(dir, 'a.pcapng')]);
  });

  it('never treats argv[0] as a file, and finds nothing in a bare launch', () => {
    expect(captureFilesFromArgv([join(dir, 'a.pcapng')], dir)).toEqual([]);
    expect(captureFilesFromArgv(['framescope'], dir)).toEqual([]);
  });
});
