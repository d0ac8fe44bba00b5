// The tray icon and its menu. On Linux the menu is the only dependable tray
// interaction, so everything the tray offers is in the menu.

import { Menu, nativeImage, Tray, type MenuItemConstructorOptions } from 'electron';
import type { ServerStatus } from '../shared/ipc.js';
import { assetPath } from './paths.js';

export interface TrayActions {
  toggleServer(): void;
  copyAddress(): void;
  openWindow(): void;
  setStartAtLogin(on: boolean): void;
  quit(): void;
}

export interface TrayView {
  readonly status: ServerStatus;
  readonly address: string | null;
  readonly startAtLogin: boolean;
}

function statusLine(status: ServerStatus): string {
  switch (status.state) {
    case 'running':
      return `Server running on port ${status.port}`;
    case 'starting':
      return 'Server starting…';
    case 'stopping':
      return 'Server stopping…';
    case 'stopped':
      return 'Server stopped';
    case 'error':
      return 'Server could not start';
  }
}

export class AppTray {
  private readonly tray: Tray;
  private readonly icons = {
    running: nativeImage.createFromPath(assetPath('tray-running.png')),
    stopped: nativeImage.createFromPath(assetPath('tray-stopped.png')),
  };

  constructor(private readonly actions: TrayActions) {
    this.tray = new Tray(this.icons.stopped);
    this.tray.setToolTip('Anki Home Sync');
    // Windows and macOS: a click opens the window. Linux ignores it; the menu has Open.
    this.tray.on('click', () => actions.openWindow());
  }

  update(view: TrayView): void {
    const running = view.status.state === 'running';
    this.tray.setImage(running ? this.icons.running : this.icons.stopped);
    this.tray.setToolTip(`Anki Home Sync: ${statusLine(view.status)}`);
    const busy = view.status.state === 'starting' || view.status.state === 'stopping';
    const items: MenuItemConstructorOptions[] = [
      { label: statusLine(view.status), enabled: false },
      { type: 'separator' },
      { label: running ? 'Stop server' : 'Start server', enabled: !busy, click: () => this.actions.toggleServer() },
      {
        label: view.address ? `Copy client address (${view.address})` : 'Copy client address',
        enabled: view.address !== null,
        click: () => this.actions.copyAddress(),
      },
      { label: 'Open window', click: () => this.actions.openWindow() },
      { type: 'separator' },
      {
        label: 'Start at login',
        type: 'checkbox',
        checked: view.startAtLogin,
        click: (item) => this.actions.setStartAtLogin(item.checked),
      },
      { type: 'separator' },
      { label: 'Quit', click: () => this.actions.quit() },
    ];
    this.tray.setContextMenu(Menu.buildFromTemplate(items));
  }

  destroy(): void {
    this.tray.destroy();
  }
}
