// One account's dialogs: rename, new password, remove, and its snapshots. A modal
// <dialog>: the rest of the window is inert while it is open, Escape closes it,
// and the focus goes back to the button that opened it (or, when that button is
// gone with its account, to the Accounts heading). Its own error line, since the
// window's banner sits behind it.

import type { ExportView, SnapshotView, UserStatus } from '../../src-main/shared/ipc.js';
import { byId, focusByKey, h, replaceChildren, replaceKeepingFocus, unseen } from '../dom.js';
import { formatBytes, formatCount } from '../format.js';
import { rowButtonKey } from './users.js';

export type DialogKind = 'rename' | 'password' | 'remove' | 'snapshots';

/** Each runs a command and answers whether it succeeded; a refusal goes to `showError`. */
export interface DialogActions {
  rename(user: string, to: string, showError: (message: string | null) => void): Promise<boolean>;
  changePassword(user: string, password: string, showError: (message: string | null) => void): Promise<boolean>;
  remove(user: string, showError: (message: string | null) => void): Promise<boolean>;
  restore(user: string, snapshotId: string, showError: (message: string | null) => void): Promise<boolean>;
  takeSnapshot(user: string, showError: (message: string | null) => void): Promise<boolean>;
  /** The save dialog, then the package; null when cancelled or refused. */
  download(
    user: string,
    snapshotId: string | null,
    legacy: boolean,
    showError: (message: string | null) => void,
  ): Promise<ExportView | null>;
}

interface Open {
  readonly user: string;
  readonly kind: DialogKind;
  /** The `data-focus` key of what gets the focus back on closing. */
  returnTo: string;
  /** The snapshots the list was drawn from, to redraw it only when they change. */
  snapshotsShown: string;
  /** The snapshot whose restore waits for the learner's yes. */
  confirming: SnapshotView | null;
  /** "For Anki older than 2.1.50", kept while the list redraws. */
  legacy: boolean;
}

/** "7 Dec 2026, 05:00": when a snapshot was taken, in the learner's own format. */
export function snapshotDate(at: number): string {
  return new Date(at).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
}

/** "after a sync · 1,234 notes, 2,345 cards, 10,000 reviews · 3.4 MB". */
export function snapshotSummary(snapshot: SnapshotView): string {
  const counts = [
    snapshot.notes === null ? null : formatCount(snapshot.notes, 'note', 'notes'),
    snapshot.cards === null ? null : formatCount(snapshot.cards, 'card', 'cards'),
    snapshot.revlog === null ? null : formatCount(snapshot.revlog, 'review', 'reviews'),
  ].filter((c) => c !== null);
  return [snapshot.kindInWords, counts.length > 0 ? counts.join(', ') : 'counts not read yet', formatBytes(snapshot.bytes)].join(' · ');
}

