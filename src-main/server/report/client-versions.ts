// Which clients each account's devices use, and when each was last seen, from
// the version every request carries (the v11 header's `c`, the legacy form's
// `v`, meta's `cv`). Reported at most once a minute per account and client, so
// a sync's dozens of requests make one event; logged once per client version.
import { describeClient } from './client-version.js';
import { OncePerKey } from './throttle.js';

export interface ClientSeen {
  readonly username: string;
  readonly clientIp: string;
  /** "Anki 25.02 (Linux)". */
  readonly client: string;
  /** The version string as sent. */
  readonly raw: string;
  readonly at: number;
}

const REPORT_EVERY_MS = 60_000;
/** Distinct (account, client) pairs remembered; a flood of made-up versions cannot grow this without bound. */
const MAX_REMEMBERED = 1_000;

export class ClientVersions {
  private readonly reported = new OncePerKey(REPORT_EVERY_MS, MAX_REMEMBERED);

  constructor(
    private readonly report: (seen: ClientSeen) => void,
    private readonly firstSeen: (seen: ClientSeen) => void,
  ) {}

  seen(username: string, clientIp: string, raw: string, now = Date.now()): void {
    const described = describeClient(raw);
    if (described === null) return;
    const key = `${username}\n${described.label}`;
    const pass = this.reported.pass(key, now);
    if (pass === null) return;
    const seen = { username, clientIp, client: described.label, raw, at: now };
    if (pass === 'first') this.firstSeen(seen);
    this.report(seen);
  }
}
