// Power cuts under the real server (issue 28): on a file system that keeps only
// what was fsynced, each acknowledged write is cut right after its answer (what
// it acknowledged must be there) and just before each fsync on the way to it
// (the old state or the new one, whole, and the server starts). Strict POSIX
// and ext4's default behaviour are both tried.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { forgetfulFsUnavailable, type DurabilityModel } from '../support/powercut/forgetful-fs.js';
import { runPowerCuts, type CutOutcome, type PowerCutCase, type PowerCutReport } from '../support/powercut/power-cut-runner.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { plainUser } from '../support/test-server.js';
import { V11Client } from '../support/v11-client.js';
import { TestDevice } from '../support/test-device.js';
import { collectionContent } from '../support/collection-rows.js';
import { REAL_ANKI_FIXTURES } from '../support/real-anki-fixtures.js';
import { makeTempFolder } from '../support/temp-folder.js';
import { runNormalSync } from '../support/normal-sync-client.js';
import { parseJson, stringifyJson } from '../../src-main/server/json.js';
import { MediaApi } from '../support/media-api.js';
import { v11MediaTransport } from '../support/media-server.js';
import { buildUploadZip, type UploadEntry } from '../support/media-zips.js';
import { openDatabase } from '../../src-main/server/storage/sqlite.js';
import { STAGING_PREFIX } from '../../src-main/server/media/upload/read-upload-zip.js';

const unavailable = forgetfulFsUnavailable();
if (unavailable !== null) console.log(`﹣ ${unavailable}; the power-cut tests are skipped.`);

const USER = plainUser('alice', 'correct horse');
const FIXTURE = join(REAL_ANKI_FIXTURES, 'v18-two-decks-16-notes.anki2');
const devices = makeTempFolder('ahs-powercut-devices-');
let deviceCount = 0;

const baseOf = (root: string): string => join(root, 'base');
const userFolderOf = (root: string): string => join(baseOf(root), USER.name);

function startServer(root: string): Promise<ServerProcess> {
  return startServerProcess({ users: [USER], baseFolder: baseOf(root) });
}

function clientOf(server: ServerProcess): V11Client {
  return new V11Client(server.baseUrl, { hostKey: USER.hostKey });
}

/** A device whose collection is a copy of `from`: the fixture, or a saved device. */
function deviceFrom(from = FIXTURE): TestDevice {
  const path = join(devices, `device-${++deviceCount}.anki2`);
  copyFileSync(from, path);
  return new TestDevice(path);
}

/** The notes' fields, sorted: what must match exactly, old or new. */
function notesOf(path: string): string[] {
  return (collectionContent(path).notes as { flds: string }[]).map((n) => n.flds).sort();
}

function addNotes(device: TestDevice, prefix: string): void {
  for (let i = 0; i < 3; i++) device.addNote({ fields: [`${prefix} ${i}`, 'back'] });
}

/** Starts the server on what a cut left, downloads the collection (integrity-checked as the client does), and stops. */
async function serverNotes(root: string): Promise<string[]> {
  const server = await startServer(root);
  try {
    const path = join(devices, `download-${++deviceCount}.anki2`);
    await clientOf(server).fullDownload(path);
    try {
      return notesOf(path);
    } finally {
      rmSync(path, { force: true });
    }
  } finally {
    await server.stop();
  }
}

function outcomeOf(actual: unknown, old: unknown, fresh: unknown, what: string): CutOutcome {
  try {
    assert.deepEqual(actual, fresh);
    return 'new';
  } catch {
    assert.deepEqual(actual, old, `${what}: neither the state before the write nor the one it acknowledged`);
    return 'old';
  }
}

/** The parts every server case shares: the server is started, killed and checked the same way. */
function serverCase(parts: {
  setup: (root: string) => Promise<void>;
  act: (server: ServerProcess) => Promise<void>;
  check: (root: string) => Promise<CutOutcome>;
}): PowerCutCase<ServerProcess> {
  return {
    setup: parts.setup,
    start: startServer,
    act: (server) => parts.act(server),
    kill: (server) => server.kill(),
    check: parts.check,
  };
}

