#!/usr/bin/env node
// Entry point of `npx anki-home-sync`: the compiled headless command. The Node
// version is checked first, before any native module loads (bin/node-version.js).
import { refuseOldNode } from './node-version.js';

refuseOldNode('anki-home-sync');

const { existsSync } = await import('node:fs');
const { fileURLToPath } = await import('node:url');
const cli = new URL('../dist/src-main/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  console.error('anki-home-sync: not built yet; run "npm run build" (or "npm run serve") first.');
  process.exit(1);
}
await import(cli.href);
