// Which syncs are in progress, and how far along each one is, for the window's
// progress bars, the tray's syncing icon and the updater (which never installs
// during a sync). Made from what the server already sees: each request's method,
// the bytes moved on its socket against its declared length, and the media
// files asked for. A sync is a run of requests (meta … finish, begin …
// mediaSanity); one that goes quiet longer than a client would wait ends by itself.
import type { IncomingMessage } from 'node:http';

export type SyncProgressKind = 'full-upload' | 'full-download' | 'normal-sync' | 'media-sync';

export interface SyncProgress {
  readonly username: string;
  readonly clientIp: string;
  readonly kind: SyncProgressKind;
  /** The method in progress: `start`, `applyChunk`, `uploadChanges`, … or `upload` and `download`. */
  readonly step: string;
  /** Bytes for full syncs; media files moved so far for media syncs; 0 for normal syncs. */
  readonly done: number;
  /** Bytes expected for full syncs, when known. */
  readonly total: number | null;
  readonly startedAt: number;
  /** Set on the last event of a sync. */
  readonly finished: boolean;
}

export interface ProgressOptions {
  readonly emit: (progress: SyncProgress) => void;
  /** At most one event per sync this often, but for its first and last (IPC is not flooded). */
  readonly intervalMs?: number;
  /** A sync with no request for this long is over (clients give up after 30–60 s). */
  readonly quietMs?: number;
}

const SYNC_STEPS = new Set(['start', 'applyGraves', 'applyChanges', 'chunk', 'applyChunk', 'sanityCheck2', 'finish', 'abort']);
const MEDIA_STEPS = new Set(['begin', 'mediaChanges', 'uploadChanges', 'downloadFiles', 'mediaSanity']);
const LAST_STEPS = new Set(['finish', 'abort', 'mediaSanity', 'upload', 'download']);

/** One sync at a time per account, device and kind (a media sync may run beside a collection sync). */
export function syncKey(sync: Pick<SyncProgress, 'username' | 'clientIp' | 'kind'>): string {
  return `${sync.username}\n${sync.clientIp}\n${sync.kind === 'media-sync' ? 'media' : 'collection'}`;
}

export function progressKind(area: string, method: string): SyncProgressKind | null {
  if (area === 'sync' && method === 'upload') return 'full-upload';
  if (area === 'sync' && method === 'download') return 'full-download';
  if (area === 'sync' && SYNC_STEPS.has(method)) return 'normal-sync';
  if (area === 'msync' && MEDIA_STEPS.has(method)) return 'media-sync';
  return null;
}

interface Running {
  progress: SyncProgress;
  lastEmit: number;
  trailing: NodeJS.Timeout | null;
  quiet: NodeJS.Timeout | null;
}

/** What the pipeline holds for one request of a sync. */
export interface ProgressRequest {
  /** Media files this request moves (downloadFiles names, uploadChanges entries). */
  addFiles(count: number): void;
  /** A file reply of `total` bytes is about to be sent (a full download). */
  sending(total: number): void;
  /** Bytes of that file read for sending. */
  sent(bytes: number): void;
  /** The request is over; `ok` false ends its sync (a client stops at an error). */
  end(ok: boolean): void;
}

const NO_REQUEST: ProgressRequest = { addFiles: () => undefined, sending: () => undefined, sent: () => undefined, end: () => undefined };

export class SyncProgressTracker {
  private readonly running = new Map<string, Running>();
  private readonly intervalMs: number;
  private readonly quietMs: number;

  constructor(private readonly options: ProgressOptions) {
    this.intervalMs = options.intervalMs ?? 250;
    this.quietMs = options.quietMs ?? 60_000;
  }

  /** Accounts with a sync in progress. */
  syncing(): string[] {
    return [...new Set([...this.running.values()].map((r) => r.progress.username))];
  }

  current(): SyncProgress[] {
    return [...this.running.values()].map((r) => r.progress);
  }

  /** A host-key request has been authenticated; returns what the pipeline reports back through. */
  request(username: string, clientIp: string, area: string, method: string, req: IncomingMessage): ProgressRequest {
    const kind = progressKind(area, method);
    if (kind === null) return NO_REQUEST;
    const key = syncKey({ username, clientIp, kind });
    let run = this.running.get(key);
    if (run === undefined || run.progress.kind !== kind) {
      if (run !== undefined) this.finish(key, run);
      run = {
        progress: { username, clientIp, kind, step: method, done: 0, total: null, startedAt: Date.now(), finished: false },
        lastEmit: 0,
        trailing: null,
        quiet: null,
      };
      this.running.set(key, run);
    }
    const active = run;
    if (active.quiet !== null) clearTimeout(active.quiet);
    active.quiet = null;
    // An upload counts bytes arriving on the socket, against content-length when the client declares one
    // (legacy clients do; v11 clients stream chunked: rslib/src/sync/http_client/io_monitor.rs).
    const declared = Number(req.headers['content-length']);
    const total = kind === 'full-upload' && Number.isSafeInteger(declared) && declared > 0 ? declared : active.progress.total;
    this.update(key, active, { step: method, total });
    let poll: NodeJS.Timeout | null = null;
    if (kind === 'full-upload') {
      const socket = req.socket;
      const base = socket.bytesRead;
      poll = setInterval(() => {
        const moved = Math.max(0, socket.bytesRead - base);
        const total = active.progress.total;
        this.update(key, active, { done: total === null ? moved : Math.min(moved, total) });
      }, this.intervalMs);
      poll.unref();
    }

    let ended = false;
    return {
      addFiles: (count) => this.update(key, active, { done: active.progress.done + count }),
      // A download counts the file's bytes as they are read for sending, against its size (anki-original-size).
      sending: (total) => this.update(key, active, { total, done: 0 }),
      sent: (bytes) => this.update(key, active, { done: Math.min(active.progress.done + bytes, active.progress.total ?? Infinity) }),
      end: (ok) => {
        if (ended) return;
        ended = true;
        if (poll !== null) clearInterval(poll);
        if (this.running.get(key) !== active) return;
        if (!ok || LAST_STEPS.has(method)) {
          if (ok && active.progress.total !== null) active.progress = { ...active.progress, done: active.progress.total };
          this.finish(key, active);
          return;
        }
        active.quiet = setTimeout(() => this.finish(key, active), this.quietMs);
        active.quiet.unref();
      },
    };
  }

  /** Ends every sync (the server is stopping). */
  clear(): void {
    for (const [key, run] of [...this.running]) this.finish(key, run);
  }

  private update(key: string, run: Running, patch: Partial<SyncProgress>): void {
    const next = { ...run.progress, ...patch };
    if (next.step === run.progress.step && next.done === run.progress.done && next.total === run.progress.total && run.lastEmit !== 0) {
      return;
    }
    run.progress = next;
    const now = Date.now();
    const wait = run.lastEmit + this.intervalMs - now;
    if (run.lastEmit === 0 || wait <= 0) {
      this.emitNow(run, now);
      return;
    }
    run.trailing ??= setTimeout(() => {
      run.trailing = null;
      if (this.running.get(key) === run) this.emitNow(run, Date.now());
    }, wait);
    run.trailing.unref();
  }

  private emitNow(run: Running, now: number): void {
    run.lastEmit = now;
    this.options.emit(run.progress);
  }

  private finish(key: string, run: Running): void {
    if (run.trailing !== null) clearTimeout(run.trailing);
    if (run.quiet !== null) clearTimeout(run.quiet);
    this.running.delete(key);
    this.options.emit({ ...run.progress, finished: true });
  }
}
