// Everything the controller asks of the desktop, as one interface whose members
// are all required: the Electron glue (src-main/app/main.ts) and the window's
// test harness (test/renderer/window-harness.ts) each implement all of it, so a
// capability the glue forgot fails to compile instead of doing nothing in the
// app while its tests pass (the HTTPS "Choose…" buttons once did exactly that).

export interface DesktopPlatform {
  /** Shows the folder dialog; null when cancelled. */
  pickFolder(current: string): Promise<string | null>;
  /** Shows the file dialog for a PEM file (certificate or key); null when cancelled. */
  pickFile(title: string, current: string): Promise<string | null>;
  /** Shows the save dialog for a collection package (.colpkg), offering `suggestedName`; null when cancelled. */
  pickSaveFile(title: string, suggestedName: string): Promise<string | null>;
  copyText(text: string): void;
  setStartAtLogin(on: boolean): void;
  /** Opens a file with the system's own program for it (a certificate: the system's certificate viewer). */
  openFile(path: string): void;
  /** Shows a file selected in its folder (to AirDrop or mail it). */
  showFile(path: string): void;
}
