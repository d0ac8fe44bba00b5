// Podman for the container tests. Every call goes through
// scripts/container/podman.sh, which adds the runtime and limits our machines
// need, as `npm run image` does. The tests need rootful podman: the base is made
// by debootstrap, and PUID/PGID ownership is read on the host. Where podman is
// missing or not allowed they are skipped, with the reason; with CI=true they
// fail instead, so CI never passes them silently.
import { test, type TestContext, type TestOptions } from 'node:test';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './fixture-paths.js';
import { inCi } from './chromium.js';

/** What `npm run image` builds. */
export const IMAGE = 'localhost/anki-home-sync:test';

/** scripts/container/podman.sh, for tools that call podman themselves (podman-compose --podman-path). */
export const PODMAN_WRAPPER = join(REPO_ROOT, 'scripts', 'container', 'podman.sh');
const PACKAGES = 'apt-get install podman buildah runc debootstrap uidmap fuse-overlayfs slirp4netns';

export interface Result {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `podman <args>`, waited for; never throws on a non-zero status. */
export function podman(args: readonly string[], options: { input?: string; timeoutMs?: number } = {}): Result {
  const result = spawnSync('bash', [PODMAN_WRAPPER, ...args], {
    encoding: 'utf8',
    input: options.input,
    timeout: options.timeoutMs ?? 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `podman <args>`, which must succeed; its stdout, trimmed. */
export function podmanOk(args: readonly string[], options: { input?: string; timeoutMs?: number } = {}): string {
  const result = podman(args, options);
  if (result.status !== 0) throw new Error(`podman ${args.join(' ')} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout.trim();
}

/** A long command (the image build), without blocking this process; its status and combined output. */
export function runLong(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (status) => resolve({ status, output }));
  });
}

export function onPath(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** Why the container tests cannot run here, or null when they can. */
export function containerSkipReason(): string | null {
  if (process.platform !== 'linux') return 'the container tests run on Linux, with podman';
  if (!onPath('podman')) return `podman not found (Debian: ${PACKAGES})`;
  if (process.getuid?.() !== 0) return 'the container tests need root (rootful podman; the base image is made with debootstrap)';
  const info = podman(['info', '--format', '{{.Host.OCIRuntime.Name}}'], { timeoutMs: 60_000 });
  if (info.status !== 0) return `podman is not usable here: ${(info.stderr.trim().split('\n').pop() ?? '').slice(0, 200)}`;
  return null;
}

/**
 * A test that needs podman: skipped, with the reason, where it cannot run; in
 * CI it fails at once instead.
 */
export function containerTest(name: string, options: TestOptions, fn: (t: TestContext) => Promise<void>): void {
  const reason = containerSkipReason();
  if (reason !== null && !inCi()) {
    test(name, { ...options, skip: reason });
    return;
  }
  test(name, options, async (t) => {
    if (reason !== null) throw new Error(`${reason} (CI=true: the container tests must run)`);
    await fn(t);
  });
}
