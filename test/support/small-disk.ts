// A small disk that fills on demand, for the disk-full tests (issue 31): a
// tmpfs of a few MiB mounted on a temp folder (as root), and a filler file
// that takes all of its space, or all but a given amount.
import { spawnSync } from 'node:child_process';
import { rmSync, statfsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempFolder } from './temp-folder.js';

export const SMALL_DISK_MISSING = 'the disk-full tests mount a tmpfs, which needs Linux and root';

/** Why a small disk cannot be mounted here, or null when it can. */
export function smallDiskUnavailable(): string | null {
  if (process.platform !== 'linux') return `${SMALL_DISK_MISSING}: this is ${process.platform}`;
  if (process.getuid?.() !== 0) return `${SMALL_DISK_MISSING}: not running as root`;
  const probe = makeTempFolder('ahs-small-disk-probe-');
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe]);
  if (mounted.status !== 0) return `${SMALL_DISK_MISSING}: mount was refused (${String(mounted.stderr).trim()})`;
  spawnSync('umount', [probe]);
  return null;
}

export class SmallDisk {
  private readonly filler: string;

  private constructor(readonly root: string) {
    this.filler = join(root, '.filler');
  }

  /** Mounts an empty tmpfs of `mib` MiB. */
  static mount(mib: number): SmallDisk {
    const root = makeTempFolder('ahs-small-disk-');
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${mib}m,mode=0700`, 'tmpfs', root], { encoding: 'utf8' });
    if (mounted.status !== 0) throw new Error(`mount failed: ${mounted.stderr}`);
    return new SmallDisk(root);
  }

  /**
   * Releases the filler and unmounts once the test is over: after the clean-up
   * registered before this call (hooks run in the order they are added), so an
   * app registered first has let go of the disk by then.
   */
  removeAfter(t: { after(fn: () => void): void }): this {
    t.after(() => {
      this.release();
      this.unmount();
    });
    return this;
  }

  /** Bytes an unprivileged writer could still write. */
  freeBytes(): number {
    const stats = statfsSync(this.root);
    return stats.bavail * stats.bsize;
  }

  /**
   * Takes all the free space but `leaveBytes`, with a filler file. Asynchronous,
   * so the event loop keeps turning: a server in the same process must not find
   * its keep-alive timers long expired when the next request reuses a socket.
   */
  async fill(leaveBytes = 0): Promise<void> {
    this.release();
    const file = await open(this.filler, 'w');
    try {
      const block = Buffer.alloc(1 << 20, 0x5a);
      for (;;) {
        const room = this.freeBytes() - leaveBytes;
        if (room <= 0) break;
        try {
          await file.write(block, 0, Math.min(block.length, room));
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw error;
        }
      }
      // A tmpfs counts in pages: give back what the last write took beyond the mark.
      const over = leaveBytes - this.freeBytes();
      if (over > 0) await file.truncate(Math.max(0, (await file.stat()).size - over));
    } finally {
      await file.close();
    }
  }

  /** Gives all the filler's space back. */
  release(): void {
    rmSync(this.filler, { force: true });
  }

  /** Unmounts; a disk still in use is detached lazily (and the test that left it in use fails). */
  unmount(): void {
    const result = spawnSync('umount', [this.root], { encoding: 'utf8' });
    if (result.status === 0) return;
    spawnSync('umount', ['-l', this.root]);
    throw new Error(`umount failed (something still uses the disk): ${result.stderr}`);
  }
}
