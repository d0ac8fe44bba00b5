// The accounts table: figures per account, and per row the buttons that open
// the account's dialogs (rename, password, snapshots, remove). Each button names
// its account to a screen reader ("Rename alice"), and keeps the focus when a
// sync redraws the table.

import type { UserStatus } from '../../src-main/shared/ipc.js';
import { h, replaceKeepingFocus, unseen } from '../dom.js';
import { formatBytes, formatCount, timeAgo } from '../format.js';
import type { DialogKind } from './account-dialog.js';

function lastSyncCell(user: UserStatus, now: number): HTMLTableCellElement {
  const clients =
    user.clients.length > 0 &&
    h('small', { class: 'clients' }, user.clients.map((c) => `${c.client}, ${timeAgo(c.lastSeen, now)}`).join('; '));
  if (!user.lastSync) return h('td', {}, 'Never', h('small', {}, 'No device has synced yet'), clients);
  return h('td', {}, timeAgo(user.lastSync.at, now), h('small', {}, `from ${user.lastSync.clientIp}`), clients);
}

const BUTTONS: readonly { kind: DialogKind; label: string; spoken: (name: string) => string }[] = [
  { kind: 'rename', label: 'Rename', spoken: (name) => ` ${name}` },
  { kind: 'password', label: 'Password', spoken: (name) => ` of ${name}` },
  { kind: 'snapshots', label: 'Snapshots', spoken: (name) => ` of ${name}` },
  { kind: 'remove', label: 'Remove', spoken: (name) => ` ${name}` },
];

/** The `data-focus` key of a row's button, by which the dialog gives the focus back to it. */
export function rowButtonKey(user: string, kind: DialogKind): string {
  return `${kind}:${user}`;
}

export function renderUsers(
  tbody: HTMLElement,
  users: readonly UserStatus[],
  open: (user: string, kind: DialogKind) => void,
  now: number,
): void {
  if (users.length === 0) {
    replaceKeepingFocus(tbody, h('tr', {}, h('td', { class: 'empty', colspan: 5 }, 'No accounts yet.')));
    return;
  }
  replaceKeepingFocus(
    tbody,
    ...users.map((user) =>
      h(
        'tr',
        { 'data-user': user.name },
        h('th', { scope: 'row' }, user.name),
        lastSyncCell(user, now),
        h(
          'td',
          {},
          user.collectionBytes > 0 ? formatBytes(user.collectionBytes) : 'Empty',
          h('small', {}, `${formatCount(user.notes, 'note', 'notes')}, ${formatCount(user.cards, 'card', 'cards')}`),
        ),
        h('td', {}, formatCount(user.mediaFiles, 'file', 'files'), h('small', {}, formatBytes(user.mediaBytes))),
        h(
          'td',
          { class: 'actions' },
          h(
            'div',
            { class: 'action-buttons' },
            ...BUTTONS.map(({ kind, label, spoken }) =>
              h(
                'button',
                {
                  type: 'button',
                  'data-action': kind,
                  'data-focus': rowButtonKey(user.name, kind),
                  'aria-haspopup': 'dialog',
                  onclick: () => open(user.name, kind),
                },
                label,
                unseen(spoken(user.name)),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}
