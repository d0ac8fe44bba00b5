// Every media test file again, with the devices speaking as legacy clients:
// Python/AnkiDroid multipart with gzip and `sk`, and desktop 2.1.22–2.1.56
// (GET begin, nothing compressed). The files pick the transport from
// AHS_MEDIA_MODE, so they run here in child processes, unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MEDIA_MODE_ENV, MEDIA_MODES } from '../../support/sync-mode.js';

const here = fileURLToPath(import.meta.url);
const mediaFolder = dirname(here);
const mediaFiles = readdirSync(mediaFolder)
  .filter((name) => name.endsWith('.test.js') && name !== basename(here))
  .sort()
  .map((name) => join(mediaFolder, name));

function runMediaTests(mode: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    // Without NODE_TEST_CONTEXT the child is a test run of its own, not a nested one.
    const { NODE_TEST_CONTEXT: _nested, ...env } = process.env;
    const child = spawn(process.execPath, ['--test', '--test-reporter=spec', ...mediaFiles], {
      env: { ...env, [MEDIA_MODE_ENV]: mode },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

for (const mode of MEDIA_MODES.filter((name) => name !== 'v11')) {
  test(`every media test with ${mode} devices`, { timeout: 300_000 }, async () => {
    assert.ok(mediaFiles.some((file) => file.endsWith('sync-roundtrip.test.js')), `media tests found in ${mediaFolder}`);
    const { code, output } = await runMediaTests(mode);
    const passed = /^ℹ pass (\d+)/m.exec(output)?.[1];
    assert.equal(code, 0, output);
    assert.ok(Number(passed) > 20, `media tests ran: ${passed ?? 'none'}\n${output}`);
  });
}
