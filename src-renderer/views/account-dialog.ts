// One account's dialogs: rename, new password, remove, and its backups. A modal
// <dialog>: the rest of the window is inert while it is open, Escape closes it,
// and the focus goes back to the button that opened it (or, when that button is
// gone with its account, to the Accounts heading). Its own error line, since the
// window's banner sits behind it.

import type { UserStatus } from '../../src-main/shared/ipc.js';
import { byId, focusByKey, h, replaceChildren, unseen } from '../dom.js';
import { formatBytes } from '../format.js';
import { rowButtonKey } from './users.js';

export type DialogKind = 'rename' | 'password' | 'remove' | 'backups';

/** Each runs a command and answers whether it succeeded; a refusal goes to `showError`. */
export interface DialogActions {
  rename(user: string, to: string, showError: (message: string | null) => void): Promise<boolean>;
  changePassword(user: string, password: string, showError: (message: string | null) => void): Promise<boolean>;
  remove(user: string, showError: (message: string | null) => void): Promise<boolean>;
  restore(user: string, backupId: string, showError: (message: string | null) => void): Promise<boolean>;
}

interface Open {
  readonly user: string;
  readonly kind: DialogKind;
  /** The `data-focus` key of what gets the focus back on closing. */
  returnTo: string;
  backupsShown: string;
}

export class AccountDialog {
  private open: Open | null = null;
  /** A command of this dialog is running: it closes the dialog itself, with the focus where its outcome says. */
  private busy = false;
  private readonly error = h('p', { class: 'dialog-error', role: 'alert' });

  constructor(
    private readonly dialog: HTMLDialogElement,
    private readonly actions: DialogActions,
    /** Where the focus goes when the opener is gone. */
    private readonly fallbackFocus: () => HTMLElement,
  ) {
    dialog.addEventListener('close', () => {
      const was = this.open;
      this.open = null;
      replaceChildren(dialog);
      if (was !== null && !focusByKey(document, was.returnTo)) this.fallbackFocus().focus();
    });
  }

  show(user: UserStatus, kind: DialogKind, returnTo: string): void {
    // Modal: nothing else can open one while it is open.
    if (this.dialog.open) return;
    this.open = { user: user.name, kind, returnTo, backupsShown: '' };
    this.error.textContent = '';
    this.render(user);
    this.dialog.showModal();
    this.dialog.querySelector<HTMLElement>('[data-initial-focus]')?.focus();
  }

  /** Follows the accounts as they change: a backups list stays current, a dialog of an account now gone closes. */
  update(users: readonly UserStatus[]): void {
    const open = this.open;
    if (open === null) return;
    const user = users.find((u) => u.name === open.user);
    if (user === undefined) {
      if (!this.busy) this.dialog.close();
    } else if (open.kind === 'backups' && JSON.stringify(user.backups) !== open.backupsShown) this.render(user);
  }

  close(): void {
    if (this.dialog.open) this.dialog.close();
  }

  private readonly showError = (message: string | null): void => {
    this.error.textContent = message ?? '';
  };

  private render(user: UserStatus): void {
    const open = this.open!;
    const title = (text: string) => h('h2', { id: 'account-dialog-title' }, text);
    switch (open.kind) {
      case 'rename':
        replaceChildren(
          this.dialog,
          title(`Rename ${user.name}`),
          this.form(
            h('input', { name: 'new-name', value: user.name, maxlength: 32, spellcheck: 'false', required: true }),
            'New name',
            'Devices using this account will need to log in again with the new name.',
            'Rename',
            async (to) => {
              const done = await this.actions.rename(user.name, to, this.showError);
              // The button to go back to is the renamed row's.
              if (done) open.returnTo = rowButtonKey(to.trim(), 'rename');
              return done;
            },
          ),
        );
        break;
      case 'password':
        replaceChildren(
          this.dialog,
          title(`New password for ${user.name}`),
          this.form(
            h('input', { name: 'new-password', type: 'password', required: true, autocomplete: 'new-password' }),
            'New password',
            'Devices using this account will ask for the new password at their next sync.',
            'Change password',
            (password) => this.actions.changePassword(user.name, password, this.showError),
          ),
        );
        break;
      case 'remove':
        replaceChildren(
          this.dialog,
          title(`Remove ${user.name}?`),
          h(
            'p',
            {},
            `Its devices will no longer sync. Its collection stays in the storage folder, so adding the account "${user.name}" again brings it back.`,
          ),
          this.error,
          h(
            'div',
            { class: 'dialog-buttons' },
            h('button', { type: 'button', 'data-initial-focus': true, onclick: () => this.close() }, 'Cancel'),
            h(
              'button',
              { type: 'button', class: 'danger', onclick: () => this.run(() => this.actions.remove(user.name, this.showError)) },
              'Remove account',
            ),
          ),
        );
        break;
      case 'backups':
        open.backupsShown = JSON.stringify(user.backups);
        replaceChildren(
          this.dialog,
          title(`Backups of ${user.name}`),
          user.backups.length === 0
            ? h('p', { class: 'hint' }, 'No backups yet. One is kept each time a full upload replaces this collection.')
            : h(
                'p',
                { class: 'hint' },
                `Earlier copies of ${user.name}'s collection, kept when a full upload replaced it. Restoring one keeps the current collection as a backup too; devices will then ask to sync in full.`,
              ),
          user.backups.length > 0 &&
            h(
              'ul',
              { class: 'backups' },
              ...user.backups.map((b) => {
                const when = new Date(b.createdAt).toLocaleString();
                return h(
                  'li',
                  {},
                  h('span', {}, `${when} · ${formatBytes(b.bytes)}`),
                  h(
                    'button',
                    {
                      type: 'button',
                      'data-backup': b.id,
                      onclick: () => this.run(() => this.actions.restore(user.name, b.id, this.showError)),
                    },
                    'Restore',
                    unseen(` the backup of ${when}`),
                  ),
                );
              }),
            ),
          this.error,
          h(
            'div',
            { class: 'dialog-buttons' },
            h('button', { type: 'button', 'data-initial-focus': true, onclick: () => this.close() }, 'Close'),
          ),
        );
        break;
    }
  }

  /** Runs a command of this dialog, which closes once it has succeeded. */
  private run(command: () => Promise<boolean>): void {
    this.busy = true;
    void command()
      .finally(() => (this.busy = false))
      .then((done) => done && this.close());
  }

  private form(
    input: HTMLInputElement,
    label: string,
    hint: string,
    submitLabel: string,
    submit: (value: string) => Promise<boolean>,
  ): HTMLFormElement {
    const hintId = 'account-dialog-hint';
    input.setAttribute('aria-describedby', hintId);
    input.dataset['initialFocus'] = '';
    const form = h(
      'form',
      { autocomplete: 'off' },
      h('label', {}, label, input),
      h('p', { class: 'hint', id: hintId }, hint),
      this.error,
      h(
        'div',
        { class: 'dialog-buttons' },
        h('button', { type: 'button', onclick: () => this.close() }, 'Cancel'),
        h('button', { type: 'submit', class: 'primary' }, submitLabel),
      ),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.run(() => submit(input.value));
    });
    return form;
  }
}

/** The dialog element of the page. */
export function accountDialogElement(): HTMLDialogElement {
  return byId<HTMLDialogElement>('account-dialog');
}
