// Everything a normal-sync test needs: a real SyncServer on 127.0.0.1, one
// user, and devices (schema-18 collection files copied from the real-Anki
// fixtures) that log in, full-sync and normal-sync over real HTTP with the
// version-11 transport, exactly in the order the reference client does.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJson, stringifyJson, type JsonValue } from '../../src-main/server/storage/json.js';
import { openDatabase } from '../../src-main/server/storage/sqlite.js';
import { runNormalSync, type CollectionTransport, type NormalSyncResult } from './normal-sync-client.js';
import { REAL_ANKI_FIXTURES } from './real-anki-fixtures.js';
import { collectionContents, TestDevice, type CollectionContents } from './test-device.js';
import { plainUser, startTestServer, type TestServer } from './test-server.js';
import { V11Client } from './v11-client.js';
import { newSessionKey } from './v11-transport.js';

export const USER = 'user';
export const PASSWORD = 'pass';
export const HOST_KEY = plainUser(USER, PASSWORD).hostKey;

export class SyncHarness {
  private readonly devices: TestDevice[] = [];
  private counter = 0;

  private constructor(
    readonly server: TestServer,
    readonly folder: string,
  ) {}

  static async start(): Promise<SyncHarness> {
    const server = await startTestServer({ users: [plainUser(USER, PASSWORD)] });
    return new SyncHarness(server, mkdtempSync(join(tmpdir(), 'ahs-devices-')));
  }

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
    this.devices.push(device);
    return device;
  }

  /** A logged-in client instance with a session key of its own. */
  client(sessionKey = newSessionKey()): V11Client {
    return new V11Client(this.url, { hostKey: HOST_KEY, sessionKey });
  }

  /** Collection methods with lossless JSON both ways (i64 values in notetypes and config stay exact). */
  transport(sessionKey = newSessionKey()): CollectionTransport & { sessionKey: string } {
    const client = this.client(sessionKey);
    return {
      sessionKey,
      call: async (method, body) => {
        const reply = await client.raw('sync', method, stringifyJson(body as JsonValue));
        return parseJson(reply.toString('utf8'));
      },
    };
  }

  sync(device: TestDevice): Promise<NormalSyncResult> {
    return runNormalSync(device.db, this.transport());
  }

  /** The client's before_upload, then `upload` of the file's bytes. */
  async fullUpload(device: TestDevice): Promise<string> {
    device.beforeUpload();
    return this.client().fullUpload(device.path);
  }

  /** `download`, checked and installed as the client does, in place of the device's file. */
  async fullDownload(device: TestDevice): Promise<TestDevice> {
    device.close();
    await this.client().fullDownload(device.path);
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
