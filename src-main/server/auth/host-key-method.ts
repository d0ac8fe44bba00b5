// `hostKey` (login): {"u": name, "p": password} → {"key": hkey}, or 403.
import { AuthFailedError, BadRequestError } from '../errors.js';
import { jsonReply, type SyncReply } from '../protocol.js';
import type { UserAccount } from '../config/config.js';
import type { UserDirectory } from './user-directory.js';
import { parseJsonBody } from '../json-body.js';
import type { LoginThrottle } from './login-throttle.js';

export interface LoginOutcome {
  readonly reply: SyncReply;
  readonly account: UserAccount;
}

/**
 * Throws BadRequestError on a malformed body, AuthFailedError (carrying the
 * name tried) on a failed login once its delay is over, and 429/503 from the
 * throttle, before verifying, when too many logins are in progress.
 */
export async function hostKeyMethod(
  directory: UserDirectory,
  body: Buffer,
  throttle: LoginThrottle,
  address: string,
): Promise<LoginOutcome> {
  const request = parseJsonBody(body);
  if (typeof request !== 'object' || request === null || Array.isArray(request)) throw new BadRequestError('invalid json');
  const { u, p } = request as Record<string, unknown>;
  if (typeof u !== 'string' || typeof p !== 'string') throw new BadRequestError('invalid json');
  const found: { account: UserAccount | null } = { account: null };
  const attempt = { address, account: directory.has(u) ? u : null };
  await throttle.check(attempt, async () => (found.account = await directory.login(u, p)) !== null);
  const account = found.account;
  if (account === null) throw new LoginFailedError(u);
  return { reply: jsonReply({ key: account.hostKey }), account };
}

export class LoginFailedError extends AuthFailedError {
  constructor(readonly username: string) {
    super('invalid user/pass in get_host_key');
  }
}
