// What the tray shows, in plain Node: its icon, tooltip and menu, from the
// app's state. src-main/app/tray.ts only hands this to Electron, so the words
// and the rules (syncing icon, who is syncing, the update item) are tested
// without a display.

import type { AppState, ServerStatus, StorageView, SyncView, UpdateView } from '../shared/ipc.js';
import { formatBytes } from '../server/index.js';

export interface TrayView {
  readonly status: ServerStatus;
  readonly address: string | null;
  readonly startAtLogin: boolean;
  readonly syncing: readonly SyncView[];
  readonly update: UpdateView;
  /** The storage folder's disk; a warning there is said in the tooltip and the menu. */
  readonly storage: StorageView | null;
}

/** What the tray shows of a state: the first address devices use, while the server runs. */
export function trayView(state: AppState): TrayView {
  return {
    status: state.server,
    address: firstAddress(state),
    startAtLogin: state.settings.startAtLogin,
    syncing: state.syncs,
    update: state.update,
    storage: state.storage,
  };
}

/** The address "Copy address" copies: the first one, and none while the server is not running. */
export function firstAddress(state: Pick<AppState, 'server' | 'addresses'>): string | null {
  return state.server.state === 'running' ? (state.addresses[0]?.url ?? null) : null;
}

export type TrayAction = 'toggle-server' | 'copy-address' | 'open-window' | 'start-at-login' | 'install-update' | 'quit';

export type TrayItem =
  | { readonly kind: 'separator' }
  | { readonly kind: 'label'; readonly label: string }
  | { readonly kind: 'action'; readonly label: string; readonly action: TrayAction; readonly enabled: boolean }
  | { readonly kind: 'checkbox'; readonly label: string; readonly action: TrayAction; readonly checked: boolean };

export type TrayIcon = 'running' | 'stopped' | 'syncing';

export interface TrayModel {
  readonly icon: TrayIcon;
  readonly tooltip: string;
  readonly items: readonly TrayItem[];
}

export function statusLine(status: ServerStatus): string {
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

const KIND_WORDS: Readonly<Record<SyncView['kind'], string>> = {
  'full-upload': 'uploading its collection',
  'full-download': 'downloading its collection',
  'normal-sync': 'syncing',
  'media-sync': 'syncing media',
};

/** "alice is syncing; bob is uploading its collection": one clause per account. */
export function syncingLine(syncs: readonly SyncView[]): string {
  const byUser = new Map<string, SyncView>();
  // A collection sync says more than the media sync that may run beside it.
  for (const sync of syncs)
    if (!byUser.has(sync.username) || byUser.get(sync.username)!.kind === 'media-sync') byUser.set(sync.username, sync);
  return [...byUser.values()].map((sync) => `${sync.username} is ${KIND_WORDS[sync.kind]}`).join('; ');
}

/** "Storage almost full: 120 MB left", or null while there is room. */
export function storageLine(storage: StorageView | null): string | null {
  if (storage === null || storage.state === 'ok') return null;
  return storage.state === 'full' ? 'Storage full: syncs are refused' : `Storage almost full: ${formatBytes(storage.freeBytes)} left`;
}

export function trayModel(view: TrayView): TrayModel {
  const running = view.status.state === 'running';
  const syncing = running && view.syncing.length > 0;
  const busy = view.status.state === 'starting' || view.status.state === 'stopping';
  const storage = storageLine(view.storage);
  const tooltip =
    (syncing ? `Anki Home Sync: ${syncingLine(view.syncing)}` : `Anki Home Sync: ${statusLine(view.status)}`) +
    (storage === null ? '' : `\n${storage}`);
  const items: TrayItem[] = [{ kind: 'label', label: statusLine(view.status) }];
  if (syncing) items.push({ kind: 'label', label: syncingLine(view.syncing) });
  if (storage !== null) items.push({ kind: 'label', label: storage });
  items.push(
    { kind: 'separator' },
    { kind: 'action', label: running ? 'Stop server' : 'Start server', action: 'toggle-server', enabled: !busy },
    {
      kind: 'action',
      label: view.address ? `Copy client address (${view.address})` : 'Copy client address',
      action: 'copy-address',
      enabled: view.address !== null,
    },
    { kind: 'action', label: 'Open window', action: 'open-window', enabled: true },
  );
  if (view.update.state === 'ready') {
    items.push(
      { kind: 'separator' },
      {
        kind: 'action',
        label: `Version ${view.update.version} is ready: restart to install`,
        action: 'install-update',
        enabled: !syncing,
      },
    );
  } else if (view.update.state === 'available') {
    // This copy cannot install it (an unsigned Mac build): the window has the download link.
    items.push(
      { kind: 'separator' },
      {
        kind: 'action',
        label: `Version ${view.update.version} is available: open the window to download it`,
        action: 'open-window',
        enabled: true,
      },
    );
  }
  items.push(
    { kind: 'separator' },
    { kind: 'checkbox', label: 'Start at login', action: 'start-at-login', checked: view.startAtLogin },
    { kind: 'separator' },
    { kind: 'action', label: 'Quit', action: 'quit', enabled: true },
  );
  return { icon: syncing ? 'syncing' : running ? 'running' : 'stopped', tooltip, items };
}
