// The recent-activity list: the server's ActivityEvents and the app's own, newest
// first, each with a sentence a learner understands. Kept in memory; it answers
// "did my phone sync?". Every sentence of the list is written here, from typed
// events (the server writes only the certificate, storage and drift sentences it
// also logs, and passes them as `detail`); whether an entry is a failure or a
// warning is said by the event, never read back out of its sentence.

import { LOGIN_THROTTLED, type ActivityEvent } from '../server/index.js';
import type { ActivityEntry, ActivityKind } from '../shared/ipc.js';

export const ACTIVITY_LIMIT = 200;

/** What the app itself reports: the server's life and the owner's own actions. */
export type AppActivityEvent =
  | { readonly kind: 'started'; readonly port: number; readonly https: boolean }
  | { readonly kind: 'stopped' }
  /** `reason` is the AppError's sentence (port.ts, storage-folder.ts): what to do about it. */
  | { readonly kind: 'start-failed'; readonly reason: string }
  /** `takenAt`: when the snapshot restored was taken (null when it was not listed). */
  | { readonly kind: 'snapshot-restored'; readonly username: string; readonly takenAt: number | null }
  | { readonly kind: 'update-not-installed' }
  /** "Make my own certificate": `newRoot` when the authority was made now, not kept. */
  | { readonly kind: 'home-certificate-made'; readonly newRoot: boolean; readonly names: readonly string[] }
  | { readonly kind: 'home-certificate-renewed'; readonly why: 'expiring' | 'names-changed' | 'again' }
  /** DHCP moved this computer; `notice` is stable-name.ts's sentence (old address, new one, what to do). */
  | { readonly kind: 'address-changed'; readonly notice: string };

/** A failure went wrong; a warning will unless the owner acts. The window marks both. */
export type Severity = 'failure' | 'warning' | null;

type ServerFacts = Pick<ActivityEvent, 'kind' | 'username' | 'clientIp' | 'detail' | 'count' | 'client'>;

export function describeActivity(event: ServerFacts): string {
  const who = event.username || 'someone';
  const from = event.clientIp ? ` from ${event.clientIp}` : '';
  switch (event.kind) {
    case 'login':
      return `${who} logged in${from}.`;
    case 'login-failed':
      if (event.count !== undefined) {
        return `${event.count} more failed logins${from} in the last minute, not listed one by one. If these are not your devices, someone is guessing passwords: use long ones.`;
      }
      if (event.detail === LOGIN_THROTTLED) return `Logins${from} were turned away for a moment: too many at once.`;
      // No name: the device sent a login the server no longer knows (password changed, account renamed).
      if (!event.username) return `A device${from} tried to sync with an old login. On that device, log in again.`;
      return `A device${from} tried to log in as ${who} with a wrong password.`;
    case 'normal-sync':
      return `${who} synced${from}.`;
    case 'full-upload':
      return `${who}'s collection was replaced by a full upload${from}. The previous copy is kept: see Snapshots.`;
    case 'full-download':
      return `${who}'s collection was downloaded in full${from}.`;
    case 'media-sync':
      // The server's media detail is written for people: "3 files received", "no files moved".
      return `${who}'s media synced${from}${event.detail ? ` (${event.detail})` : ''}.`;
    case 'error':
      // The detail is for the log: it is technical, and the learner's next step is the same.
      return `A sync for ${who}${from} did not complete. The device can simply sync again.`;
    case 'certificate':
      // The server writes these for the learner: expiring, renewed, or not renewed and why.
      return event.detail ?? 'The HTTPS certificate changed.';
    case 'storage':
      // The server writes these for the learner: which folder, and what happens meanwhile.
      return event.detail ?? 'The storage folder changed.';
    case 'snapshot':
      // The server writes these for the learner: a snapshot skipped, or its second copy not written, and why.
      return event.detail ?? `${who}'s snapshots need attention.`;
    case 'protocol-drift':
      return event.detail ?? `A device${from} uses a newer sync protocol than this version of Anki Home Sync. Update Anki Home Sync.`;
  }
}

export function severityOf(event: ActivityEvent): Severity {
  switch (event.kind) {
    case 'login-failed':
    case 'error':
    case 'protocol-drift':
      return 'failure';
    default:
      if (event.failed === true) return 'failure';
      return event.warning === true ? 'warning' : null;
  }
}

export function describeAppActivity(event: AppActivityEvent): string {
  switch (event.kind) {
    case 'started':
      return `The server started on port ${event.port}${event.https ? ', with HTTPS' : ''}.`;
    case 'stopped':
      return 'The server stopped.';
    case 'start-failed':
      return event.reason;
    case 'snapshot-restored': {
      const when = event.takenAt === null ? 'a snapshot' : `its snapshot of ${new Date(event.takenAt).toLocaleString()}`;
      return `${event.username}'s collection was restored to ${when}. Its devices will ask to sync in full: choose Download on each. The collection it replaced is kept as a snapshot.`;
    }
    case 'update-not-installed':
      return 'The new version could not be installed, so this one carries on and the server is running again. Try again later, or download the new version yourself.';
    case 'home-certificate-made':
      return `${event.newRoot ? 'Made your own certificate authority' : 'Kept your certificate authority'} and a certificate for ${event.names.join(', ')}. Give each device the root certificate once (Settings → HTTPS).`;
    case 'home-certificate-renewed':
      return `Your certificate was renewed ${event.why === 'expiring' ? 'before its end' : event.why === 'names-changed' ? 'for a changed address' : 'again'}; devices need nothing new.`;
    case 'address-changed':
      return event.notice;
  }
}

export function appSeverityOf(event: AppActivityEvent): Severity {
  if (event.kind === 'address-changed') return 'warning';
  return event.kind === 'start-failed' || event.kind === 'update-not-installed' ? 'failure' : null;
}

export class ActivityLog {
  private readonly entries: ActivityEntry[] = [];

  constructor(private readonly limit = ACTIVITY_LIMIT) {}

  recordServerEvent(event: ActivityEvent): ActivityEntry {
    return this.push({
      at: event.at,
      kind: event.kind,
      username: event.username,
      clientIp: event.clientIp,
      message: describeActivity(event),
      isError: severityOf(event) !== null,
    });
  }

  /** Something the app itself did: started, stopped, failed to start, restored a snapshot. */
  recordApp(event: AppActivityEvent, at = Date.now()): ActivityEntry {
    return this.push({
      at,
      kind: 'server' satisfies ActivityKind,
      username: '',
      clientIp: '',
      message: describeAppActivity(event),
      isError: appSeverityOf(event) !== null,
    });
  }

  recent(): readonly ActivityEntry[] {
    return this.entries;
  }

  private push(entry: ActivityEntry): ActivityEntry {
    this.entries.unshift(entry);
    if (this.entries.length > this.limit) this.entries.length = this.limit;
    return entry;
  }
}
