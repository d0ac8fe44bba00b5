// `hostKey` (login): {"u": name, "p": password} → {"key": hkey}, or 403.
import { AuthFailedError, BadRequestError } from '../errors.js';
import { jsonReply, type SyncReply } from '../protocol.js';
import type { UserAccount } from '../config.js';
import type { UserDirectory } from './user-directory.js';
import { parseJsonBody } from '../json-body.js';

export interface LoginOutcome {
  readonly reply: SyncReply;
  readonly account: UserAccount;
}

/** Throws BadRequestError on a malformed body and AuthFailedError (carrying the name tried) on a failed login. */
export async function hostKeyMethod(directory: UserDirectory, body: Buffer): Promise<LoginOutcome> {
  const request = parseJsonBody(body);
  if (typeof request !== 'object' || request === null || Array.isArray(request)) throw new BadRequestError('invalid json');
  const { u, p } = request as Record<string, unknown>;
  if (typeof u !== 'string' || typeof p !== 'string') throw new BadRequestError('invalid json');
  const account = await directory.login(u, p);
  if (account === null) throw new LoginFailedError(u);
  return { reply: jsonReply({ key: account.hostKey }), account };
}

export class LoginFailedError extends AuthFailedError {
  constructor(readonly username: string) {
    super('invalid user/pass in get_host_key');
  }
}
