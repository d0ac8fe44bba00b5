// The container image (Containerfile), built with podman as `npm run image`
// builds it, then run as a NAS runs it: a data volume, the port published on
// 127.0.0.1, devices syncing through it with the test clients (a full upload
// and download of a real collection, a normal sync, a media sync), the health
// check, `stop` (exit 0), a new read-only container on the same volume,
// PUID/PGID ownership, and the users file edited while it runs. Skipped, with
// the reason, where podman is missing or not allowed (test/support/podman.ts);
// in CI these must run.
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { chownSync, copyFileSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { containerTest, IMAGE, onPath, PODMAN_WRAPPER, podman, podmanOk, runLong } from '../support/podman.js';
import { inCi } from '../support/chromium.js';
import { makeTempFolder } from '../support/temp-folder.js';
import { REAL_ANKI_FIXTURES } from '../support/real-anki-fixtures.js';
import { collectionContents, TestDevice } from '../support/test-device.js';
import { runNormalSync, type CollectionTransport } from '../support/normal-sync-client.js';
import { V11Client } from '../support/v11-client.js';
import { statusOf } from '../support/v11-transport.js';
import { createMediaDevice, v11MediaTransport } from '../support/media-server.js';
import { parseJson, stringifyJson } from '../../src-main/server/json.js';
import { REPO_ROOT } from '../support/fixture-paths.js';
import { freePort } from '../support/ports.js';

const USER = 'learner';
const PASSWORD = 'Correct-Horse-7';
/** Every password given to a container: none may appear in its log. */
const PASSWORDS = [PASSWORD, 'Carol-Secret-3', 'Bob-Secret-2'];
/** The image's fixed user, when PUID and PGID are not given. */
const DEFAULT_OWNER = { uid: 1000, gid: 1000 };
/** Failure guards only: a loaded machine is slow, and nothing here is timed. */
const READY_DEADLINE_MS = 90_000;

let containers = 0;

interface Container {
  readonly name: string;
  readonly url: string;
  logs(): string;
  /** Waits until the log matches, or fails once the container has stopped or the deadline passes. */
  logMatching(pattern: RegExp): Promise<void>;
  /** `podman stop` (SIGTERM, SIGKILL after 10 s), then the exit code. */
  stop(): number;
}

interface RunOptions {
  readonly data: string;
  readonly env?: Record<string, string>;
  /** Host folder mounted read-only at /config. */
  readonly config?: string;
  readonly readOnly?: boolean;
}

async function runContainer(t: TestContext, options: RunOptions): Promise<Container> {
  const name = `ahs-test-${process.pid}-${++containers}`;
  const args = ['run', '--detach', '--name', name, '--publish', '127.0.0.1::8080', '--volume', `${options.data}:/data`];
  if (options.config !== undefined) args.push('--volume', `${options.config}:/config:ro`);
  if (options.readOnly === true) args.push('--read-only', '--tmpfs', '/tmp');
  for (const [key, value] of Object.entries(options.env ?? {})) args.push('--env', `${key}=${value}`);
  podmanOk([...args, IMAGE]);
  t.after(() => podman(['rm', '--force', '--time', '0', name]));
  const port = /:(\d+)$/.exec(podmanOk(['port', name, '8080']))?.[1];
  assert.ok(port !== undefined, 'a published port');
  const logs = (): string => {
    const result = podman(['logs', name]);
    return result.stdout + result.stderr;
  };
  const container: Container = {
    name,
    url: `http://127.0.0.1:${port}/`,
    logs,
    async logMatching(pattern) {
      const deadline = Date.now() + READY_DEADLINE_MS;
      for (;;) {
        const text = logs();
        if (pattern.test(text)) return;
        const running = podmanOk(['inspect', '--format', '{{.State.Running}}', name]) === 'true';
        if (!running || Date.now() > deadline) assert.fail(`no ${pattern} in the log of ${name} (running: ${running}):\n${text}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    stop() {
      const started = Date.now();
      podmanOk(['stop', '--time', '10', name]);
      t.diagnostic(`${name} stopped ${((Date.now() - started) / 1000).toFixed(1)} s after SIGTERM`);
      return Number(podmanOk(['inspect', '--format', '{{.State.ExitCode}}', name]));
    },
  };
  await container.logMatching(/listening addr=0\.0\.0\.0:8080/);
  return container;
}

/** A folder for a container's /data. */
function dataFolder(prefix: string): string {
  const folder = join(makeTempFolder(prefix), 'data');
  mkdirSync(folder);
  return folder;
}

/** Every entry below `folder` (itself included) whose owner is not `owner`. */
function notOwnedBy(folder: string, owner: { uid: number; gid: number }): string[] {
  const wrong: string[] = [];
  const visit = (path: string): void => {
    const stats = lstatSync(path);
    if (stats.uid !== owner.uid || stats.gid !== owner.gid) wrong.push(`${path} ${stats.uid}:${stats.gid}`);
    if (stats.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(folder);
  return wrong;
}

/** A device: a copy of a real-Anki collection. */
function device(folder: string, name: string, fixture = 'v18-two-decks-16-notes.anki2'): TestDevice {
  const path = join(folder, `${name}.anki2`);
  copyFileSync(join(REAL_ANKI_FIXTURES, fixture), path);
  return new TestDevice(path);
}

/** Collection methods over v11 with lossless JSON, as the normal-sync harness sends them. */
function collectionTransport(client: V11Client): CollectionTransport {
  return { call: async (method, body) => parseJson((await client.raw('sync', method, stringifyJson(body))).toString('utf8')) };
}

async function loggedIn(url: string, user = USER, password = PASSWORD): Promise<V11Client> {
  const client = new V11Client(url);
  await client.login(user, password);
  return client;
}

async function loginStatus(url: string, user: string, password: string): Promise<number> {
  return statusOf(new V11Client(url).login(user, password));
}

/** The users file as an editor saves it: a new file renamed over the old, readable by the server's user. */
function writeUsersFile(folder: string, text: string): void {
  const temp = join(folder, `.users.txt.${Date.now()}`);
  writeFileSync(temp, text, { mode: 0o600 });
  chownSync(temp, DEFAULT_OWNER.uid, DEFAULT_OWNER.gid);
  renameSync(temp, join(folder, 'users.txt'));
}

/** The sum of the image's layers as a registry stores them (gzip), in bytes. */
function compressedSize(): number {
  const layout = makeTempFolder('ahs-image-layout-');
  podmanOk(['push', '--quiet', '--compression-format', 'gzip', IMAGE, `oci:${layout}:image`], { timeoutMs: 600_000 });
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  const blob = (digest: string): string => join(layout, 'blobs', ...digest.split(':'));
  const manifest = JSON.parse(readFileSync(blob(index.manifests[0]!.digest), 'utf8')) as { layers: { size: number }[] };
  return manifest.layers.reduce((sum, layer) => sum + layer.size, 0);
}

containerTest(
  'the container image: built with podman, then synced through, stopped, restarted and edited as a NAS runs it',
  { timeout: 30 * 60_000 },
  async (t) => {
    await t.test('npm run image builds it (the JavaScript is the one under test, built already)', async () => {
      const started = Date.now();
      const build = await runLong('bash', ['scripts/container/build-image.sh'], { ...process.env, AHS_IMAGE_SKIP_BUILD: '1' });
      assert.equal(build.status, 0, build.output.slice(-8000));
      t.diagnostic(`image built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    });

    await t.test('it is at most 100 MB compressed and holds only what runs', () => {
      const size = compressedSize();
      t.diagnostic(`image: ${(size / 1e6).toFixed(1)} MB compressed (${process.arch})`);
      assert.ok(size <= 100e6, `${size} bytes compressed`);
      const files = podmanOk(['run', '--rm', '--entrypoint', 'find', IMAGE, '/app', '-type', 'f']).split('\n');
      const modules = new Set(podmanOk(['run', '--rm', '--entrypoint', 'ls', IMAGE, '/app/node_modules']).split('\n'));
      assert.ok(files.includes('/app/dist/src-main/server/index.js') && files.includes('/app/native/build/Release/unicase.so'));
      assert.deepEqual(
        files.filter((file) => /\.(ts|cts|mts|map|c|cc|cpp|h|hpp|gyp|o|a)$/.test(file)),
        [],
        'no sources, maps or build leftovers',
      );
      assert.deepEqual(
        files.filter((file) =>
          /^\/app\/(src-main|src-renderer|test|bench|dist\/test|dist\/bench|dist\/src-main\/app|dist\/src-renderer)\//.test(file),
        ),
        [],
        'only the headless server',
      );
      for (const name of [
        'typescript',
        'electron',
        'electron-builder',
        'eslint',
        'electron-store',
        'electron-updater',
        'conf',
        'qrcode',
        'prebuild-install',
      ]) {
        assert.ok(!modules.has(name), `${name} is not in the image`);
      }
      const natives = files.filter((file) => file.endsWith('.node') || file.endsWith('.so'));
      const platform = `linux-${process.arch}`;
      assert.deepEqual(
        natives.filter((file) => /(darwin|win32|freebsd|musl|arm64|x64|armv7|arm)\b/.test(file) && !file.includes(platform)),
        [],
        `no other platform's addons (${natives.join(', ')})`,
      );
    });

    const devices = makeTempFolder('ahs-container-devices-');
    const data = dataFolder('ahs-container-data-');
    // The users file and its folder must be readable by the server's user, as README says.
    const config = makeTempFolder('ahs-container-config-');
    chownSync(config, DEFAULT_OWNER.uid, DEFAULT_OWNER.gid);
    writeUsersFile(config, '# the family\ncarol:Carol-Secret-3\n');
    const env = { SYNC_USER1: `${USER}:${PASSWORD}`, SYNC_USERS_FILE: '/config/users.txt' };
    const first = await runContainer(t, { data, config, env });
    const a = device(devices, 'a');
    let b: TestDevice | null = null;
    const media = createMediaDevice(v11MediaTransport(first.url, (await loggedIn(first.url)).hostKey), 'ahs-container-media-a-');
    t.after(() => {
      a.close();
      b?.close();
      media.remove();
    });

    await t.test('a full upload of a real collection, and a full download of it, through the published port', async () => {
      a.beforeUpload();
      assert.equal(await (await loggedIn(first.url)).fullUpload(a.path), 'OK');
      const fresh = device(devices, 'b', 'v18-empty-stock-notetypes.anki2');
      fresh.close();
      await (await loggedIn(first.url)).fullDownload(fresh.path);
      b = new TestDevice(fresh.path);
      assert.equal(b.integrityCheck(), 'ok');
      assert.deepEqual(collectionContents(b.db), collectionContents(a.db));
    });

    await t.test('a normal sync carries a new note from one device to the other', async () => {
      assert.ok(b !== null);
      a.addNote({ fields: ['from the container test', 'back'] });
      const sent = await runNormalSync(a.db, collectionTransport(await loggedIn(first.url)));
      assert.equal(sent.required.kind, 'normalSync');
      const received = await runNormalSync(b.db, collectionTransport(await loggedIn(first.url)));
      assert.equal(received.required.kind, 'normalSync');
      assert.deepEqual(collectionContents(b.db), collectionContents(a.db));
    });

    await t.test('a media sync uploads a file that a second device then downloads', async () => {
      media.addFile('container.png', Buffer.from('not really a picture'));
      await media.sync();
      const other = createMediaDevice(v11MediaTransport(first.url, (await loggedIn(first.url)).hostKey), 'ahs-container-media-b-');
      try {
        await other.sync();
        assert.equal(other.readFile('container.png').toString(), 'not really a picture');
      } finally {
        other.remove();
      }
    });

    await t.test('the health check passes', () => {
      assert.equal(podman(['healthcheck', 'run', first.name]).status, 0);
    });

    await t.test('editing the users file while it runs: the new account logs in, the removed one no longer does', async () => {
      assert.equal(await loginStatus(first.url, 'carol', 'Carol-Secret-3'), 200);
      writeUsersFile(config, '# carol moved out\nbob:Bob-Secret-2\n');
      await first.logMatching(/accounts changed from SYNC_USERS_FILE added=bob removed=carol/);
      assert.equal(await loginStatus(first.url, 'bob', 'Bob-Secret-2'), 200);
      assert.equal(await loginStatus(first.url, 'carol', 'Carol-Secret-3'), 403);
      assert.equal(await loginStatus(first.url, USER, PASSWORD), 200, 'SYNC_USER1 stays');
    });

    await t.test('stop (SIGTERM) drains and exits 0; the files on the volume belong to the fixed user', () => {
      assert.equal(first.stop(), 0, first.logs());
      assert.match(first.logs(), /Received SIGTERM; finishing requests in progress, then stopping\.[\s\S]*stopped/);
      assert.deepEqual(notOwnedBy(data, DEFAULT_OWNER), []);
    });

    await t.test('a new container, read-only, on the same volume finds the collection and the media', async () => {
      const second = await runContainer(t, { data, config, env, readOnly: true });
      const download = join(devices, 'c.anki2');
      await (await loggedIn(second.url)).fullDownload(download);
      const c = new TestDevice(download);
      try {
        assert.deepEqual(collectionContents(c.db), collectionContents(a.db));
      } finally {
        c.close();
      }
      const later = createMediaDevice(v11MediaTransport(second.url, (await loggedIn(second.url)).hostKey), 'ahs-container-media-c-');
      try {
        await later.sync();
        assert.equal(later.readFile('container.png').toString(), 'not really a picture');
      } finally {
        later.remove();
      }
      // Read-only everywhere but /data and /tmp: the server wrote nothing else.
      assert.equal(podman(['exec', second.name, 'touch', '/app/x']).status, 1);
      assert.equal(second.stop(), 0, second.logs());
      for (const container of [first, second]) {
        for (const password of PASSWORDS) assert.ok(!container.logs().includes(password), `a password in the log of ${container.name}`);
      }
    });

    await t.test('PUID and PGID: the server runs as them, and every file on the volume becomes theirs', async () => {
      const owned = dataFolder('ahs-container-puid-');
      // A volume carried over from elsewhere: files of other owners.
      mkdirSync(join(owned, 'old'));
      writeFileSync(join(owned, 'old', 'note.txt'), 'kept');
      chownSync(join(owned, 'old', 'note.txt'), 4242, 4242);
      const owner = { uid: 1234, gid: 2345 };
      const third = await runContainer(t, {
        data: owned,
        env: { SYNC_USER1: env.SYNC_USER1, PUID: String(owner.uid), PGID: String(owner.gid) },
      });
      const status = podmanOk(['exec', third.name, 'cat', '/proc/1/status']);
      assert.match(status, /^Uid:\s+1234\s+1234\s+1234\s+1234$/m);
      assert.match(status, /^Gid:\s+2345\s+2345\s+2345\s+2345$/m);
      assert.match(status, /^CapEff:\s+0+$/m, 'no capabilities left');
      a.beforeUpload();
      assert.equal(await (await loggedIn(third.url)).fullUpload(a.path), 'OK');
      assert.equal(third.stop(), 0, third.logs());
      assert.deepEqual(notOwnedBy(owned, owner), []);
      assert.equal(readFileSync(join(owned, 'old', 'note.txt'), 'utf8'), 'kept');
      assert.ok(readdirSync(join(owned, USER)).includes('collection.anki2'));
    });

    await t.test('the compose.yaml in the repository runs it: read-only, the users file, the data folder beside it', async (t) => {
      if (!onPath('podman-compose')) {
        // In CI (.ci/run installs it) this must run; elsewhere it says why it did not.
        if (inCi()) assert.fail('podman-compose is missing (apt-get install podman-compose)');
        t.skip('podman-compose not found (apt-get install podman-compose)');
        return;
      }
      const project = makeTempFolder('ahs-compose-');
      copyFileSync(join(REPO_ROOT, 'compose.yaml'), join(project, 'compose.yaml'));
      mkdirSync(join(project, 'data'));
      mkdirSync(join(project, 'config'));
      writeUsersFile(join(project, 'config'), 'dana:Dana-Secret-4\n');
      const name = `ahs-compose-${process.pid}`;
      const port = await freePort();
      const compose = (args: string[]): Promise<{ status: number | null; output: string }> =>
        runLong(
          'podman-compose',
          ['--podman-path', PODMAN_WRAPPER, '--project-name', name, '--file', join(project, 'compose.yaml'), ...args],
          {
            ...process.env,
            ANKI_HOME_SYNC_IMAGE: IMAGE,
            ANKI_HOME_SYNC_PORT: `127.0.0.1:${port}`,
          },
        );
      t.after(async () => {
        await compose(['down']);
        podman(['network', 'rm', '--force', `${name}_default`]);
      });
      const up = await compose(['up', '--detach']);
      assert.equal(up.status, 0, up.output);
      const container = `${name}_anki-home-sync_1`;
      const deadline = Date.now() + READY_DEADLINE_MS;
      while (!/listening addr=/.test(podman(['logs', container]).stdout)) {
        if (Date.now() > deadline) assert.fail(podman(['logs', container]).stdout);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      assert.equal(podmanOk(['inspect', '--format', '{{.HostConfig.ReadonlyRootfs}}', container]), 'true');
      const url = `http://127.0.0.1:${port}/`;
      const fresh = device(devices, 'compose');
      try {
        fresh.beforeUpload();
        assert.equal(await (await loggedIn(url, 'dana', 'Dana-Secret-4')).fullUpload(fresh.path), 'OK');
      } finally {
        fresh.close();
      }
      podmanOk(['stop', '--time', '10', container]);
      assert.equal(podmanOk(['inspect', '--format', '{{.State.ExitCode}}', container]), '0');
      assert.ok(readdirSync(join(project, 'data', 'dana')).includes('collection.anki2'));
      assert.deepEqual(notOwnedBy(join(project, 'data'), DEFAULT_OWNER), []);
    });
  },
);
