// The window: renders the AppState it is given and turns clicks into commands.
// It holds no truth of its own beyond which section and which dialog are open.

import type { AppState, BindAddress } from '../src-main/shared/ipc.js';
import { api, call, type ErrorSink } from './api.js';
import { byId, h, replaceChildren, setText } from './dom.js';
import { AccountDialog, accountDialogElement, type DialogKind } from './views/account-dialog.js';
import { renderActivity } from './views/activity.js';
import { renderTold } from './views/told.js';
import { renderHomeCertificate } from './views/home-certificate.js';
import { renderAddresses } from './views/addresses.js';
import { renderStatus } from './views/status.js';
import { renderSyncs } from './views/syncs.js';
import { Tabs } from './views/tabs.js';
import { renderUsers, rowButtonKey } from './views/users.js';

let state: AppState | null = null;
const qrCache = new Map<string, Promise<string | null>>();

const errorBanner = byId('error');
const noticeBanner = byId('notice');
let noticeTimer: ReturnType<typeof setTimeout> | undefined;
const tabs = new Tabs(byId('tabs'));

function showError(message: string | null): void {
  setText(byId('error-text'), message ?? '');
  errorBanner.hidden = message === null;
}

function showNotice(message: string): void {
  noticeBanner.textContent = message;
  noticeBanner.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => {
    noticeBanner.hidden = true;
    noticeBanner.textContent = '';
  }, 4000);
}

/** Runs a command that answers with the new state, and shows it; a refusal goes to `sink`. */
async function act(run: () => ReturnType<typeof api.getState>, sink: ErrorSink = showError): Promise<boolean> {
  const next = await call(sink, run);
  if (next === null) return false;
  render(next);
  return true;
}

const dialog = new AccountDialog(
  accountDialogElement(),
  {
    rename: (user, to, sink) => act(() => api.renameUser(user, to), sink),
    changePassword: async (user, password, sink) => {
      const done = await act(() => api.changePassword(user, password), sink);
      if (done) showNotice(`Password changed for ${user}.`);
      return done;
    },
    remove: (user, sink) => act(() => api.removeUser(user), sink),
    restore: async (user, id, sink) => {
      const done = await act(() => api.restoreSnapshot(user, id), sink);
      if (done) showNotice(`${user}'s collection was restored. On each device, choose Download at the next sync.`);
      return done;
    },
    takeSnapshot: (user, sink) => act(() => api.takeSnapshot(user), sink),
    download: (user, id, legacy, sink) => call(sink, () => api.exportCollection(user, id, legacy)),
  },
  () => byId('accounts-title'),
);

function openDialog(user: string, kind: DialogKind): void {
  const found = state?.users.find((u) => u.name === user);
  if (found) dialog.show(found, kind, rowButtonKey(user, kind));
}

