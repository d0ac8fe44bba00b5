// Which compiled test files a run takes: every *.test.js under a folder, or
// only those whose path contains a filter; `fast` leaves out the end-to-end
// files (*.e2e.test.js: whole syncs, child processes, the browser, packaging).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function collectTests(dir, { fast = false, filter } = {}) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...collectTests(path, { fast, filter }));
    else if (name.endsWith('.test.js') && !(fast && name.endsWith('.e2e.test.js')) && (!filter || path.includes(filter))) out.push(path);
  }
  return out.sort();
}
