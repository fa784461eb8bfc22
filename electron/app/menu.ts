/**
 * The application menu. It is a plain function of the app's state and its actions (so it is tested without
 * Electron); main.ts builds it again whenever the state changes (recent files, capture started or stopped, proxy
 * listeners). Menu items act through the engine's own commands — the renderer follows along through the contract's
 * events (session.changed, capture.status, proxy.status, notice) exactly as it does when it issues them itself.
 */
import type { MenuItemConstructorOptions } from 'electron';
import { basename } from 'node:path';

export interface MenuState {
  platform: string;
  /** Unpackaged build: Reload and DevTools are offered only then. */
  dev: boolean;
  recent: readonly string[];
  capturing: boolean;
  /** Interfaces for Capture ▸ Start on, or why live capture is unavailable. */
  interfaces: readonly { name: string; description?: string }[] | { unavailable: string };
  proxies: number;
  demoProtocols: readonly string[];
}

export interface MenuActions {
  open(): void;
  openRecent(path: string): void;
  clearRecent(): void;
  saveAs(): void;
  clearSession(): void;
  startCapture(iface: string): void;
  stopCapture(): void;
  startDemo(protocol?: string): void;
  stopDemo(): void;
  removeAllProxies(): void;
  showCapturePermissions(): void;
  about(): void;
}

/** Stable ids, so tests (and the e2e test through Menu.getApplicationMenu()) can find items. */
export const MENU_IDS = {
  open: 'file.open', openRecent: 'file.open-recent', saveAs: 'file.save-as', clearSession: 'file.clear',
  quit: 'file.quit', captureStart: 'capture.start', captureStop: 'capture.stop', demoStart: 'proxy.demo-start',
  demoStop: 'proxy.demo-stop', proxiesRemove: 'proxy.remove-all', permissions: 'help.permissions',
} as const;

export function menuTemplate(state: MenuState, actions: MenuActions): MenuItemConstructorOptions[] {
  const mac = state.platform === 'darwin';
  const recentItems: MenuItemConstructorOptions[] = state.recent.length === 0
    ? [{ label: 'No recent files', enabled: false }]
    : state.recent.map((path, i) => ({
      // Numbered accelerators on the first nine, the full path as the label's tail so two "capture.pcapng" differ.
      label: `${i < 9 ? `&${i + 1} ` : ''}${basename(path).replace(/&/g, '&&')} — ${path.replace(/&/g, '&&')}`,
      click: () => actions.openRecent(path),
    }));

  const interfaceItems: MenuItemConstructorOptions[] = 'unavailable' in state.interfaces
    ? [{ label: `Live capture unavailable: ${state.interfaces.unavailable}`, enabled: false }]
    : state.interfaces.length === 0
      ? [{ label: 'No interfaces found', enabled: false }]
      : state.interfaces.map((i) => ({
        label: i.description ? `${i.name} (${i.description})` : i.name,
        enabled: !state.capturing,
        click: () => actions.startCapture(i.name),
      }));

  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { id: MENU_IDS.open, label: 'Open…', accelerator: 'CmdOrCtrl+O', click: () => actions.open() },
      {
        id: MENU_IDS.openRecent, label: 'Open Recent',
        submenu: [...recentItems, { type: 'separator' }, { label: 'Clear Recent', enabled: state.recent.length > 0, click: () => actions.clearRecent() }],
      },
      { id: MENU_IDS.saveAs, label: 'Save As…', accelerator: 'CmdOrCtrl+Shift+S', click: () => actions.saveAs() },
      { type: 'separator' },
      { id: MENU_IDS.clearSession, label: 'Clear Session', click: () => actions.clearSession() },
      ...(mac ? [] : [{ type: 'separator' } as const, { id: MENU_IDS.quit, label: 'Quit', role: 'quit', accelerator: 'CmdOrCtrl+Q' } as const]),
    ],
  };

  const capture: MenuItemConstructorOptions = {
    label: '&Capture',
    submenu: [
      { id: MENU_IDS.captureStart, label: 'Start on', submenu: interfaceItems },
      { id: MENU_IDS.captureStop, label: 'Stop', accelerator: 'CmdOrCtrl+E', enabled: state.capturing, click: () => actions.stopCapture() },
      { type: 'separator' },
      { label: 'Capture Permissions…', click: () => actions.showCapturePermissions() },
    ],
  };

  const proxy: MenuItemConstructorOptions = {
    label: '&Proxy',
    submenu: [
      {
        id: MENU_IDS.demoStart, label: 'Start Demo',
        submenu: [
          { label: 'All protocols', click: () => actions.startDemo() },
          { type: 'separator' },
          ...state.demoProtocols.map((p) => ({ label: p, click: () => actions.startDemo(p) })),
        ],
      },
      { id: MENU_IDS.demoStop, label: 'Stop Demo', click: () => actions.stopDemo() },
      { type: 'separator' },
      { id: MENU_IDS.proxiesRemove, label: `Remove All Listeners${state.proxies ? ` (${state.proxies})` : ''}`, enabled: state.proxies > 0, click: () => actions.removeAllProxies() },
    ],
  };

  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      ...(state.dev ? [{ role: 'reload' } as const, { role: 'toggleDevTools' } as const, { type: 'separator' } as const] : []),
      { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };

  const help: MenuItemConstructorOptions = {
    role: 'help',
    label: '&Help',
    submenu: [
      { id: MENU_IDS.permissions, label: 'Capture Permissions…', click: () => actions.showCapturePermissions() },
      ...(mac ? [] : [{ type: 'separator' } as const, { label: 'About Framescope', click: () => actions.about() }]),
    ],
  };

  const appMenu: MenuItemConstructorOptions[] = mac
    ? [{
      label: 'Framescope',
      submenu: [
        { label: 'About Framescope', click: () => actions.about() }, { type: 'separator' }, { role: 'services' },
        { type: 'separator' }, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, { type: 'separator' },
        { id: MENU_IDS.quit, role: 'quit' },
      ],
    }]
    : [];
  // Edit gives the filter bar and Monaco the usual clipboard shortcuts (on macOS they exist only through the menu).
  const edit: MenuItemConstructorOptions = { role: 'editMenu' };
  return [...appMenu, file, edit, capture, proxy, view, ...(mac ? [{ role: 'windowMenu' } as const] : []), help];
}

/** Per-platform capture permission notes (Help ▸ Capture Permissions…), as the README says them. */
export function capturePermissionText(platform: string): string {
  switch (platform) {
    case 'linux':
      return 'Live capture needs CAP_NET_RAW and CAP_NET_ADMIN. The .deb asks at install time whether to grant them '
        + 'to Framescope (setcap cap_net_raw,cap_net_admin=eip); to change the answer later run '
        + '`sudo dpkg-reconfigure framescope`. The AppImage cannot carry capabilities: use the .deb, or capture with '
        + '`framescope capture -w file.pcapng` (the command line) and open the file.';
    case 'darwin':
      return 'Live capture reads /dev/bpf*. Install Wireshark\'s ChmodBPF (it ships with Wireshark, or on its own) '
        + 'and add yourself to the access_bpf group, then log out and in again.';
    case 'win32':
      return 'Live capture needs Npcap (npcap.com) installed with "WinPcap API-compatible mode". Loopback capture '
        + 'needs Npcap\'s loopback adapter, an option in its installer.';
    default:
      return 'Live capture needs libpcap and the right to open capture devices on this system.';
  }
}