function render(next: AppState): void {
  // A snapshot taken before the one shown (e.g. "stopping" arriving after "stopped") is stale.
  if (state !== null && next.revision < state.revision) return;
  const wasFirstRun = state?.firstRun ?? true;
  const focusInWelcome = byId('welcome').contains(document.activeElement) || document.activeElement === document.body;
  state = next;
  document.body.dataset['server'] = next.server.state;
  // First run is one friendly screen: the rest appears once an account exists.
  byId('welcome').hidden = !next.firstRun;
  byId('address-bar').hidden = next.firstRun;
  tabs.setShown(!next.firstRun);
  renderStatus(byId('server-state'), byId<HTMLButtonElement>('toggle-server'), next.server, !next.firstRun, next.storage?.state ?? 'ok');
  if (next.server.state === 'error' && errorBanner.hidden) showError(next.server.reason);

  const warning = byId('address-warning');
  setText(warning, next.addressWarning ?? '');
  warning.hidden = next.addressWarning === null;
  renderAddresses(next, {
    copy,
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
  setText(byId('legacy-addresses'), main ? `${main}sync/ and ${main}msync/` : '');

  renderAlerts(next.alerts);
  renderSyncs(byId('syncs'), byId('sync-list'), next.syncs);
  renderUpdate(next);
  renderUsersTable();
  dialog.update(next.users);
  renderSettings(next);
  renderActivity(byId('activity'), next.activity);
  renderTold(byId('told-section'), byId('told'), next.told);
  // The first account made: the window opens on how to connect, with the focus on the address's Copy.
  if (wasFirstRun && !next.firstRun && focusInWelcome) {
    tabs.select('connect');
    byId('copy-main').focus();
  }
}

function copy(url: string): void {
  void call(showError, () => api.copyText(url)).then((copied) => {
    if (copied !== null) showNotice(`Copied ${copied}`);
  });
}

let alertsShown = '';
function renderAlerts(alerts: readonly string[]): void {
  // An alert region speaks whenever its content changes: redraw only when the alerts do.
  const key = JSON.stringify(alerts);
  if (key === alertsShown) return;
  alertsShown = key;
  replaceChildren(byId('alerts'), ...alerts.map((text) => h('div', { class: 'banner banner-warn' }, text)));
}

function renderHttps(next: AppState): void {
  const { tlsCertFile, tlsKeyFile } = next.settings;
  byId('make-home-ca-block').hidden = next.homeCertificate !== null;
  renderHomeCertificate(byId('home-ca'), byId('home-ca-body'), next.homeCertificate, {
    copy,
    qr: (text) => call(showError, () => api.qrCode(text)),
    openRoot: () => void act(api.openRootCertificate),
    showProfile: () => void act(api.showAppleProfile),
  });
  setText(byId('tls-cert'), tlsCertFile || 'none');
  setText(byId('tls-key'), tlsKeyFile || 'none');
  byId('clear-tls').hidden = tlsCertFile === '' && tlsKeyFile === '';
  const names = byId('tls-names');
  names.hidden = next.certificate === null;
  if (next.certificate !== null) {
    setText(
      names,
      `Serving HTTPS for ${next.certificate.names.join(', ')}, valid until ${new Date(next.certificate.validTo).toLocaleDateString()}. Devices must use one of these names.`,
    );
  }
}

function renderUpdate(next: AppState): void {
  const update = next.update;
  byId('update').hidden = update.state !== 'ready' && update.state !== 'available';
  byId('install-update').hidden = update.state !== 'ready';
  const download = byId<HTMLAnchorElement>('update-download');
  download.hidden = update.state !== 'available';
  if (update.state === 'available') {
    download.href = update.url;
    setText(
      byId('update-text'),
      `Version ${update.version} is available. This copy can't install updates by itself on a Mac (it isn't signed by Apple): download the new version and put it in Applications in place of this one. Your accounts and collections stay as they are.`,
    );
    return;
  }
  if (update.state !== 'ready') return;
  const syncing = [...new Set(next.syncs.map((sync) => sync.username))];
  setText(
    byId('update-text'),
    syncing.length === 0
      ? `Version ${update.version} is ready. It installs when you quit, or now:`
      : `Version ${update.version} is ready. It can be installed once ${syncing.join(' and ')} ${syncing.length === 1 ? 'has' : 'have'} finished syncing.`,
  );
  byId<HTMLButtonElement>('install-update').disabled = syncing.length > 0;
}

function renderUsersTable(): void {
  if (state) renderUsers(byId('users'), state.users, openDialog, Date.now());
}

function renderSettings(next: AppState): void {
  setText(byId('storage-folder'), next.settings.storageFolder);
  setText(byId('snapshot-dir'), next.settings.snapshotDir === '' ? 'None' : next.settings.snapshotDir);
  const clearSnapshotDir = byId('clear-snapshot-dir');
  const noSecondCopy = next.settings.snapshotDir === '';
  // The button hides with the setting: a focus on it goes back to Choose, not to nowhere.
  if (noSecondCopy && document.activeElement === clearSnapshotDir) byId('choose-snapshot-dir').focus();
  clearSnapshotDir.hidden = noSecondCopy;
  const space = byId('storage-space');
  setText(space, next.storage === null ? '' : next.storage.summary);
  space.dataset['state'] = next.storage?.state ?? 'ok';
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
  byId('error-close').addEventListener('click', () => {
    const hadFocus = document.activeElement === byId('error-close');
    showError(null);
    // The button goes with the message: the focus moves to the section in view rather than to nowhere.
    if (hadFocus) (state?.firstRun ? byId('first-account-form').querySelector('input') : tabs.selectedTab())?.focus();
  });
  const toggle = byId<HTMLButtonElement>('toggle-server');
  toggle.addEventListener('click', () => {
    if (toggle.getAttribute('aria-disabled') === 'true') return;
    void act(toggle.dataset['toggle'] === 'stop' ? api.stopServer : api.startServer);
  });
  const copyMain = byId<HTMLButtonElement>('copy-main');
  copyMain.addEventListener('click', () => copyMain.dataset['url'] && copy(copyMain.dataset['url']));
  onAccountForm('first-account-form');
  onAccountForm('add-user-form');
  byId('port-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const port = byId<HTMLInputElement>('port');
    void act(() => api.setPort(Number(port.value)));
  });
  byId('choose-folder').addEventListener('click', () => void act(api.chooseStorageFolder));
  byId('choose-snapshot-dir').addEventListener('click', () => void act(api.chooseSnapshotFolder));
  byId('clear-snapshot-dir').addEventListener('click', () => void act(api.clearSnapshotFolder));
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
  byId('make-home-ca').addEventListener('click', () => void act(api.makeHomeCertificate));
  api.onStateChanged(render);
  // Relative times ("2 minutes ago") stay true while the window is open.
  setInterval(() => renderUsersTable(), 30_000);
}

wire();
void act(api.getState);
