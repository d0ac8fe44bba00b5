// Proves that an installed app updates itself, on the release's runners:
//   node dist/test/release/update-proof.js config <out.yml>
//       writes the electron-builder config of an older build (a lower version)
//       whose updates come from a local `generic` server at UPDATE_PROOF_URL;
//       the workflow builds it with `--config <out.yml>` into release-old/.
//   node dist/test/release/update-proof.js run <nsis|appimage|mac> <old installer> <new release folder>
//       serves the new release's latest*.yml and files at UPDATE_PROOF_URL,
//       installs the older build as a user would (NSIS silently; the AppImage
//       as a file; the macOS app from its zip), starts it with an account and
//       update checks on, waits for the new version to be downloaded, quits it
//       (a second launch with --quit: the lifecycle installs on quit), waits for
//       the install, then starts the updated app: its log names the new version,
//       and the account still logs in.
// NSIS and the AppImage update unsigned; macOS (Squirrel) only when signed, so
// the workflow runs the mac proof only with the signing secrets.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, createReadStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { basename, join, normalize, resolve, sep } from 'node:path';
import { loginAt, seedProfile, waitForHealth } from '../electron/app-profile.js';
import { freePort } from '../support/ports.js';
import { REPO_ROOT } from '../support/fixture-paths.js';
import { launchInstalled, quitInstalled, waitForLog, within } from './installed-app.js';
import { packageVersion } from './tag-version.js';
import { dumpYaml, isMain, loadYaml } from './yaml.js';
import { makeTempFolder } from '../support/temp-folder.js';

/** Where the older build looks for updates: fixed, since it is built into that build. */
export const UPDATE_PROOF_PORT = 47613;
export const UPDATE_PROOF_URL = `http://127.0.0.1:${UPDATE_PROOF_PORT}/`;

/** A version lower than `version` (1.2.3 → 1.2.2, 1.2.0 → 1.1.0, 1.0.0 → 0.0.0), without a prerelease part. */
export function olderVersion(version: string): string {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (match === null) throw new Error(`"${version}" is not a version`);
  const [major, minor, patch] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (patch > 0) return `${major}.${minor}.${patch - 1}`;
  if (minor > 0) return `${major}.${minor - 1}.0`;
  if (major > 0) return `${major - 1}.0.0`;
  throw new Error(`there is no version below ${version}`);
}

