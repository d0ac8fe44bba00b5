#!/usr/bin/env node
// Refuses to go on under a Node.js older than the one the native modules need
// (better-sqlite3 13 needs 22; on Debian 12's own Node 20 it dies with a
// segmentation fault and no word). Imported first by bin/anki-home-sync.js,
// before anything native loads, and run by `npm start` and `npm run serve`
// before they build. Written for old Nodes too: no syntax newer than they read.
import { fileURLToPath } from 'node:url';

/** package.json's engines.node; test/app/node-version.test.ts keeps the two equal. */
export const MINIMUM_NODE_MAJOR = 22;

/** The sentence to print, or null when this Node will do. */
export function oldNodeMessage(version, what) {
  const major = Number(String(version).replace(/^v/, '').split('.')[0]);
  if (major >= MINIMUM_NODE_MAJOR) return null;
  return (
    what +
    ' needs Node.js ' +
    MINIMUM_NODE_MAJOR +
    ' or newer, and this is Node.js ' +
    String(version).replace(/^v/, '') +
    ": install Node.js 24 LTS from https://nodejs.org/ (or your package manager's nodejs, version " +
    MINIMUM_NODE_MAJOR +
    ' or newer) and run it again.'
  );
}

/** Prints the sentence and exits 1 under an old Node. */
export function refuseOldNode(what) {
  const message = oldNodeMessage(process.versions.node, what);
  if (message === null) return;
  process.stderr.write(message + '\n');
  process.exit(1);
}

// Run directly (npm start, npm run serve): check, and exit 0 when fine.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) refuseOldNode(process.argv[2] || 'Anki Home Sync');
