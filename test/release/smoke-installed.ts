// An installed app, started as a learner's system starts it (the release
// workflow runs this after installing the deb with apt, the NSIS installer
// silently, and from the AppImage and the mounted DMG as they are):
//   node dist/test/release/smoke-installed.js <the app's executable> [<version>]
// 1. With --remote-debugging-port and without the test switch, it refuses to
//    start: it exits non-zero and opens no DevTools port.
// 2. With a fresh profile holding one account, it starts its server, answers
//    /health and a login, writes "Anki Home Sync <version> started" to its log,
//    and exits 0 when a second launch asks it to quit (--quit).
// Never with --no-sandbox: on Linux the sandbox must work as installed.

import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loginAt, seedProfile, waitForHealth } from '../electron/app-profile.js';
import { freePort } from '../support/ports.js';
import { launchInstalled, quitInstalled, waitForLog, within } from './installed-app.js';
import { packageVersion } from './tag-version.js';
import { isMain } from './yaml.js';
import { makeTempFolder } from '../support/temp-folder.js';

export async function refusesRemoteDebugging(executable: string): Promise<void> {
  const profile = makeTempFolder('ahs-refuse-');
  try {
    const app = launchInstalled(executable, profile, ['--remote-debugging-port=0']);
    const { code } = await within(60_000, 'the app did not refuse --remote-debugging-port', app.exited);
    if (code === 0) throw new Error('the app started with --remote-debugging-port and no test switch');
    if (existsSync(join(profile, 'DevToolsActivePort'))) throw new Error('the app opened a DevTools port before refusing');
    if (process.platform !== 'win32' && !/does not start with --remote-debugging-port/.test(app.stderr())) {
      throw new Error(`the app did not say why it refused: ${app.stderr()}`);
    }
    console.log(`✔ refuses --remote-debugging-port without the test switch (exit ${code})`);
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

export async function answersAndQuits(executable: string, version: string): Promise<void> {
  const profile = makeTempFolder('ahs-smoke-');
  try {
    const port = await freePort();
    await seedProfile(profile, { port, users: [{ name: 'smoke', password: 'smoke-test-password' }] });
    const app = launchInstalled(executable, profile);
    try {
      const base = `http://127.0.0.1:${port}/`;
      await waitForHealth(base, 90_000);
      const key = await loginAt(base, 'smoke', 'smoke-test-password');
      if (!/^[0-9a-f]{40}$/.test(key)) throw new Error(`unexpected host key ${key}`);
      await waitForLog(profile, new RegExp(`Anki Home Sync ${version.replace(/\./g, '\\.')} started`), 10_000, app);
      console.log(`✔ ${executable} ${version}: /health and a login at ${base}`);
      const code = await quitInstalled(executable, profile, app);
      if (code !== 0) throw new Error(`exited with ${code} when asked to quit, not 0`);
      console.log('✔ quit (second launch with --quit): exit 0');
    } finally {
      if (app.child.exitCode === null) app.child.kill('SIGKILL');
    }
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  const [executable, version = packageVersion()] = process.argv.slice(2);
  if (executable === undefined) {
    console.error('usage: node dist/test/release/smoke-installed.js <app executable> [<version>]');
    process.exit(2);
  }
  try {
    await refusesRemoteDebugging(executable);
    await answersAndQuits(executable, version);
  } catch (error) {
    console.error(`✖ ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
