// The window: renders the AppState it is given and turns clicks into commands.
// It holds no truth of its own beyond which inline editor is open.

import type { AppState, BindAddress } from '../src-main/shared/ipc.js';
import { api, call } from './api.js';
import { byId, h, replaceChildren } from './dom.js';
import { renderActivity } from './views/activity.js';
import { renderAddresses } from './views/addresses.js';
import { renderStatus } from './views/status.js';
import { renderSyncs } from './views/syncs.js';
import { renderUsers, type Editor } from './views/users.js';

let state: AppState | null = null;
let editor: Editor = null;
const qrCache = new Map<string, Promise<string | null>>();

const errorBanner = byId('error');
const noticeBanner = byId('notice');
let noticeTimer: ReturnType<typeof setTimeout> | undefined;

function showError(message: string | null): void {
  byId('error-text').textContent = message ?? '';
  errorBanner.hidden = message === null;
}

function showNotice(message: string): void {
  noticeBanner.textContent = message;
  noticeBanner.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => (noticeBanner.hidden = true), 4000);
}

/** Runs a command that answers with the new state, and shows it. */
async function act(run: () => ReturnType<typeof api.getState>): Promise<boolean> {
  const next = await call(showError, run);
  if (next === null) return false;
  render(next);
  return true;
}

function render(next: AppState): void {
  // A snapshot taken before the one shown (e.g. "stopping" arriving after "stopped") is stale.
  if (state !== null && next.revision < state.revision) return;
  state = next;
  document.body.dataset.server = next.server.state;
  // First run is one friendly screen: the rest appears once an account exists.
  byId('welcome').hidden = !next.firstRun;
  for (const section of document.querySelectorAll<HTMLElement>('.after-setup')) section.hidden = next.firstRun;
  renderStatus(byId('status'), next.server, !next.firstRun, (start) => void act(start ? api.startServer : api.stopServer));
  if (next.server.state === 'error' && errorBanner.hidden) showError(next.server.reason);

  const warning = byId('address-warning');
  warning.textContent = next.addressWarning ?? '';
  warning.hidden = next.addressWarning === null;
  renderAddresses(byId('addresses'), next, {
    copy: (url) =>
      void call(showError, () => api.copyText(url)).then((copied) => {
        if (copied !== null) showNotice(`Copied ${copied}`);
      }),
    qr: (url) => {
      if (!qrCache.has(url))
        qrCache.set(
          url,
          call(showError, () => api.qrCode(url)),
        );
      return qrCache.get(url)!;
    },
  });
  const main = next.addresses[0]?.url ?? '';
  byId('legacy-addresses').textContent = main ? `${main}sync/ and ${main}msync/` : '';

  renderAlerts(next.alerts);
  renderSyncs(byId('syncs'), byId('sync-list'), next.syncs);
  renderUpdate(next);
  renderUsersTable();
  renderSettings(next);
  renderActivity(byId('activity'), next.activity);
}

function renderAlerts(alerts: readonly string[]): void {
  replaceChildren(byId('alerts'), ...alerts.map((text) => h('div', { class: 'banner banner-warn' }, text)));
}

function renderHttps(next: AppState): void {
  const { tlsCertFile, tlsKeyFile } = next.settings;
  byId('tls-cert').textContent = tlsCertFile || 'none';
  byId('tls-key').textContent = tlsKeyFile || 'none';
  byId('clear-tls').hidden = tlsCertFile === '' && tlsKeyFile === '';
  const names = byId('tls-names');
  names.hidden = next.certificate === null;
  if (next.certificate !== null) {
    names.textContent = `Serving HTTPS for ${next.certificate.names.join(', ')}, valid until ${new Date(next.certificate.validTo).toLocaleDateString()}. Devices must use one of these names.`;
  }
}

function renderUpdate(next: AppState): void {
  const ready = next.update.state === 'ready';
  byId('update').hidden = !ready;
  if (next.update.state !== 'ready') return;
  const syncing = [...new Set(next.syncs.map((sync) => sync.username))];
  byId('update-text').textContent =
    syncing.length === 0
      ? `Version ${next.update.version} is ready. It installs when you quit, or now:`
      : `Version ${next.update.version} is ready. It can be installed once ${syncing.join(' and ')} ${syncing.length === 1 ? 'has' : 'have'} finished syncing.`;
  byId<HTMLButtonElement>('install-update').disabled = syncing.length > 0;
}

