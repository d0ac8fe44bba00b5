// The window's commands (shared/ipc.ts AppCommands) over the controller. The
// Electron IPC layer and the window's browser tests both serve exactly this
// object, so what the tests click is what the app runs. Arguments come from the
// window and are checked here, once.

import type { ApiResult, AppCommands, BindAddress, CommandName } from '../shared/ipc.js';
import type { AppController } from './app-controller.js';
import { qrCodeDataUrl } from './qr-code.js';
import { AppError, toAppError } from './errors.js';
import type { DesktopPlatform } from './platform.js';
import { suggestedPackageName } from './snapshots.js';

function str(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new AppError('bad-request', `The ${what} is missing.`);
  return value;
}

function bool(value: unknown): boolean {
  if (typeof value !== 'boolean') throw new AppError('bad-request', 'Expected on or off.');
  return value;
}

export function createAppCommands(controller: AppController, platform: DesktopPlatform): AppCommands {
  const state = () => controller.state();
  return {
    getState: state,
    startServer: async () => (await controller.start(), state()),
    stopServer: async () => (await controller.stop(), state()),
    addUser: async (name, password) => (await controller.addUser(str(name, 'name'), str(password, 'password')), state()),
    removeUser: async (name) => (await controller.removeUser(str(name, 'name')), state()),
    renameUser: async (from, to) => (await controller.renameUser(str(from, 'name'), str(to, 'new name')), state()),
    changePassword: async (name, password) => (await controller.changePassword(str(name, 'name'), str(password, 'password')), state()),
    setPort: async (port) => (await controller.setPort(typeof port === 'number' ? port : Number(port)), state()),
    setBindAddress: async (bind: BindAddress) => (await controller.setBindAddress(bind), state()),
    chooseStorageFolder: async () => {
      const folder = await platform.pickFolder(controller.storageFolder());
      if (folder !== null) await controller.setStorageFolder(folder);
      return state();
    },
    setStartAtLogin: async (on) => {
      const value = bool(on);
      platform.setStartAtLogin(value);
      await controller.setStartAtLogin(value);
      return state();
    },
    setStartInTray: async (on) => (await controller.setStartInTray(bool(on)), state()),
    copyText: async (text) => {
      const value = str(text, 'text');
      platform.copyText(value);
      return value;
    },
    qrCode: async (text) => qrCodeDataUrl(str(text, 'address')),
    chooseTlsFile: async (which) => {
      if (which !== 'cert' && which !== 'key') throw new AppError('bad-request', 'Choose the certificate or the key.');
      const current = controller.settings()[which === 'cert' ? 'tlsCertFile' : 'tlsKeyFile'];
      const title = which === 'cert' ? 'Choose the HTTPS certificate (PEM)' : 'Choose the key of the HTTPS certificate (PEM)';
      const file = await platform.pickFile(title, current);
      if (file !== null) await controller.setTlsFile(which, file);
      return state();
    },
    clearTls: async () => (await controller.clearTls(), state()),
    makeHomeCertificate: async () => (await controller.makeHomeCertificate(), state()),
    openRootCertificate: async () => (platform.openFile(controller.home.files.rootCert), state()),
    showAppleProfile: async () => (platform.showFile(controller.home.profileFile()), state()),
    setCheckForUpdates: async (on) => (await controller.setCheckForUpdates(bool(on)), state()),
    installUpdate: async () => (controller.installUpdate(), state()),
    chooseSnapshotFolder: async () => {
      const folder = await platform.pickFolder(controller.settings().snapshotDir || controller.storageFolder());
      if (folder !== null) await controller.setSnapshotFolder(folder);
      return state();
    },
    clearSnapshotFolder: async () => (await controller.clearSnapshotFolder(), state()),
    takeSnapshot: async (name) => (await controller.takeSnapshot(str(name, 'name')), state()),
    restoreSnapshot: async (name, snapshotId) => (
      await controller.restoreSnapshot(str(name, 'name'), str(snapshotId, 'snapshot')),
      state()
    ),
    exportCollection: async (name, snapshotId, legacy) => {
      const user = str(name, 'name');
      const id = snapshotId === null ? null : str(snapshotId, 'snapshot');
      const old = bool(legacy);
      const file = await platform.pickSaveFile(
        old ? `Save ${user}'s collection for Anki older than 2.1.50` : `Save ${user}'s collection`,
        suggestedPackageName(user, Date.now()),
      );
      return file === null ? null : controller.exportCollection(user, id, file, old);
    },
  };
}

/**
 * Runs one command by name with untrusted arguments and wraps the outcome, so
 * errors cross the process boundary as sentences.
 */
export async function invokeCommand(
  commands: AppCommands,
  name: string,
  args: readonly unknown[],
  log?: (message: string, error?: unknown) => void,
): Promise<ApiResult<unknown>> {
  try {
    if (!Object.hasOwn(commands, name)) throw new AppError('bad-request', 'Unknown command.');
    // createAppCommands builds the commands as arrow functions: none depends on `this`.
    const byName = commands as unknown as Readonly<Record<CommandName, (...a: unknown[]) => Promise<unknown>>>;
    return { ok: true, value: await byName[name as CommandName](...args) };
  } catch (error) {
    const appError = toAppError(error);
    if (appError.code === 'unexpected') log?.(`command ${name} failed`, error);
    return { ok: false, error: { code: appError.code, message: appError.message } };
  }
}
