// Smoke-tests a packaged app, as the release workflow builds it:
//   node scripts/smoke-packaged.js <path to the app's executable>
// With a fresh profile holding one account, the app must start its server,
// answer /health and a login, and exit 0 when asked to quit (SIGTERM; on
// Windows, where there are no signals, the process is ended and only the
// server's answers are checked). Needs `npm run build` first (it uses the
// test clients in dist/test). Packaged builds cannot be driven by playwright:
// their inspector fuse is off, so this talks to the server only.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const executable = process.argv[2];
if (!executable) {
  console.error('usage: node scripts/smoke-packaged.js <app executable>');
  process.exit(2);
}
const { seedProfile, waitForHealth, loginAt } = await import('../dist/test/electron/app-profile.js');

const port = await new Promise((resolve) => {
  const probe = createServer();
  probe.listen(0, '127.0.0.1', () => {
    const { port: free } = probe.address();
    probe.close(() => resolve(free));
  });
});
const profile = mkdtempSync(join(tmpdir(), 'ahs-smoke-'));
await seedProfile(profile, { port, users: [{ name: 'smoke', password: 'smoke-test-password' }] });

const args = [`--user-data-dir=${profile}`, ...(process.platform === 'linux' ? ['--no-sandbox'] : [])];
const child = spawn(executable, args, { stdio: 'inherit' });
const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
const base = `http://127.0.0.1:${port}/`;
let failed = false;
try {
  await waitForHealth(base, 60_000);
  const key = await loginAt(base, 'smoke', 'smoke-test-password');
  if (!/^[0-9a-f]{40}$/.test(key)) throw new Error(`unexpected host key ${key}`);
  console.log(`✔ ${executable}: /health and a login at ${base}`);
  child.kill('SIGTERM');
  const { code, signal } = await exited;
  if (process.platform !== 'win32' && code !== 0) throw new Error(`exited with ${code ?? signal} on SIGTERM, not 0`);
  console.log(`✔ exited (${code ?? signal})`);
} catch (error) {
  failed = true;
  console.error(`✖ ${error instanceof Error ? error.message : String(error)}`);
  child.kill('SIGKILL');
} finally {
  rmSync(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
