// The window's menu and its behaviour, per system, in plain Node; src-main/app/
// hands the model to Electron's Menu. The menu is minimal and has no developer
// tools, reload or zoom: Electron's default menu has all three, with shortcuts.
// It always has Quit, because on a Linux desktop without a tray (GNOME without
// the AppIndicator extension) the window is the only place left to quit from.

export type MenuRole =
  'about' | 'hide' | 'hideOthers' | 'unhide' | 'undo' | 'redo' | 'cut' | 'copy' | 'paste' | 'selectAll' | 'minimize' | 'close';

export type AppMenuItem =
  | { readonly kind: 'role'; readonly role: MenuRole }
  | { readonly kind: 'separator' }
  /** Quits the app the way the tray's Quit does (drain, then exit). */
  | { readonly kind: 'quit'; readonly label: string; readonly accelerator: string };

export interface AppMenuSection {
  readonly label: string;
  readonly items: readonly AppMenuItem[];
}

const role = (name: MenuRole): AppMenuItem => ({ kind: 'role', role: name });
const separator: AppMenuItem = { kind: 'separator' };

/** Copy and paste in the window's fields need an Edit menu on macOS; the same words everywhere. */
const EDIT: AppMenuSection = {
  label: 'Edit',
  items: [role('undo'), role('redo'), separator, role('cut'), role('copy'), role('paste'), role('selectAll')],
};

export function appMenuModel(platform: NodeJS.Platform, productName: string): readonly AppMenuSection[] {
  if (platform === 'darwin') {
    return [
      {
        label: productName,
        items: [
          role('about'),
          separator,
          role('hide'),
          role('hideOthers'),
          role('unhide'),
          separator,
          { kind: 'quit', label: `Quit ${productName}`, accelerator: 'Command+Q' },
        ],
      },
      EDIT,
      { label: 'Window', items: [role('minimize'), role('close')] },
    ];
  }
  return [
    {
      label: 'File',
      items: [role('close'), separator, { kind: 'quit', label: 'Quit', accelerator: 'Ctrl+Q' }],
    },
    EDIT,
  ];
}

/**
 * Whether the menu bar shows without pressing Alt. On Linux it does: a desktop
 * without a tray leaves the window's File → Quit as the one way to stop the app.
 */
export function menuBarAlwaysVisible(platform: NodeJS.Platform): boolean {
  return platform === 'linux';
}

/**
 * Whether minimising hides the window to the tray. Not on Linux: where no tray is
 * shown, a hidden window could not be found again; minimised, it stays in the dock
 * or task list like any other.
 */
export function minimizeHidesWindow(platform: NodeJS.Platform): boolean {
  return platform !== 'linux';
}
