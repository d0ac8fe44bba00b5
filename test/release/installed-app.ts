// Starting and stopping an installed app the way a learner's system does, for
// the release workflow's checks (smoke-installed.ts, drive-window.ts,
// update-proof.ts): a fresh profile (--user-data-dir), the app started from
// where it was installed, never with --no-sandbox, and quit by a second launch
// with --quit, which works the same on Windows, where there are no signals.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RunningInstalledApp {
  readonly child: ChildProcess;
  /** How the process ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** What it wrote to stderr, for messages. */
  stderr(): string;
}

export function launchInstalled(executable: string, profile: string, args: readonly string[] = []): RunningInstalledApp {
  const child = spawn(executable, [`--user-data-dir=${profile}`, ...args], { stdio: ['ignore', 'inherit', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    process.stderr.write(chunk);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, stderr: () => stderr };
}

/** Within `ms`, or throws `what`. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} within ${ms / 1000} s`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Quits the app running on `profile` as a script would: a second launch with
 * --quit, which hands the request to the running app and ends. Resolves with
 * the running app's exit code.
 */
export async function quitInstalled(executable: string, profile: string, running: RunningInstalledApp, timeoutMs = 120_000): Promise<number | null> {
  const second = launchInstalled(executable, profile, ['--quit']);
  await within(60_000, 'the second launch (--quit) did not end', second.exited);
  const { code, signal } = await within(timeoutMs, 'the app did not quit', running.exited);
  if (signal !== null) throw new Error(`the app ended by ${signal}`);
  return code;
}

export function logPath(profile: string): string {
  return join(profile, 'logs', 'anki-home-sync.log');
}

/** Waits for a line of the app's log (<profile>/logs/anki-home-sync.log) to match; returns the match. */
export async function waitForLog(profile: string, pattern: RegExp, timeoutMs: number, running?: RunningInstalledApp): Promise<RegExpExecArray> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const text = existsSync(logPath(profile)) ? readFileSync(logPath(profile), 'utf8') : '';
    const match = pattern.exec(text);
    if (match !== null) return match;
    if (running !== undefined && running.child.exitCode !== null) {
      throw new Error(`the app exited (${running.child.exitCode}) before its log said ${pattern}:\n${text}${running.stderr()}`);
    }
    if (Date.now() > until) throw new Error(`the log never said ${pattern} within ${timeoutMs / 1000} s:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