async function uploaded(device: TestDevice, server: ServerProcess): Promise<void> {
  device.beforeUpload();
  const answer = await clientOf(server).fullUpload(device.path);
  assert.equal(answer, 'OK');
}

/** A full upload of a collection with three more notes over the fixture's. */
function fullUploadCase(): PowerCutCase<ServerProcess> {
  const first = deviceFrom();
  const second = deviceFrom();
  addNotes(second, 'uploaded');
  first.close();
  second.close();
  const oldNotes = notesOf(first.path);
  const newNotes = notesOf(second.path);
  return serverCase({
    async setup(root) {
      const server = await startServer(root);
      const device = deviceFrom(first.path);
      await uploaded(device, server);
      device.close();
      await server.stop();
    },
    async act(server) {
      const device = deviceFrom(second.path);
      try {
        await uploaded(device, server);
      } finally {
        device.close();
      }
    },
    check: async (root) => outcomeOf(await serverNotes(root), oldNotes, newNotes, 'collection'),
  });
}

/** The first upload on a SYNC_BASE that does not exist yet: the server makes it at start, then the upload lands. */
function firstUploadCase(): PowerCutCase<ServerProcess> {
  const device = deviceFrom();
  device.close();
  const newNotes = notesOf(device.path);
  return serverCase({
    setup: async () => undefined,
    async act(server) {
      const copy = deviceFrom(device.path);
      try {
        await uploaded(copy, server);
      } finally {
        copy.close();
      }
    },
    check: async (root) => outcomeOf(await serverNotes(root), [], newNotes, 'collection'),
  });
}

/** A normal sync that adds three notes to a collection the device is in step with. */
function normalSyncCase(): PowerCutCase<ServerProcess> {
  let inStep = '';
  let oldNotes: string[] = [];
  let newNotes: string[] = [];
  return serverCase({
    async setup(root) {
      const server = await startServer(root);
      const device = deviceFrom();
      await uploaded(device, server);
      device.close();
      await server.stop();
      inStep = device.path;
      oldNotes = notesOf(inStep);
      const preview = deviceFrom(inStep);
      addNotes(preview, 'synced');
      preview.close();
      newNotes = notesOf(preview.path);
    },
    async act(server) {
      const device = deviceFrom(inStep);
      try {
        addNotes(device, 'synced');
        const client = clientOf(server);
        const result = await runNormalSync(device.db, {
          call: async (method, body) => parseJson((await client.raw('sync', method, stringifyJson(body))).toString('utf8')),
        });
        assert.equal(result.required.kind, 'normalSync');
      } finally {
        device.close();
      }
    },
    check: async (root) => outcomeOf(await serverNotes(root), oldNotes, newNotes, 'collection'),
  });
}

// ---- media ------------------------------------------------------------

const sha1 = (data: Buffer): string => createHash('sha1').update(data).digest('hex');
const media = (name: string): Buffer => Buffer.from(`the bytes of ${name}, ${'x'.repeat(200)}`);

/** The live files as media.db and media/ hold them, after the server started on them (its recovery done) and stopped. */
function mediaOnDisk(root: string): Record<string, string> {
  const folder = join(userFolderOf(root), 'media');
  const db = openDatabase(join(userFolderOf(root), 'media.db'), { readonly: true, fileMustExist: true });
  let rows: { fname: string; sha1: string }[];
  try {
    rows = db.prepare('SELECT fname, lower(hex(csum)) AS sha1 FROM media WHERE size > 0 ORDER BY fname').all() as never;
  } finally {
    db.close();
  }
  const files = readdirSync(folder).filter((name) => !name.startsWith(STAGING_PREFIX));
  assert.deepEqual(files.sort(), rows.map((row) => row.fname).sort(), 'media/ holds exactly the live rows of media.db');
  assert.deepEqual(
    readdirSync(folder).filter((name) => name.startsWith(STAGING_PREFIX)),
    [],
    'the start-up recovery removed every staging folder',
  );
  for (const row of rows) assert.equal(sha1(readFileSync(join(folder, row.fname))), row.sha1, `${row.fname} holds what its row says`);
  return Object.fromEntries(rows.map((row) => [row.fname, row.sha1]));
}

