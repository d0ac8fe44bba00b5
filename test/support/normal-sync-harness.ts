// Everything a normal-sync test needs: a real SyncServer on 127.0.0.1, one
// user, and devices (schema-18 collection files copied from the real-Anki
// fixtures) that log in, full-sync and normal-sync over real HTTP with the
// version-11 transport, exactly in the order the reference client does.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerConfig } from '../../src-main/server/config.js';
import { silentLogger } from '../../src-main/server/log.js';
import { SyncServer } from '../../src-main/server/server.js';
import { parseJson, stringifyJson, type JsonValue } from '../../src-main/server/storage/json.js';
import { openDatabase } from '../../src-main/server/storage/sqlite.js';
import { runNormalSync, type CollectionTransport, type NormalSyncResult } from './normal-sync-client.js';
import { REAL_ANKI_FIXTURES } from './real-anki-fixtures.js';
import { collectionContents, TestDevice, type CollectionContents } from './test-device.js';
import { newSessionKey, v11Request, v11RequestToFile } from './v11-transport.js';

export const USER = 'user';
export const PASSWORD = 'pass';
export const HOST_KEY = createHash('sha1').update(`${USER}:${PASSWORD}`).digest('hex');

export class SyncHarness {
  private readonly devices: TestDevice[] = [];
  private counter = 0;

  private constructor(
    readonly server: SyncServer,
    readonly url: string,
    readonly folder: string,
  ) {}

  static async start(): Promise<SyncHarness> {
    const folder = mkdtempSync(join(tmpdir(), 'ahs-normal-sync-'));
    const config: ServerConfig = {
      host: '127.0.0.1',
      port: 0,
      baseFolder: join(folder, 'server'),
      maxPayloadMegs: 100,
      users: [{ name: USER, secret: { kind: 'plain', password: PASSWORD }, hostKey: HOST_KEY }],
    };
    const server = new SyncServer(config, { logger: silentLogger });
    const { port } = await server.start();
    return new SyncHarness(server, `http://127.0.0.1:${port}/`, folder);
  }

  async stop(): Promise<void> {
    for (const device of this.devices) device.close();
    await this.server.stop();
    rmSync(this.folder, { recursive: true, force: true });
  }

  get serverCollectionPath(): string {
    return join(this.folder, 'server', USER, 'collection.anki2');
  }

  /** A device whose collection starts as a copy of a real-Anki fixture. */
  device(fixture = 'v18-two-decks-16-notes.anki2'): TestDevice {
    const path = join(this.folder, `device-${++this.counter}.anki2`);
    copyFileSync(join(REAL_ANKI_FIXTURES, fixture), path);
    const device = new TestDevice(path);
    this.devices.push(device);
    return device;
  }

  /** One client instance: a session key of its own, as the reference client picks one per sync. */
  transport(sessionKey = newSessionKey()): CollectionTransport & { sessionKey: string } {
    return {
      sessionKey,
      call: async (method, body) => {
        const reply = await v11Request(`${this.url}sync/${method}`, { k: HOST_KEY, s: sessionKey }, stringifyJson(body as JsonValue));
        return parseJson(reply.toString('utf8'));
      },
    };
  }

  sync(device: TestDevice): Promise<NormalSyncResult> {
    return runNormalSync(device.db, this.transport());
  }

  /** The client's before_upload, then `upload` of the file's bytes. */
  async fullUpload(device: TestDevice): Promise<string> {
    const db = device.db;
    db.transaction(() => {
      db.exec('DELETE FROM graves');
      for (const table of ['notes', 'cards', 'revlog']) db.exec(`UPDATE ${table} SET usn = 0 WHERE usn = -1`);
      for (const table of ['tags', 'deck_config', 'decks', 'notetypes']) db.exec(`UPDATE ${table} SET usn = 0 WHERE usn != 0`);
      const now = Date.now();
      db.prepare('UPDATE col SET usn = usn + 1, scm = ?, ls = ?, mod = ?').run(now, now, now);
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    const reply = await v11Request(`${this.url}sync/upload`, { k: HOST_KEY, s: newSessionKey() }, readFileSync(device.path));
    return reply.toString('utf8');
  }

  /** `download`, checked like the client checks it, then installed in place of the device's file. */
  async fullDownload(device: TestDevice): Promise<TestDevice> {
    const temp = `${device.path}.download`;
    await v11RequestToFile(`${this.url}sync/download`, { k: HOST_KEY, s: newSessionKey() }, '{"_pad":null}', temp);
    const check = openDatabase(temp);
    try {
      const result = check.pragma('integrity_check', { simple: true });
      if (result !== 'ok') throw new Error(`downloaded collection fails integrity_check: ${String(result)}`);
      check.exec('UPDATE col SET ls = mod');
    } finally {
      check.close();
    }
    device.close();
    rmSync(`${device.path}-wal`, { force: true });
    rmSync(`${device.path}-shm`, { force: true });
    renameSync(temp, device.path);
    const replaced = new TestDevice(device.path);
    this.devices[this.devices.indexOf(device)] = replaced;
    return replaced;
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
export async function twoDevicesInStep(harness: SyncHarness, fixture?: string): Promise<{ a: TestDevice; b: TestDevice }> {
  const a = harness.device(fixture);
  const uploaded = await harness.fullUpload(a);
  if (uploaded !== 'OK') throw new Error(`full upload refused: ${uploaded}`);
  const b = await harness.fullDownload(harness.device('v18-empty-stock-notetypes.anki2'));
  return { a, b };
}

/** Both devices and the server hold the same objects, and every file passes integrity_check. */
export function contentsOf(device: TestDevice): CollectionContents {
  return collectionContents(device.db);
}
