// The tray icon and its menu, as controller/tray-menu.ts describes them. On Linux
// the menu is the only dependable tray interaction, so everything the tray
// offers is in the menu.

import { Menu, nativeImage, Tray, type MenuItemConstructorOptions } from 'electron';
import { trayModel, type TrayAction, type TrayIcon, type TrayItem, type TrayView } from '../controller/tray-menu.js';
import { trayIconFile } from '../controller/tray-icons.js';
import { assetPath } from './paths.js';

export interface TrayActions {
  toggleServer(): void;
  copyAddress(): void;
  openWindow(): void;
  setStartAtLogin(on: boolean): void;
  installUpdate(): void;
  quit(): void;
}

function trayImage(icon: TrayIcon): Electron.NativeImage {
  const image = nativeImage.createFromPath(assetPath(trayIconFile(process.platform, icon)));
  if (process.platform === 'darwin') image.setTemplateImage(true);
  return image;
}

export class AppTray {
  private readonly tray: Tray;
  private readonly icons: Readonly<Record<TrayIcon, Electron.NativeImage>> = {
    running: trayImage('running'),
    stopped: trayImage('stopped'),
    syncing: trayImage('syncing'),
  };
  private labels: string[] = [];

  constructor(private readonly actions: TrayActions) {
    this.tray = new Tray(this.icons.stopped);
    this.tray.setToolTip('Anki Home Sync');
    // Windows and macOS: a click opens the window. Linux ignores it; the menu has Open.
    this.tray.on('click', () => actions.openWindow());
  }

  update(view: TrayView): void {
    const model = trayModel(view);
    this.tray.setImage(this.icons[model.icon]);
    this.tray.setToolTip(model.tooltip);
    this.labels = model.items.flatMap((item) => (item.kind === 'separator' ? [] : [item.label]));
    this.tray.setContextMenu(Menu.buildFromTemplate(model.items.map((item) => this.menuItem(item))));
  }

  /** The menu's labels, for the smoke test. */
  menuLabels(): string[] {
    return [...this.labels];
  }

  destroy(): void {
    this.tray.destroy();
  }

  private menuItem(item: TrayItem): MenuItemConstructorOptions {
    switch (item.kind) {
      case 'separator':
        return { type: 'separator' };
      case 'label':
        return { label: item.label, enabled: false };
      case 'action':
        return { label: item.label, enabled: item.enabled, click: () => this.run(item.action, false) };
      case 'checkbox':
        return { label: item.label, type: 'checkbox', checked: item.checked, click: (menuItem) => this.run(item.action, menuItem.checked) };
    }
  }

  private run(action: TrayAction, checked: boolean): void {
    const handlers: Readonly<Record<TrayAction, () => void>> = {
      'toggle-server': () => this.actions.toggleServer(),
      'copy-address': () => this.actions.copyAddress(),
      'open-window': () => this.actions.openWindow(),
      'start-at-login': () => this.actions.setStartAtLogin(checked),
      'install-update': () => this.actions.installUpdate(),
      quit: () => this.actions.quit(),
    };
    handlers[action]();
  }
}
