// A real SyncServer for media tests, plus devices: media clients with their own
// folders, talking v11 to it over HTTP.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { UserPaths } from '../../src-main/server/storage/user-paths.js';
import { MediaApi, MediaHttpError, type MediaMethod, type MediaTransport } from './media-api.js';
import { MediaClient } from './media-client.js';
import { legacyMediaTransport } from './legacy-media-transport.js';
import { mediaModeFromEnv } from './sync-mode.js';
import { plainUser, startTestServer, type TestServer, type TestServerOptions } from './test-server.js';
import { SyncHttpError, v11Request, TEST_CLIENT_VERSION } from './v11-transport.js';
import { makeTempFolder } from './temp-folder.js';

/** /msync/<method> over v11 (anki-sync header, zstd both ways), as 2.1.57+ clients send it. */
export function v11MediaTransport(baseUrl: string, hostKey: string): MediaTransport {
  return {
    async call(method: MediaMethod, payload: Buffer): Promise<Buffer> {
      try {
        return await v11Request(new URL(`msync/${method}`, baseUrl).toString(), { k: hostKey, s: '', c: TEST_CLIENT_VERSION }, payload);
      } catch (error) {
        if (error instanceof SyncHttpError) throw new MediaHttpError(error.status, error.body);
        throw error;
      }
    },
  };
}

export type MediaDevice = MediaClient & { remove(): void };

/** A device with an empty media folder and a fresh client media database, in a new temp folder named from `namePrefix`. */
export function createMediaDevice(transport: MediaTransport, namePrefix = 'ahs-device-', parent?: string): MediaDevice {
  const dir = makeTempFolder(namePrefix, parent);
  const client = new MediaClient(join(dir, 'collection.media'), join(dir, 'collection.media.db'), transport) as MediaDevice;
  client.remove = () => {
    client.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return client;
}

export interface MediaTestServer {
  readonly test: TestServer;
  readonly baseUrl: string;
  readonly baseFolder: string;
  /** The media user's host key (`user`/`pass`). */
  readonly hostKey: string;
  /** The media user's folders on the server. */
  readonly paths: UserPaths;
  transport(hostKey?: string): MediaTransport;
  api(hostKey?: string): MediaApi;
  /** A device logged in as the media user; removed on stop(). */
  device(name: string): MediaDevice;
  stop(): Promise<void>;
}

export async function startMediaServer(options: TestServerOptions = {}): Promise<MediaTestServer> {
  const user = plainUser('user', 'pass');
  const test = await startTestServer({ users: [user], ...options });
  const devices: MediaDevice[] = [];
  const mode = mediaModeFromEnv();
  const transport = (hostKey = user.hostKey): MediaTransport =>
    mode === 'v11'
      ? v11MediaTransport(test.baseUrl, hostKey)
      : legacyMediaTransport(test.baseUrl, hostKey, { rustMedia: mode === 'legacy-rust' });
  return {
    test,
    baseUrl: test.baseUrl,
    baseFolder: test.baseFolder,
    hostKey: user.hostKey,
    paths: test.paths(user.name),
    transport,
    api: (hostKey) => new MediaApi(transport(hostKey)),
    device(name) {
      const device = createMediaDevice(transport(), `ahs-device-${name}-`);
      devices.push(device);
      return device;
    },
    async stop() {
      for (const device of devices) device.remove();
      await test.close();
    },
  };
}

/** Runs `body` against a fresh server, stopping it (and its devices) afterwards. */
export async function withMediaServer(body: (server: MediaTestServer) => Promise<void>): Promise<void> {
  const server = await startMediaServer();
  try {
    await body(server);
  } finally {
    await server.stop();
  }
}
