// Every normal-sync scenario (test/server/collection/normal-sync/) again, with
// the devices speaking as legacy clients: multipart + gzip, meta version 9 or
// 10, graves by applyGraves or inside start, real due counts in sanityCheck2,
// and schema-11 full uploads and downloads. The scenario files pick the client
// from AHS_SYNC_MODE, so they run here in child processes, unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SYNC_MODE_ENV, SYNC_MODES } from '../../support/sync-mode.js';
import { rerunTestFiles } from '../../support/rerun-tests.js';

const scenarioFolder = join(dirname(fileURLToPath(import.meta.url)), 'normal-sync');
const scenarioFiles = readdirSync(scenarioFolder)
  .filter((name) => name.endsWith('.test.js'))
  .sort()
  .map((name) => join(scenarioFolder, name));

for (const mode of Object.keys(SYNC_MODES).filter((name) => name !== 'v11')) {
  test(`every normal-sync scenario with ${mode} clients`, { timeout: 300_000 }, async () => {
    assert.ok(scenarioFiles.length >= 5, `scenario files found in ${scenarioFolder}`);
    const { code, output, passed } = await rerunTestFiles(scenarioFiles, { [SYNC_MODE_ENV]: mode });
    assert.equal(code, 0, output);
    assert.ok(passed > 10, `scenarios ran: ${passed}\n${output}`);
  });
}
