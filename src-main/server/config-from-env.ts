// The official server's environment variables → ServerConfig. Every mistake is
// reported with the variable's name before anything listens or touches a file.
import { homedir } from 'node:os';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { DEFAULT_HOST, DEFAULT_MAX_PAYLOAD_MEGS, DEFAULT_PORT, type ServerConfig } from './config.js';
import { usersFromEnv, UserConfigError } from './auth/users-from-env.js';
import { CLIENT_IP_SOURCES, isClientIpSource } from './http/client-ip.js';
import { checkUsernames } from './auth/usernames.js';

export class ConfigError extends Error {}

export interface EnvConfig {
  readonly config: ServerConfig;
  /** Things that do not stop the server but that the operator should read. */
  readonly warnings: readonly string[];
}

function readHost(env: NodeJS.ProcessEnv): string {
  const host = env['SYNC_HOST'];
  if (host === undefined) return DEFAULT_HOST;
  if (isIP(host) === 0) {
    throw new ConfigError(`SYNC_HOST must be an IP address such as 0.0.0.0, 127.0.0.1 or ::, not "${host}".`);
  }
  return host;
}

function readPort(env: NodeJS.ProcessEnv): number {
  const text = env['SYNC_PORT'];
  if (text === undefined) return DEFAULT_PORT;
  const port = /^\+?[0-9]{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new ConfigError(`SYNC_PORT must be a port number from 0 to 65535, not "${text}".`);
  return port;
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

function readMaxPayload(env: NodeJS.ProcessEnv): number {
  const text = env['MAX_SYNC_PAYLOAD_MEGS'];
  if (text === undefined) return DEFAULT_MAX_PAYLOAD_MEGS;
  const megs = /^[0-9]{1,7}$/.test(text) ? Number(text) : NaN;
  if (!(megs >= 1)) throw new ConfigError(`MAX_SYNC_PAYLOAD_MEGS must be a whole number of MiB (1 or more), not "${text}".`);
  return megs;
}

function readIpHeader(env: NodeJS.ProcessEnv): ServerConfig['ipHeader'] {
  const name = env['SYNC_IP_HEADER'];
  if (name === undefined) return undefined;
  if (!isClientIpSource(name)) {
    throw new ConfigError(`SYNC_IP_HEADER must be one of ${CLIENT_IP_SOURCES.join(', ')}, not "${name}".`);
  }
  return name;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env, home: () => string = homedir): EnvConfig {
  const host = readHost(env);
  const port = readPort(env);
  const baseFolder = readBase(env, home);
  const maxPayloadMegs = readMaxPayload(env);
  const ipHeader = readIpHeader(env);
  let loaded;
  try {
    loaded = usersFromEnv(env);
  } catch (error) {
    if (error instanceof UserConfigError) throw new ConfigError(error.message);
    throw error;
  }
  const problem = checkUsernames(loaded.users.map((user) => user.name));
  if (problem !== null) throw new ConfigError(problem);
  const config: ServerConfig = { host, port, baseFolder, maxPayloadMegs, users: loaded.users, ...(ipHeader ? { ipHeader } : {}) };
  return { config, warnings: loaded.warnings };
}