/** electron-builder.yml, made into the older build's: lower version, updates from the local server, its own output folder. */
export function olderBuildConfig(root = REPO_ROOT, url = UPDATE_PROOF_URL): Record<string, unknown> {
  const config = loadYaml(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as Record<string, unknown>;
  const directories = (config['directories'] ?? {}) as Record<string, unknown>;
  return {
    ...config,
    directories: { ...directories, output: 'release-old' },
    extraMetadata: { version: olderVersion(packageVersion(root)) },
    publish: { provider: 'generic', url },
  };
}

/** Serves `folder` read-only, with single byte ranges (electron-updater falls back to a whole file otherwise). */
export function serveReleaseFolder(folder: string, port: number): Promise<Server> {
  const root = resolve(folder);
  const server = createServer((req, res) => {
    const path = normalize(join(root, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    console.log(`update server: ${req.method} ${req.url} ${req.headers.range ?? ''}`);
    if (!path.startsWith(root + sep) || !existsSync(path) || !statSync(path).isFile()) {
      res.writeHead(404).end();
      return;
    }
    const size = statSync(path).size;
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (range !== null) {
      const start = Number(range[1]);
      const end = range[2] === '' ? size - 1 : Math.min(Number(range[2]), size - 1);
      if (start > end) {
        res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
        return;
      }
      res.writeHead(206, { 'content-length': end - start + 1, 'content-range': `bytes ${start}-${end}/${size}`, 'accept-ranges': 'bytes' });
      createReadStream(path, { start, end }).pipe(res);
      return;
    }
    res.writeHead(200, { 'content-length': size, 'accept-ranges': 'bytes' });
    if (req.method === 'HEAD') res.end();
    else createReadStream(path).pipe(res);
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolvePromise(server));
  });
}

export type UpdateKind = 'nsis' | 'appimage' | 'mac';

interface Installed {
  readonly executable: string;
  /** True once the newer version has replaced the older one on disk. */
  updated(): boolean;
}

function sha512(path: string): string {
  return createHash('sha512').update(readFileSync(path)).digest('base64');
}

function install(kind: UpdateKind, installer: string, newFolder: string, newVersion: string, work: string): Installed {
  if (kind === 'nsis') {
    const dir = join(work, 'installed');
    const run = spawnSync(installer, ['/S', `/D=${dir}`], { stdio: 'inherit' });
    if (run.status !== 0) throw new Error(`the older installer exited with ${run.status}`);
    const updateConfig = join(dir, 'resources', 'app-update.yml');
    // The newer build's app-update.yml points at GitHub, the older one's at the local server.
    return { executable: join(dir, 'Anki Home Sync.exe'), updated: () => existsSync(updateConfig) && /provider: github/.test(readFileSync(updateConfig, 'utf8')) };
  }
  if (kind === 'appimage') {
    const file = join(work, 'anki-home-sync.AppImage');
    copyFileSync(installer, file);
    chmodSync(file, 0o755);
    const info = loadYaml(readFileSync(join(newFolder, 'latest-linux.yml'), 'utf8')) as { files: { url: string; sha512: string }[] };
    const newer = info.files.find((f) => f.url.endsWith('.AppImage'));
    if (newer === undefined) throw new Error('latest-linux.yml lists no AppImage');
    return { executable: file, updated: () => sha512(file) === newer.sha512 };
  }
  const dir = join(work, 'Applications');
  mkdirSync(dir, { recursive: true });
  const unzip = spawnSync('ditto', ['-x', '-k', installer, dir], { stdio: 'inherit' });
  if (unzip.status !== 0) throw new Error('ditto could not unpack the older zip');
  const app = join(dir, 'Anki Home Sync.app');
  const version = () =>
    spawnSync('/usr/libexec/PlistBuddy', ['-c', 'Print :CFBundleShortVersionString', join(app, 'Contents', 'Info.plist')], { encoding: 'utf8' }).stdout.trim();
  return { executable: join(app, 'Contents', 'MacOS', 'Anki Home Sync'), updated: () => version() === newVersion };
}

export async function proveUpdate(kind: UpdateKind, oldInstaller: string, newFolder: string): Promise<void> {
  const newVersion = packageVersion();
  const oldVersion = olderVersion(newVersion);
  const work = makeTempFolder('ahs-update-');
  const server = await serveReleaseFolder(newFolder, UPDATE_PROOF_PORT);
  try {
    const installed = install(kind, oldInstaller, newFolder, newVersion, work);
    if (installed.updated()) throw new Error('the older build already looks updated');
    const profile = join(work, 'profile');
    const port = await freePort();
    await seedProfile(profile, { port, users: [{ name: 'learner', password: 'update proof password' }], checkForUpdates: true });

    const old = launchInstalled(installed.executable, profile);
    await waitForLog(profile, new RegExp(`Anki Home Sync ${oldVersion.replace(/\./g, '\\.')} started`), 90_000, old);
    const ready = await waitForLog(profile, /version (\S+) is downloaded and ready to install/, 600_000, old);
    if (ready[1] !== newVersion) throw new Error(`downloaded version ${ready[1]}, not ${newVersion}`);
    console.log(`✔ ${oldVersion} found and downloaded ${newVersion} from ${UPDATE_PROOF_URL}`);
    const code = await quitInstalled(installed.executable, profile, old, 300_000);
    if (code !== 0) throw new Error(`the older app exited with ${code} on quit`);

    await within(
      600_000,
      'the update was not installed',
      (async () => {
        while (!installed.updated()) await new Promise((resolvePromise) => setTimeout(resolvePromise, 2_000));
      })(),
    );
    // An installer may still be finishing (NSIS removes the old uninstaller last).
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 10_000));
    console.log(`✔ installed on quit (${basename(installed.executable)})`);

    const updated = launchInstalled(installed.executable, profile);
    try {
      await waitForLog(profile, new RegExp(`Anki Home Sync ${newVersion.replace(/\./g, '\\.')} started`), 90_000, updated);
      const base = `http://127.0.0.1:${port}/`;
      await waitForHealth(base, 60_000);
      await loginAt(base, 'learner', 'update proof password');
      console.log(`✔ ${newVersion} starts, and the account made under ${oldVersion} still logs in`);
      const exit = await quitInstalled(installed.executable, profile, updated);
      if (exit !== 0) throw new Error(`the updated app exited with ${exit} on quit`);
    } finally {
      if (updated.child.exitCode === null) updated.child.kill('SIGKILL');
    }
  } finally {
    await new Promise((resolvePromise) => server.close(resolvePromise));
    rmSync(work, { recursive: true, force: true, maxRetries: 5 });
  }
}

if (isMain(import.meta.url)) {
  const [command, ...args] = process.argv.slice(2);
  try {
    if (command === 'config' && args[0] !== undefined) {
      writeFileSync(args[0], dumpYaml(olderBuildConfig()));
      console.log(`✔ ${args[0]}: version ${olderVersion(packageVersion())}, updates from ${UPDATE_PROOF_URL}`);
    } else if (command === 'run' && (args[0] === 'nsis' || args[0] === 'appimage' || args[0] === 'mac') && args[1] && args[2]) {
      await proveUpdate(args[0], args[1], args[2]);
    } else {
      console.error('usage: node dist/test/release/update-proof.js config <out.yml>\n       node dist/test/release/update-proof.js run <nsis|appimage|mac> <older installer> <new release folder>');
      process.exit(2);
    }
  } catch (error) {
    console.error(`✖ ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