/** What a client sees: the live files by mediaChanges, each downloaded and hashed. */
async function mediaServed(server: ServerProcess): Promise<Record<string, string>> {
  const api = new MediaApi(v11MediaTransport(server.baseUrl, USER.hostKey));
  await api.begin();
  const live = new Map<string, string>();
  for (let usn = 0; ;) {
    const changes = await api.mediaChanges(usn);
    if (changes.length === 0) break;
    for (const [fname, changeUsn, hash] of changes) {
      if (hash === '') live.delete(fname);
      else live.set(fname, hash);
      usn = Math.max(usn, changeUsn);
    }
  }
  return Object.fromEntries([...live].sort());
}

function mediaCase(before: readonly UploadEntry[], change: readonly UploadEntry[]): PowerCutCase<ServerProcess> {
  const stateAfter = (entries: readonly UploadEntry[], start: Record<string, string>): Record<string, string> => {
    const state = { ...start };
    for (const [fname, data] of entries) {
      if (data === null) delete state[fname];
      else state[fname] = sha1(data);
    }
    return Object.fromEntries(Object.entries(state).sort());
  };
  const oldState = stateAfter(before, {});
  const newState = stateAfter(change, oldState);
  const upload = async (server: ServerProcess, entries: readonly UploadEntry[]): Promise<void> => {
    const api = new MediaApi(v11MediaTransport(server.baseUrl, USER.hostKey));
    const { usn } = await api.begin();
    const { processed, currentUsn } = await api.uploadChanges(await buildUploadZip(entries));
    assert.equal(processed, entries.length);
    assert.ok(currentUsn > usn);
  };
  return serverCase({
    async setup(root) {
      const server = await startServer(root);
      await upload(server, before);
      await server.stop();
    },
    act: (server) => upload(server, change),
    async check(root) {
      const server = await startServer(root);
      let served: Record<string, string>;
      try {
        served = await mediaServed(server);
      } finally {
        await server.stop();
      }
      const onDisk = mediaOnDisk(root);
      assert.deepEqual(served, onDisk, 'what clients are told is what the disk holds');
      return outcomeOf(onDisk, oldState, newState, 'media');
    },
  });
}

const startingMedia: UploadEntry[] = ['a.jpg', 'b.mp3', 'c.png'].map((name) => [name, media(name)]);

const cases: Record<string, () => PowerCutCase<ServerProcess>> = {
  'a full upload over a collection': fullUploadCase,
  'the first upload on a new SYNC_BASE': firstUploadCase,
  'a normal sync that adds notes': normalSyncCase,
  'a media upload (two new files, one replaced)': () =>
    mediaCase(startingMedia, [
      ['d.jpg', media('d.jpg')],
      ['b.mp3', media('b.mp3, second version')],
      ['e.ogg', media('e.ogg')],
    ]),
  'a media deletion': () =>
    mediaCase(startingMedia, [
      ['a.jpg', null],
      ['c.png', null],
    ]),
};

function describe(report: PowerCutReport): string {
  return report.cuts.map((cut) => `${cut.at}:${cut.outcome}`).join(' ');
}

for (const model of ['posix', 'ext4'] as const satisfies readonly DurabilityModel[]) {
  for (const [name, make] of Object.entries(cases)) {
    test(`power cut (${model}): ${name}`, { skip: unavailable ?? false, timeout: 600_000 }, async (t) => {
      const report = await runPowerCuts(model, make());
      t.diagnostic(`${report.operations} operations to the answer; cuts before it: ${describe(report)}`);
    });
  }
}

// That the harness can fail at all is checked by test/powercut/forgetful-fs.e2e.test.ts.
