// Watching files that other programs replace while the server runs: the TLS
// pair (renewed by `tailscale cert` or an ACME tool) and SYNC_USERS_FILE
// (edited by hand or by a NAS's settings page). Each file's stat is polled,
// which survives the rename-over that those tools and most editors do, and
// works on network shares and container bind mounts where inotify does not.
// Once every file has been quiet for a moment, `settled` runs once.
//
// The first stat is taken in start() itself, so a reader that starts the watch
// and then reads the files misses no change: one made before the stat is in
// what it reads, one made after is seen by the next poll.
import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';

export interface FileWatchOptions {
  /** How often each file's stat is polled. */
  readonly pollMs?: number;
  /** How long the files must be unchanged before `settled` runs (tools write several files, or one in steps). */
  readonly settleMs?: number;
}

/** What identifies a file's version: its inode, size and times; `missing` while it cannot be read. */
function signatureOf(stats: { ino: number; size: number; mtimeMs: number; ctimeMs: number } | null): string {
  return stats === null ? 'missing' : `${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}`;
}

export class SettledFileWatch {
  private readonly files: readonly string[];
  private readonly seen = new Map<string, string>();
  private poller: NodeJS.Timeout | null = null;
  private timer: NodeJS.Timeout | null = null;
  private polling = false;

  constructor(
    files: readonly string[],
    private readonly settled: () => void,
    private readonly options: Required<FileWatchOptions>,
  ) {
    this.files = [...new Set(files)];
  }

  start(): void {
    for (const file of this.files) {
      let stats = null;
      try {
        stats = statSync(file);
      } catch {
        // Missing for now: its appearance is a change.
      }
      this.seen.set(file, signatureOf(stats));
    }
    this.poller = setInterval(() => void this.poll(), this.options.pollMs);
    this.poller.unref();
  }

  stop(): void {
    if (this.poller !== null) clearInterval(this.poller);
    if (this.timer !== null) clearTimeout(this.timer);
    this.poller = null;
    this.timer = null;
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      let changed = false;
      for (const file of this.files) {
        const signature = signatureOf(await stat(file).catch(() => null));
        if (signature !== this.seen.get(file)) changed = true;
        this.seen.set(file, signature);
      }
      if (changed && this.poller !== null) this.changed();
    } finally {
      this.polling = false;
    }
  }

  private changed(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.settled();
    }, this.options.settleMs);
    this.timer.unref();
  }
}
