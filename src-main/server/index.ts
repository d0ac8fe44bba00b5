// The sync server's only door. The headless command (cli.ts), the app's
// controller, its settings, its Electron glue and the benches import from here
// and nowhere deeper (test/app/server-door.test.ts fails otherwise), as Mockoon's core
// exposes itself through one index. Everything below server/ may change shape
// without them noticing.

// The server itself.
export { SyncServer, ServerStartError, payloadLimits } from './server.js';
export type { SyncServerOptions, SyncServerState, SyncServerStatus, SyncServerEvents, CertificateStatus } from './server.js';
export { certificateCovers, CertificateError, loadCertificatePair, type CertificatePair } from './reach/tls/certificate-pair.js';

// Configuration: the typed shape, the one schema, and the official environment reader.
export type { ServerConfig, UserAccount, PasswordSecret, ServerLimits, TlsFiles } from './config/config.js';
export { DEFAULT_HOST, DEFAULT_MAX_PAYLOAD_MEGS, DEFAULT_PORT, DEFAULT_LIMITS } from './config/config.js';
export { APP_PORT_MIN, CONFIG_SCHEMA, ConfigError, DEFAULT_SNAPSHOT_MINUTES, isAppPort } from './config/config-schema.js';
export { baseFolderFromEnv, configFromEnv, listenAddressFromEnv, type EnvConfig, type UsersFileConfig } from './config/config-from-env.js';

// SYNC_USERS_FILE watched while the headless server runs, and the hashes `hash-password` writes.
export { UsersFileWatcher, changedAccounts, type UsersReload } from './auth/users-file-watcher.js';
export { hashPassword, type HashAlgorithm } from './auth/phc.js';

// The addresses devices can use, labelled by where they work.
export {
  addressWarning,
  clientAddresses,
  resolveCertificateNames,
  type AddressOptions,
  type InterfaceTable,
} from './reach/client-addresses.js';

// What learners were told inside Anki, and the events the app reports to them.
export type { NoticeTold, ToldDevices } from './report/learner-notices.js';

// A home certificate authority: HTTPS without a domain.
export {
  ensureHomeCertificate,
  homeAuthorityFiles,
  renewIfHomeCertificate,
  homeAuthorityOf,
  rootCertificatePem,
  RENEW_BEFORE_DAYS,
  type EnsureResult,
  type HomeAuthorityFiles,
} from './reach/home-authority.js';
export { appleRootProfile } from './reach/apple-profile.js';
export { ROOT_PROFILE_PATH } from './method-table.js';
export { tailscaleName, withTailscaleName, type TailscaleNameOptions } from './reach/tailscale-name.js';

// The `.local` name: asked for and, where nothing answers for it, answered by us.
export {
  askMdns,
  keepNameAnswering,
  mdnsName,
  MdnsResponder,
  servedInterfaces,
  type ServedInterface,
  type StableNameState,
} from './reach/mdns-name.js';

// Names Anki treats as AnkiWeb (its size limit applied), warned of by the window and the CLI.
export { ankiwebLookalikes, ankiwebTrapWarning } from './reach/ankiweb-trap.js';

// Logging.
export { consoleLogger, silentLogger, logFields, logLine, safeLogText, type Logger } from './report/log.js';

// What the server reports, and where a user's data lives.
export { LOGIN_THROTTLED, type ActivityEvent, type ActivityKind } from './protocol.js';
export { syncKey, type SyncProgress, type SyncProgressKind } from './report/sync-progress.js';
export type { ClientSeen } from './report/client-versions.js';
export { describeClient, type ClientDescription } from './report/client-version.js';
export { listenProblem, listenProblemForLearner, type ListenProblem } from './reach/listen-errors.js';
export { userPaths, userFolderKey, usernameProblem, SERVER_FOLDER, type UserPaths } from './storage/user-paths.js';

// Snapshots
export {
  SnapshotError,
  type AccountSnapshots,
  type SnapshotEntry,
  type SnapshotErrorReason,
  type SnapshotKind,
  type SnapshotOptions,
} from './storage/snapshots/snapshot-types.js';
export { offlineSnapshots } from './storage/snapshots/offline-snapshots.js';

// User status reads collection files directly.
export { openDatabase } from './storage/sqlite.js';
export { makeFolder, makeFolderSync, syncFolder, writeFileDurablySync } from './storage/durable.js';

// How full the storage disk is, for the window and the tray.
export { formatBytes, LOW_SPACE_FLOOR_BYTES, measureDisk, type SpaceView } from './storage/storage-space.js';

// Parts the benches time on their own, against raw SQLite, zstd and disk.
export { MediaStore } from './media/media-store.js';
export { deriveHostKey } from './auth/host-key.js';
export { deriveNoteColumns } from './collection/sync-data/note-fields.js';
export { parseJson, stringifyJson } from './json.js';
export { compressToFile, SNAPSHOT_ZSTD_LEVEL } from './storage/snapshots/zstd-file.js';

// Export
// "Download my collection": a collection package (.colpkg) Anki opens with File → Import.
export {
  currentMediaFiles,
  exportCollectionPackage,
  type ExportOptions,
  type ExportResult,
  type PackageSource,
} from './storage/export/export-package.js';
export { ExportError } from './storage/export/export-error.js';
export { exportUnpackedCollection } from './storage/export/unpacked-package.js';
