// The events, besides a full disk (storage/storage-space.ts), that a learner
// must act on and is told of inside Anki through meta's msg (report/learner-notices.ts):
// the HTTPS certificate is about to expire, the account was restored from a
// backup (so a device must choose Download, not Upload, when Anki asks), and the
// server is stopping for an update. Each source names its event with an id, so
// a device is told each event once.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LearnerNotice, NoticeSource } from '../report/learner-notices.js';
import { writeFileDurablySync } from '../storage/durable.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** The learner hears of an expiring certificate this long before it stops working, as the window does. */
export const CERTIFICATE_NOTICE_DAYS = 14;

/** The certificate being served (null over HTTP): told from 14 days before it expires. */
export function certificateNotice(current: () => { readonly validTo: Date } | null, now: () => number = Date.now): NoticeSource {
  return () => {
    const pair = current();
    if (pair === null) return null;
    const left = pair.validTo.getTime() - now();
    if (left > CERTIFICATE_NOTICE_DAYS * DAY_MS) return null;
    const day = pair.validTo.toISOString().slice(0, 10);
    return {
      id: `certificate-expires-${pair.validTo.getTime()}`,
      text:
        left <= 0
          ? `The sync server's security certificate expired on ${day}. Please tell the person who runs the sync server, so they can renew it.`
          : `The sync server's security certificate expires on ${day}. After that day this device cannot sync until it is renewed. ` +
            'Please tell the person who runs the sync server.',
    };
  };
}

/**
 * The file in an account's folder that says its collection was restored: it
 * holds the schema time the restored copy was given. While the collection still
 * has that schema time, no device has replaced it by a full upload, and each
 * device that syncs is told to choose Download.
 */
export const RESTORED_MARKER = 'restored-scm';

/** Records, durably, that the account in `folder` now holds a restored collection of schema time `scm`. */
export function markRestored(folder: string, scm: number): void {
  writeFileDurablySync(join(folder, RESTORED_MARKER), `${scm}\n`);
}

export const restoredNotice: NoticeSource = (account) => {
  if (account.folder === undefined || account.scm === undefined) return null;
  let marked: number;
  try {
    marked = Number(readFileSync(join(account.folder, RESTORED_MARKER), 'utf8').trim());
  } catch {
    return null;
  }
  if (marked !== account.scm) return null;
  return {
    id: `restored-${marked}`,
    text:
      'Your collection on the sync server was restored from a backup. When Anki asks which copy to keep, choose Download ' +
      "to get the restored collection; choosing Upload would replace it with this device's copy.",
  };
};

/**
 * An update of the app, told to devices ahead of the restart that installs it.
 * The server stops accepting at once when it drains for an install, so a
 * message given only then reaches almost nobody: it is given from the moment
 * the update is downloaded and waits for "Restart and install" (or a quit), to
 * every device that syncs meanwhile. The waiting and the stopping are one event
 * per version: a device told the update was coming is not told again as it
 * stops. After the restart nothing is said: the server is back, and a device
 * whose sync failed meanwhile only has to sync again, which it does by itself
 * or when the learner next syncs.
 */
export class UpdateAnnouncement {
  private notice: LearnerNotice | null = null;

  /** The update `version` is downloaded; the server restarts to install it when its owner agrees. */
  ready(version: string): void {
    this.notice = {
      id: `update-${version}`,
      text:
        'The sync server has an update ready and will restart to install it. ' +
        'If a sync fails around then (Anki may say it cannot connect), nothing is lost: sync again a few minutes later.',
    };
  }

  /** The server is draining now to install the update `version` (unknown: a new event). */
  stopping(version: string = `at-${Date.now()}`): void {
    this.notice = {
      id: `update-${version}`,
      text:
        'The sync server is stopping for an update and will be back in a few minutes. ' +
        'If a sync fails meanwhile, nothing is lost: sync again a little later.',
    };
  }

  clear(): void {
    this.notice = null;
  }

  readonly source: NoticeSource = () => this.notice;
}
