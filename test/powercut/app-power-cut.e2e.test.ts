// Power cuts under the app (issue 28): adding an account, renaming one, and
// restoring a snapshot, each acknowledged when the controller's promise resolves
// (the window then says it is done). After a cut right after that, the change
// is there; after a cut before it, the app starts on the old state or the new
// one, and no account loses its collection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { forgetfulFsUnavailable, type DurabilityModel } from '../support/powercut/forgetful-fs.js';
import { runPowerCuts, type CutOutcome, type PowerCutCase } from '../support/powercut/power-cut-runner.js';
import { startAppProcess, type AppProcess } from '../support/powercut/app-process.js';
import { V11Client } from '../support/v11-client.js';
import { TestDevice } from '../support/test-device.js';
import { collectionContent } from '../support/collection-rows.js';
import { REAL_ANKI_FIXTURES } from '../support/real-anki-fixtures.js';
import { makeTempFolder } from '../support/temp-folder.js';
import { freePort } from '../support/ports.js';

const unavailable = forgetfulFsUnavailable();
if (unavailable !== null) console.log(`﹣ ${unavailable}; the power-cut tests are skipped.`);

const FIXTURE = join(REAL_ANKI_FIXTURES, 'v18-two-decks-16-notes.anki2');
const devices = makeTempFolder('ahs-powercut-app-devices-');
let deviceCount = 0;

interface Account {
  readonly name: string;
  readonly hostKey: string;
}

const notesOf = (path: string): string[] => (collectionContent(path).notes as { flds: string }[]).map((n) => n.flds).sort();

function deviceWith(extraNotes: number): TestDevice {
  const path = join(devices, `device-${++deviceCount}.anki2`);
  copyFileSync(FIXTURE, path);
  const device = new TestDevice(path);
  for (let i = 0; i < extraNotes; i++) device.addNote({ fields: [`extra ${i}`, 'back'] });
  return device;
}

const fixtureNotes = (): string[] => {
  const device = deviceWith(0);
  device.close();
  return notesOf(device.path);
};

async function startApp(root: string): Promise<{ app: AppProcess; port: number }> {
  const app = await startAppProcess(root);
  const port = await app.send<number>({ type: 'start' });
  return { app, port };
}

const clientFor = (port: number, account: Account): V11Client => new V11Client(`http://127.0.0.1:${port}/`, { hostKey: account.hostKey });

async function upload(port: number, account: Account, device: TestDevice): Promise<void> {
  device.beforeUpload();
  assert.equal(await clientFor(port, account).fullUpload(device.path), 'OK');
}

async function download(port: number, account: Account): Promise<string[]> {
  const path = join(devices, `download-${++deviceCount}.anki2`);
  await clientFor(port, account).fullDownload(path);
  try {
    return notesOf(path);
  } finally {
    rmSync(path, { force: true });
  }
}

/** A new app with alice, who has uploaded `uploads` collections in turn (each with more notes than the last). */
async function setUpAlice(root: string, uploads: number): Promise<void> {
  const app = await startAppProcess(root);
  await app.send({ type: 'configure', port: await freePort() });
  await app.send({ type: 'addUser', name: 'alice', password: 'alice password' });
  const port = await app.send<number>({ type: 'start' });
  const [alice] = await app.send<Account[]>({ type: 'accounts' });
  for (let i = 0; i < uploads; i++) {
    const device = deviceWith(i * 2);
    await upload(port, alice!, device);
    device.close();
  }
  await app.quit();
}

/** Starts the app on what a cut left, hands its accounts and port to `body`, and quits. */
async function inspect<T>(root: string, body: (port: number, accounts: Account[]) => Promise<T>): Promise<T> {
  const { app, port } = await startApp(root);
  try {
    return await body(port, await app.send<Account[]>({ type: 'accounts' }));
  } finally {
    await app.quit();
  }
}

function appCase(parts: {
  setup: (root: string) => Promise<void>;
  act: (app: AppProcess) => Promise<void>;
  check: (root: string) => Promise<CutOutcome>;
}): PowerCutCase<AppProcess> {
  return {
    setup: parts.setup,
    start: async (root) => (await startApp(root)).app,
    act: parts.act,
    kill: (app) => app.kill(),
    check: parts.check,
  };
}

const cases: Record<string, () => PowerCutCase<AppProcess>> = {
  'adding an account': () =>
    appCase({
      setup: (root) => setUpAlice(root, 1),
      act: (app) => app.send({ type: 'addUser', name: 'bob', password: 'bob password' }),
      check: (root) =>
        inspect(root, async (port, accounts) => {
          const alice = accounts.find((account) => account.name === 'alice');
          assert.ok(alice, 'alice is still an account');
          assert.deepEqual(await download(port, alice), fixtureNotes(), "alice's collection is whole");
          const names = accounts.map((account) => account.name).sort();
          if (names.length === 1) return 'old';
          assert.deepEqual(names, ['alice', 'bob']);
          await new V11Client(`http://127.0.0.1:${port}/`).login('bob', 'bob password');
          return 'new';
        }),
    }),
  'renaming an account': () =>
    appCase({
      setup: (root) => setUpAlice(root, 1),
      act: (app) => app.send({ type: 'renameUser', from: 'alice', to: 'alicia' }),
      check: (root) =>
        inspect(root, async (port, accounts) => {
          assert.equal(accounts.length, 1, JSON.stringify(accounts));
          const [account] = accounts;
          assert.deepEqual(await download(port, account!), fixtureNotes(), `the collection is under ${account!.name}, whole`);
          assert.ok(account!.name === 'alice' || account!.name === 'alicia');
          return account!.name === 'alicia' ? 'new' : 'old';
        }),
    }),
  'restoring a snapshot': () => {
    const before = fixtureNotes();
    const after = (() => {
      const device = deviceWith(2);
      device.close();
      return notesOf(device.path);
    })();
    return appCase({
      setup: (root) => setUpAlice(root, 2),
      async act(app) {
        const snapshots = await app.send<{ id: string; kind: string }[]>({ type: 'snapshots', name: 'alice' });
        const kept = snapshots.filter((s) => s.kind === 'before-full-upload');
        assert.equal(kept.length, 1, 'the first upload was kept when the second replaced it');
        await app.send({ type: 'restoreSnapshot', name: 'alice', id: kept[0]!.id });
      },
      check: (root) =>
        inspect(root, async (port, accounts) => {
          const notes = await download(port, accounts[0]!);
          try {
            assert.deepEqual(notes, before);
            return 'new';
          } catch {
            assert.deepEqual(notes, after, 'the collection is the restored snapshot or the one it replaced');
            return 'old';
          }
        }),
    });
  },
};

for (const model of ['posix', 'ext4'] as const satisfies readonly DurabilityModel[]) {
  for (const [name, make] of Object.entries(cases)) {
    test(`power cut (${model}): ${name} in the app`, { skip: unavailable ?? false, timeout: 600_000 }, async (t) => {
      const report = await runPowerCuts(model, make());
      t.diagnostic(
        `${report.operations} operations to the answer; cuts before it: ${report.cuts.map((c) => `${c.at}:${c.outcome}`).join(' ')}`,
      );
    });
  }
}
