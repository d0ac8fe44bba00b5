// The official server's environment variables (and our own limits) → ServerConfig,
// read through the one schema of settings (config-schema.ts). Every mistake is
// reported with the variable's name before anything listens or touches a file.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ServerConfig } from './config.js';
import { usersFromEnv, UserConfigError } from './auth/users-from-env.js';
import type { ClientIpSource } from './http/client-ip.js';
import { checkUsernames } from './auth/usernames.js';
import { ConfigError, readChoice, readInteger, readIpAddress, readLimits, readOptionalInteger, readTlsFiles } from './config-schema.js';

export { ConfigError };

export interface EnvConfig {
  readonly config: ServerConfig;
  /** Things that do not stop the server but that the operator should read. */
  readonly warnings: readonly string[];
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

export function configFromEnv(env: NodeJS.ProcessEnv = process.env, home: () => string = homedir): EnvConfig {
  const host = readIpAddress(env, 'host');
  const port = readInteger(env, 'port');
  const baseFolder = readBase(env, home);
  const maxPayloadMegs = readInteger(env, 'maxPayloadMegs');
  const ipHeader = readChoice<ClientIpSource>(env, 'ipHeader');
  const limits = readLimits(env);
  const tlsFiles = readTlsFiles(env);
  const lowSpaceMegs = readOptionalInteger(env, 'lowSpaceMegs');
  const tls = tlsFiles === undefined ? undefined : { certFile: resolve(tlsFiles.certFile), keyFile: resolve(tlsFiles.keyFile) };
  let loaded;
  try {
    loaded = usersFromEnv(env);
  } catch (error) {
    if (error instanceof UserConfigError) throw new ConfigError(error.message);
    throw error;
  }
  const problem = checkUsernames(loaded.users.map((user) => user.name));
  if (problem !== null) throw new ConfigError(problem);
  const config: ServerConfig = {
    host,
    port,
    baseFolder,
    maxPayloadMegs,
    users: loaded.users,
    limits,
    ...(ipHeader ? { ipHeader } : {}),
    ...(tls ? { tls } : {}),
    ...(lowSpaceMegs === undefined ? {} : { lowSpaceMegs }),
  };
  return { config, warnings: loaded.warnings };
}
