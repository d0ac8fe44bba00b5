// The configured accounts, looked up by host key (every request) or by name and
// password (login). Login scans every account and always runs one password
// verification, so an unknown name takes as long as a wrong password: for a
// name nobody has, against the most expensive hash configured.
import type { UserAccount } from '../config/config.js';
import { passwordMatches, prepareSecret, verificationCost, type PreparedSecret } from './password.js';

interface Entry {
  readonly account: UserAccount;
  readonly secret: PreparedSecret;
}

export class UserDirectory {
  private readonly entries: readonly Entry[];
  private readonly byHostKey: ReadonlyMap<string, Entry>;
  private readonly decoy: Entry | undefined;

  /** Throws PhcFormatError if a secret is malformed (the config builders report it first, by name). */
  constructor(
    accounts: readonly UserAccount[],
    private readonly verify: (secret: PreparedSecret, password: string) => Promise<boolean> = passwordMatches,
  ) {
    this.entries = accounts.map((account) => ({ account, secret: prepareSecret(account.secret) }));
    this.byHostKey = new Map(this.entries.map((entry) => [entry.account.hostKey, entry]));
    this.decoy = this.entries.reduce<Entry | undefined>(
      (costliest, entry) =>
        costliest === undefined || verificationCost(entry.secret) > verificationCost(costliest.secret) ? entry : costliest,
      undefined,
    );
  }

  /** Whether an account of this exact name exists. */
  has(username: string): boolean {
    return this.entries.some((entry) => entry.account.name === username);
  }

  get accounts(): readonly UserAccount[] {
    return this.entries.map((entry) => entry.account);
  }

  findByHostKey(hostKey: string): UserAccount | undefined {
    return this.byHostKey.get(hostKey)?.account;
  }

  /** The account whose name and password match, or null. */
  async login(username: string, password: string): Promise<UserAccount | null> {
    let match: Entry | undefined;
    for (const entry of this.entries) {
      if (entry.account.name === username) match = entry;
    }
    const decoy = this.decoy;
    if (match === undefined) {
      // Same work as a wrong password, then the same answer.
      if (decoy !== undefined) await this.verify(decoy.secret, password);
      return null;
    }
    return (await this.verify(match.secret, password)) ? match.account : null;
  }
}
