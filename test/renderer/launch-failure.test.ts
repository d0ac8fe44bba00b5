// A browser that fails to launch must fail its test and leave nothing running:
// once the harness stopped its page server on failure, a launch failure left
// the test process waiting forever instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./launch-failure-child.js', import.meta.url));

test('a browser that cannot launch rejects openWindow, and the process then exits on its own', async () => {
  const child = spawn(process.execPath, [CHILD, process.platform === 'win32' ? 'C:\\nonexistent.exe' : '/bin/false'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('exit', (c, s) => resolve([c, s])),
  );
  clearTimeout(killer);
  assert.match(output, /^rejected: /);
  assert.equal(signal, null, 'the child had to be killed: something kept it alive after the failed launch');
  assert.equal(code, 0);
});
