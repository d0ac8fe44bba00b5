// The official server's environment variables (and our own limits) → ServerConfig,
// read through the one schema of settings (config-schema.ts). Every mistake is
// reported with the variable's name before anything listens or touches a file.
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { mdnsName } from '../reach/mdns-name.js';
import { join, resolve } from 'node:path';
import { CONFIG_SCHEMA, readUsersFilePath } from './config-schema.js';
import type { ServerConfig, UserAccount } from './config.js';
import { passwordsHashed, usersFromEnv, UserConfigError } from '../auth/users-from-env.js';
import { readUsersFile, type UsersFile } from '../auth/users-file.js';
import type { ClientIpSource } from '../http/client-ip.js';
import { checkUsernames } from '../auth/usernames.js';
import {
  ConfigError,
  readChoice,
  readInteger,
  readIpAddress,
  readLimits,
  readOptionalInteger,
  readSnapshotDir,
  readSnapshotMinutes,
  readTlsFiles,
} from './config-schema.js';

export { ConfigError };

export interface EnvConfig {
  readonly config: ServerConfig;
  /** Things that do not stop the server but that the operator should read. */
  readonly warnings: readonly string[];
  /** SYNC_USERS_FILE, to be watched while the server runs (auth/users-file-watcher.ts); null when unset. */
  readonly usersFile: UsersFileConfig | null;
  /** SYNC_MDNS_NAME as a `.local` name (reach/mdns-name.ts); null when unset. */
  readonly mdnsName: string | null;
}

export interface UsersFileConfig {
  readonly file: UsersFile;
  /** The SYNC_USERn accounts, which stay as they are whatever the file says. */
  readonly fixed: readonly UserAccount[];
  /** The file's accounts as read at start. */
  readonly fromFile: readonly UserAccount[];
}

/** SYNC_BASE alone (default `~/.syncserver`), for commands that read an account's files and need no accounts configured. */
export function baseFolderFromEnv(env: NodeJS.ProcessEnv = process.env, home: () => string = homedir): string {
  return readBase(env, home);
}

function readBase(env: NodeJS.ProcessEnv, home: () => string): string {
  const base = env['SYNC_BASE'];
  if (base === undefined) {
    const folder = home();
    if (folder === '') throw new ConfigError('Unable to determine home folder; please set SYNC_BASE.');
    return join(folder, '.syncserver');
  }
  if (base.trim() === '') throw new ConfigError("SYNC_BASE is set but empty; give the folder that holds the users' data.");
  return resolve(base);
}

/**
 * SYNC_HOST and SYNC_PORT alone, for `--healthcheck`: a container's health must
 * not depend on the accounts (a users file with a mistake keeps the server
 * serving its last good list, so it is still healthy).
 */
export function listenAddressFromEnv(env: NodeJS.ProcessEnv = process.env): { host: string; port: number } {
  return { host: readIpAddress(env, 'host'), port: readInteger(env, 'port') };
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env, home: () => string = homedir): EnvConfig {
  const host = readIpAddress(env, 'host');
  const port = readInteger(env, 'port');
  const baseFolder = readBase(env, home);
  const maxPayloadMegs = readInteger(env, 'maxPayloadMegs');
  const ipHeader = readChoice<ClientIpSource>(env, 'ipHeader');
  const limits = readLimits(env);
  const tlsFiles = readTlsFiles(env);
  const lowSpaceMegs = readOptionalInteger(env, 'lowSpaceMegs');
  const snapshotMinutes = readSnapshotMinutes(env);
  const snapshotDir = readSnapshotDir(env);
  const tls = tlsFiles === undefined ? undefined : { certFile: resolve(tlsFiles.certFile), keyFile: resolve(tlsFiles.keyFile) };
  const usersFilePath = readUsersFilePath(env);
  const file: UsersFile | null = usersFilePath === undefined ? null : { path: resolve(usersFilePath), hashed: passwordsHashed(env) };
  const warnings: string[] = [];
  let fixed: UserAccount[];
  let fromFile: UserAccount[] = [];
  try {
    const loaded = usersFromEnv(env, { required: file === null });
    fixed = loaded.users;
    warnings.push(...loaded.warnings);
    const problem = checkUsernames(fixed.map((user) => user.name));
    if (problem !== null) throw new ConfigError(problem);
    if (file !== null) {
      const read = readUsersFile(file, fixed);
      fromFile = read.users;
      warnings.push(...read.warnings, ...usersFileWarnings(file, fixed.length + fromFile.length));
    }
  } catch (error) {
    if (error instanceof UserConfigError) throw new ConfigError(error.message);
    throw error;
  }
  const config: ServerConfig = {
    host,
    port,
    baseFolder,
    maxPayloadMegs,
    users: [...fixed, ...fromFile],
    limits,
    ...(ipHeader ? { ipHeader } : {}),
    ...(tls ? { tls } : {}),
    ...(lowSpaceMegs === undefined ? {} : { lowSpaceMegs }),
    snapshotMinutes,
    snapshotDir: snapshotDir === null ? null : resolve(snapshotDir),
  };
  return { config, warnings, usersFile: file === null ? null : { file, fixed, fromFile }, mdnsName: readMdnsName(env) };
}

function readMdnsName(env: NodeJS.ProcessEnv): string | null {
  const text = env[CONFIG_SCHEMA.mdnsName.env];
  if (text === undefined || text.trim() === '') return null;
  try {
    return mdnsName(text);
  } catch (error) {
    throw new ConfigError(`${CONFIG_SCHEMA.mdnsName.env}: ${(error as Error).message}.`);
  }
}

/** What the operator should know about the users file: no accounts yet, or plain passwords others can read. */
function usersFileWarnings(file: UsersFile, accounts: number): string[] {
  const variable = CONFIG_SCHEMA.usersFile.env;
  const warnings: string[] = [];
  if (accounts === 0) warnings.push(`${variable} lists no accounts yet; nobody can log in until a line is added (no restart needed).`);
  if (!file.hashed && (statSync(file.path).mode & 0o004) !== 0) {
    warnings.push(
      `${variable} holds plain passwords and every account on this computer can read it; make it private (chmod 600) or store hashes (PASSWORDS_HASHED).`,
    );
  }
  return warnings;
}
