// Turns the app's stored users into the server's UserAccount list: argon2id PHC
// secrets, and host keys derived as hex(sha1("name:<phc>")) so they change
// whenever the password does (devices then log in again).

import { createHash } from 'node:crypto';
import argon2 from 'argon2';
import type { UserAccount } from '../server/index.js';
import type { StoredUser } from '../settings/settings.js';

export async function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

export function hostKeyFor(name: string, phc: string): string {
  return createHash('sha1').update(`${name}:${phc}`, 'utf8').digest('hex');
}

export function toUserAccount(user: StoredUser): UserAccount {
  return { name: user.name, secret: { kind: 'phc', phc: user.phc }, hostKey: hostKeyFor(user.name, user.phc) };
}