function renderUsersTable(): void {
  const tbody = byId('users');
  // Typing in an inline editor survives a sync arriving meanwhile.
  if (tbody.querySelector('tr.editor')?.contains(document.activeElement)) return;
  if (!state) return;
  renderUsers(
    tbody,
    state.users,
    editor,
    {
      edit: (next) => {
        editor = next;
        renderUsersTable();
      },
      rename: (user, to) => void closeEditorOn(act(() => api.renameUser(user, to))),
      changePassword: (user, pw) =>
        void closeEditorOn(act(() => api.changePassword(user, pw))).then((ok) => ok && showNotice(`Password changed for ${user}.`)),
      remove: (user) => void closeEditorOn(act(() => api.removeUser(user))),
      restore: (user, id) =>
        void closeEditorOn(act(() => api.restoreBackup(user, id))).then((ok) => ok && showNotice(`${user}'s collection was restored.`)),
    },
    Date.now(),
  );
}

async function closeEditorOn(done: Promise<boolean>): Promise<boolean> {
  const ok = await done;
  if (ok) {
    editor = null;
    (document.activeElement as HTMLElement | null)?.blur();
    renderUsersTable();
  }
  return ok;
}

function renderSettings(next: AppState): void {
  byId('storage-folder').textContent = next.settings.storageFolder;
  const port = byId<HTMLInputElement>('port');
  if (document.activeElement !== port) port.value = String(next.settings.port);
  for (const radio of document.querySelectorAll<HTMLInputElement>('input[name="bind"]'))
    radio.checked = radio.value === next.settings.bindAddress;
  byId<HTMLInputElement>('start-at-login').checked = next.settings.startAtLogin;
  byId<HTMLInputElement>('start-in-tray').checked = next.settings.startInTray;
  byId<HTMLInputElement>('check-for-updates').checked = next.settings.checkForUpdates;
  renderHttps(next);
}

function onAccountForm(id: string): void {
  const form = byId<HTMLFormElement>(id);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const text = (key: string): string => {
      const value = data.get(key);
      return typeof value === 'string' ? value : '';
    };
    const name = text('name');
    void act(() => api.addUser(name, text('password'))).then((done) => {
      if (!done) return;
      form.reset();
      showNotice(`Account "${name.trim()}" added.`);
    });
  });
}

function wire(): void {
  byId('error-close').addEventListener('click', () => showError(null));
  onAccountForm('first-account-form');
  onAccountForm('add-user-form');
  byId('port-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const port = byId<HTMLInputElement>('port');
    void act(() => api.setPort(Number(port.value))).then((done) => done && port.blur());
  });
  byId('choose-folder').addEventListener('click', () => void act(api.chooseStorageFolder));
  for (const radio of document.querySelectorAll<HTMLInputElement>('input[name="bind"]')) {
    radio.addEventListener('change', () => void act(() => api.setBindAddress(radio.value as BindAddress)));
  }
  const loginBox = byId<HTMLInputElement>('start-at-login');
  loginBox.addEventListener('change', () => void act(() => api.setStartAtLogin(loginBox.checked)));
  const trayBox = byId<HTMLInputElement>('start-in-tray');
  trayBox.addEventListener('change', () => void act(() => api.setStartInTray(trayBox.checked)));
  const updatesBox = byId<HTMLInputElement>('check-for-updates');
  updatesBox.addEventListener('change', () => void act(() => api.setCheckForUpdates(updatesBox.checked)));
  byId('install-update').addEventListener('click', () => void act(api.installUpdate));
  byId('choose-tls-cert').addEventListener('click', () => void act(() => api.chooseTlsFile('cert')));
  byId('choose-tls-key').addEventListener('click', () => void act(() => api.chooseTlsFile('key')));
  byId('clear-tls').addEventListener('click', () => void act(api.clearTls));
  api.onStateChanged(render);
  // Relative times ("2 minutes ago") stay true while the window is open.
  setInterval(() => renderUsersTable(), 30_000);
}

wire();
void act(api.getState);
