// The window's menu, as controller/app-menu.ts describes it, handed to Electron.

import { Menu, type MenuItemConstructorOptions } from 'electron';
import type { AppMenuItem, AppMenuSection } from '../controller/app-menu.js';

export function installAppMenu(model: readonly AppMenuSection[], quit: () => void): void {
  const item = (entry: AppMenuItem): MenuItemConstructorOptions => {
    switch (entry.kind) {
      case 'separator':
        return { type: 'separator' };
      case 'role':
        return { role: entry.role };
      case 'quit':
        return { label: entry.label, accelerator: entry.accelerator, click: quit };
    }
  };
  Menu.setApplicationMenu(Menu.buildFromTemplate(model.map((section) => ({ label: section.label, submenu: section.items.map(item) }))));
}
