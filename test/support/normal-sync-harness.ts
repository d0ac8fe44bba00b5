// Everything a normal-sync test needs: a real SyncServer on 127.0.0.1, one
// user, and devices (schema-18 collection files copied from the real-Anki
// fixtures) that log in, full-sync and normal-sync over real HTTP with the
// version-11 transport, exactly in the order the reference client does, or
// as a legacy client (sync-mode.ts): multipart + gzip, schema-11 full syncs.
import { copyFileSync, rmSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseJson, stringifyJson } from '../../src-main/server/json.js';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { openDatabase } from '../../src-main/server/storage/sqlite.js';
import { runNormalSync, type CollectionTransport, type NormalSyncResult } from './normal-sync-client.js';
import { REAL_ANKI_FIXTURES } from './real-anki-fixtures.js';
import { collectionContents, TestDevice, type CollectionContents } from './test-device.js';
import { plainUser, startTestServer, type TestServer, type TestServerOptions } from './test-server.js';
import { V11Client } from './v11-client.js';
import { newSessionKey } from './v11-transport.js';
import { syncModeFromEnv, type SyncMode } from './sync-mode.js';
import { LegacyClient } from './legacy-client.js';
import { downgradeFileToSchema11 } from '../../src-main/server/storage/schema/downgrade.js';
import { upgradeFileToSchema18 } from '../../src-main/server/storage/schema/upgrade.js';
import { makeTempFolder } from './temp-folder.js';

export const USER = 'user';
export const PASSWORD = 'pass';
export const HOST_KEY = plainUser(USER, PASSWORD).hostKey;

export class SyncHarness {
  private readonly devices: TestDevice[] = [];
  private counter = 0;

  private constructor(
    readonly server: TestServer,
    readonly folder: string,
    readonly mode: SyncMode,
  ) {}

  /** `server`: more accounts, a SYNC_BASE of the test's, a logger (the harness's account is always there). */
  static async start(mode: SyncMode = syncModeFromEnv(), server: TestServerOptions = {}): Promise<SyncHarness> {
    const started = await startTestServer({ ...server, users: [plainUser(USER, PASSWORD), ...(server.users ?? [])] });
    return new SyncHarness(started, makeTempFolder('ahs-devices-'), mode);
  }

  /**
   * The same server and device folder, with devices speaking as `mode`: one
   * user's devices on different client versions. Stop only the original.
   */
  forMode(mode: SyncMode): SyncHarness {
    const view = new SyncHarness(this.server, this.folder, mode);
    view.counter = 1000 * ++this.views;
    return view;
  }
  private views = 0;

  get url(): string {
    return this.server.baseUrl;
  }

  async stop(): Promise<void> {
    for (const device of this.devices) device.close();
    await this.server.close();
    rmSync(this.folder, { recursive: true, force: true });
  }

  get serverCollectionPath(): string {
    return this.server.paths(USER).collection;
  }

  /** A device whose collection starts as a copy of a real-Anki fixture. */
  device(fixture = 'v18-two-decks-16-notes.anki2'): TestDevice {
    const path = join(this.folder, `device-${++this.counter}.anki2`);
    copyFileSync(join(REAL_ANKI_FIXTURES, fixture), path);
    const device = new TestDevice(path);
    if (this.mode.kind === 'legacy' && this.mode.protocol.syncVersion < 10) {
      // A client before version 10 has no v2 timezone: its collections never carry creationOffset.
      device.db.prepare("DELETE FROM config WHERE KEY = 'creationOffset'").run();
    }
    this.devices.push(device);
    return device;
  }

  /** A logged-in client instance with a session key of its own. */
  client(sessionKey = newSessionKey()): V11Client {
    return new V11Client(this.url, { hostKey: HOST_KEY, sessionKey });
  }

  /** Collection methods with lossless JSON both ways (i64 values in notetypes and config stay exact). */
  transport(sessionKey = newSessionKey()): CollectionTransport & { sessionKey: string } {
    if (this.mode.kind === 'legacy') {
      const legacy = this.legacyClient(sessionKey);
      return { sessionKey, call: (method, body) => legacy.call(method, body) };
    }
    const client = this.client(sessionKey);
    return {
      sessionKey,
      call: async (method, body) => {
        const reply = await client.raw('sync', method, stringifyJson(body));
        return parseJson(reply.toString('utf8'));
      },
    };
  }

  /** A legacy client of this harness's mode (only in a legacy mode). */
  legacyClient(sessionKey?: string): LegacyClient {
    if (this.mode.kind !== 'legacy') throw new Error('not a legacy harness');
    return new LegacyClient(this.url, {
      hostKey: HOST_KEY,
      style: this.mode.style,
      syncVersion: this.mode.protocol.syncVersion,
      ...(sessionKey === undefined ? {} : { sessionKey }),
    });
  }

