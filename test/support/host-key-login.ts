// Logs in as a version-11 Anki client does (test/support's V11Client), reporting
// the HTTP status instead of throwing, so tests can compare 200 and 403.

import { V11Client } from './v11-client.js';
import { SyncHttpError } from './v11-transport.js';

export interface LoginResult {
  readonly status: number;
  readonly key: string | null;
}

export async function hostKeyLogin(baseUrl: string, username: string, password: string): Promise<LoginResult> {
  try {
    return { status: 200, key: await new V11Client(baseUrl).login(username, password) };
  } catch (error) {
    if (error instanceof SyncHttpError) return { status: error.status, key: null };
    throw error;
  }
}
