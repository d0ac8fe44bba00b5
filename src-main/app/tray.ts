// The tray icon and its menu, as controller/tray-menu.ts describes them. On Linux
// the menu is the only dependable tray interaction, so everything the tray
// offers is in the menu.

import { Menu, nativeImage, nativeTheme, Tray, type MenuItemConstructorOptions } from 'electron';
import { trayModel, type TrayAction, type TrayIcon, type TrayItem, type TrayView } from '../controller/tray-menu.js';
import { panelShade, trayIconFile } from '../controller/tray-icons.js';
import { assetPath } from './paths.js';

export interface TrayActions {
  toggleServer(): void;
  copyAddress(): void;
  openWindow(): void;
  setStartAtLogin(on: boolean): void;
  installUpdate(): void;
  quit(): void;
}

export class AppTray {
  private readonly tray: Tray;
  private icon: TrayIcon = 'stopped';
  private labels: string[] = [];
  // A panel turned dark (or light) gets the icon drawn for it.
  private readonly onThemeChange = () => this.tray.setImage(this.image());

  constructor(private readonly actions: TrayActions) {
    this.tray = new Tray(this.image());
    nativeTheme.on('updated', this.onThemeChange);
    this.tray.setToolTip('Anki Home Sync');
    // Windows and macOS: a click opens the window. Linux ignores it; the menu has Open.
    this.tray.on('click', () => actions.openWindow());
  }

  update(view: TrayView): void {
    const model = trayModel(view);
    this.icon = model.icon;
    this.tray.setImage(this.image());
    this.tray.setToolTip(model.tooltip);
    this.labels = model.items.flatMap((item) => (item.kind === 'separator' ? [] : [item.label]));
    this.tray.setContextMenu(Menu.buildFromTemplate(model.items.map((item) => this.menuItem(item))));
  }

  /** The menu's labels, for the smoke test. */
  menuLabels(): string[] {
    return [...this.labels];
  }

  destroy(): void {
    nativeTheme.off('updated', this.onThemeChange);
    this.tray.destroy();
  }

  /** The icon drawn for the panel's shade, as the system says it is now. */
  private image(): Electron.NativeImage {
    const shade = panelShade({
      platform: process.platform,
      darkColors: nativeTheme.shouldUseDarkColors,
      darkSystemUi: process.platform === 'win32' && nativeTheme.shouldUseDarkColorsForSystemIntegratedUI,
      desktop: process.env['XDG_CURRENT_DESKTOP'] ?? '',
    });
    const image = nativeImage.createFromPath(assetPath(trayIconFile(process.platform, this.icon, shade)));
    if (process.platform === 'darwin') image.setTemplateImage(true);
    return image;
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
