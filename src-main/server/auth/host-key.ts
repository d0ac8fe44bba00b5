import { createHash } from 'node:crypto';

/**
 * The official server's host key: lowercase hex SHA-1 of the whole SYNC_USERn
 * value (`name:password`, or `name:<PHC>` in hashed mode). Keeping the same
 * derivation keeps devices logged in when they switch servers.
 */
export function deriveHostKey(userEnvValue: string): string {
  return createHash('sha1').update(userEnvValue, 'utf8').digest('hex');
}
