/**
 * electron-builder.yml, checked by electron-builder itself: its schema accepts the file, and a real packaging run
 * for the deb — with a stand-in Electron distribution, since the real one cannot be downloaded here, and stopped
 * just before fpm — yields the app.asar, the unpacked `cap`, the desktop entry and the post-install script we mean.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const require = createRequire(import.meta.url);

interface BuilderConfig {
  asarUnpack: string[];
  npmRebuild: boolean;
  electronFuses: Record<string, boolean>;
  fileAssociations: Array<{ ext: string; mimeType?: string }>;
  linux: { target: string[]; executableName: string };
  deb: { afterInstall: string; afterRemove: string; fpm: string[]; depends: string[] };
  mac: { target: string };
  win: { target: string };
  nsis: { perMachine: boolean };
}

describe('electron-builder.yml', () => {
  let config: BuilderConfig;

  beforeAll(async () => {
    const { getConfig } = require('app-builder-lib/out/util/config/config.js');
    config = await getConfig(root, join(root, 'electron-builder.yml'), null);
  });

  it('is valid for electron-builder’s schema (and an unknown option would not be)', async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js');
    const { DebugLogger } = require('builder-util');
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    await expect(validateConfiguration({ ...config, deb: { ...config.deb, postInstall: 'x' } }, new DebugLogger(false))).rejects.toThrow(/does not match the API schema/);
  });

  it('targets AppImage and deb, dmg, nsis; rebuilds and unpacks cap; hardens the binary', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toBe('dmg');
    expect(config.win.target).toBe('nsis');
    expect(config.nsis.perMachine).toBe(true);
    expect(config.npmRebuild).toBe(true);
    expect(config.asarUnpack).toContain('node_modules/cap/**');
    expect(config.asarUnpack).toContain('node_modules/@framescope/packet-stats/**');
    expect(config.electronFuses).toMatchObject({
      runAsNode: false, enableNodeOptionsEnvironmentVariable: false, enableNodeCliInspectArguments: false, onlyLoadAppFromAsar: true,
    });
    expect(config.fileAssociations.map((a) => a.ext)).toEqual(['pcapng', 'pcap']);
    expect(config.deb.depends).toEqual(expect.arrayContaining(['libcap2-bin', 'libpcap0.8 | libpcap0.8t64']));
  });

  it('the debconf config script and templates parse', () => {
    execFileSync('sh', ['-n', join(root, 'build/linux/debconf/config')]);
    const templates = readFileSync(join(root, 'build/linux/debconf/templates'), 'utf8');
    expect(templates).toMatch(/^Template: framescope\/capture-permission\nType: boolean\nDefault: false\n/);
  });
});

describe('a deb packaging run, stopped before fpm', () => {
  let fpmArgs: string[] = [];
  let postinst = '';
  let postrm = '';
  let desktop = '';
  let out = '';

  beforeAll(async () => {
    execFileSync(process.execPath, [join(root, 'scripts/build-app.mjs')], { cwd: root });
    // A stand-in for Electron's Linux distribution: electron-builder copies it and renames the executable.
    const electronDist = mkdtempSync(join(tmpdir(), 'fs-electron-dist-'));
    writeFileSync(join(electronDist, 'electron'), '#!/bin/sh\n');
    chmodSync(join(electronDist, 'electron'), 0o755);
    writeFileSync(join(electronDist, 'chrome-sandbox'), '');
    writeFileSync(join(electronDist, 'libffmpeg.so'), '');
    mkdirSync(join(electronDist, 'resources'));
    copyFileSync(join(root, 'node_modules/electron/LICENSE'), join(electronDist, 'LICENSE'));
    out = mkdtempSync(join(tmpdir(), 'fs-packages-'));
    const { build, Platform } = require('electron-builder');
    await build({
      projectDir: root,
      targets: Platform.LINUX.createTarget(['deb']),
      // No download of Electron or its headers here: no native rebuild, no fuses (they patch the real binary).
      config: { electronDist, npmRebuild: false, electronFuses: null, directories: { output: out } },
      effectiveOptionComputed: async ([args, desktopFile]: [string[], string]) => {
        fpmArgs = args;
        postinst = readFileSync(args[args.indexOf('--after-install') + 1]!, 'utf8');
        postrm = readFileSync(args[args.indexOf('--after-remove') + 1]!, 'utf8');
        desktop = readFileSync(desktopFile, 'utf8');
        return true;
      },
    });
  }, 120_000);

  it('hands fpm the debconf question and installs under /opt/Framescope', () => {
    expect(fpmArgs).toContain('--deb-templates=build/linux/debconf/templates');
    expect(fpmArgs).toContain('--deb-config=build/linux/debconf/config');
    expect(fpmArgs.some((a) => a.endsWith('linux-unpacked/=/opt/Framescope'))).toBe(true);
    expect(fpmArgs[fpmArgs.indexOf('--name') + 1]).toBe('framescope');
  });

  it('the post-install script asks before setcap on the bundled binary, and is valid bash', () => {
    expect(postinst).toContain("APP_DIR='/opt/Framescope'");
    expect(postinst).toContain(`APP_BIN="$APP_DIR/"'framescope-desktop'`);
    expect(postinst).toMatch(/db_get framescope\/capture-permission[\s\S]*setcap cap_net_raw,cap_net_admin=eip "\$APP_BIN"/);
    expect(postinst).toContain('setcap -r "$APP_BIN"');
    expect(postinst).not.toMatch(/\$\{(executable|sanitizedProductName)\}/);
    execFileSync('bash', ['-n'], { input: postinst });
    execFileSync('bash', ['-n'], { input: postrm });
    expect(postrm).toMatch(/db_purge/);
  });

  it('registers the file types in the desktop entry, which passes files to the app', () => {
    expect(desktop).toMatch(/^Exec=\/opt\/Framescope\/framescope-desktop %U$/m);
    expect(desktop).toMatch(/^MimeType=application\/vnd\.tcpdump\.pcap;application\/x-pcapng;$/m);
  });

  it('packs the bundles into app.asar and unpacks cap’s native binding', () => {
    const asar = require('@electron/asar');
    const archive = join(out, 'linux-unpacked', 'resources', 'app.asar');
    const files: string[] = asar.listPackage(archive);
    expect(files).toEqual(expect.arrayContaining(['/dist/app/main.cjs', '/dist/app/preload.cjs', '/package.json']));
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(files.some((f) => f.startsWith('/electron/') || f.startsWith('/test/') || f.startsWith('/shared/'))).toBe(false);
    const pkg = JSON.parse(asar.extractFile(archive, 'package.json').toString());
    expect(pkg.main).toBe('dist/app/main.cjs');
    const unpacked = join(out, 'linux-unpacked', 'resources', 'app.asar.unpacked', 'node_modules', 'cap', 'package.json');
    expect(JSON.parse(readFileSync(unpacked, 'utf8')).name).toBe('cap');
    // The kernel drop counter (an optional Linux addon, symlinked by npm from native/packet-stats) when it was built.
    if (existsSync(join(root, 'node_modules/@framescope/packet-stats/build/Release/packet_stats.node'))) {
      const addon = join(out, 'linux-unpacked', 'resources', 'app.asar.unpacked', 'node_modules', '@framescope', 'packet-stats');
      expect(JSON.parse(readFileSync(join(addon, 'package.json'), 'utf8')).name).toBe('@framescope/packet-stats');
      expect(existsSync(join(addon, 'build', 'Release', 'packet_stats.node'))).toBe(true);
    }
  });
});
