// The window's menu and window rules (controller/app-menu.ts): minimal, no
// developer tools, reload or zoom anywhere, and Quit always in the window; on
// Linux the menu bar shows and minimising never hides the window, because a
// desktop without a tray would leave no way back to it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appMenuModel, menuBarAlwaysVisible, minimizeHidesWindow, type AppMenuItem } from '../../src-main/controller/app-menu.js';

const PLATFORMS: NodeJS.Platform[] = ['linux', 'win32', 'darwin'];

function items(platform: NodeJS.Platform): AppMenuItem[] {
  return appMenuModel(platform, 'Anki Home Sync').flatMap((section) => [...section.items]);
}

test('every system: Quit in the window, copy and paste for the fields, and nothing for developers', () => {
  for (const platform of PLATFORMS) {
    const all = items(platform);
    const quit = all.filter((item) => item.kind === 'quit');
    assert.equal(quit.length, 1, `${platform}: one Quit`);
    assert.match(quit[0]!.kind === 'quit' ? quit[0]!.accelerator : '', platform === 'darwin' ? /^Command\+Q$/ : /^Ctrl\+Q$/);
    const roles = all.flatMap((item) => (item.kind === 'role' ? [item.role as string] : []));
    for (const needed of ['copy', 'paste', 'cut', 'selectAll']) assert.ok(roles.includes(needed), `${platform}: ${needed}`);
    for (const banned of ['toggleDevTools', 'reload', 'forceReload', 'zoomIn', 'resetZoom', 'viewMenu']) {
      assert.ok(!roles.includes(banned), `${platform}: no ${banned}`);
    }
  }
  assert.equal(appMenuModel('darwin', 'Anki Home Sync')[0]!.label, 'Anki Home Sync', 'the macOS app menu carries the name');
});

test('Linux: the menu bar stays visible and minimising keeps the window in the task list; elsewhere it hides to the tray', () => {
  assert.equal(menuBarAlwaysVisible('linux'), true);
  assert.equal(minimizeHidesWindow('linux'), false);
  for (const platform of ['win32', 'darwin'] as const) {
    assert.equal(menuBarAlwaysVisible(platform), false);
    assert.equal(minimizeHidesWindow(platform), true);
  }
});
