// Child process for export-memory.e2e.test.ts: exports the package it is given
// and prints its peak resident memory before and after, as JSON on stdout, so
// the parent can tell whether the export held the collection or the media in
// memory. argv: collection, media folder, output file.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { exportCollectionPackage } from '../../src-main/server/index.js';

const [collection, mediaFolder, out] = process.argv.slice(2) as [string, string, string];
const media = readdirSync(mediaFolder)
  .sort()
  .map((name) => ({ name, path: join(mediaFolder, name) }));
const peakBefore = process.resourceUsage().maxRSS * 1024;
const result = await exportCollectionPackage({ collection, media }, out);
const peakAfter = process.resourceUsage().maxRSS * 1024;
process.stdout.write(JSON.stringify({ peakBefore, peakAfter, result }));
