// A real SyncServer on 127.0.0.1 with an ephemeral port and a temporary
// SYNC_BASE, for tests. Records the activity events it emits.
import { rmSync } from 'node:fs';
import { SyncServer } from '../../src-main/server/server.js';
import type { ServerConfig, UserAccount } from '../../src-main/server/config/config.js';
import type { ActivityEvent } from '../../src-main/server/protocol.js';
import type { UserPaths } from '../../src-main/server/storage/user-paths.js';
import { deriveHostKey } from '../../src-main/server/auth/host-key.js';
import { userPaths } from '../../src-main/server/storage/user-paths.js';
import { silentLogger, type Logger } from '../../src-main/server/report/log.js';
import type { LoginThrottleOptions } from '../../src-main/server/auth/login-throttle.js';
import { makeTempFolder } from './temp-folder.js';
import { V11Client } from './v11-client.js';
import type { WatcherOptions } from '../../src-main/server/reach/tls/certificate-watcher.js';

/** A plain-password account as SYNC_USERn=name:password would give. */
export function plainUser(name: string, password: string): UserAccount {
  return { name, secret: { kind: 'plain', password }, hostKey: deriveHostKey(`${name}:${password}`) };
}

export interface TestServer {
  readonly server: SyncServer;
  readonly baseUrl: string;
  readonly port: number;
  readonly baseFolder: string;
  readonly activity: ActivityEvent[];
  paths(username: string): UserPaths;
  /** Stops the server and removes SYNC_BASE. */
  close(): Promise<void>;
}

export interface TestServerOptions {
  readonly users?: readonly UserAccount[];
  readonly maxPayloadMegs?: number;
  readonly config?: Partial<ServerConfig>;
  /** Login throttling; by default its delays are shortened so that tests of wrong passwords stay quick. */
  readonly loginThrottle?: Partial<LoginThrottleOptions>;
  /** How the HTTPS certificate files are watched (when config.tls is set). */
  readonly certificateWatch?: WatcherOptions;
  /** Where the server's log lines go; nowhere by default. */
  readonly logger?: Logger;
}

/** The config of a test server: 127.0.0.1, a free port, SYNC_BASE at `baseFolder`. */
export function testServerConfig(
  baseFolder: string,
  options: Omit<TestServerOptions, 'loginThrottle' | 'certificateWatch' | 'logger'> = {},
): ServerConfig {
  return {
    host: '127.0.0.1',
    port: 0,
    baseFolder,
    maxPayloadMegs: options.maxPayloadMegs ?? 100,
    users: options.users ?? [plainUser('user', 'pass')],
    ...options.config,
  };
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const baseFolder = options.config?.baseFolder ?? makeTempFolder('ahs-server-');
  const config = testServerConfig(baseFolder, options);
  const server = new SyncServer(config, {
    logger: options.logger ?? silentLogger,
    shutdownGraceMs: 2_000,
    loginThrottle: options.loginThrottle ?? { baseDelayMs: 10, maxDelayMs: 100 },
    ...(options.certificateWatch ? { certificateWatch: options.certificateWatch } : {}),
  });
  const activity: ActivityEvent[] = [];
  server.on('activity', (event) => activity.push(event));
  const { port } = await server.start();
  return {
    server,
    port,
    baseUrl: `${config.tls ? 'https' : 'http'}://127.0.0.1:${port}/`,
    baseFolder,
    activity,
    paths: (username) => userPaths(baseFolder, username),
    close: async () => {
      await server.stop();
      rmSync(baseFolder, { recursive: true, force: true });
    },
  };
}

/** A test server and a v11 client logged in as its default user: where most sync tests begin. */
export async function startLoggedIn(options: TestServerOptions = {}): Promise<{ server: TestServer; client: V11Client }> {
  const server = await startTestServer(options);
  const client = new V11Client(server.baseUrl);
  await client.login('user', 'pass');
  return { server, client };
}
