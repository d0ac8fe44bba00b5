// Every media test file again, with the devices speaking as legacy clients:
// Python/AnkiDroid multipart with gzip and `sk`, and desktop 2.1.22–2.1.56
// (GET begin, nothing compressed). The files pick the transport from
// AHS_MEDIA_MODE, so they run here in child processes, unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MEDIA_MODE_ENV, MEDIA_MODES } from '../../support/sync-mode.js';
import { rerunTestFiles } from '../../support/rerun-tests.js';

const here = fileURLToPath(import.meta.url);
const mediaFolder = dirname(here);
const mediaFiles = readdirSync(mediaFolder)
  .filter((name) => name.endsWith('.test.js') && name !== basename(here))
  .sort()
  .map((name) => join(mediaFolder, name));

for (const mode of MEDIA_MODES.filter((name) => name !== 'v11')) {
  test(`every media test with ${mode} devices`, { timeout: 300_000 }, async () => {
    assert.ok(
      mediaFiles.some((file) => file.endsWith('sync-roundtrip.test.js')),
      `media tests found in ${mediaFolder}`,
    );
    const { code, output, passed } = await rerunTestFiles(mediaFiles, { [MEDIA_MODE_ENV]: mode });
    assert.equal(code, 0, output);
    assert.ok(passed > 20, `media tests ran: ${passed}\n${output}`);
  });
}
