// What the app tells the learner once, in words (shown by src-main/app/dialogs.ts).

export interface Notice {
  readonly title: string;
  readonly body: string;
}

/** The first time the window is closed to the tray. */
export const TRAY_NOTICE: Notice = {
  title: 'Still syncing in the background',
  body: 'Anki Home Sync is still running in the tray, so your devices can keep syncing. Use Quit in its menu to stop it.',
};

/** The first start on a desktop that shows no tray icons (GNOME without the AppIndicator extension). */
export const NO_TRAY_NOTICE: Notice = {
  title: 'No tray icon on this desktop',
  body:
    'Your desktop does not show tray icons, so Anki Home Sync has none. Closing this window keeps the server running for your devices; ' +
    'open Anki Home Sync again from your applications to see it, and use File → Quit (Ctrl+Q) in this window to stop it. ' +
    'On GNOME, the "AppIndicator and KStatusNotifierItem Support" extension brings the tray icon back.',
};
