// A word to the learner inside Anki: after a sync, Anki shows `meta`'s `msg`
// (as rich text since 26.05, as plain text before). The server says something
// there only when the learner must act, and tells each device each event once:
// a message at every sync would be noise that teaches people to click it away.
// `cont` stays true, so syncs that can still run go on.

/** Something a learner must know, for as long as it holds. `id` names the event: a new id is told again. */
export interface LearnerNotice {
  readonly id: string;
  readonly text: string;
}

/** The account a device syncs: its collection and media take `bytes`; `scm` is its collection's schema time. */
export interface NoticeAccount {
  readonly name: string;
  readonly bytes: number;
  readonly folder?: string;
  readonly scm?: number;
}

/** What is current for `account`, or null. */
export type NoticeSource = (account: NoticeAccount) => LearnerNotice | null;

export interface NoticeTold {
  readonly account: string;
  readonly device: string;
  readonly notice: string;
  readonly at: number;
}

/** Anki 26.05+ renders the message as HTML: whatever it says is shown as text. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Devices remembered as told; the oldest are forgotten first (a forgotten device is told again, once). */
const REMEMBERED = 10_000;

/**
 * Which devices were told what. It outlives one server: the app starts a new
 * SyncServer when a setting changes, and a device told before must not be told
 * again for that.
 */
export type ToldDevices = Map<string, NoticeTold>;

export class LearnerNotices {
  constructor(
    private readonly sources: readonly NoticeSource[],
    private readonly now: () => number = Date.now,
    /** Hears of each device told, for the window's list. */
    private readonly onTold: (told: NoticeTold) => void = () => undefined,
    private readonly told: ToldDevices = new Map(),
  ) {}

  /**
   * The `msg` for this device's `meta`: the first current notice it has not
   * been told yet, HTML-escaped, or ''. A device is the account, the address
   * and the client it syncs from.
   */
  messageFor(account: NoticeAccount, device: string): string {
    for (const source of this.sources) {
      const notice = source(account);
      if (notice === null) continue;
      const key = JSON.stringify([account.name, device, notice.id]);
      if (this.told.has(key)) continue;
      const told = { account: account.name, device, notice: notice.text, at: this.now() };
      this.told.set(key, told);
      if (this.told.size > REMEMBERED) this.told.delete(this.told.keys().next().value!);
      this.onTold(told);
      return escapeHtml(notice.text);
    }
    return '';
  }

  /** Who was told what, newest first (for the window). */
  recent(limit = 50): NoticeTold[] {
    return [...this.told.values()].reverse().slice(0, limit);
  }
}
