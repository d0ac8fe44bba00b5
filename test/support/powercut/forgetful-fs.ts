// The test side of forgetful_fs.py: mounts a file system that keeps only what
// was fsynced, arms a power cut at a chosen moment, and cuts. See the Python
// file for the two models (strict POSIX, and ext4's default behaviour).
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from '../fixture-paths.js';
import { makeTempFolder } from '../temp-folder.js';

export type DurabilityModel = 'posix' | 'ext4';

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(REPO_ROOT, 'test', 'support', 'powercut', 'forgetful_fs.py');

export const FUSE_MISSING = 'the power-cut tests need Linux, root, /dev/fuse and python3-fusepy (apt-get install python3-fusepy fuse3)';

/** Why the forgetful file system cannot be mounted here, or null when it can. */
export function forgetfulFsUnavailable(): string | null {
  if (process.platform !== 'linux') return `${FUSE_MISSING}: this is ${process.platform}`;
  if (process.getuid?.() !== 0) return `${FUSE_MISSING}: not running as root`;
  if (!existsSync('/dev/fuse')) return `${FUSE_MISSING}: /dev/fuse is missing`;
  const probe = spawnSync(PYTHON, ['-c', 'import fusepy'], { encoding: 'utf8' });
  if (probe.status !== 0) return `${FUSE_MISSING}: python3-fusepy is not installed`;
  return null;
}

type Reply = Record<string, unknown>;

export class ForgetfulFs {
  private readonly replies: ((reply: Reply) => void)[] = [];
  private readonly mountedWaiters: (() => void)[] = [];
  private stderr = '';
  private exited = false;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    /** Where the file system is mounted: the test's files go below it. */
    readonly root: string,
  ) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const message = JSON.parse(line) as Reply;
      if (message.event === 'mounted') this.mountedWaiters.shift()?.();
      else this.replies.shift()?.(message);
    });
    child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    child.on('exit', () => {
      this.exited = true;
      const failure = { error: `forgetful_fs exited: ${this.stderr.trim()}` };
      for (const reply of this.replies.splice(0)) reply(failure);
    });
  }

  /** Mounts an empty file system of `model` on a new temp folder. */
  static async mount(model: DurabilityModel): Promise<ForgetfulFs> {
    const mountpoint = makeTempFolder('ahs-powercut-');
    const child = spawn(PYTHON, [SCRIPT, model, mountpoint], { stdio: ['pipe', 'pipe', 'pipe'] });
    const fs = new ForgetfulFs(child, mountpoint);
    await fs.untilMounted();
    return fs;
  }

  private untilMounted(): Promise<void> {
    return new Promise((resolve, reject) => {
      // The unmount before a remount may wait up to 30 s for a killed process's files (forgetful_fs.py).
      const timer = setTimeout(() => reject(new Error(`forgetful_fs did not mount: ${this.stderr.trim()}`)), 60_000);
      this.mountedWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private async send(command: Reply): Promise<Reply> {
    if (this.exited) throw new Error(`forgetful_fs has exited: ${this.stderr.trim()}`);
    const reply = new Promise<Reply>((resolve) => this.replies.push(resolve));
    this.child.stdin.write(`${JSON.stringify(command)}\n`);
    const message = await reply;
    if (typeof message.error === 'string') throw new Error(message.error);
    return message;
  }

  /** The power goes just before the `at`-th changing operation from now (1 = the next one). */
  async arm(at: number): Promise<void> {
    await this.send({ cmd: 'arm', at });
  }

  /**
   * Changing operations (writes, renames, fsyncs…) since the last arm, and the
   * numbers of those that were fsyncs: only an fsync changes what is durable,
   * so cutting just before each of them (and after the last) reaches every
   * state a power cut can leave.
   */
  async operations(): Promise<{ ops: number; syncs: number[] }> {
    const reply = await this.send({ cmd: 'count' });
    return { ops: reply.ops as number, syncs: reply.syncs as number[] };
  }

  /** The power goes now: what is durable at this moment is what the next cut brings back. */
  async freeze(): Promise<void> {
    await this.send({ cmd: 'freeze' });
  }

  /**
   * Unmounts (every process must have closed its files), keeps only what was
   * durable at the armed or frozen moment (or now), and mounts that again.
   */
  async cut(): Promise<void> {
    await this.remount('cut');
  }

  /** Keeps the whole live state, as if it were all on disk, for restore(). */
  async save(): Promise<void> {
    await this.send({ cmd: 'save' });
  }

  /** Unmounts and mounts the state save() kept, so a case can run again from the same start. */
  async restore(): Promise<void> {
    await this.remount('restore');
  }

  private async remount(cmd: 'cut' | 'restore'): Promise<void> {
    if (this.exited) throw new Error(`forgetful_fs has exited: ${this.stderr.trim()}`);
    const mounted = this.untilMounted();
    this.child.stdin.write(`${JSON.stringify({ cmd })}\n`);
    await mounted;
  }

  /** Unmounts and stops; the file system's content is gone. Never hangs: past a minute it is killed and detached. */
  async close(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.write(`${JSON.stringify({ cmd: 'exit' })}\n`);
    this.child.stdin.end();
    const timer = setTimeout(() => {
      this.child.kill('SIGKILL');
      spawnSync('umount', ['-l', this.root]);
    }, 60_000);
    await exited;
    clearTimeout(timer);
  }
}
