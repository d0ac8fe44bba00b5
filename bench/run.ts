// `npm run bench`: runs every bench/*.bench.js in its own process, one after the
// other, so that each one's peak RSS and timings are its own. Arguments after
// the name part go to the bench (`node dist/bench/run.js full-sync 500 5000`).
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv[2];
const benches = readdirSync(here)
  .filter((name) => name.endsWith('.bench.js'))
  .filter((name) => !only || name.includes(only))
  .sort();

let failed = 0;
for (const name of benches) {
  console.log(`\n=== ${name.replace(/\.bench\.js$/, '')} ===`);
  const result = spawnSync(process.execPath, ['--expose-gc', join(here, name), ...process.argv.slice(3)], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
