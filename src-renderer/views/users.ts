// The accounts table: figures per account, and inline editors for rename,
// password, remove and backups (Electron has no prompt(), and inline is clearer).

import type { UserStatus } from '../../src-main/shared/ipc.js';
import { h, replaceChildren } from '../dom.js';
import { formatBytes, formatCount, timeAgo } from '../format.js';

export type Editor = { readonly user: string; readonly kind: 'rename' | 'password' | 'remove' | 'backups' } | null;

export interface UserActions {
  edit(editor: Editor): void;
  rename(user: string, to: string): void;
  changePassword(user: string, password: string): void;
  remove(user: string): void;
  restore(user: string, backupId: string): void;
}

function lastSyncCell(user: UserStatus, now: number): HTMLTableCellElement {
  const clients =
    user.clients.length > 0 &&
    h('small', { class: 'clients' }, user.clients.map((c) => `${c.client}, ${timeAgo(c.lastSeen, now)}`).join('; '));
  if (!user.lastSync) return h('td', {}, 'Never', h('small', {}, 'No device has synced yet'), clients);
  return h('td', {}, timeAgo(user.lastSync.at, now), h('small', {}, `from ${user.lastSync.clientIp}`), clients);
}

function inlineForm(
  label: string,
  input: HTMLInputElement,
  submitLabel: string,
  onSubmit: (value: string) => void,
  onCancel: () => void,
): HTMLFormElement {
  const form = h(
    'form',
    { class: 'row-form', autocomplete: 'off' },
    h('label', {}, label, input),
    h('button', { type: 'submit', class: 'primary' }, submitLabel),
    h('button', { type: 'button', onclick: onCancel }, 'Cancel'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    onSubmit(input.value);
  });
  queueMicrotask(() => input.focus());
  return form;
}

function backupList(user: UserStatus, actions: UserActions): HTMLElement {
  if (user.backups.length === 0)
    return h('p', { class: 'hint' }, 'No backups yet. One is kept each time a full upload replaces this collection.');
  return h(
    'div',
    {},
    h(
      'p',
      { class: 'hint' },
      `Earlier copies of ${user.name}'s collection, kept when a full upload replaced it. Restoring one keeps the current collection as a backup too; devices will then ask to sync in full.`,
    ),
    h(
      'ul',
      { class: 'backups' },
      ...user.backups.map((b) =>
        h(
          'li',
          {},
          h('span', {}, `${new Date(b.createdAt).toLocaleString()} · ${formatBytes(b.bytes)}`),
          h('button', { type: 'button', 'data-backup': b.id, onclick: () => actions.restore(user.name, b.id) }, 'Restore'),
        ),
      ),
    ),
  );
}

function editorRow(user: UserStatus, editor: NonNullable<Editor>, actions: UserActions): HTMLTableRowElement {
  const cancel = () => actions.edit(null);
  let body: Node;
  switch (editor.kind) {
    case 'rename':
      body = inlineForm(
        'New name',
        h('input', { name: 'new-name', value: user.name, maxlength: 32, spellcheck: 'false' }),
        'Rename',
        (to) => actions.rename(user.name, to),
        cancel,
      );
      body.appendChild(h('p', { class: 'hint' }, 'Devices using this account will need to log in again with the new name.'));
      break;
    case 'password':
      body = inlineForm(
        'New password',
        h('input', { name: 'new-password', type: 'password' }),
        'Change password',
        (pw) => actions.changePassword(user.name, pw),
        cancel,
      );
      body.appendChild(h('p', { class: 'hint' }, 'Devices using this account will ask for the new password at their next sync.'));
      break;
    case 'remove':
      body = h(
        'div',
        {},
        h(
          'p',
          {},
          `Remove the account "${user.name}"? Its devices will no longer sync. Its collection stays in the storage folder, so adding the account again brings it back.`,
        ),
        h('button', { type: 'button', class: 'danger', onclick: () => actions.remove(user.name) }, 'Remove account'),
        ' ',
        h('button', { type: 'button', onclick: cancel }, 'Cancel'),
      );
      break;
    case 'backups':
      body = backupList(user, actions);
      break;
  }
  return h('tr', { class: 'editor' }, h('td', { colspan: 5 }, body));
}

export function renderUsers(tbody: HTMLElement, users: readonly UserStatus[], editor: Editor, actions: UserActions, now: number): void {
  if (users.length === 0) {
    replaceChildren(tbody, h('tr', {}, h('td', { class: 'empty', colspan: 5 }, 'No accounts yet.')));
    return;
  }
  const rows: HTMLTableRowElement[] = [];
  for (const user of users) {
    const button = (kind: NonNullable<Editor>['kind'], label: string) =>
      h(
        'button',
        {
          type: 'button',
          'data-action': kind,
          onclick: () => actions.edit(editor?.user === user.name && editor.kind === kind ? null : { user: user.name, kind }),
        },
        label,
      );
    rows.push(
      h(
        'tr',
        { 'data-user': user.name },
        h('td', {}, h('strong', {}, user.name)),
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
          button('rename', 'Rename'),
          button('password', 'Password'),
          button('backups', 'Backups'),
          button('remove', 'Remove'),
        ),
      ),
    );
    if (editor?.user === user.name) rows.push(editorRow(user, editor, actions));
  }
  replaceChildren(tbody, ...rows);
}