export class AccountDialog {
  private open: Open | null = null;
  /** A command of this dialog is running: it closes the dialog itself, with the focus where its outcome says. */
  private busy = false;
  private readonly error = h('p', { class: 'dialog-error', role: 'alert' });
  /** What a snapshot command is doing or did ("Taking a snapshot…", "Saved …"): spoken, and kept across redraws. */
  private readonly status = h('p', { class: 'dialog-status', role: 'status' });

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
    this.open = { user: user.name, kind, returnTo, snapshotsShown: '', confirming: null, legacy: false };
    this.error.textContent = '';
    this.status.textContent = '';
    this.render(user);
    this.dialog.showModal();
    this.dialog.querySelector<HTMLElement>('[data-initial-focus]')?.focus();
  }

  /** Follows the accounts as they change: a snapshots list stays current, a dialog of an account now gone closes. */
  update(users: readonly UserStatus[]): void {
    const open = this.open;
    if (open === null) return;
    const user = users.find((u) => u.name === open.user);
    if (user === undefined) {
      if (!this.busy) this.dialog.close();
    } else if (open.kind === 'snapshots' && open.confirming === null && snapshotsKey(user) !== open.snapshotsShown) this.render(user);
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
      case 'snapshots':
        if (open.confirming === null) this.renderSnapshots(user);
        else this.renderConfirmRestore(user, open.confirming);
        break;
    }
  }

  private renderSnapshots(user: UserStatus): void {
    const open = this.open!;
    open.snapshotsShown = snapshotsKey(user);
    const legacy = h('input', {
      type: 'checkbox',
      id: 'export-legacy',
      'data-focus': 'export-legacy',
      onchange: (event) => (open.legacy = (event.target as HTMLInputElement).checked),
    });
    legacy.checked = open.legacy;
    const download = (snapshotId: string | null, what: string) => () =>
      this.runKeepingOpen(`Writing ${what}…`, async () => {
        const written = await this.actions.download(user.name, snapshotId, open.legacy, this.showError);
        return written === null
          ? ''
          : `Saved ${written.file}: ${formatCount(written.notes, 'note', 'notes')}, ${formatCount(written.cards, 'card', 'cards')}, ` +
              `${formatCount(written.mediaFiles, 'media file', 'media files')}, ${formatBytes(written.bytes)}. Open it in Anki with File → Import.`;
      });
    replaceKeepingFocus(
      this.dialog,
      h('h2', { id: 'account-dialog-title' }, `Snapshots of ${user.name}`),
      h(
        'p',
        { class: 'hint', id: 'snapshots-hint' },
        user.snapshots.length === 0
          ? `No snapshots of ${user.name}'s collection yet. One is kept after each sync that changes it, and before anything replaces it.`
          : `Copies of ${user.name}'s collection, kept after syncs and before anything replaced it: ${formatCount(user.snapshots.length, 'snapshot', 'snapshots')}, taking ${formatBytes(user.snapshotBytes)} in all. Restoring one puts its notes, cards, reviews and media back.`,
      ),
      user.snapshotWarning !== null && h('p', { class: 'warning' }, user.snapshotWarning),
      h(
        'div',
        { class: 'snapshot-actions' },
        h(
          'button',
          {
            type: 'button',
            'data-focus': 'take-snapshot',
            onclick: () =>
              this.runKeepingOpen('Taking a snapshot…', async () =>
                (await this.actions.takeSnapshot(user.name, this.showError)) ? `Took a snapshot of ${user.name}'s collection.` : '',
              ),
          },
          'Take a snapshot now',
        ),
        h(
          'button',
          { type: 'button', 'data-focus': 'download-now', onclick: download(null, `${user.name}'s collection`) },
          'Download my collection',
        ),
        h('label', { class: 'check' }, legacy, 'For Anki older than 2.1.50'),
      ),
      this.status,
      user.snapshots.length > 0 &&
        h(
          'ul',
          { class: 'snapshots', 'aria-labelledby': 'account-dialog-title' },
          ...user.snapshots.map((snapshot) => {
            const when = snapshotDate(snapshot.takenAt);
            // Two snapshots of the same minute are told apart by their kind.
            const spoken = ` the snapshot of ${when}, ${snapshot.kindInWords}`;
            return h(
              'li',
              { 'data-snapshot': snapshot.id },
              h('div', {}, h('strong', {}, when), h('small', {}, snapshotSummary(snapshot))),
              h(
                'div',
                { class: 'snapshot-buttons' },
                h(
                  'button',
                  {
                    type: 'button',
                    'data-action': 'restore',
                    'data-focus': `restore:${snapshot.id}`,
                    onclick: () => {
                      open.confirming = snapshot;
                      this.showError(null);
                      this.status.textContent = '';
                      this.render(user);
                      this.dialog.querySelector<HTMLElement>('[data-initial-focus]')?.focus();
                    },
                  },
                  'Restore',
                  unseen(spoken),
                ),
                h(
                  'button',
                  {
                    type: 'button',
                    'data-action': 'download',
                    'data-focus': `download:${snapshot.id}`,
                    onclick: download(snapshot.id, `the snapshot of ${when}`),
                  },
                  'Download',
                  unseen(spoken),
                ),
              ),
            );
          }),
        ),
      this.error,
      h(
        'div',
        { class: 'dialog-buttons' },
        h('button', { type: 'button', 'data-initial-focus': true, 'data-focus': 'close', onclick: () => this.close() }, 'Close'),
      ),
    );
  }

  private renderConfirmRestore(user: UserStatus, snapshot: SnapshotView): void {
    const open = this.open!;
    const when = snapshotDate(snapshot.takenAt);
    const back = (): void => {
      if (this.busy) return;
      open.confirming = null;
      this.showError(null);
      this.render(user);
      focusByKey(this.dialog, `restore:${snapshot.id}`);
    };
    replaceChildren(
      this.dialog,
      h('h2', { id: 'account-dialog-title' }, `Restore ${user.name}'s collection to ${when}?`),
      h('p', {}, `Its notes, cards, reviews and media go back to how they were then (${snapshotSummary(snapshot)}).`),
      h(
        'p',
        {},
        `At their next sync, ${user.name}'s devices will be asked to choose between Upload and Download: choose Download on each.`,
      ),
      h('p', {}, `The collection as it is now is kept as a snapshot first, so you can undo this by restoring that one.`),
      this.status,
      this.error,
      h(
        'div',
        { class: 'dialog-buttons' },
        h('button', { type: 'button', 'data-initial-focus': true, onclick: back }, 'Cancel'),
        h(
          'button',
          {
            type: 'button',
            class: 'danger',
            onclick: () => {
              if (this.busy) return;
              // A large collection takes a while: said, so a second click does not seem needed.
              this.status.textContent = `Restoring ${user.name}'s collection…`;
              this.run(async () => {
                const done = await this.actions.restore(user.name, snapshot.id, this.showError);
                if (!done) this.status.textContent = '';
                return done;
              });
            },
          },
          'Restore',
          unseen(` the snapshot of ${when}`),
        ),
      ),
    );
  }

  /** Runs a command that leaves the dialog open, saying in its status line what it does and then what it did. */
  private runKeepingOpen(doing: string, command: () => Promise<string>): void {
    if (this.busy) return;
    this.busy = true;
    this.dialog.setAttribute('aria-busy', 'true');
    this.status.textContent = doing;
    void command()
      .then((said) => (this.status.textContent = said))
      .finally(() => {
        this.busy = false;
        this.dialog.removeAttribute('aria-busy');
      });
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

function snapshotsKey(user: UserStatus): string {
  return JSON.stringify([user.snapshots, user.snapshotBytes, user.snapshotWarning]);
}

/** The dialog element of the page. */
export function accountDialogElement(): HTMLDialogElement {
  return byId<HTMLDialogElement>('account-dialog');
}
