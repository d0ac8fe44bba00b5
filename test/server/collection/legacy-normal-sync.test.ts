// Every normal-sync scenario (test/server/collection/normal-sync/) again, with
// the devices speaking as legacy clients: multipart + gzip, meta version 9 or
// 10, graves by applyGraves or inside start, real due counts in sanityCheck2,
// and schema-11 full uploads and downloads. The scenario files pick the client
// from AHS_SYNC_MODE, so they run here in child processes, unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SYNC_MODE_ENV, SYNC_MODES } from '../../support/sync-mode.js';

const scenarioFolder = join(dirname(fileURLToPath(import.meta.url)), 'normal-sync');
const scenarioFiles = readdirSync(scenarioFolder)
  .filter((name) => name.endsWith('.test.js'))
  .sort()
  .map((name) => join(scenarioFolder, name));

function runScenarios(mode: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    // Without NODE_TEST_CONTEXT the child is a test run of its own, not a nested one.
    const { NODE_TEST_CONTEXT: _nested, ...env } = process.env;
    const child = spawn(process.execPath, ['--test', '--test-reporter=spec', ...scenarioFiles], {
      env: { ...env, [SYNC_MODE_ENV]: mode },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

for (const mode of Object.keys(SYNC_MODES).filter((name) => name !== 'v11')) {
  test(`every normal-sync scenario with ${mode} clients`, { timeout: 300_000 }, async () => {
    assert.ok(scenarioFiles.length >= 5, `scenario files found in ${scenarioFolder}`);
    const { code, output } = await runScenarios(mode);
    const passed = /^ℹ pass (\d+)/m.exec(output)?.[1];
    assert.equal(code, 0, output);
    assert.ok(Number(passed) > 10, `scenarios ran: ${passed ?? 'none'}\n${output}`);
  });
}
