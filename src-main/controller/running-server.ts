// The controller's one seam to the sync server: what it needs from a running
// server, and the starter that puts the real SyncServer (through the server's
// door) behind it. Keeping the seam this narrow keeps the controller's
// lifecycle logic readable.

import {
  SyncServer,
  silentLogger,
  type AccountSnapshots,
  type ActivityEvent,
  type CertificateStatus,
  type ClientSeen,
  type Logger,
  type NoticeTold,
  type ServerConfig,
  type SpaceView,
  type SyncProgress,
  type ToldDevices,
  type UserAccount,
} from '../server/index.js';
import { serveSnapshotControl } from '../control/snapshot-control.js';

export interface RunningServer {
  /** The port actually bound (differs from the config's only when it asked for 0). */
  readonly port: number;
  /** Takes effect for the next request; syncs in progress for other users carry on. */
  setUsers(users: readonly UserAccount[]): void | Promise<void>;
  /** Under the account's lock with its files closed, `moveFolder` runs, then the accounts become `users` (see SyncServer.renameUser). */
  renameUser(from: string, users: readonly UserAccount[], moveFolder: () => Promise<void>): Promise<void>;
  /** `work` under the account's lock with its files closed: nothing of its reads or writes meanwhile. */
  withUserFilesClosed<T>(username: string, work: () => Promise<T>): Promise<T>;
  /** The account's snapshots, taken and restored under its lock. */
  snapshots(username: string): AccountSnapshots;
  /** Accounts with a sync in progress right now. */
  syncing(): readonly string[];
  /** The HTTPS certificate served, or null over plain HTTP. */
  certificate(): CertificateStatus | null;
  /** How full the storage disk is. */
  storageSpace(): SpaceView;
  /** Who was told what inside Anki (meta's msg), newest first. */
  noticesTold?(): NoticeTold[];
  /** Devices that sync from now until it stops are told, once per version, that an update waits to restart the server. */
  announceUpdate?(version: string): void;
  /** Devices that sync from now until it stops are told, once per version, that the server stops for an update. */
  announceStopForUpdate?(version?: string): void;
  /** Stops accepting, lets in-flight syncs finish, closes every collection. */
  stop(): Promise<void>;
}

export interface ServerEvents {
  activity(event: ActivityEvent): void;
  progress(progress: SyncProgress): void;
  client(seen: ClientSeen): void;
  /** The storage disk became nearly full, refused a write, or has room again. */
  space(view: SpaceView): void;
  /** A device was told something inside Anki. */
  told?(): void;
  /** An account's snapshots changed (after its sync was answered, often). */
  snapshots?(username: string): void;
}

export type StartServer = (config: ServerConfig, events: ServerEvents) => Promise<RunningServer>;

export function syncServerStarter(logger?: Logger): StartServer {
  // A restart for a new setting is not a new event for the devices told.
  const toldDevices: ToldDevices = new Map();
  return async (config, events) => {
    const server = new SyncServer(config, { ...(logger ? { logger } : {}), toldDevices });
    server.on('activity', (event) => events.activity(event));
    server.on('progress', (progress) => events.progress(progress));
    server.on('client', (seen) => events.client(seen));
    server.on('space', (view) => events.space(view));
    server.on('told', () => events.told?.());
    server.on('snapshots', (username) => events.snapshots?.(username));
    const { port } = await server.start();
    // `anki-home-sync snapshots …` run beside the app reaches this server through it, as it does the headless one.
    const control = await serveSnapshotControl(config.baseFolder, (user) => server.snapshots(user), logger ?? silentLogger);
    return {
      port,
      setUsers: (users) => server.setUsers(users),
      renameUser: (from, users, moveFolder) => server.renameUser(from, users, moveFolder),
      withUserFilesClosed: (username, work) => server.withUserFilesClosed(username, work),
      snapshots: (username) => server.snapshots(username),
      syncing: () => server.syncing(),
      certificate: () => server.certificate(),
      storageSpace: () => server.storageSpace(),
      noticesTold: () => server.noticesTold(),
      announceUpdate: (version) => server.announceUpdate(version),
      announceStopForUpdate: (version) => server.announceStopForUpdate(version),
      stop: async () => {
        await control?.close();
        await server.stop();
      },
    };
  };
}
