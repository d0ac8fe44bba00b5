// What the activity list can report, declared once: the server emits every kind
// but `server`, which the app adds for its own start and stop. Types only, so
// the server, the app and the window all read it.

export type ServerActivityKind =
  | 'login'
  | 'login-failed'
  | 'normal-sync'
  | 'full-upload'
  | 'full-download'
  | 'media-sync'
  | 'error'
  /** The HTTPS certificate: expiring, renewed, or a renewal that failed. */
  | 'certificate'
  /** The storage folder went away (a drive removed) or came back. */
  | 'storage'
  /** A client speaks a newer protocol than ours (a sync version, or a method name, we do not know). */
  | 'protocol-drift'
  /** An account's snapshots: one skipped on a nearly full disk, a second copy not written (warnings; issue 24). */
  | 'snapshot';

export type ActivityKind = ServerActivityKind | 'server';
