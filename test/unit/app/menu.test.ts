/** The application menu: File ▸ Open, Open Recent, Save As, Quit; Capture; Proxy; View; Help — and what they do. */
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { capturePermissionText, MENU_IDS, menuTemplate, type MenuActions, type MenuState } from '../../../electron/app/menu';

function recorder() {
  const calls: Array<[string, ...unknown[]]> = [];
  const actions = new Proxy({}, { get: (_t, name: string) => (...args: unknown[]) => { calls.push([name, ...args]); } }) as MenuActions;
  return { calls, actions };
}

const base: MenuState = {
  platform: 'linux', dev: false, recent: ['/caps/a.pcapng', '/caps/b & c.pcap'], capturing: false,
  interfaces: [{ name: 'lo' }, { name: 'eth0', description: 'Ethernet' }], proxies: 0, demoProtocols: ['flyer', 'tt'],
};

function all(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? all(i.submenu) : [])]);
}
const byId = (items: MenuItemConstructorOptions[], id: string) => all(items).find((i) => i.id === id)!;
const byLabel = (items: MenuItemConstructorOptions[], label: RegExp) => all(items).find((i) => i.label && label.test(i.label))!;
const click = (item: MenuItemConstructorOptions) => (item.click as () => void)();

describe('menuTemplate', () => {
  it('has File, Edit, Capture, Proxy, View and Help, and File holds Open, Open Recent, Save As and Quit', () => {
    const { actions } = recorder();
    const menu = menuTemplate(base, actions);
    expect(menu.map((m) => m.label ?? m.role)).toEqual(['&File', 'editMenu', '&Capture', '&Proxy', '&View', '&Help']);
    const file = menu[0]!.submenu as MenuItemConstructorOptions[];
    expect(file.filter((i) => i.id).map((i) => i.id)).toEqual([MENU_IDS.open, MENU_IDS.openRecent, MENU_IDS.saveAs, MENU_IDS.clearSession, MENU_IDS.quit]);
    expect(byId(menu, MENU_IDS.quit).role).toBe('quit');
  });

  it('lists recent files (escaping &) and opens the one clicked', () => {
    const { actions, calls } = recorder();
    const menu = menuTemplate(base, actions);
    const recent = byId(menu, MENU_IDS.openRecent).submenu as MenuItemConstructorOptions[];
    expect(recent[1]!.label).toBe('&2 b && c.pcap — /caps/b && c.pcap');
    click(recent[1]!);
    click(byId(menu, MENU_IDS.open));
    click(byId(menu, MENU_IDS.saveAs));
    click(byLabel(menu, /^Clear Recent$/));
    expect(calls).toEqual([['openRecent', '/caps/b & c.pcap'], ['open'], ['saveAs'], ['clearRecent']]);
    const none = menuTemplate({ ...base, recent: [] }, actions);
    expect((byId(none, MENU_IDS.openRecent).submenu as MenuItemConstructorOptions[])[0]).toMatchObject({ label: 'No recent files', enabled: false });
  });

  it('Capture starts on an interface, and Stop is enabled only while capturing', () => {
    const { actions, calls } = recorder();
    const idle = menuTemplate(base, actions);
    expect(byId(idle, MENU_IDS.captureStop).enabled).toBe(false);
    click(byLabel(idle, /^eth0 \(Ethernet\)$/));
    const busy = menuTemplate({ ...base, capturing: true }, actions);
    expect(byId(busy, MENU_IDS.captureStop).enabled).toBe(true);
    expect(byLabel(busy, /^lo$/).enabled).toBe(false);
    click(byId(busy, MENU_IDS.captureStop));
    expect(calls).toEqual([['startCapture', 'eth0'], ['stopCapture']]);
  });

  it('says why live capture is unavailable instead of listing interfaces', () => {
    const { actions } = recorder();
    const menu = menuTemplate({ ...base, interfaces: { unavailable: 'cap did not build' } }, actions);
    expect(byLabel(menu, /unavailable/)).toMatchObject({ label: 'Live capture unavailable: cap did not build', enabled: false });
  });

  it('Proxy starts and stops the demo and removes listeners when there are some', () => {
    const { actions, calls } = recorder();
    const menu = menuTemplate({ ...base, proxies: 2 }, actions);
    click(byLabel(menu, /^All protocols$/));
    click(byLabel(menu, /^tt$/));
    click(byId(menu, MENU_IDS.demoStop));
    click(byId(menu, MENU_IDS.proxiesRemove));
    expect(calls).toEqual([['startDemo'], ['startDemo', 'tt'], ['stopDemo'], ['removeAllProxies']]);
    expect(byId(menuTemplate(base, actions), MENU_IDS.proxiesRemove).enabled).toBe(false);
  });

  it('offers Reload and DevTools only in development', () => {
    const { actions } = recorder();
    const roles = (dev: boolean) => all(menuTemplate({ ...base, dev }, actions)).map((i) => i.role).filter(Boolean);
    expect(roles(false)).not.toContain('toggleDevTools');
    expect(roles(false)).not.toContain('reload');
    expect(roles(true)).toEqual(expect.arrayContaining(['toggleDevTools', 'reload']));
  });

  it('on macOS puts Quit and About in the app menu', () => {
    const { actions } = recorder();
    const menu = menuTemplate({ ...base, platform: 'darwin' }, actions);
    expect(menu[0]!.label).toBe('Framescope');
    expect(all(menu[0]!.submenu as MenuItemConstructorOptions[]).some((i) => i.role === 'quit')).toBe(true);
    expect((menu[1]!.submenu as MenuItemConstructorOptions[]).some((i) => i.role === 'quit')).toBe(false);
  });

  it('explains capture permissions per platform', () => {
    expect(capturePermissionText('linux')).toMatch(/setcap cap_net_raw,cap_net_admin=eip/);
    expect(capturePermissionText('darwin')).toMatch(/ChmodBPF/);
    expect(capturePermissionText('win32')).toMatch(/Npcap/);
  });
});
