#!/usr/bin/env node
// Entry point of `npx anki-home-sync`: the compiled headless command.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/src-main/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  console.error('anki-home-sync: not built yet; run "npm run build" (or "npm run serve") first.');
  process.exit(1);
}
await import(cli.href);