  sync(device: TestDevice): Promise<NormalSyncResult> {
    const protocol = this.mode.kind === 'legacy' ? this.mode.protocol : {};
    return runNormalSync(device.db, this.transport(), undefined, protocol);
  }

  /** The client's before_upload, then `upload` of the file's bytes. */
  async fullUpload(device: TestDevice): Promise<string> {
    device.beforeUpload();
    if (this.mode.kind === 'v11') return this.client().fullUpload(device.path);
    // A legacy client holds and uploads schema 11.
    const copy = join(this.folder, `upload-${++this.counter}.anki2`);
    copyFileSync(device.path, copy);
    try {
      downgradeFileToSchema11(copy);
      return await this.legacyClient().fullUpload(copy);
    } finally {
      await rm(copy, { force: true });
    }
  }

  /** `download`, checked and installed as the client does, in place of the device's file. */
  async fullDownload(device: TestDevice): Promise<TestDevice> {
    device.close();
    if (this.mode.kind === 'v11') await this.client().fullDownload(device.path);
    else await this.legacyFullDownload(device.path);
    const replaced = new TestDevice(device.path);
    this.devices[this.devices.indexOf(device)] = replaced;
    return replaced;
  }

  /**
   * A legacy download: the file must be schema 11 in DELETE journal mode and
   * pass integrity_check with plain SQLite (old clients have no unicase); the
   * test device then keeps it as schema 18, upgraded as the Rust client would.
   */
  private async legacyFullDownload(path: string): Promise<void> {
    const temp = join(this.folder, `download-${++this.counter}.anki2`);
    try {
      const bytes = await this.legacyClient().fullDownload(temp);
      if (bytes[18] !== 1 || bytes[19] !== 1) throw new Error(`legacy download in WAL mode (header ${bytes[18]}/${bytes[19]})`);
      const plain = new Database(temp, { fileMustExist: true });
      try {
        const ver = plain.prepare('SELECT ver FROM col').pluck().get();
        if (ver !== 11) throw new Error(`legacy download is schema ${String(ver)}`);
        const check = plain.pragma('integrity_check', { simple: true });
        if (check !== 'ok') throw new Error(`legacy download fails integrity_check: ${String(check)}`);
      } finally {
        plain.close();
      }
      upgradeFileToSchema18(temp, { server: false });
      const db = openDatabase(temp, { fileMustExist: true });
      try {
        db.exec('UPDATE col SET ls = mod');
      } finally {
        db.close();
      }
      await rename(temp, path);
      for (const suffix of ['-wal', '-shm']) await rm(`${path}${suffix}`, { force: true });
    } finally {
      for (const suffix of ['', '-journal', '-wal', '-shm']) await rm(`${temp}${suffix}`, { force: true });
    }
  }

  /** Every device holds what the server holds, and every file passes integrity_check. */
  assertConverged(...devices: TestDevice[]): void {
    const server = this.serverContents();
    assert.equal(server.integrity, 'ok');
    const { integrity: _i, col: _c, ...serverObjects } = server;
    for (const device of devices) {
      assert.equal(device.integrityCheck(), 'ok');
      assert.deepEqual(contentsOf(device), serverObjects);
    }
  }

  /** What the server holds, read through a second connection (committed data only). */
  serverContents(): CollectionContents & { integrity: string; col: { mod: number; usn: number; scm: number; ls: number } } {
    const db = openDatabase(this.serverCollectionPath, { readonly: true });
    try {
      return {
        ...collectionContents(db),
        integrity: db.pragma('integrity_check', { simple: true }) as string,
        col: db.prepare('SELECT mod, usn, scm, ls FROM col').get() as never,
      };
    } finally {
      db.close();
    }
  }
}

/**
 * The usual starting point: device A (a real-Anki collection) uploads it, and
 * device B, starting from an unrelated copy, downloads it. Both are then in
 * step with the server, and every change after this travels by normal sync.
 */
export async function twoDevicesInStep(
  harness: SyncHarness,
  options: { fixture?: string; thenSync?: readonly ('a' | 'b')[] } = {},
): Promise<{ a: TestDevice; b: TestDevice }> {
  const a = harness.device(options.fixture);
  const uploaded = await harness.fullUpload(a);
  if (uploaded !== 'OK') throw new Error(`full upload refused: ${uploaded}`);
  const b = await harness.fullDownload(harness.device('v18-empty-stock-notetypes.anki2'));
  const devices = { a, b };
  for (const name of options.thenSync ?? []) await harness.sync(devices[name]);
  return devices;
}

/** Both devices and the server hold the same objects, and every file passes integrity_check. */
export function contentsOf(device: TestDevice): CollectionContents {
  return collectionContents(device.db);
}
