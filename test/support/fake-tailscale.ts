// A real `tailscale` program for tests: a shell script in a folder of its own,
// put on the PATH given to the code under test, printing what the test chose for
// `tailscale status --json` and counting its runs. The code under test spawns it
// exactly as it spawns Tailscale's CLI.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class FakeTailscale {
  readonly env: NodeJS.ProcessEnv;
  private readonly runsFile: string;

  constructor(readonly folder: string) {
    this.env = { PATH: folder };
    this.runsFile = join(folder, 'runs');
  }

  /** From now on `tailscale status --json` prints `stdout` and exits with `code`. */
  answer(stdout: string, code = 0): void {
    const quoted = `'${stdout.replace(/'/g, `'\\''`)}'`;
    const script = join(this.folder, 'tailscale');
    writeFileSync(script, `#!/bin/sh\necho run >> '${this.runsFile}'\nprintf '%s\\n' ${quoted}\nexit ${code}\n`);
    chmodSync(script, 0o755);
  }

  /** A status whose Self.DNSName is `name`. */
  selfName(name: string): void {
    this.answer(JSON.stringify({ Version: '1.76.1', BackendState: 'Running', Self: { HostName: 'desk', DNSName: name } }));
  }

  runs(): number {
    return existsSync(this.runsFile) ? readFileSync(this.runsFile, 'utf8').split('\n').filter(Boolean).length : 0;
  }
}
